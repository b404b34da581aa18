"""What a member shares with their witness: off unless they choose, changeable any time.

Moods only, never notes, daily or weekly; and, if they allow it, a gentle nudge to their
witness after a few missed check-ins ("a hello without questions can help"). Without a witness,
and only if they agreed, a low-priority item in the moderators' queue instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.commands import UsageError
from bot.context import CommandContext
from bot.identity import UserRef
from bot.ports import Clock
from bot.store.db import Database, Tx
from bot.witness import texts
from bot.witness.mail import Mail
from bot.witness.repository import SHARING_MOODS, Pairing, Sharing, SharingChoices

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
QueueForModerators = Callable[[Tx, UserRef, int, datetime], Awaitable[None]]


class CheckinFeed(Protocol):
    """What sharing may read of check-ins: moods and missed days, never notes."""

    async def moods_since(self, tx: Tx, user: UserRef, since: datetime,
                          ) -> list[tuple[date, int]]: ...

    async def missed_streak(self, tx: Tx, user: UserRef, now: datetime,
                            ) -> tuple[int, datetime | None]: ...


class SharingService:
    def __init__(self, *, db: Database, mail: Mail, choices: SharingChoices, pairing: Pairing,
                 feed: CheckinFeed, clock: Clock, default_nudge: int,
                 queue_for_moderators: QueueForModerators) -> None:
        self._db = db
        self._mail = mail
        self._choices = choices
        self._pairing = pairing
        self._feed = feed
        self._clock = clock
        self._default_nudge = default_nudge
        self._queue_for_moderators = queue_for_moderators

    async def sharing(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            current = await self._choices.get(tx, ctx.user)
            if ctx.args:
                current = self._changed(current, ctx.args)
                await self._choices.set(tx, ctx.user, current, ctx.now)
                log.info("witness sharing changed")
            witness = await self._witness_of(tx, ctx.user)
            await self._mail.tell(tx, ctx.user, texts.sharing_status(
                self._mail.handle(witness) if witness else None, current.mood,
                current.nudge_after, current.moderators), ctx.now)

    def _changed(self, current: Sharing, args: tuple[str, ...]) -> Sharing:
        what, value = args[0].lower(), (args[1].lower() if len(args) > 1 else "")
        if what == "mood" and value in SHARING_MOODS:
            return replace(current, mood=value)
        if what == "nudge" and (value in {"on", "off"} or value.isdigit()):
            days = None if value == "off" else self._default_nudge if value == "on" \
                else int(value)
            if days is not None and not 1 <= days <= 30:
                raise UsageError("A nudge after 1 to 30 missed check-ins.")
            return replace(current, nudge_after=days)
        if what == "moderators" and value in {"on", "off"}:
            return replace(current, moderators=value == "on")
        raise UsageError(texts.SHARING_USAGE)

    async def _witness_of(self, tx: Tx, member: UserRef) -> UserRef | None:
        pairs = await self._pairing.active_pairs(tx, member)
        return next((p.witness for p in pairs if p.member == member), None)

    async def share_due(self) -> None:
        """The daily job: mood digests and nudges, each only as the member chose."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for member, choice in await self._choices.sharing_something(tx):
                witness = await self._witness_of(tx, member)
                if witness is not None and choice.mood != "off":
                    await self._share_moods(tx, member, witness, choice, now)
                if choice.nudge_after is not None:
                    await self._maybe_nudge(tx, member, witness, choice, now)

    async def _share_moods(self, tx: Tx, member: UserRef, witness: UserRef, choice: Sharing,
                           now: datetime) -> None:
        last = choice.last_shared_at
        if choice.mood == "weekly" and last is not None and now - last < WEEK:
            return
        moods = await self._feed.moods_since(tx, member, last or now - WEEK)
        if moods:
            shown = [(f"{day:%a %d %b}", mood) for day, mood in moods]
            await self._mail.tell(tx, witness, texts.mood_digest(self._mail.handle(member),
                                                                 shown), now, about=member)
        await self._choices.mark(tx, member, "last_shared_at", now)

    async def _maybe_nudge(self, tx: Tx, member: UserRef, witness: UserRef | None,
                           choice: Sharing, now: datetime) -> None:
        """Once per run of missed check-ins, never again until they answered in between."""
        missed, began = await self._feed.missed_streak(tx, member, now)
        if choice.nudge_after is None or missed < choice.nudge_after or began is None:
            return
        if choice.last_nudged_at is not None and began <= choice.last_nudged_at:
            return
        if witness is not None:
            await self._mail.tell(tx, witness, texts.nudge(self._mail.handle(member), missed),
                                  now, about=member)
        elif choice.moderators:
            await self._queue_for_moderators(tx, member, missed, now)
        else:
            return
        await self._choices.mark(tx, member, "last_nudged_at", now)
