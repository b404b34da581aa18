"""Daily check-ins: opt-in, gentle, once and on time. Also the welcome back and "why".

``install`` wires the commands, the answer handlers, the welcome observer, data rights,
retention and the dispatch job into the core.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.interval import IntervalTrigger

from bot.checkins.answers import CheckinAnswers
from bot.checkins.dispatch import CheckinDispatch
from bot.checkins.repository import CheckinRepository
from bot.checkins.service import CheckinSettings
from bot.checkins.welcome import Welcome
from bot.privacy import RetentionRule
from schedules import checkin_jobs
from schedules.scheduler import JobSpec

if TYPE_CHECKING:
    from bot.app import Core

DISPATCH_JOB = "checkins.dispatch"


def install(core: Core) -> None:
    config = core.settings.checkins
    db, outbox, repo = core.db, core.outbox, CheckinRepository()
    settings = CheckinSettings(db=db, outbox=outbox, repo=repo, config=config)
    answers = CheckinAnswers(db=db, outbox=outbox, repo=repo, registry=core.routes.commands,
                             config=config)
    welcome = Welcome(db=db, outbox=outbox, repo=repo, config=config)
    dispatch = CheckinDispatch(db=db, outbox=outbox, repo=repo, clock=core.clock,
                               grace=timedelta(hours=config.grace_hours))
    for spec in settings.commands() + answers.commands() + welcome.commands():
        core.routes.commands.add(spec)
    core.routes.observers.append(welcome.observe)
    core.routes.text_handlers.append(answers.on_text)
    core.routes.leave_handlers.append(settings.on_leave)
    core.rights.sources.append(repo)
    core.provide(repo)  # witness sharing reads moods and missed days through it
    retention = core.settings.retention
    core.rights.retention += [
        RetentionRule("check-in notes", timedelta(days=retention.checkin_notes_days),
                      repo.purge_notes),
        RetentionRule("check-in moods", timedelta(days=retention.checkin_moods_days),
                      repo.purge_checkins),
    ]
    core.scheduler.add(JobSpec(
        id=DISPATCH_JOB,
        trigger=IntervalTrigger(seconds=config.scan_interval_seconds),
        run=lambda: checkin_jobs.dispatch_due_checkins(dispatch),
        misfire_grace_seconds=config.scan_interval_seconds,
        next_due=dispatch.next_due,
    ))
