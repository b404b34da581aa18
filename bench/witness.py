"""Benchmark: matching one witness request against 10,000 volunteers (goal <= 50 ms).

Run: uv run python bench/witness.py [--volunteers 10000] [--rounds 50]
Measures the real path: the SQL that finds free, consenting, not-excluded volunteers with room,
plus the ranking, on a real SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.identity import UserRef
from bot.ports import ManualClock
from bot.store.db import Database
from bot.store.migrations import migrate
from bot.witness.matching import Profile
from bot.witness.repository import Pairing, Volunteers

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ZONES = ["Europe/Helsinki", "Europe/London", "America/New_York", "America/Chicago",
         "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland",
         "Africa/Lagos", "America/Sao_Paulo"]
LANGS = ["en", "fi", "es", "de", "fr", "pt", "hi"]


async def build(db: Database, count: int, rng: random.Random) -> None:
    volunteers, pairing = Volunteers(), Pairing()
    async with db.transaction() as tx:
        for i in range(count):
            user = UserRef("discord", str(10_000 + i))
            profile = Profile(str(user), f"cohort-{rng.randrange(40)}",
                              frozenset(rng.sample(LANGS, rng.randint(1, 2))),
                              rng.choice(ZONES))
            await volunteers.save(tx, user, profile, rng.randint(1, 3), NOW)
            if rng.random() < 0.3:  # some already witness someone
                await pairing.create_pair(tx, UserRef("discord", str(900_000 + i)), user,
                                          NOW - timedelta(days=rng.randrange(90)))
                await volunteers.paired(tx, user, NOW - timedelta(days=rng.randrange(90)))


async def measure(volunteers: int, rounds: int) -> list[float]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(Path(tmp) / "bench.db")
        try:
            await migrate(db, ManualClock(NOW))
            await build(db, volunteers, rng)
            pairing, repo = Pairing(), Volunteers()
            timings = []
            for i in range(rounds):
                member = UserRef("discord", str(i))
                profile = Profile(str(member), f"cohort-{rng.randrange(40)}",
                                  frozenset({rng.choice(LANGS)}), rng.choice(ZONES))
                async with db.transaction() as tx:
                    request_id = await pairing.create_request(tx, profile, NOW)
                    request = await pairing.request(tx, request_id)
                    assert request is not None
                    started = time.perf_counter()
                    choice = await repo.best_candidate(tx, request, NOW)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert choice is not None
                    await pairing.set_request(tx, request_id, "cancelled")
            return timings
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    timings = asyncio.run(measure(args.volunteers, args.rounds))
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"{'volunteers':>12} {'rounds':>7} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}"
          f" {'goal ms':>8}")
    print(f"{args.volunteers:>12,} {args.rounds:>7} {statistics.median(timings):>10.1f}"
          f" {p95:>8.1f} {max(timings):>8.1f} {50:>8}")


if __name__ == "__main__":
    main()
