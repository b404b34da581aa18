"""Members Porchlight could not reach privately (closed DMs).

A private message that fails for good with ``dm_closed`` is remembered; the next time the
member writes to Porchlight, they are told in the reply that is only theirs (an ephemeral
answer where the platform has one), and the mark is cleared.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import texts
from bot.dispatcher import Seen
from bot.events import IncomingMessage, OutgoingMessage
from bot.identity import UserRef
from bot.ports import Clock
from bot.store.db import Database, Tx, to_db
from bot.store.outbox import Enqueue, Outbox, OutboxItem

log = logging.getLogger(__name__)

DM_CLOSED = "dm_closed"


class Reachability:
    section = "unreachable"

    def __init__(self, *, db: Database, outbox: Outbox, clock: Clock) -> None:
        self._db = db
        self._outbox = outbox
        self._clock = clock

    async def delivery_failed(self, tx: Tx, item: OutboxItem, error: str) -> None:
        """Delivery hook: remember members whose private messages are closed."""
        target = item.message.target
        if error == DM_CLOSED and isinstance(target, UserRef):
            await tx.execute(
                "INSERT OR IGNORE INTO unreachable_members (user, reason, since)"
                " VALUES (?, ?, ?)", (str(target), error, to_db(self._clock.now())))
            log.info("%s: a member's private messages are closed", target.platform)

    async def observe(self, message: IncomingMessage, seen: Seen) -> bool:
        """When a member we could not reach writes to us, tell them, once, privately."""
        if not seen.counted:
            return False
        async with self._db.transaction() as tx:
            cleared = await self.delete_user(tx, message.user)
            if cleared:
                await self._outbox.enqueue(tx, seen.now, Enqueue(
                    OutgoingMessage(message.user, texts.DMS_CLOSED,
                                    reply_token=message.reply_token),
                    kind="reply", subject=message.user))
        return False

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any] | None:
        row = await tx.fetchone("SELECT reason, since FROM unreachable_members WHERE user = ?",
                                (str(user),))
        return None if row is None else dict(row)

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("DELETE FROM unreachable_members WHERE user = ?", (str(user),))
