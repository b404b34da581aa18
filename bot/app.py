"""The App: wires store, features, dispatcher, delivery and scheduler around the adapters.

Used as ``async with App(settings, clock, adapters) as app: await app.wait_closed()``. With a
manual (demo) clock nothing runs on real time: ``settle()`` and ``advance()`` drive everything,
which is what the console demo and the end-to-end tests use.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import TypeVar

from apscheduler.triggers.cron import CronTrigger

from bot.audit import AuditLog
from bot.config import Settings
from bot.delivery import DeliveryHooks, DeliveryWorker, RetryPolicy
from bot.dispatcher import Dispatcher, Routes
from bot.errors import ErrorHandler
from bot.help import Help
from bot.members import Members
from bot.ports import Adapter, Clock, ManualClock
from bot.privacy import DataRights, PersonalData, RetentionRule
from bot.reachability import Reachability
from bot.store.db import Database
from bot.store.inbound import InboundLog
from bot.store.migrations import migrate
from bot.store.outbox import Outbox
from bot.timeparse import parse_hhmm
from schedules import jobs
from schedules.scheduler import JobSpec, Scheduler

log = logging.getLogger(__name__)
T = TypeVar("T")

HANDLED_EVENTS_KEPT = timedelta(days=7)  # longer than any platform replays


@dataclass
class Core:
    """What every feature is built from. Passed explicitly; there are no globals."""

    settings: Settings
    clock: Clock
    db: Database
    outbox: Outbox
    members: Members
    inbound: InboundLog
    audit: AuditLog
    errors: ErrorHandler
    routes: Routes
    rights: DataRights
    scheduler: Scheduler
    hooks: DeliveryHooks
    adapters: dict[str, Adapter] = field(default_factory=dict)
    services: dict[type, object] = field(default_factory=dict)

    def provide(self, service: object) -> None:
        """Offer a feature's service to features installed after it."""
        self.services[type(service)] = service

    def need(self, kind: type[T]) -> T:
        service = self.services.get(kind)
        if not isinstance(service, kind):
            raise RuntimeError(f"{kind.__name__} is needed: install its feature first")
        return service


Feature = Callable[[Core], None]


def install_foundation(core: Core) -> None:
    """Help, data rights and the retention purge: what every deployment has."""
    helper = Help(db=core.db, outbox=core.outbox, registry=core.routes.commands,
                  adapters=core.adapters)
    for spec in helper.commands() + core.rights.commands():
        core.routes.commands.add(spec)
    core.routes.text_handlers.append(core.rights.on_text)
    reachability = Reachability(db=core.db, outbox=core.outbox, clock=core.clock)
    core.routes.observers.append(reachability.observe)
    core.hooks.on_failed("", reachability.delivery_failed)
    core.rights.sources += [core.audit, reachability]
    core.rights.sources += [a for a in core.adapters.values() if isinstance(a, PersonalData)]
    retention = core.settings.retention
    core.rights.retention += [
        RetentionRule("sent messages", timedelta(days=retention.sent_messages_days),
                      core.outbox.purge_expired),
        RetentionRule("audit log", timedelta(days=retention.audit_log_days),
                      core.audit.purge_expired),
        RetentionRule("handled event ids", HANDLED_EVENTS_KEPT, core.inbound.purge_expired),
    ]
    at = parse_hhmm(retention.purge_at)
    core.scheduler.add(JobSpec(
        id="privacy.purge",
        trigger=CronTrigger(hour=at.hour, minute=at.minute, timezone="UTC"),
        run=lambda: jobs.purge_expired_data(core.rights),
        misfire_grace_seconds=6 * 3600,
    ))


class App:
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        adapters: Sequence[Adapter],
        features: Sequence[Feature] = (install_foundation,),
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._adapters = list(adapters)
        self._features = features
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = asyncio.Event()
        self.workers: list[DeliveryWorker] = []

    @property
    def demo(self) -> bool:
        return isinstance(self.clock, ManualClock)

    async def __aenter__(self) -> App:
        self.db = await Database.open(self.settings.bot.database)
        try:
            await migrate(self.db, self.clock)
            self.core = self._build_core()
            for feature in self._features:
                feature(self.core)
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()

    def _build_core(self) -> Core:
        errors = ErrorHandler()
        outbox = Outbox()
        members = Members()
        return Core(
            settings=self.settings, clock=self.clock, db=self.db, outbox=outbox,
            members=members, inbound=InboundLog(), audit=AuditLog(), errors=errors,
            routes=Routes(),
            rights=DataRights(db=self.db, outbox=outbox, members=members, clock=self.clock),
            scheduler=Scheduler(self.clock, errors), hooks=DeliveryHooks(),
            adapters={adapter.platform: adapter for adapter in self._adapters},
        )

    async def _start(self) -> None:
        core = self.core
        self.dispatcher = Dispatcher(
            db=core.db, outbox=core.outbox, members=core.members, inbound=core.inbound,
            clock=core.clock,
            errors=core.errors, adapters=core.adapters, routes=core.routes,
            prefix=self.settings.bot.command_prefix,
        )
        delivery = self.settings.delivery
        policy = RetryPolicy(delivery.retry_base_seconds, delivery.retry_max_seconds,
                             delivery.max_attempts)
        for adapter in self._adapters:
            worker = DeliveryWorker(db=core.db, outbox=core.outbox, adapter=adapter,
                                    clock=core.clock, errors=core.errors, hooks=core.hooks,
                                    policy=policy)
            await worker.recover()
            self.workers.append(worker)
        self._spawn(self.dispatcher.run(), "dispatcher")
        if not self.demo:
            for worker in self.workers:
                self._spawn(worker.run(), f"delivery.{worker.platform}")
            core.scheduler.start()
            await core.scheduler.run_all()  # catch up at once on what came due while down
        for adapter in self._adapters:
            adapter.use_commands(list(core.routes.commands))
            await adapter.start(self.dispatcher.submit)
        log.info("ready: %s", ", ".join(a.platform for a in self._adapters))

    def _spawn(self, coro: Coroutine[object, object, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        task.add_done_callback(self._task_ended)
        self._tasks.append(task)

    def _task_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            self.core.errors.handle(exc, f"task.{task.get_name()}")
            self._closed.set()

    async def _stop(self) -> None:
        for adapter in reversed(self._adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        if hasattr(self, "core"):
            self.core.scheduler.shutdown()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if hasattr(self, "db"):
            await self.db.close()

    # Controls used by the console and tests.

    def request_stop(self) -> None:
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def settle(self) -> None:
        """Handle every queued event and deliver every message that is due now."""
        while True:
            await self.dispatcher.join()
            sent = 0
            for worker in self.workers:
                sent += await worker.drain()
            if not sent:
                return

    async def advance(self, delta: timedelta) -> None:
        """Demo clock only: move time forward, running what falls due on the way."""
        if not isinstance(self.clock, ManualClock):
            raise RuntimeError("the clock can only be moved in demo mode")
        await self.core.scheduler.advance(self.clock, delta, after_step=self.settle)
        await self.settle()
