from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.delivery import RetryPolicy
from bot.events import Button, OutgoingMessage, Priority
from bot.identity import RoomRef, UserRef
from bot.ports import PermanentDeliveryError, TransientDeliveryError
from bot.store.outbox import Enqueue, Lane, OutboxItem
from tests.fakes import FakeAdapter, running_app

ALICE = UserRef("fake", "alice")


def _msg(text: str, priority: Priority = Priority.ROUTINE, **kw: object) -> Enqueue:
    return Enqueue(OutgoingMessage(ALICE, text, priority=priority),
                   kind=kw.pop("kind", "test"), **kw)  # type: ignore[arg-type]


async def _enqueue(app: App, *items: Enqueue) -> int:
    async with app.core.db.transaction() as tx:
        return await app.core.outbox.enqueue_many(tx, app.clock.now(), items)


async def _statuses(app: App) -> list[tuple[str, str, int]]:
    async with app.core.db.read() as tx:
        rows = await tx.fetchall("SELECT kind, status, attempts FROM outbox ORDER BY id")
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_messages_are_written_with_their_cause_or_not_at_all(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, _, _):
        try:
            async with app.core.db.transaction() as tx:
                await tx.execute("INSERT INTO members VALUES ('fake:alice', 'x', 'x', NULL, NULL)")
                await app.core.outbox.enqueue(tx, app.clock.now(), _msg("hello"))
                raise RuntimeError("the state change failed")
        except RuntimeError:
            pass
        assert await _statuses(app) == []


