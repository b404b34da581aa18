"""Witness pairing: one person to tell the truth to. Not rescue, just witness.

``install`` wires volunteering, asking, double consent, introductions, ending, and what a
member chooses to share with their witness.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import Core
from bot.checkins.repository import CheckinRepository
from bot.commands import CommandSpec, Param, ParamKind
from bot.crisis.escalation import CrisisService
from bot.identity import UserRef
from bot.store.db import Tx
from bot.timeparse import parse_hhmm
from bot.witness.mail import Mail
from bot.witness.pairing import PairingService
from bot.witness.repository import Pairing, SharingChoices, Volunteers
from bot.witness.sharing import SharingService
from bot.witness.volunteering import VolunteerDesk
from schedules import witness_jobs
from schedules.scheduler import JobSpec

OFFER_CHECK_SECONDS = 60
_DETAILS = (Param("zone", ParamKind.ZONE, description="your time zone"),
            Param("details", ParamKind.TEXT, description="lang=en,fi group=NAME"))
_NUMBER = (Param("number", ParamKind.NUMBER, required=True),)


def install(core: Core) -> None:
    settings = core.settings.witness
    mail = Mail(core.outbox, core.adapters)
    volunteers, pairing, choices = Volunteers(), Pairing(), SharingChoices()
    pairs = PairingService(db=core.db, mail=mail, volunteers=volunteers, pairing=pairing,
                           sharing=choices, clock=core.clock,
                           offer_timeout=timedelta(hours=settings.offer_timeout_hours))
    desk = VolunteerDesk(db=core.db, mail=mail, volunteers=volunteers, pairing=pairing,
                         default_capacity=settings.capacity, retry_waiting=pairs.retry_waiting)
    crisis = core.need(CrisisService)

    async def queue_for_moderators(tx: Tx, member: UserRef, missed: int, now: datetime) -> None:
        await crisis.queue_concern(tx, member, "missed_checkins",
                                   f"missed-checkins:{member}:{now:%Y-%m-%d}", now)

    sharing = SharingService(db=core.db, mail=mail, choices=choices, pairing=pairing,
                             feed=core.need(CheckinRepository), clock=core.clock,
                             default_nudge=settings.nudge_after_missed,
                             queue_for_moderators=queue_for_moderators)
    for spec in _commands(desk, pairs, sharing):
        core.routes.commands.add(spec)
    core.routes.leave_handlers.append(pairs.member_left)
    core.rights.sources += [volunteers, pairing, choices]
    core.rights.before_forget.append(pairs.before_forget)
    core.scheduler.add(JobSpec(
        id="witness.offers", trigger=IntervalTrigger(seconds=OFFER_CHECK_SECONDS),
        run=lambda: witness_jobs.settle_offers(pairs),
        misfire_grace_seconds=OFFER_CHECK_SECONDS * 5, next_due=pairs.next_due))
    at = parse_hhmm(settings.share_at)
    core.scheduler.add(JobSpec(
        id="witness.share", trigger=CronTrigger(hour=at.hour, minute=at.minute, timezone="UTC"),
        run=lambda: witness_jobs.share_with_witnesses(sharing), misfire_grace_seconds=6 * 3600))


def _commands(desk: VolunteerDesk, pairs: PairingService,
              sharing: SharingService) -> list[CommandSpec]:
    return [
        CommandSpec("witness volunteer", "witness volunteer [room for N] [Area/City] "
                    "[lang=en,fi] [group=NAME]", "offer to be a witness for someone coming back",
                    desk.volunteer, params=(Param("capacity", ParamKind.NUMBER), *_DETAILS)),
        CommandSpec("witness pause", "witness pause", "no new offers for a while", desk.pause),
        CommandSpec("witness resume", "witness resume", "take offers again", desk.resume),
        CommandSpec("witness stop", "witness stop", "stop volunteering", desk.stop),
        CommandSpec("witness status", "witness status", "your witness, or your volunteering",
                    desk.status),
        CommandSpec("witness request", "witness request [Area/City] [lang=en] [group=NAME]",
                    "ask for a witness: one person to tell the truth to", pairs.request,
                    params=_DETAILS),
        CommandSpec("witness end", "witness end [number]", "end a pairing; no reason needed",
                    pairs.end, params=(Param("number", ParamKind.NUMBER),)),
        CommandSpec("witness block", "witness block [number]",
                    "end a pairing and never be matched again", pairs.block,
                    params=(Param("number", ParamKind.NUMBER),)),
        CommandSpec("witness sharing", "witness sharing [mood daily|weekly|off] "
                    "[nudge N|off] [moderators on|off]",
                    "see or change what your witness hears about your check-ins",
                    sharing.sharing, params=(Param("what", ParamKind.CHOICE, choices=(
                        "mood", "nudge", "moderators")), Param("value", ParamKind.WORD))),
        CommandSpec("witness accept", "witness accept N", "say yes to an offer", pairs.accept,
                    hidden=True, params=_NUMBER),
        CommandSpec("witness decline", "witness decline N", "say no to an offer",
                    pairs.decline, hidden=True, params=_NUMBER),
        CommandSpec("witness confirm", "witness confirm N", "confirm your witness",
                    pairs.confirm, hidden=True, params=_NUMBER),
        CommandSpec("witness other", "witness other N", "ask for someone else",
                    pairs.choose_other, hidden=True, params=_NUMBER),
    ]
