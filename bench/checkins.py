"""Check-in benchmark: 100,000 opted-in members across 40 time zones.

    uv run python bench/checkins.py [--members N]

Builds the database in a temporary directory (a day of history included: yesterday's check-ins
and their delivered prompts), puts every member's check-in due within the last hour, then
measures on the real code paths: (a) due-set computation plus outbox enqueue, (b) the peak RSS
of this process, (c) start-up to ready of the real App on that database (real-time mode, so
the start-up catch-up run is included) and of the ``porchlight`` program itself. Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.checkins.dispatch import CheckinDispatch
from bot.checkins.repository import CheckinRepository
from bot.checkins.schedule import Rhythm, next_after
from bot.commands import CommandSpec
from bot.config import Settings
from bot.events import Capability, OutgoingMessage
from bot.features import ALL_FEATURES
from bot.identity import RoomRef, UserRef
from bot.ports import Sent
from bot.store.db import Database, to_db
from bot.store.migrations import migrate
from bot.store.outbox import Outbox
from bot.timeparse import parse_zone

ROOT = Path(__file__).parents[1]
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday
ZONES = (
    "UTC", "Europe/London", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Helsinki",
    "Europe/Athens", "Europe/Moscow", "Europe/Istanbul", "Africa/Lagos", "Africa/Cairo",
    "Africa/Nairobi", "Africa/Johannesburg", "Asia/Dubai", "Asia/Tehran", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Shanghai",
    "Asia/Tokyo", "Asia/Manila", "Australia/Perth", "Australia/Adelaide", "Australia/Sydney",
    "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Honolulu",
    "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago",
    "America/New_York", "America/Halifax", "America/St_Johns", "America/Sao_Paulo",
    "America/Mexico_City", "Atlantic/Azores",
)
DAYS = ("*", "mon,tue,wed,thu,fri", "tue,wed,sat")  # NOW is Tuesday or Wednesday locally
CHUNK = 10_000


class FixedClock:
    """Not a ManualClock, so the App runs as in production (scheduler, catch-up, workers)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


class NullAdapter:
    platform = "bench"
    capabilities = frozenset({Capability.BUTTONS})
    moderator_room: RoomRef | None = None

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        return None

    async def start(self, sink: object) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, message: OutgoingMessage) -> Sent:
        return Sent(None)

    async def is_moderator(self, user: UserRef) -> bool:
        return False

    def handle(self, user: UserRef) -> str:
        return user.id


def _members(count: int) -> Iterator[tuple[str, str, str, str, str, str]]:
    """(user, HH:MM, zone, days, next_due_at, yesterday) with the moment due in the last hour."""
    for i in range(count):
        zone = parse_zone(ZONES[i % len(ZONES)])
        local = (NOW - timedelta(minutes=1 + (i // len(ZONES)) % 60)).astimezone(zone)
        rhythm = Rhythm(local.time().replace(second=0, microsecond=0), zone,
                        DAYS[i % len(DAYS)])
        due = next_after(rhythm, NOW - timedelta(minutes=61))
        yesterday = (due.local_date - timedelta(days=1)).isoformat()
        yield (f"bench:m{i}", rhythm.at.strftime("%H:%M"), zone.key, rhythm.days,
               to_db(due.due_at), yesterday)


async def build(path: Path, count: int) -> None:
    db = await Database.open(path)
    await migrate(db, FixedClock(NOW))
    stamp, before = to_db(NOW), to_db(NOW - timedelta(days=1))
    rows = list(_members(count))
    for start in range(0, count, CHUNK):
        chunk = rows[start:start + CHUNK]
        async with db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO checkin_schedules (user, local_time, zone, days, state,"
                " next_due_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'on', ?, ?, ?)",
                [(u, t, z, d, due, stamp, stamp) for u, t, z, d, due, _ in chunk])
            await tx.executemany(
                "INSERT INTO checkins (user, local_date, status, mood, due_at, created_at)"
                " VALUES (?, ?, 'answered', 3, ?, ?)",
                [(u, y, before, before) for u, _, _, _, _, y in chunk])
            await tx.executemany(
                "INSERT INTO outbox (platform, target, subject, kind, priority, payload,"
                " dedup_key, status, next_attempt_at, created_at, delivered_at)"
                " VALUES ('bench', ?, ?, 'checkins.prompt', 2, '{\"text\":\"\"}', ?,"
                " 'delivered', ?, ?, ?)",
                [(f"user {u}", u, f"checkin:{u}:{y}", before, before, before)
                 for u, _, _, _, _, y in chunk])
    await db.close()


async def dispatch_all(path: Path) -> tuple[float, int]:
    db = await Database.open(path)
    try:
        dispatch = CheckinDispatch(db=db, outbox=Outbox(), repo=CheckinRepository(),
                                   clock=FixedClock(NOW), grace=timedelta(hours=2))
        started = time.perf_counter()
        tally = await dispatch.dispatch_due()
        elapsed = time.perf_counter() - started
        async with db.read() as tx:
            queued = await tx.scalar(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND kind = ?",
                ("checkins.prompt",))
        if tally["sent"] != queued:
            raise SystemExit(f"sent {tally['sent']} but {queued} prompts are queued")
        return elapsed, queued
    finally:
        await db.close()


async def app_startup(path: Path) -> float:
    settings = Settings(bot={"database": str(path)})  # type: ignore[arg-type]
    app = App(settings, FixedClock(NOW + timedelta(minutes=1)), [NullAdapter()], ALL_FEATURES)
    started = time.perf_counter()
    await app.__aenter__()
    elapsed = time.perf_counter() - started
    await app.__aexit__(None, None, None)
    return elapsed


def program_startup(path: Path) -> float:
    """``porchlight`` launched on that database, until its console says it is ready."""
    env = {**os.environ, "PORCHLIGHT__BOT__DATABASE": str(path),
           "PORCHLIGHT__BOT__LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, cwd=ROOT)
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdout.readline()  # the banner is printed when the adapter starts: the app is ready
    elapsed = time.perf_counter() - started
    proc.stdin.write("/quit\n")
    proc.communicate(timeout=60)
    return elapsed


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        await build(path, count)
        elapsed, queued = await dispatch_all(path)
        app_ready = await app_startup(path)
        program_ready = program_startup(path)
        rss = peak_rss_mb()
    rate = queued / elapsed
    print(f"Check-ins: {count:,} opted-in members across {len(ZONES)} zones "
          f"(`uv run python bench/checkins.py`)\n")
    print("| measure | result | target |")
    print("| --- | --- | --- |")
    print(f"| (a) due-set computation + outbox enqueue | {rate:,.0f} check-ins/s "
          f"({queued:,} in {elapsed:.2f} s) | >= 20,000/s |")
    print(f"| (b) peak RSS of the benchmark process | {rss:.0f} MB | <= 150 MB |")
    print(f"| (c) start-up to ready, App on that database | {app_ready:.2f} s | <= 2 s |")
    print(f"| (c) start-up to ready, `porchlight` process | {program_ready:.2f} s | <= 2 s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().members))
