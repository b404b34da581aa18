"""Matrix end to end, against a local Synapse this script starts on 127.0.0.1.

    uv run python bench/matrix_e2e.py [--members 1000] [--pages 200]

The bot is the real App (every feature, the Matrix adapter, real delivery workers and
scheduler) on a clock that runs in real time and can be moved forward, so a day's check-ins
fall due on demand. Members are plain HTTP clients; the moderator is a nio client.

Set-up runs with Synapse's rate limits raised: register the bot, a moderator and the members,
each member opens a DM with the bot and opts in to check-ins. Then Synapse restarts with its
default limits and the script measures:

1. check-in fan-out to every member under the defaults (rc_message 0.2/s, burst 10: 1,000
   prompts need at least (1000 - 10) / 0.2 = 4,950 s), with one crisis written half-way, whose
   page must not wait behind the fan-out;
2. the bot exempted with Synapse's admin ``override_ratelimit`` API (what a deployment does):
   crisis page latency, from a member's client sending to the page reaching the moderator's
   client, over ``--pages`` members (goal p50 <= 150 ms, p99 <= 500 ms);
3. the next day's fan-out to every member, exempted.

Nothing may be lost: every member's DM is read back from Synapse. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import AsyncClient, RoomMessageText, SyncResponse

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))  # the Synapse harness lives with the tests

from adapters.matrix import build  # noqa: E402
from bot.app import App  # noqa: E402
from bot.checkins.texts import PROMPT  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.features import ALL_FEATURES  # noqa: E402
from tests.matrix_harness import SynapseServer, create_room  # noqa: E402
from tests.matrix_harness.clients import RegisteredUser  # noqa: E402

CRISIS = "I'm going to take all my pills tonight"
CONCURRENCY = 16
DEFAULT_RATE, DEFAULT_BURST = 0.2, 10  # Synapse's rc_message defaults


class MovableClock:
    """Real time plus an offset the benchmark moves forward (not a ManualClock: the App runs
    its scheduler and delivery workers as in production)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def jump_to(self, when: datetime) -> None:
        self.offset += max(timedelta(0), when - self.now())


