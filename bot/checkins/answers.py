"""Answering a check-in: a mood from 1 to 5, a few words, or skip (always fine).

The prompt's buttons carry the day they belong to, so an answer is matched to its own
check-in. It counts any time the same local day, even late; an answer for another day is
declined gently. Without buttons, a bare number answers the prompt (the dispatcher maps it
to the buttons), typed ``skip`` skips, and free text just after a mood becomes the note.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.checkins import texts
from bot.checkins.repository import Checkin, CheckinRepository, Status
from bot.checkins.schedule import local_date
from bot.commands import (
    CommandRegistry,
    CommandSpec,
    Invocation,
    Param,
    ParamKind,
    ParseProblem,
    UsageError,
    clean,
    fold,
)
from bot.config import CheckinsSection
from bot.context import CommandContext
from bot.dispatcher import Seen
from bot.events import Button, IncomingMessage, OutgoingMessage
from bot.identity import UserRef
from bot.store.db import Database, Tx
from bot.store.outbox import Enqueue, Outbox
from bot.timeparse import parse_zone

log = logging.getLogger(__name__)

MOOD, SKIP, NOTE = "checkin mood", "checkin skip", "checkin note"
NOTE_WINDOW = timedelta(hours=1)  # free text this soon after a mood is taken as its note
_DAY = Param("day", ParamKind.WORD, required=True, description="the check-in's date")


@lru_cache(maxsize=64)
def prompt_buttons(on: str) -> tuple[Button, ...]:
    """Moods 1-5 first (so a bare number is the mood), then skip, then a note."""
    moods = tuple(Button(label, f"{MOOD} {on} {n}")
                  for n, label in enumerate(texts.MOOD_LABELS, start=1))
    return (*moods, Button(texts.SKIP_LABEL, f"{SKIP} {on}"),
            Button(texts.NOTE_LABEL, f"{NOTE} {on}", input_label=texts.NOTE_INPUT))


class CheckinAnswers:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        repo: CheckinRepository,
        registry: CommandRegistry,
        config: CheckinsSection,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._repo = repo
        self._registry = registry
        self._config = config

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(MOOD, f"{MOOD} <day> <1-5>", "answer a check-in", self.mood,
                        hidden=True, params=(_DAY, Param("mood", ParamKind.NUMBER, True))),
            CommandSpec(SKIP, f"{SKIP} <day>", "skip a check-in", self.skip, hidden=True,
                        params=(_DAY,)),
            CommandSpec(NOTE, f"{NOTE} <day> [a few words]", "add a note to a check-in",
                        self.note, hidden=True,
                        params=(_DAY, Param("note", ParamKind.TEXT))),
        ]

    async def mood(self, ctx: CommandContext) -> None:
        on, mood = _day(ctx.args), _mood(ctx.args)
        async with self._db.transaction() as tx:
            found = await self._answerable(tx, ctx.user, on, ctx.now)
            if isinstance(found, Checkin):
                await self._repo.answer(tx, found.id, mood, ctx.now, ctx.now + NOTE_WINDOW)
                text, buttons = await self._thanks(tx, ctx.user, on, mood)
                await self._outbox.enqueue(tx, ctx.now, ctx.reply(text, buttons=buttons))
            else:
                await self._outbox.enqueue(tx, ctx.now, ctx.reply(found))
        log.info("check-in answer: mood via %s", "button" if ctx.origin.via_button else "text")

    async def skip(self, ctx: CommandContext) -> None:
        on = _day(ctx.args)
        async with self._db.transaction() as tx:
            found = await self._answerable(tx, ctx.user, on, ctx.now)
            text = await self._skip(tx, found) if isinstance(found, Checkin) else found
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    async def note(self, ctx: CommandContext) -> None:
        on = _day(ctx.args)
        words = clean(ctx.rest.split(maxsplit=1)[1]) if len(ctx.args) > 1 else ""
        async with self._db.transaction() as tx:
            found = await self._answerable(tx, ctx.user, on, ctx.now)
            if not isinstance(found, Checkin):
                text = found
            elif words and not ctx.origin.is_direct:
                text = texts.KEEP_PRIVATE
            elif words:
                text = await self._keep_note(tx, found, words, ctx.now)
            else:
                await self._repo.open_note(tx, found.id, ctx.now + NOTE_WINDOW)
                text = texts.NOTE_ASK
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    async def on_text(self, message: IncomingMessage, seen: Seen) -> bool:
        """Typed ``skip``, or the few words right after a mood. Never takes a command: only
        text that isn't one reaches here, and a near miss (``checkin stauts``) is left for
        the usage line. A note that went to moderators is kept without a reply: the member
        gets only the one resource message."""
        if not message.is_direct:
            return False
        now = seen.now
        text = clean(message.text)
        if fold(text) == "skip":
            return await self._typed_skip(message, now)
        parsed = self._registry.parse(text)
        if isinstance(parsed, Invocation) or parsed.problem not in (
            ParseProblem.UNKNOWN, ParseProblem.TOO_LONG
        ):
            return False
        async with self._db.transaction() as tx:
            found = await self._repo.note_open(tx, message.user, now)
            if found is None:
                return False
            reply = await self._keep_note(tx, found, text, now)
            if not seen.quiet:
                await self._outbox.enqueue(tx, now, _reply_to(message, reply))
        log.info("check-in note kept from free text")
        return True

    async def _typed_skip(self, message: IncomingMessage, now: datetime) -> bool:
        async with self._db.transaction() as tx:
            latest = await self._repo.latest(tx, message.user)
            if latest is None:
                return False  # not someone with check-ins: not ours to answer
            found = await self._answerable(tx, message.user, latest.local_date, now)
            text = await self._skip(tx, found) if isinstance(found, Checkin) else (
                texts.NOTHING_WAITING)
            await self._outbox.enqueue(tx, now, _reply_to(message, text))
        return True

    async def _answerable(self, tx: Tx, user: UserRef, on: date, now: datetime) -> Checkin | str:
        """The check-in for ``on`` if it can still be answered, else what to say instead.

        It can until the end of its own local day, or of the day it was sent (a prompt sent
        late, just after midnight, still has its day)."""
        found = await self._repo.checkin(tx, user, on)
        if found is None or found.status is Status.MISSED_BY_US:
            return texts.NOT_OPEN
        schedule = await self._repo.schedule(tx, user)
        zone = schedule.rhythm.zone if schedule else parse_zone(self._config.default_zone)
        if local_date(zone, now) not in (on, local_date(zone, found.created_at)):
            return texts.other_day(on)
        return found

    async def _skip(self, tx: Tx, found: Checkin) -> str:
        if found.status is Status.SENT:
            await self._repo.skip(tx, found.id)
            return texts.SKIPPED
        await self._repo.open_note(tx, found.id, None)
        return texts.SKIP_AFTER_ANSWER

    async def _keep_note(self, tx: Tx, found: Checkin, words: str, now: datetime) -> str:
        limit = self._config.note_max_chars
        note = words if found.note is None else f"{found.note}\n{words}"
        await self._repo.set_note(tx, found.id, note[:limit], now)
        return texts.NOTE_KEPT if len(note) <= limit else texts.note_trimmed(limit)

    async def _thanks(
        self, tx: Tx, user: UserRef, on: date, mood: int
    ) -> tuple[str, tuple[Button, ...]]:
        low = mood <= 2
        lines = [texts.THANKS_LOW if low else texts.THANKS]
        buttons = [Button(texts.NOTE_LABEL, f"{NOTE} {on.isoformat()}",
                          input_label=texts.NOTE_INPUT)]
        if low and self._config.offer_why_on_low_mood and await self._repo.why(tx, user):
            lines.append(texts.WHY_OFFER)
            buttons.append(Button(texts.WHY_LABEL, "why"))
        lines.append(texts.NOTE_INVITE)
        return "\n".join(lines), tuple(buttons)


def _day(args: tuple[str, ...]) -> date:
    try:
        return date.fromisoformat(args[0])
    except (IndexError, ValueError):
        raise UsageError(texts.DAY_BAD) from None


def _mood(args: tuple[str, ...]) -> int:
    if len(args) < 2 or args[1] not in {"1", "2", "3", "4", "5"}:
        raise UsageError(texts.MOOD_BAD)
    return int(args[1])


def _reply_to(message: IncomingMessage, text: str) -> Enqueue:
    return Enqueue(OutgoingMessage(message.user, text, reply_token=message.reply_token),
                   kind="reply", subject=message.user)
