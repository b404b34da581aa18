"""The delivery worker: sends what the outbox holds, per adapter, in two lanes.

The urgent lane (crisis) has slots of its own, so a page never waits behind fan-out. Transient
errors are retried with backoff; permanent ones are recorded and handed to the failure hooks of
the feature that sent the message. A row is marked delivered only after the adapter accepted it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.errors import ErrorHandler
from bot.ports import Adapter, Clock, PermanentDeliveryError, Sent, TransientDeliveryError
from bot.store.db import Database, Tx
from bot.store.outbox import Lane, Outbox, OutboxItem

log = logging.getLogger(__name__)

FailureHook = Callable[[Tx, OutboxItem, str], Awaitable[None]]
DeliveredHook = Callable[[Tx, OutboxItem, Sent], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 2.0
    max_seconds: float = 300.0
    max_attempts: int = 8

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Exponential backoff, never sooner than the platform asked."""
        backoff = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return max(backoff, retry_after or 0.0)


@dataclass
class DeliveryHooks:
    """Features subscribe by ``kind`` prefix, e.g. ``"crisis."``."""

    failed: list[tuple[str, FailureHook]] = field(default_factory=list)
    delivered: list[tuple[str, DeliveredHook]] = field(default_factory=list)

    def on_failed(self, kind_prefix: str, hook: FailureHook) -> None:
        self.failed.append((kind_prefix, hook))

    def on_delivered(self, kind_prefix: str, hook: DeliveredHook) -> None:
        self.delivered.append((kind_prefix, hook))


class DeliveryWorker:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        adapter: Adapter,
        clock: Clock,
        errors: ErrorHandler,
        hooks: DeliveryHooks,
        policy: RetryPolicy | None = None,
        routine_slots: int = 4,
        urgent_slots: int = 2,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._adapter = adapter
        self._clock = clock
        self._errors = errors
        self._hooks = hooks
        self._policy = policy or RetryPolicy()
        self._slots = {Lane.URGENT: urgent_slots, Lane.ROUTINE: routine_slots}
        self._wake = {lane: asyncio.Event() for lane in Lane}
        outbox.listeners.append(self.wake)

    @property
    def platform(self) -> str:
        return self._adapter.platform

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    async def recover(self) -> int:
        """Run once at start-up: a send cut short by a crash is tried again."""
        async with self._db.transaction() as tx:
            released = await self._outbox.release_in_flight(tx, self.platform)
        if released:
            log.info("%s: %d in-flight messages will be sent again", self.platform, released)
        return released

    async def drain(self) -> int:
        """Send everything due now, one at a time, urgent first. For tests and the console."""
        sent = 0
        while True:
            items = await self._claim(Lane.URGENT, 16) or await self._claim(Lane.ROUTINE, 16)
            if not items:
                return sent
            for item in items:
                await self._deliver(item)
            sent += len(items)

    async def run(self) -> None:
        """Both lanes until cancelled."""
        await asyncio.gather(*(self._lane_loop(lane) for lane in Lane))

    async def _lane_loop(self, lane: Lane) -> None:
        wake, slots = self._wake[lane], self._slots[lane]
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while True:
                wake.clear()
                free = slots - len(in_flight)
                items = await self._claim(lane, free) if free else []
                for item in items:
                    task = asyncio.create_task(self._deliver(item))
                    in_flight.add(task)
                    task.add_done_callback(lambda t: (in_flight.discard(t), wake.set()))
                if items:
                    continue
                timeout = None if not free else await self._seconds_to_next(lane)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout)
        finally:
            for task in in_flight:
                task.cancel()

    async def _claim(self, lane: Lane, limit: int) -> list[OutboxItem]:
        async with self._db.transaction() as tx:
            return await self._outbox.claim_due(tx, self.platform, lane, self._clock.now(), limit)

    async def _seconds_to_next(self, lane: Lane) -> float | None:
        async with self._db.read() as tx:
            due = await self._outbox.next_due_at(tx, self.platform, lane)
        if due is None:
            return None
        return max(0.01, (due - self._clock.now()).total_seconds())

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            sent = await self._adapter.send(item.message)
        except PermanentDeliveryError as exc:
            await self._failed(item, exc.code)
        except TransientDeliveryError as exc:
            await self._retry(item, exc.code, exc.retry_after)
        except Exception as exc:  # an adapter bug must not stop delivery of the rest
            self._errors.handle(exc, f"delivery.{self.platform}")
            await self._retry(item, type(exc).__name__, None)
        else:
            await self._delivered(item, sent)

    async def _delivered(self, item: OutboxItem, sent: Sent) -> None:
        async with self._db.transaction() as tx:
            await self._outbox.mark_delivered(tx, item.id, self._clock.now(), sent.message_id)
            for prefix, hook in self._hooks.delivered:
                if item.kind.startswith(prefix):
                    await self._run_hook(tx, hook(tx, item, sent))

    async def _retry(self, item: OutboxItem, code: str, retry_after: float | None) -> None:
        attempts = item.attempts + 1
        if attempts >= self._policy.max_attempts:
            await self._failed(item, f"gave up after {attempts} attempts: {code}")
            return
        when = self._clock.now() + timedelta(seconds=self._policy.delay(attempts, retry_after))
        log.info("%s message %d (%s): retry %d at %s after %s",
                 self.platform, item.id, item.kind, attempts, _hhmmss(when), code)
        async with self._db.transaction() as tx:
            await self._outbox.mark_retry(tx, item.id, when, code)

    async def _failed(self, item: OutboxItem, code: str) -> None:
        log.warning("%s message %d (%s) failed for good: %s",
                    self.platform, item.id, item.kind, code)
        async with self._db.transaction() as tx:
            await self._outbox.mark_failed(tx, item.id, self._clock.now(), code)
            for prefix, hook in self._hooks.failed:
                if item.kind.startswith(prefix):
                    await self._run_hook(tx, hook(tx, item, code))

    async def _run_hook(self, tx: Tx, step: Awaitable[None]) -> None:
        """A failing hook is undone alone; the delivery outcome is still recorded."""
        try:
            async with tx.savepoint():
                await step
        except Exception as exc:
            self._errors.handle(exc, f"delivery-hook.{self.platform}")


def _hhmmss(when: datetime) -> str:
    return when.strftime("%H:%M:%S")
