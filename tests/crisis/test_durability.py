"""Escalations are never lost and never paged twice at the same level, across restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.events import Mention
from bot.identity import UserRef
from bot.ports import ManualClock, PermanentDeliveryError
from tests.crisis.helpers import CRISIS, MODS, crisis_app, fake_platform, pages
from tests.fakes import START


async def test_a_restart_never_sends_a_level_already_delivered(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with crisis_app(tmp_path, clock=clock) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await app.settle()
        await app.advance(timedelta(minutes=5))
        assert len(pages(adapter)) == 2
    async with crisis_app(tmp_path, clock=clock) as (app, adapter, _):
        await app.core.scheduler.run_all()  # what a start-up does: catch up at once
        await app.settle()
        assert pages(adapter) == []
        await app.advance(timedelta(minutes=10))
        assert [p.mention for p in pages(adapter)] == [Mention.BACKUP]


async def test_running_the_job_twice_at_once_pages_once(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", CRISIS)
        await app.settle()
        clock.advance(timedelta(minutes=6))
        await app.core.scheduler.run_all()
        await app.core.scheduler.run_all()
        await app.settle()
        assert len(pages(adapter)) == 2


async def test_the_policy_in_force_at_opening_is_kept(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with crisis_app(tmp_path, clock=clock) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await app.settle()
    async with crisis_app(tmp_path, clock=clock, crisis={"repage_after_minutes": 30}) as (
        app, adapter, _,
    ):
        await app.advance(timedelta(minutes=5))
        assert len(pages(adapter)) == 1  # still 5 minutes for the one opened before
        await adapter.say("bob", CRISIS)
        await app.settle()
        await app.advance(timedelta(minutes=6))
        assert sum("Crisis #2" in p.text for p in pages(adapter)) == 1  # new policy: 30 min


async def test_a_moderator_room_that_rejects_pages_falls_back_to_on_call(tmp_path: Path) -> None:
    adapter = fake_platform()
    async with crisis_app(tmp_path, adapter) as (app, adapter, _):
        await adapter.say("dave", "mod oncall on")
        await app.settle()
        original = adapter.send

        async def room_refuses(message):  # type: ignore[no-untyped-def]
            if message.target == MODS:
                raise PermanentDeliveryError("forbidden")
            return await original(message)

        adapter.send = room_refuses  # type: ignore[method-assign]
        await adapter.say("alice", CRISIS)
        await app.settle()
        backup = [m for m in adapter.sent if m.target == UserRef("fake", "dave")
                  and m.mention is Mention.BACKUP]
        assert len(backup) == 1 and "Crisis #1" in backup[0].text
        async with app.core.db.read() as tx:
            log = await tx.fetchall(
                "SELECT level, target, delivered_at IS NOT NULL, failed_at IS NOT NULL"
                " FROM escalation_pages ORDER BY level, target")
        assert [tuple(r) for r in log] == [(0, "room", 0, 1), (2, "user fake:dave", 1, 0)]


async def test_transient_room_failures_are_retried_then_delivered(tmp_path: Path) -> None:
    from bot.ports import TransientDeliveryError

    async with crisis_app(tmp_path) as (app, adapter, clock):
        adapter.fail_next = [TransientDeliveryError("server_error")] * 2
        await adapter.say("alice", CRISIS)
        await app.settle()
        assert pages(adapter) == []
        clock.advance(timedelta(seconds=2))
        await app.settle()
        clock.advance(timedelta(seconds=4))
        await app.settle()
        assert len(pages(adapter)) == 1
