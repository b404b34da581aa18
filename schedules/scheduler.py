"""Our wrapper around APScheduler 3: stable job ids, explicit misfire settings, errors routed to
the app's error handler, and a simulated run for the demo clock and tests.

APScheduler only decides *when* to look; what is due is always read from the database using the
injected clock, so a restart, a second start-up or a jump of the demo clock can't duplicate work.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.errors import ErrorHandler
from bot.ports import Clock, ManualClock

log = logging.getLogger(__name__)

JobFunc = Callable[[], Awaitable[object]]
NextDue = Callable[[], Awaitable[datetime | None]]


@dataclass(frozen=True, slots=True)
class JobSpec:
    id: str  # stable, so a restart replaces rather than duplicates
    trigger: BaseTrigger
    run: JobFunc
    misfire_grace_seconds: int
    next_due: NextDue | None = None  # when the data says it is next needed (demo clock)


class Scheduler:
    def __init__(self, clock: Clock, errors: ErrorHandler) -> None:
        self._clock = clock
        self._errors = errors
        self._jobs: dict[str, JobSpec] = {}
        self._simulated_last: dict[str, datetime] = {}
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )

    def add(self, spec: JobSpec) -> None:
        self._jobs[spec.id] = spec
        if self._aps.running:
            self._schedule(spec)

    @property
    def job_ids(self) -> list[str]:
        return sorted(self._jobs)

    def start(self) -> None:
        """Real time: APScheduler fires the jobs. Not used with the demo clock."""
        for spec in self._jobs.values():
            self._schedule(spec)
        self._aps.start()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def _schedule(self, spec: JobSpec) -> None:
        self._aps.add_job(
            self._guarded, trigger=spec.trigger, args=(spec,), id=spec.id, name=spec.id,
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
        )

    async def _guarded(self, spec: JobSpec) -> None:
        try:
            await spec.run()
        except Exception as exc:
            self._errors.handle(exc, f"job.{spec.id}")

    async def run_all(self) -> None:
        """Run every job once, now (start-up catch-up, tests)."""
        for spec in self._jobs.values():
            await self._guarded(spec)

    async def advance(
        self, clock: ManualClock, delta: timedelta, after_step: JobFunc | None = None
    ) -> None:
        """Move the demo clock forward, running each job at each moment it would have run;
        ``after_step`` runs after each moment (the app delivers what the jobs queued)."""
        target = clock.now() + delta
        while (step := await self._earliest(clock.now())) and step[0] <= target:
            when, specs = step
            clock.set(when)
            for spec in specs:
                self._simulated_last[spec.id] = when
                await self._guarded(spec)
            if after_step is not None:
                await after_step()
        clock.set(target)

    async def _earliest(self, now: datetime) -> tuple[datetime, list[JobSpec]] | None:
        due: dict[datetime, list[JobSpec]] = {}
        for spec in self._jobs.values():
            when = await self._next_simulated(spec, now)
            if when is not None:
                due.setdefault(when, []).append(spec)
        if not due:
            return None
        first = min(due)
        return first, due[first]

    async def _next_simulated(self, spec: JobSpec, now: datetime) -> datetime | None:
        last = self._simulated_last.get(spec.id)
        if spec.next_due is not None:
            when = await spec.next_due()
            if when is None or (last is not None and when <= last):
                return None  # nothing more is due until the data changes
            return max(when, now)
        after = max(last or now, now) + timedelta(microseconds=1)  # strictly later
        return spec.trigger.get_next_fire_time(last, after)
