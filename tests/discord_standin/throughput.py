"""How many requests/s the stand-in serves with rate limiting off (it must not be the
bottleneck of a 50 req/s fan-out benchmark).

    uv run python -m tests.discord_standin.throughput [requests] [concurrency]

Two measurements, both with client and stand-in on one event loop (as tests and the
benchmark run them): raw aiohttp DM sends (open DM + message per user, the fan-out path),
and the same through discord.py's ``User.send``.
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiohttp
import discord

from .server import DiscordStandIn

FIRST_SYNTHETIC_USER = 1_300_000_000_000_000_000


async def _raw(d: DiscordStandIn, total: int, concurrency: int) -> float:
    headers = {"Authorization": f"Bot {d.token}"}
    todo = iter(range(total // 2))
    async with aiohttp.ClientSession(headers=headers) as http:

        async def worker() -> None:
            for i in todo:
                body = {"recipient_id": str(FIRST_SYNTHETIC_USER + i)}
                async with http.post(f"{d.api_base}/users/@me/channels", json=body) as resp:
                    channel = await resp.json()
                url = f"{d.api_base}/channels/{channel['id']}/messages"
                async with http.post(url, json={"content": f"check-in {i}"}) as resp:
                    assert resp.status == 200, await resp.text()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return (total // 2) * 2 / (time.perf_counter() - start)


async def _discord_py(d: DiscordStandIn, total: int, concurrency: int) -> float:
    client = discord.Client(intents=discord.Intents.none())
    await client.login(d.token)
    todo = iter(range(total // 2))

    async def worker() -> None:
        for i in todo:
            user = discord.Object(FIRST_SYNTHETIC_USER + 10 * total + i)
            channel = await client.create_dm(user)
            await channel.send(f"check-in {i}")

    try:
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return (total // 2) * 2 / (time.perf_counter() - start)
    finally:
        await client.close()


async def main(total: int, concurrency: int) -> None:
    async with DiscordStandIn() as d:
        with d.point_discord_py_here():
            raw = await _raw(d, total, concurrency)
            lib = await _discord_py(d, total, concurrency)
        print(f"raw aiohttp : {raw:8.0f} requests/s ({total} requests, {concurrency} workers)")
        print(f"discord.py  : {lib:8.0f} requests/s ({total} requests, {concurrency} workers)")
        print(f"429s served : {d.stats.served_429}; requests seen: {d.stats.requests}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(args + [4000, 32][len(args) :])))
