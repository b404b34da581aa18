"""Check-ins arrive at the member's local time, once per local day, and never in a burst."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.checkins import DISPATCH_JOB
from bot.events import Priority
from bot.ports import ManualClock
from bot.store.outbox import Lane
from tests.checkins.helpers import (
    checkin_rows,
    checkins_app,
    production_app,
    prompt_day,
    prompts,
    rows,
)
from tests.fakes import START, FakeAdapter


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_the_prompt_comes_at_the_local_time_once_a_day(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 Europe/Helsinki")
        await app.settle()
        await app.advance(timedelta(days=3))
        sent = prompts(adapter, "alice")
        assert [prompt_day(m) for m in sent] == ["2026-03-03", "2026-03-04", "2026-03-05"]
        assert [b.label for b in sent[0].buttons] == [
            "1 · heavy", "2 · low", "3 · okay", "4 · good", "5 · steady", "skip", "add a note"]
        assert sent[0].buttons[-1].input_label  # platforms with forms ask for the words
        found = await rows(app, "SELECT due_at, created_at FROM checkins")
        assert [r["due_at"] for r in found] == [
            f"2026-03-0{d}T07:00:00.000+00:00" for d in (3, 4, 5)]  # 09:00 in Helsinki (EET)
        assert all(r["created_at"] == r["due_at"] for r in found)  # on time, to the second
        priorities = await rows(app, "SELECT DISTINCT priority FROM outbox WHERE kind = ?",
                                "checkins.prompt")
        assert priorities == [{"priority": int(Priority.ROUTINE)}]


@pytest.mark.parametrize(("zone", "at", "start", "due_utc"), [
    ("America/Los_Angeles", "02:30", utc(2026, 3, 7, 11),
     [utc(2026, 3, 8, 10, 0), utc(2026, 3, 9, 9, 30)]),  # gap: 03:00 PDT
    ("America/Los_Angeles", "01:30", utc(2026, 10, 31, 9),
     [utc(2026, 11, 1, 8, 30), utc(2026, 11, 2, 9, 30)]),  # fold: once, the first
    ("Europe/Helsinki", "03:30", utc(2026, 3, 28, 2),
     [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)]),
    ("Europe/Helsinki", "03:30", utc(2026, 10, 24, 1),
     [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]),
    ("Pacific/Chatham", "03:00", utc(2026, 9, 25, 12),
     [utc(2026, 9, 25, 14, 15), utc(2026, 9, 26, 14, 0)]),  # gap: 03:45 +13:45
    ("Asia/Kolkata", "09:00", utc(2026, 3, 1, 4),
     [utc(2026, 3, 2, 3, 30), utc(2026, 3, 3, 3, 30)]),
])
async def test_dst_days_and_odd_offsets_in_the_running_app(
    tmp_path: Path, zone: str, at: str, start: datetime, due_utc: list[datetime]
) -> None:
    async with checkins_app(tmp_path, clock=ManualClock(start)) as (app, adapter, clock):
        await adapter.say("alice", f"checkin start {at} {zone}")
        await app.settle()
        await app.advance(due_utc[-1] - clock.now())
        found = await checkin_rows(app, "alice")
        assert [r["due_at"] for r in found] == [d.isoformat(timespec="milliseconds")
                                                 for d in due_utc]
        assert len(prompts(adapter)) == len(due_utc) == len({r["local_date"] for r in found})


async def test_a_member_changing_zone_gets_one_checkin_per_local_day(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "checkin start 09:00 America/Los_Angeles")
        await app.settle()
        await app.advance(utc(2026, 3, 2, 18) - clock.now())  # Mon 09:00 LA has come
        await adapter.say("alice", "checkin zone Asia/Kolkata")  # 23:30 Mon there
        await app.settle()
        assert "The next one comes Tue 3 Mar at 09:00." in adapter.last_to("alice").text
        await app.advance(utc(2026, 3, 3, 4) - clock.now())  # Tue 09:00 Kolkata has come
        await adapter.say("alice", "checkin zone America/Los_Angeles")  # still Mon 20:00 there
        await app.settle()
        await app.advance(utc(2026, 3, 4, 18) - clock.now())
        found = await checkin_rows(app, "alice")
        assert [r["local_date"] for r in found] == ["2026-03-02", "2026-03-03", "2026-03-04"]
        assert found[1]["due_at"] == "2026-03-03T03:30:00.000+00:00"  # Kolkata's 09:00
        assert found[2]["due_at"] == "2026-03-04T17:00:00.000+00:00"  # LA's again
        assert len(prompts(adapter)) == 3  # Tue in LA was already Tue in Kolkata


async def test_a_pause_runs_out_on_its_own(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        await app.advance(timedelta(hours=2))  # Mon's came, it is 10:00
        await adapter.say("alice", "checkin pause 2 days")
        await app.settle()
        assert "come back on their own Thu 5 Mar at 09:00" in adapter.last_to("alice").text
        await app.advance(utc(2026, 3, 6, 10) - clock.now())
        assert [prompt_day(m) for m in prompts(adapter)] == [
            "2026-03-02", "2026-03-05", "2026-03-06"]
        await adapter.say("alice", "checkin status")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Your check-ins are on")


async def _one_checkin_then_down(tmp_path: Path) -> None:
    """alice checks in on Monday 09:00 UTC; then the bot goes down."""
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await adapter.say("bob", "checkin start 11:30 UTC")
        await app.settle()
        await app.advance(timedelta(hours=2))
        assert len(prompts(adapter)) == 1


async def test_after_a_three_day_outage_each_member_gets_at_most_one(tmp_path: Path) -> None:
    await _one_checkin_then_down(tmp_path)
    back = utc(2026, 3, 5, 10, 0)  # Thursday: alice's 09:00 is 1 h ago, bob's 11:30 is ahead
    adapter = FakeAdapter()
    async with production_app(tmp_path, back, adapter) as app:
        await asyncio.wait_for(adapter.wait_sent(1), 5)
        assert [prompt_day(m) for m in prompts(adapter, "alice")] == ["2026-03-05"]
        assert prompts(adapter, "bob") == []
        alice = await checkin_rows(app, "alice")
        bob = await checkin_rows(app, "bob")
        job = app.core.scheduler._aps.get_job(DISPATCH_JOB)
        assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (20, True, 1)
    assert [(r["local_date"], r["status"]) for r in alice] == [
        ("2026-03-02", "sent"), ("2026-03-05", "sent")]
    assert [(r["local_date"], r["status"]) for r in bob] == [("2026-03-04", "missed_by_us")]


async def test_past_the_grace_window_it_is_recorded_as_ours_not_theirs(tmp_path: Path) -> None:
    await _one_checkin_then_down(tmp_path)
    async with production_app(tmp_path, utc(2026, 3, 5, 11, 5), FakeAdapter()) as app:
        alice = await checkin_rows(app, "alice")
        due = await rows(app, "SELECT user, next_due_at FROM checkin_schedules ORDER BY user")
    assert [(r["local_date"], r["status"]) for r in alice] == [
        ("2026-03-02", "sent"), ("2026-03-05", "missed_by_us")]
    assert [r["next_due_at"] for r in due] == [
        "2026-03-06T09:00:00.000+00:00", "2026-03-05T11:30:00.000+00:00"]


async def test_a_restart_between_claim_and_send_sends_exactly_once(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with checkins_app(tmp_path, clock=clock) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        clock.advance(timedelta(hours=1))
        await app.core.scheduler.run_all()  # the job runs; delivery hasn't yet
        async with app.core.db.transaction() as tx:
            claimed = await app.core.outbox.claim_due(tx, "fake", Lane.ROUTINE, clock.now(), 9)
        assert [item.kind for item in claimed] == ["checkins.prompt"]
    # ... the process dies with the prompt in flight, and starts again.
    async with checkins_app(tmp_path, clock=clock) as (app, adapter, _):
        await app.core.scheduler.run_all()
        await app.settle()
        assert [prompt_day(m) for m in prompts(adapter)] == ["2026-03-02"]
        assert len(await checkin_rows(app, "alice")) == 1


async def test_two_startups_on_one_database_never_duplicate(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with checkins_app(tmp_path, clock=clock) as (app, adapter, _):
        for name in ("alice", "bob"):
            await adapter.say(name, "checkin start 09:00 UTC")
        await app.settle()
    clock.advance(timedelta(hours=1, minutes=30))
    first, second = FakeAdapter(), FakeAdapter()
    async with checkins_app(tmp_path, adapter=first, clock=clock) as (one, _, _), \
            checkins_app(tmp_path, adapter=second, clock=clock) as (two, _, _):
        await asyncio.gather(one.core.scheduler.run_all(), two.core.scheduler.run_all())
        await asyncio.gather(one.settle(), two.settle())
        await one.core.scheduler.run_all()
        await asyncio.gather(one.settle(), two.settle())
        assert sorted(m.target.id for m in prompts(first) + prompts(second)) == ["alice", "bob"]
        assert len(await rows(one, "SELECT * FROM checkins")) == 2


async def test_the_database_itself_refuses_a_second_checkin_for_a_local_day(
    tmp_path: Path,
) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        await app.advance(timedelta(hours=1))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            async with app.core.db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO checkins (user, local_date, status, due_at, created_at)"
                    " VALUES ('fake:alice', '2026-03-02', 'sent', 'x', 'x')")
