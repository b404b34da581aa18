from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ErrorHandler
from bot.ports import ManualClock
from schedules.scheduler import JobSpec, Scheduler

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _recorder(clock: ManualClock, runs: list[datetime]):  # type: ignore[no-untyped-def]
    async def run() -> None:
        runs.append(clock.now())
    return run


async def test_cron_jobs_run_at_each_moment_the_demo_clock_passes() -> None:
    clock, runs = ManualClock(START), []
    scheduler = Scheduler(clock, ErrorHandler())
    scheduler.add(JobSpec("purge", CronTrigger(hour=3, minute=30, timezone=UTC),
                          _recorder(clock, runs), misfire_grace_seconds=60))
    await scheduler.advance(clock, timedelta(days=3))
    assert runs == [START.replace(hour=3, minute=30) + timedelta(days=d) for d in (1, 2, 3)]
    assert clock.now() == START + timedelta(days=3)


async def test_data_driven_jobs_run_when_their_data_says() -> None:
    clock, runs = ManualClock(START), []
    due = [START + timedelta(hours=5), START + timedelta(hours=9)]

    async def next_due() -> datetime | None:
        return next((d for d in due if not runs or d > runs[-1]), None)

    scheduler = Scheduler(clock, ErrorHandler())
    scheduler.add(JobSpec("work", IntervalTrigger(seconds=20), _recorder(clock, runs),
                          misfire_grace_seconds=30, next_due=next_due))
    await scheduler.advance(clock, timedelta(days=1))
    assert runs == due


async def test_the_same_id_replaces_rather_than_duplicates() -> None:
    clock, runs = ManualClock(START), []
    scheduler = Scheduler(clock, ErrorHandler())
    for _ in range(2):
        scheduler.add(JobSpec("purge", CronTrigger(hour=3, minute=30, timezone=UTC),
                              _recorder(clock, runs), misfire_grace_seconds=60))
    assert scheduler.job_ids == ["purge"]
    await scheduler.advance(clock, timedelta(days=1))
    assert len(runs) == 1


async def test_a_failing_job_goes_to_the_error_handler_and_others_still_run() -> None:
    clock, runs, errors = ManualClock(START), [], ErrorHandler()

    async def broken() -> None:
        raise ValueError("job bug")

    scheduler = Scheduler(clock, errors)
    scheduler.add(JobSpec("broken", CronTrigger(minute=0, timezone=UTC), broken, 60))
    scheduler.add(JobSpec("fine", CronTrigger(minute=0, timezone=UTC),
                          _recorder(clock, runs), 60))
    await scheduler.advance(clock, timedelta(hours=2))
    assert errors.counts["job.broken"] == 2
    assert len(runs) == 2


async def test_real_time_jobs_are_registered_with_explicit_settings() -> None:
    clock = ManualClock(START)
    scheduler = Scheduler(clock, ErrorHandler())

    async def noop() -> None:
        return None

    scheduler.add(JobSpec("tick", IntervalTrigger(seconds=20), noop, misfire_grace_seconds=30))
    scheduler.start()
    try:
        job = scheduler._aps.get_job("tick")
        assert (job.id, job.misfire_grace_time, job.coalesce, job.max_instances) == (
            "tick", 30, True, 1)
        scheduler.add(JobSpec("tick", IntervalTrigger(seconds=20), noop, 30))
        assert [j.id for j in scheduler._aps.get_jobs()] == ["tick"]
    finally:
        scheduler.shutdown()
