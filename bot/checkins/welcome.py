"""Welcome back, and the member's own "why I came back".

Someone who writes to us after a long silence (or says ``back``) is welcomed without questions,
and offered check-ins if they don't have them. Never for someone's very first message, never
for room chatter. The observer and the ``back`` command can both fire for one message; they
share a dedup key for that moment, so the welcome goes out once.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot.checkins import texts
from bot.checkins.repository import CheckinRepository, State
from bot.commands import CommandSpec, Param, ParamKind, clean
from bot.config import CheckinsSection
from bot.context import CommandContext
from bot.dispatcher import Seen
from bot.events import Button, IncomingMessage, OutgoingMessage
from bot.identity import UserRef
from bot.store.db import Database, Tx, to_db
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

WELCOME_KIND = "checkins.welcome"


class Welcome:
    def __init__(
        self, *, db: Database, outbox: Outbox, repo: CheckinRepository, config: CheckinsSection
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._repo = repo
        self._config = config

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("back", "back", "say you're back; there's nothing to explain", self.back),
            CommandSpec("why", "why [a few words]",
                        "keep your own reason for coming back, or read it again", self.why,
                        params=(Param("text", ParamKind.TEXT),)),
        ]

    async def observe(self, message: IncomingMessage, seen: Seen) -> bool:
        """A member we heard from directly, after ``welcome_back_after_days`` of silence."""
        if not seen.counted or seen.previous is None or seen.quiet:
            return False
        silence = seen.now - seen.previous
        if silence < timedelta(days=self._config.welcome_back_after_days):
            return False
        async with self._db.transaction() as tx:
            text, buttons = await self._welcome(tx, message.user)
            await self._outbox.enqueue(tx, seen.now, Enqueue(
                OutgoingMessage(message.user, text, buttons=buttons), kind=WELCOME_KIND,
                subject=message.user, dedup_key=_welcome_key(message.user, seen.now),
            ))
        log.info("welcome back after %d days", silence.days)
        return True

    async def back(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            text, buttons = await self._welcome(tx, ctx.user)
            await self._outbox.enqueue(tx, ctx.now, replace(
                ctx.reply(text, buttons=buttons), kind=WELCOME_KIND,
                dedup_key=_welcome_key(ctx.user, ctx.now),
            ))

    async def _welcome(self, tx: Tx, user: UserRef) -> tuple[str, tuple[Button, ...]]:
        schedule = await self._repo.schedule(tx, user)
        lines, buttons = [texts.WELCOME], ()
        if schedule is not None and schedule.state is State.ON:
            lines.append(texts.WELCOME_CHECKINS_ON)
        else:
            lines.append(texts.WELCOME_OFFER)
            buttons = (Button(texts.START_LABEL, "checkin start"),)
        if await self._repo.why(tx, user) is None:
            lines.append(texts.WELCOME_WHY)
        return "\n".join(lines), buttons

    async def why(self, ctx: CommandContext) -> None:
        words = clean(ctx.rest)
        async with self._db.transaction() as tx:
            if not words:
                kept = await self._repo.why(tx, ctx.user)
                text = texts.why_shown(kept[0]) if kept else texts.WHY_NONE
            elif not ctx.origin.is_direct:
                text = texts.KEEP_PRIVATE
            else:
                limit = self._config.note_max_chars
                await self._repo.save_why(tx, ctx.user, words[:limit], ctx.now)
                text = texts.WHY_KEPT if len(words) <= limit else texts.why_trimmed(limit)
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))


def _welcome_key(user: UserRef, now: datetime) -> str:
    return f"{WELCOME_KIND}:{user}:{to_db(now)}"
