"""Data rights: ``mydata`` exports everything about a member, ``forget me`` deletes it, and a
daily purge removes what has outlived its configured lifetime.

Every repository holding personal data registers here; a test walks every table to prove that
nothing keeps a forgotten member's id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from bot import texts
from bot.commands import CommandSpec
from bot.context import CommandContext
from bot.dispatcher import Seen
from bot.events import Attachment, IncomingMessage, OutgoingMessage
from bot.identity import UserRef
from bot.members import Members
from bot.ports import Clock
from bot.store.db import Database, Tx, to_db
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

FORGET = "forget"
CONFIRM_WINDOW = timedelta(minutes=10)
YES = {"yes", "y", "yes.", "yes please", "confirm"}


@runtime_checkable
class PersonalData(Protocol):
    """Anything that holds something about members: repositories, and adapters that keep
    platform ids between runs (their ``tx`` argument is then unused)."""

    section: str

    async def export_user(self, tx: Tx, user: UserRef) -> Any: ...

    async def delete_user(self, tx: Tx, user: UserRef) -> int: ...


BeforeForget = Callable[[Tx, UserRef, datetime], Awaitable[str | None]]
"""Runs before a member's data is deleted; may return a line to add to the confirmation."""


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """One kind of personal data and how long it may be kept."""

    name: str
    lifetime: timedelta
    purge: Callable[[Tx, datetime], Awaitable[int]]  # deletes what is older than the cut-off


class DataRights:
    def __init__(self, *, db: Database, outbox: Outbox, members: Members, clock: Clock) -> None:
        self._db = db
        self._outbox = outbox
        self._members = members
        self._clock = clock
        self.sources: list[PersonalData] = [members, outbox]
        self.retention: list[RetentionRule] = []
        self.before_forget: list[BeforeForget] = []

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec("mydata", "mydata", "get everything Porchlight holds about you, as JSON",
                        self.mydata),
            CommandSpec("forget me", "forget me",
                        "delete everything Porchlight holds about you (asks first)",
                        self.forget_me),
        ]

    async def export(self, tx: Tx, user: UserRef, now: datetime) -> dict[str, Any]:
        data: dict[str, Any] = {"generated_at": to_db(now), "you": str(user)}
        for source in self.sources:
            data[source.section] = await source.export_user(tx, user)
        return data

    async def mydata(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            data = await self.export(tx, ctx.user, ctx.now)
            body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
            # The export itself is not kept once it has been delivered.
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(
                texts.MYDATA,
                attachment=Attachment("porchlight-mydata.json", body),
                forget_on_delivery=True,
            ))
        log.info("export for a member: %d sections", len(data) - 2)

    async def forget_me(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            await self._members.touch(tx, ctx.user, ctx.now)
            await self._members.set_pending(tx, ctx.user, FORGET, ctx.now + CONFIRM_WINDOW)
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(texts.FORGET_ASK))

    async def on_text(self, message: IncomingMessage, seen: Seen) -> bool:
        """A direct "yes" confirms a pending ``forget me``; anything else cancels it."""
        if not message.is_direct:
            return False
        now = seen.now
        async with self._db.transaction() as tx:
            pending = await self._members.take_pending(tx, message.user, now)
            if pending != FORGET or message.text.strip().casefold() not in YES:
                return False
            notes = await self.forget(tx, message.user, now)
            done = "\n".join([texts.FORGET_DONE, *notes])
            await self._outbox.enqueue(tx, now, Enqueue(
                OutgoingMessage(message.user, done, reply_token=message.reply_token),
                kind="reply", forget_on_delivery=True,
            ))
        return True

    async def forget(self, tx: Tx, user: UserRef, now: datetime) -> list[str]:
        """Delete everything about ``user`` in the caller's transaction; returns what the
        features want the member told about it."""
        notes = [note for hook in self.before_forget if (note := await hook(tx, user, now))]
        removed = 0
        for source in self.sources:
            removed += await source.delete_user(tx, user)
        log.info("forgot a member: %d rows removed or anonymised", removed)
        return notes

    async def purge(self) -> dict[str, int]:
        """The daily retention job: each kind of data past its lifetime goes."""
        now = self._clock.now()
        removed: dict[str, int] = {}
        async with self._db.transaction() as tx:
            for rule in self.retention:
                removed[rule.name] = await rule.purge(tx, now - rule.lifetime)
        log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in removed.items()))
        return removed