@dataclass
class Http:
    """Members' requests, straight to the client-server API."""

    base: str
    session: aiohttp.ClientSession
    gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    async def call(self, user: RegisteredUser, method: str, path: str,
                   body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {user.access_token}"}
        async with self.gate, self.session.request(method, self.base + path, json=body,
                                                   headers=headers) as resp:
            data: dict[str, Any] = await resp.json()
            if resp.status != 200:
                raise RuntimeError(f"{method} {path.split('?')[0]}: {resp.status} {data}")
            return data

    async def send(self, user: RegisteredUser, room_id: str, text: str) -> None:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/{uuid.uuid4()}"
        await self.call(user, "PUT", path, {"msgtype": "m.text", "body": text})

    async def prompts_in(self, user: RegisteredUser, room_id: str) -> int:
        path = f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=50"
        chunk = (await self.call(user, "GET", path))["chunk"]
        return sum(1 for e in chunk if e.get("content", {}).get("body", "").startswith(PROMPT))


class Moderator:
    """A moderator's nio client, syncing all the time, noting when each page arrives."""

    def __init__(self, client: AsyncClient, room_id: str) -> None:
        self.client = client
        self.room_id = room_id
        self.arrivals: dict[str, float] = {}  # member id -> perf_counter at arrival
        self._seen = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                resp = await self.client.sync(timeout=30_000)
            except (aiohttp.ClientError, TimeoutError, ValueError):  # Synapse restarting
                await asyncio.sleep(0.5)
                continue
            now = time.perf_counter()
            if not isinstance(resp, SyncResponse) or self.room_id not in resp.rooms.join:
                continue
            for event in resp.rooms.join[self.room_id].timeline.events:
                if isinstance(event, RoomMessageText) and "Member: @" in event.body:
                    member = event.body.split("Member: ", 1)[1].split(",", 1)[0]
                    self.arrivals.setdefault(member, now)
            self._seen.set()
            self._seen = asyncio.Event()

    async def page_for(self, member: str, timeout: float) -> float:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while member not in self.arrivals:
                await self._seen.wait()
        return self.arrivals[member]

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.client.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:  # noqa: ASYNC109
    """Poll a condition on the bot's database or Synapse, with a deadline."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done within {timeout:.0f} s")
        await asyncio.sleep(0.2)


@dataclass
class Bench:
    hs: SynapseServer
    http: Http
    app: App
    clock: MovableClock
    bot: RegisteredUser
    moderator: Moderator
    members: list[RegisteredUser]
    dms: dict[str, str]  # member id -> DM room id
    first_due: datetime

    async def scalar(self, sql: str, *args: object) -> int:
        async with self.app.core.db.read() as tx:
            return int(await tx.scalar(sql, args) or 0)

    async def fan_out(self, day: int, crisis_from: RegisteredUser | None) -> dict[str, Any]:
        """Move the clock to day ``day``'s check-in time; wait until every prompt went out."""
        due = self.first_due + timedelta(days=day, seconds=1)
        local = due.date().isoformat()
        began = time.perf_counter()
        self.clock.jump_to(due)
        crisis = None
        if crisis_from is not None:  # half-way through, a member writes a crisis
            await until(lambda: self._delivered(local, len(self.members) // 2), 3 * 3600,
                        "half the prompts")
            queued = len(self.members) - await self._count(local)
            sent = time.perf_counter()
            await self.http.send(crisis_from, self.dms[crisis_from.user_id], CRISIS)
            crisis = (await self.moderator.page_for(crisis_from.user_id, 300) - sent, queued)
        await until(lambda: self._delivered(local, len(self.members)), 3 * 3600,
                    "every prompt")
        seconds = time.perf_counter() - began
        failed = await self.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
        return {"seconds": seconds, "failed": failed, "crisis": crisis}

    async def _count(self, local: str) -> int:
        return await self.scalar(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'checkins.prompt'"
            " AND status = 'delivered' AND dedup_key LIKE ?", f"%:{local}")

    async def _delivered(self, local: str, count: int) -> bool:
        return await self._count(local) >= count

    async def read_back(self, expected: int) -> int:
        """Members whose DM holds ``expected`` prompts, read from Synapse."""
        counts = await asyncio.gather(*(self.http.prompts_in(m, self.dms[m.user_id])
                                        for m in self.members))
        return sum(1 for c in counts if c == expected)

    async def page_latencies(self, members: list[RegisteredUser]) -> list[float]:
        latencies = []
        for member in members:
            sent = time.perf_counter()
            await self.http.send(member, self.dms[member.user_id], CRISIS)
            latencies.append(await self.moderator.page_for(member.user_id, 30) - sent)
        return latencies

    async def exempt_bot(self, admin: RegisteredUser) -> None:
        path = f"/_synapse/admin/v1/users/{quote(self.bot.user_id)}/override_ratelimit"
        await self.http.call(admin, "POST", path, {"messages_per_second": 0, "burst_count": 0})


def bot_settings(hs: SynapseServer, bot: RegisteredUser, work: Path, room: str) -> Settings:
    never = 24 * 60.0  # no re-pages during the benchmark: each page is measured once
    return Settings(  # type: ignore[arg-type]
        bot={"database": str(work / "porchlight.db"), "adapters": ["matrix"],
             "log_level": "WARNING"},
        checkins={"scan_interval_seconds": 1},
        crisis={"repage_after_minutes": never, "backup_after_minutes": 2 * never,
                "repeat_every_minutes": never, "claim_timeout_minutes": never},
        matrix={"homeserver": hs.base_url, "user_id": bot.user_id,
                "access_token": bot.access_token, "store_path": str(work / "store"),
                "moderator_room_id": room, "allowed_servers": [hs.server_name]},
    )


async def open_dms(http: Http, bot: RegisteredUser,
                   members: list[RegisteredUser]) -> dict[str, str]:
    """Each member opens a DM with the bot, as a client would; the bot accepts them all."""
    body = {"is_direct": True, "invite": [bot.user_id], "preset": "trusted_private_chat"}
    rooms = await asyncio.gather(*(http.call(m, "POST", "/_matrix/client/v3/createRoom", body)
                                   for m in members))

    async def all_joined() -> bool:
        joined = await http.call(bot, "GET", "/_matrix/client/v3/joined_rooms")
        return len(joined["joined_rooms"]) > len(members)

    await until(all_joined, 600, "the bot joining every DM")
    return {m.user_id: r["room_id"] for m, r in zip(members, rooms, strict=True)}


async def opt_in(bench: Bench) -> None:
    await asyncio.gather(*(bench.http.send(m, bench.dms[m.user_id], "checkin start 09:00")
                           for m in bench.members))

    async def answered() -> bool:
        on = await bench.scalar("SELECT COUNT(*) FROM checkin_schedules")
        waiting = await bench.scalar("SELECT COUNT(*) FROM outbox WHERE status != 'delivered'")
        return on == len(bench.members) and waiting == 0

    await until(answered, 1200, "every opt-in answered")
    async with bench.app.core.db.read() as tx:
        first = await tx.scalar("SELECT MIN(next_due_at) FROM checkin_schedules")
    bench.first_due = datetime.fromisoformat(str(first))


def row(what: str, result: str, reference: str) -> str:
    return f"| {what} | {result} | {reference} |"


async def run(members_n: int, pages: int) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as tmp:
        work = Path(tmp)
        async with SynapseServer(raise_rate_limits=True) as hs, \
                aiohttp.ClientSession() as session:
            began = time.perf_counter()
            http = Http(hs.base_url, session)
            bot, admin, mod = (await hs.register("porchlight"), await hs.register(
                "admin", admin=True), await hs.register("moderator"))
            members = await hs.register_many(f"member{n:04d}" for n in range(members_n))
            mod_client = await hs.client(mod)
            room = await create_room(mod_client, invite=[bot.user_id],
                                     power_users={bot.user_id: 50})
            await mod_client.sync(timeout=0)
            clock = MovableClock()
            settings = bot_settings(hs, bot, work, room)
            async with App(settings, clock, [build(settings, clock)], ALL_FEATURES) as app:
                bench = Bench(hs, http, app, clock, bot, Moderator(mod_client, room), members,
                              await open_dms(http, bot, members), datetime.now(UTC))
                await opt_in(bench)
                rows.append(row(f"set-up, raised limits: {members_n} members registered, "
                                "DMs opened, opted in", f"{time.perf_counter() - began:.0f} s",
                                "not measured against a goal"))
                rows += await measure(bench, admin, pages)
                await bench.moderator.close()
    return rows


async def measure(bench: Bench, admin: RegisteredUser, pages: int) -> list[str]:
    n = len(bench.members)
    floor = (n - DEFAULT_BURST) / DEFAULT_RATE
    await bench.hs.arestart(raise_rate_limits=False)
    slow = await bench.fan_out(0, crisis_from=bench.members[-1])
    kept = await bench.read_back(1)
    rows = [row(f"check-in fan-out to {n} members, Synapse defaults (rc_message 0.2/s, "
                "burst 10)", f"{slow['seconds']:.0f} s ({n / slow['seconds']:.3f} msg/s); "
                f"{kept}/{n} in their DMs, {slow['failed']} failed",
                f"the limit allows no less than {floor:.0f} s")]
    latency, queued = slow["crisis"]
    rows.append(row("a crisis page written half-way through that fan-out",
                    f"{latency:.1f} s to the moderator's client",
                    f"{queued} prompts were still waiting: ~{queued / DEFAULT_RATE:.0f} s"))
    await bench.exempt_bot(admin)
    ms = [s * 1000 for s in await bench.page_latencies(bench.members[:pages])]
    rows.append(row(f"crisis page latency, member's client to moderator's client, {pages} "
                    "pages, bot exempted", f"p50 {percentile(ms, 0.5):.0f} ms, p99 "
                    f"{percentile(ms, 0.99):.0f} ms (max {max(ms):.0f} ms)",
                    "goal: p50 <= 150 ms, p99 <= 500 ms"))
    fast = await bench.fan_out(1, crisis_from=None)
    kept = await bench.read_back(2)
    rows.append(row(f"check-in fan-out to {n} members, bot exempted (override_ratelimit)",
                    f"{fast['seconds']:.1f} s ({n / fast['seconds']:.0f} msg/s); "
                    f"{kept}/{n} in their DMs, {fast['failed']} failed",
                    f"{slow['seconds'] / fast['seconds']:.0f}x faster than under the defaults"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    if args.pages > args.members - 1:
        parser.error("--pages must be smaller than --members")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    rows = asyncio.run(run(args.members, args.pages))
    print("| measurement | result | reference |\n| --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
