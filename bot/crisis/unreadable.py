"""A message the bot could not read may have been a cry for help: say so, never stay silent.

The platform tells us (an encrypted message whose key never came); the member gets one fixed
message asking them to send it again, with where to turn if they are in danger right now.
"""

from __future__ import annotations

import logging

from bot.config import CrisisSection
from bot.events import OutgoingMessage, Priority, Unreadable
from bot.ports import Clock
from bot.store.db import Database
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

UNREADABLE_KIND = "crisis.unreadable"


class UnreadableNotice:
    def __init__(self, *, db: Database, outbox: Outbox, clock: Clock,
                 settings: CrisisSection) -> None:
        self._db = db
        self._outbox = outbox
        self._clock = clock
        self._settings = settings

    async def tell(self, event: Unreadable) -> None:
        message = OutgoingMessage(event.user, self._settings.unreadable_message,
                                  priority=Priority.CRISIS)
        async with self._db.transaction() as tx:
            await self._outbox.enqueue(tx, self._clock.now(), Enqueue(
                message, kind=UNREADABLE_KIND, subject=event.user,
                dedup_key=f"unreadable:{event.room.platform}:{event.message_id}"))
        log.info("unreadable message %s on %s: the member was told", event.message_id,
                 event.room.platform)
