"""Discord fan-out: 10,000 check-in DMs through the real App, adapter and discord.py client,
against the local Discord stand-in enforcing Discord's global limit of 50 requests/s.

    uv run python bench/discord_fanout.py [--members N] [--page-every SECONDS]

Every member's check-in is due a minute ago when the App starts (real clock, as in production:
the start-up catch-up queues them all). The members' DM channels are known from earlier days
(the adapter's state file), as they are in a running community; a cold start would first
open each channel, one more request per member. While the fan-out runs, a member writes
crisis language in a DM every few seconds; the page's latency is measured from the member's
message to the page in the moderator channel. Prints a Markdown table.

discord.py logs "Can't keep up, ... websocket is 41.3s behind" at each heartbeat here: a race in
its heartbeat thread, which records the send time only after the send completes, while over
loopback the stand-in's ACK is handled first (so "behind" is exactly one heartbeat interval).
The event loop is not blocked: see the page latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.discord import DiscordAdapter, options_from
from bot.app import App
from bot.config import Settings
from bot.features import ALL_FEATURES
from bot.ports import SystemClock
from bot.store.db import Database, to_db
from bot.store.migrations import migrate
from tests.discord_standin import DiscordStandIn

FIRST_MEMBER = 1_300_000_000_000_000_000
FIRST_PAGER = 1_310_000_000_000_000_000
LIMIT = 50.0
MESSAGES = "POST /channels/{channel_id}/messages"
CRISIS = "I'm going to take all my pills tonight"


async def prepare(d: DiscordStandIn, tmp: Path, members: list[int]) -> Settings:
    """A database of members due now, and the state file knowing their DM channels."""
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    db = await Database.open(tmp / "bench.db")
    await migrate(db, SystemClock())
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO checkin_schedules (user, local_time, zone, days, state, next_due_at,"
            " created_at, updated_at) VALUES (?, ?, 'UTC', '*', 'on', ?, ?, ?)",
            [(f"discord:{m}", now.strftime("%H:%M"), to_db(now), to_db(now), to_db(now))
             for m in members])
    await db.close()
    channels = {str(m): d.world.dm_channel_for(d.world.synthetic_user(m).id).id for m in members}
    (tmp / "discord-state.json").write_text(json.dumps({"dm": channels, "commands": None}))
    world = d.world
    return Settings(
        bot={"database": str(tmp / "bench.db"), "adapters": ["discord"], "log_level": "WARNING"},
        discord={"token": d.token, "guild_id": world.guild.id,
                 "moderator_role_ids": [world.moderator_role_id],
                 "moderator_channel_id": world.mod_channel_id,
                 "state_file": str(tmp / "discord-state.json")},
    )


async def page_latencies(d: DiscordStandIn, every: float, done: asyncio.Event) -> list[float]:
    """A new member in crisis every ``every`` seconds until the fan-out is done."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    mods = d.world.mod_channel_id
    for n in range(10_000):
        try:
            await asyncio.wait_for(done.wait(), every)
            return latencies
        except TimeoutError:
            pass
        mark = d.sent.mark()
        started = loop.time()
        await d.send_dm(d.world.synthetic_user(FIRST_PAGER + n), CRISIS)
        await d.wait_for_message(lambda m: m.channel_id == mods and bool(m.pings.roles),
                                 after=mark, timeout=30)
        latencies.append(loop.time() - started)
    return latencies


async def delivered(d: DiscordStandIn, members: set[int], count: int) -> float:
    """Loop time of the ``count``-th check-in DM the stand-in accepted."""
    channels = {d.world.dm_channels[m].id for m in members}
    seen, found = 0, 0
    while True:
        calls = d.calls.items
        for call in calls[seen:]:
            if call.route == MESSAGES and call.status == 200 \
                    and int(call.params["channel_id"]) in channels:
                found += 1
                if found == count:
                    return call.at
        seen = len(calls)
        await asyncio.sleep(0.25)


async def run(count: int, every: float) -> dict[str, float]:
    members = [FIRST_MEMBER + i for i in range(count)]
    async with DiscordStandIn() as d:
        d.rate_limits(global_per_second=LIMIT)
        with d.point_discord_py_here(), tempfile.TemporaryDirectory() as tmp:
            settings = await prepare(d, Path(tmp), members)
            loop = asyncio.get_running_loop()
            clock = SystemClock()
            adapter = DiscordAdapter(replace(options_from(settings), ready_timeout=0.05), clock)
            started = loop.time()
            requests_before = d.stats.requests
            async with App(settings, clock, [adapter], ALL_FEATURES):
                done = asyncio.Event()
                pages = asyncio.create_task(page_latencies(d, every, done))
                finished = await delivered(d, set(members), count)
                done.set()
                latencies = await pages
            window = [c for c in d.calls if started <= c.at <= finished]
        return {
            "messages": count, "seconds": finished - started,
            "requests": len(window), "all_requests": d.stats.requests - requests_before,
            "served_429": d.stats.served_429, "pages": len(latencies),
            "page_p50": statistics.median(latencies) if latencies else float("nan"),
            "page_max": max(latencies, default=float("nan")),
        }


def table(r: dict[str, float]) -> str:
    rate = r["messages"] / r["seconds"]
    budget = r["messages"] / (0.9 * LIMIT)
    rows = [
        ("check-in DMs delivered", f"{r['messages']:,.0f}", ""),
        ("seconds, App start to the last DM", f"{r['seconds']:.1f}", f"<= {budget:.0f}"),
        ("rate", f"{rate:.1f} DMs/s", ""),
        ("ratio to the 50/s limit", f"{rate / LIMIT:.3f}", ">= 0.90"),
        ("requests in that time (all routes)", f"{r['requests']:,.0f} "
         f"({r['requests'] / r['seconds']:.1f}/s)", "<= 50/s"),
        ("429s served", f"{r['served_429']:.0f}", "a handful at most"),
        (f"crisis page latency p50 / max ({r['pages']:.0f} pages)",
         f"{r['page_p50'] * 1000:.0f} ms / {r['page_max'] * 1000:.0f} ms", "<= 1 s"),
    ]
    lines = ["| measure | result | target |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--page-every", type=float, default=5.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args.members, args.page_every))
    print(f"Discord fan-out: {args.members:,} check-in DMs, stand-in enforcing 50 requests/s "
          "(`uv run python bench/discord_fanout.py`)\n")
    print(table(result))


if __name__ == "__main__":
    main()
