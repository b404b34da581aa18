"""Check-in settings: opting in, choosing when, pausing, stopping, and seeing where you stand.

Every answer goes to the member privately. ``checkin stop`` and ``checkin pause`` take effect at
once: the schedule changes and any prompt still waiting in the outbox is withdrawn, in the same
transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.checkins import texts
from bot.checkins.dispatch import PROMPT_KIND
from bot.checkins.repository import CheckinRepository, Schedule, State
from bot.checkins.schedule import Rhythm, next_after, parse_days
from bot.commands import CommandSpec, Param, ParamKind, UsageError
from bot.config import CheckinsSection
from bot.context import CommandContext
from bot.events import MemberLeft
from bot.identity import UserRef
from bot.store.db import Database, Tx
from bot.store.outbox import Outbox
from bot.timeparse import parse_hhmm, parse_zone

log = logging.getLogger(__name__)

_PAUSE = re.compile(r"(\d{1,3})\s*(?:d|days?)?")
MAX_PAUSE_DAYS = 365
_T = TypeVar("_T")


class CheckinSettings:
    def __init__(
        self, *, db: Database, outbox: Outbox, repo: CheckinRepository, config: CheckinsSection
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._repo = repo
        self._config = config

    def commands(self) -> list[CommandSpec]:
        time_, zone = Param("time", ParamKind.TIME), Param("zone", ParamKind.ZONE)
        return [
            CommandSpec("checkin start", "checkin start [HH:MM] [Area/City]",
                        "a short daily check-in, at your own time (you can stop any time)",
                        self.start, params=(time_, zone)),
            CommandSpec("checkin time", "checkin time HH:MM", "change when check-ins come",
                        self.time, params=(replace(time_, required=True),)),
            CommandSpec("checkin zone", "checkin zone Area/City", "change your time zone",
                        self.zone, params=(replace(zone, required=True),)),
            CommandSpec("checkin days", "checkin days mon-fri", "choose the days (or every day)",
                        self.days, params=(Param("days", required=True),)),
            CommandSpec("checkin pause", "checkin pause [N days]",
                        "a break from check-ins, for N days or until you resume", self.pause,
                        params=(Param("days", ParamKind.NUMBER),)),
            CommandSpec("checkin resume", "checkin resume", "end a pause", self.resume),
            CommandSpec("checkin stop", "checkin stop", "stop check-ins, at once", self.stop),
            CommandSpec("checkin status", "checkin status", "your check-in settings",
                        self.status),
            CommandSpec("checkin stats", "checkin stats", "how many days you've checked in",
                        self.stats),
        ]

    async def start(self, ctx: CommandContext) -> None:
        at, zone = _start_args(ctx.args)
        async with self._db.transaction() as tx:
            old = await self._repo.schedule(tx, ctx.user)
            base = old.rhythm if old else Rhythm(parse_hhmm(self._config.default_time),
                                                 parse_zone(self._config.default_zone))
            rhythm = Rhythm(at or base.at, zone or base.zone, base.days)
            first = next_after(rhythm, ctx.now).due_at
            await self._repo.save(tx, Schedule(ctx.user, rhythm, State.ON, None, first), ctx.now)
            text = texts.started(rhythm, first.astimezone(rhythm.zone))
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))
        log.info("check-ins started (%s)", "again" if old else "first time")

    async def time(self, ctx: CommandContext) -> None:
        at = _parsed(ctx.args, parse_hhmm, texts.TIME_NEEDED)
        await self._change(ctx, lambda r: replace(r, at=at))

    async def zone(self, ctx: CommandContext) -> None:
        zone = _parsed(ctx.args, parse_zone, texts.ZONE_NEEDED)
        await self._change(ctx, lambda r: replace(r, zone=zone))

    async def days(self, ctx: CommandContext) -> None:
        if not ctx.rest:
            raise UsageError(texts.DAYS_NEEDED)
        try:
            days = parse_days(ctx.rest)
        except ValueError as exc:
            raise UsageError(texts.correction(str(exc))) from None
        await self._change(ctx, lambda r: replace(r, days=days))

    async def _change(self, ctx: CommandContext, change: Callable[[Rhythm], Rhythm]) -> None:
        async with self._db.transaction() as tx:
            old = await self._repo.schedule(tx, ctx.user)
            if old is None:
                text = texts.NOT_STARTED
            else:
                rhythm = change(old.rhythm)
                nxt = _next_due(rhythm, old.state, old.paused_until, ctx.now)
                await self._repo.save(tx, replace(old, rhythm=rhythm, next_due_at=nxt), ctx.now)
                text = texts.changed(rhythm, nxt and nxt.astimezone(rhythm.zone))
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    async def pause(self, ctx: CommandContext) -> None:
        until = ctx.now + timedelta(days=_pause_days(ctx.rest)) if ctx.rest else None
        async with self._db.transaction() as tx:
            old = await self._repo.schedule(tx, ctx.user)
            if old is None or old.state is State.OFF:
                text = texts.NOT_STARTED
            else:
                nxt = _next_due(old.rhythm, State.PAUSED, until, ctx.now)
                await self._repo.save(tx, replace(old, state=State.PAUSED, paused_until=until,
                                                  next_due_at=nxt), ctx.now)
                await self._outbox.cancel_pending(tx, ctx.user, PROMPT_KIND)
                zone = old.rhythm.zone
                text = texts.paused_until(nxt.astimezone(zone)) if nxt else texts.PAUSED
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    async def resume(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            old = await self._repo.schedule(tx, ctx.user)
            if old is None or old.state is State.OFF:
                text = texts.NOT_STARTED
            else:
                nxt = next_after(old.rhythm, ctx.now).due_at
                shown = nxt.astimezone(old.rhythm.zone)
                text = texts.not_paused(shown)
                if old.state is State.PAUSED:
                    await self._repo.save(tx, replace(old, state=State.ON, paused_until=None,
                                                      next_due_at=nxt), ctx.now)
                    text = texts.resumed(shown)
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    async def stop(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            stopped = await self._turn_off(tx, ctx.user, ctx.now)
            text = texts.STOPPED if stopped else texts.ALREADY_OFF
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))
        log.info("check-ins stopped (%s)", "were on" if stopped else "already off")

    async def on_leave(self, event: MemberLeft) -> None:
        """Someone who left the community gets no more check-ins."""
        async with self._db.transaction() as tx:
            if await self._turn_off(tx, event.user, event.sent_at):
                log.info("check-ins stopped: member left")

    async def _turn_off(self, tx: Tx, user: UserRef, now: datetime) -> bool:
        old = await self._repo.schedule(tx, user)
        if old is None or old.state is State.OFF:
            return False
        await self._repo.save(tx, replace(old, state=State.OFF, paused_until=None,
                                          next_due_at=None), now)
        await self._outbox.cancel_pending(tx, user, PROMPT_KIND)
        return True

    async def status(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            schedule = await self._repo.schedule(tx, ctx.user)
            lines = [_status_line(schedule)]
            last = await self._repo.latest(tx, ctx.user, answered=True)
            if last is not None:
                lines.append(texts.last_answer(last.local_date, last.mood, last.note is not None))
            await self._outbox.enqueue(tx, ctx.now, ctx.reply("\n".join(lines)))

    async def stats(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            days, since = await self._repo.answered_days(tx, ctx.user)
            text = texts.stats(days, since) if since else texts.STATS_NONE
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))


def _status_line(schedule: Schedule | None) -> str:
    if schedule is None:
        return texts.STATUS_NONE
    nxt = schedule.next_due_at and schedule.next_due_at.astimezone(schedule.rhythm.zone)
    if schedule.state is State.OFF:
        return texts.status_off(schedule.rhythm)
    if schedule.state is State.PAUSED:
        return texts.status_paused_until(nxt) if nxt else texts.STATUS_PAUSED
    return texts.status_on(schedule.rhythm, nxt) if nxt else texts.STATUS_PAUSED


def _next_due(rhythm: Rhythm, state: State, paused_until: datetime | None,
              now: datetime) -> datetime | None:
    """On: the next moment. Paused for a while: the first moment after it. Otherwise none."""
    if state is State.ON:
        return next_after(rhythm, now).due_at
    if state is State.PAUSED and paused_until is not None:
        return next_after(rhythm, max(paused_until, now)).due_at
    return None


def _parsed(args: tuple[str, ...], parse: Callable[[str], _T], needed: str) -> _T:
    if not args:
        raise UsageError(needed)
    try:
        return parse(args[0])
    except ValueError as exc:
        raise UsageError(texts.correction(str(exc))) from None


def _start_args(args: tuple[str, ...]) -> tuple[time | None, ZoneInfo | None]:
    """``[HH:MM] [Area/City]``, in either order; a word with digits and no slash is a time."""
    at: time | None = None
    zone: ZoneInfo | None = None
    for word in args:
        is_time = any(ch.isdigit() for ch in word) and "/" not in word
        if (at if is_time else zone) is not None:
            raise UsageError(texts.START_EXTRA)
        try:
            if is_time:
                at = parse_hhmm(word)
            else:
                zone = parse_zone(word)
        except ValueError as exc:
            raise UsageError(texts.correction(str(exc))) from None
    return at, zone


def _pause_days(text: str) -> int:
    match = _PAUSE.fullmatch(text.strip().lower())
    if not match or not 1 <= int(match.group(1)) <= MAX_PAUSE_DAYS:
        raise UsageError(texts.PAUSE_BAD)
    return int(match.group(1))