async def test_a_dedup_key_is_used_once(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        assert await _enqueue(app, _msg("a", dedup_key="k1")) == 1
        assert await _enqueue(app, _msg("b", dedup_key="k1"), _msg("c", dedup_key="k2")) == 1
        await app.settle()
        assert [m.text for m in adapter.sent] == ["a", "c"]


async def test_crisis_goes_first_then_replies_then_routine(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await _enqueue(app, _msg("routine"), _msg("reply", Priority.REPLY),
                       _msg("crisis", Priority.CRISIS))
        await app.settle()
        assert [m.text for m in adapter.sent] == ["crisis", "reply", "routine"]
        assert [m.priority for m in adapter.sent] == list(Priority)  # adapters see it too


async def test_a_page_is_not_kept_waiting_by_stuck_fan_out(tmp_path: Path) -> None:
    """Routine sends hang on the platform; the urgent lane still delivers."""
    async with running_app(tmp_path) as (app, adapter, _):
        worker = app.workers[0]
        routine_gate = asyncio.Event()
        original_send = adapter.send

        async def send(message: OutgoingMessage):  # type: ignore[no-untyped-def]
            if message.text.startswith("routine"):
                await routine_gate.wait()
            return await original_send(message)

        adapter.send = send  # type: ignore[method-assign]
        await _enqueue(app, *(_msg(f"routine {i}") for i in range(20)))
        runner = asyncio.create_task(worker.run())
        try:
            await _enqueue(app, _msg("page", Priority.CRISIS))
            async with asyncio.timeout(5):
                await adapter.wait_sent(1)
            assert [m.text for m in adapter.sent] == ["page"]
            routine_gate.set()
            async with asyncio.timeout(5):
                await adapter.wait_sent(21)
        finally:
            runner.cancel()


async def test_transient_errors_retry_with_backoff(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, clock):
        adapter.fail_next = [TransientDeliveryError("timeout"),
                             TransientDeliveryError("rate_limited", retry_after=30)]
        await _enqueue(app, _msg("hello"))
        await app.settle()
        assert adapter.sent == [] and await _statuses(app) == [("test", "pending", 1)]
        clock.advance(timedelta(seconds=1))
        await app.settle()
        assert adapter.sent == []  # backoff is 2 s after the first failure
        clock.advance(timedelta(seconds=1))
        await app.settle()
        assert await _statuses(app) == [("test", "pending", 2)]
        clock.advance(timedelta(seconds=29))  # the platform asked for 30 s
        await app.settle()
        assert adapter.sent == []
        clock.advance(timedelta(seconds=1))
        await app.settle()
        assert [m.text for m in adapter.sent] == ["hello"]
        assert await _statuses(app) == [("test", "delivered", 3)]


async def test_permanent_failures_are_recorded_surfaced_and_not_retried(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, clock):
        seen: list[tuple[int, str]] = []

        async def hook(tx, item: OutboxItem, error: str) -> None:  # type: ignore[no-untyped-def]
            seen.append((item.id, error))

        app.core.hooks.on_failed("test", hook)
        adapter.fail_next = [PermanentDeliveryError("dm_closed")]
        await _enqueue(app, _msg("hello"))
        await app.settle()
        clock.advance(timedelta(hours=1))
        await app.settle()
        assert adapter.sent == []
        assert await _statuses(app) == [("test", "failed", 1)]
        assert seen == [(1, "dm_closed")]
        async with app.core.db.read() as tx:
            failures = await app.core.outbox.recent_failures(tx)
        assert [(f.kind, f.error) for f in failures] == [("test", "dm_closed")]


async def test_giving_up_after_max_attempts_counts_as_permanent(tmp_path: Path) -> None:
    async with running_app(tmp_path, delivery={"max_attempts": 3}) as (app, adapter, clock):
        adapter.fail_next = [TransientDeliveryError("server_error")] * 5
        await _enqueue(app, _msg("hello"))
        for _ in range(5):
            await app.settle()
            clock.advance(timedelta(minutes=10))
        assert await _statuses(app) == [("test", "failed", 3)]
        assert adapter.sent == []


async def test_an_adapter_bug_is_retried_and_counted(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, clock):
        adapter.fail_next = [KeyError("oops")]  # type: ignore[list-item]
        await _enqueue(app, _msg("hello"))
        await app.settle()
        clock.advance(timedelta(seconds=2))
        await app.settle()
        assert [m.text for m in adapter.sent] == ["hello"]
        assert app.core.errors.counts["delivery.fake"] == 1


async def test_delivered_only_after_the_platform_accepted(tmp_path: Path) -> None:
    """A crash mid-send leaves the row in flight; the next start sends it again."""
    db_path = tmp_path
    async with running_app(db_path) as (app, adapter, _):
        await _enqueue(app, _msg("page", Priority.CRISIS))
        async with app.core.db.transaction() as tx:  # claimed, then the process "dies"
            claimed = await app.core.outbox.claim_due(tx, "fake", Lane.URGENT,
                                                      app.clock.now(), 10)
        assert len(claimed) == 1 and await _statuses(app) == [("test", "sending", 0)]
    fresh = FakeAdapter()
    async with running_app(db_path, adapters=[fresh]) as (app, adapter, _):
        await app.settle()
        assert [m.text for m in adapter.sent] == ["page"]
        assert await _statuses(app) == [("test", "delivered", 1)]


async def test_forget_on_delivery_rows_vanish_once_sent(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await _enqueue(app, _msg("export", Priority.REPLY, forget_on_delivery=True))
        await app.settle()
        assert [m.text for m in adapter.sent] == ["export"]
        assert await _statuses(app) == []


async def test_buttons_of_a_sent_message_can_be_looked_up(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, _, _):
        message = OutgoingMessage(RoomRef("fake", "mods"), "page",
                                  buttons=(Button("Claim", "mod claim 1"),),
                                  priority=Priority.CRISIS)
        await _enqueue(app, Enqueue(message, kind="test"))
        await app.settle()
        async with app.core.db.read() as tx:
            buttons = await app.core.outbox.buttons_of(tx, "fake", "out1")
        assert [b.command for b in buttons] == ["mod claim 1"]


def test_backoff_grows_and_is_capped_and_respects_retry_after() -> None:
    policy = RetryPolicy(base_seconds=2, max_seconds=60)
    assert [policy.delay(n, None) for n in (1, 2, 3, 10)] == [2, 4, 8, 60]
    assert policy.delay(1, 45.0) == 45.0
