"""Private messages about pairing: always to one person, never naming more than needed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.events import Button, OutgoingMessage, Priority
from bot.identity import Target, UserRef
from bot.ports import Adapter, handle_of
from bot.store.db import Tx
from bot.store.outbox import Enqueue, Outbox

KIND = "witness"


class Mail:
    def __init__(self, outbox: Outbox, adapters: Mapping[str, Adapter]) -> None:
        self._outbox = outbox
        self.adapters = adapters

    def handle(self, user: UserRef) -> str:
        return handle_of(self.adapters, user)

    async def tell(
        self, tx: Tx, to: Target, text: str, now: datetime, *,
        buttons: tuple[Button, ...] = (), about: UserRef | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        subject = about if about is not None else to if isinstance(to, UserRef) else None
        await self._outbox.enqueue(tx, now, Enqueue(
            OutgoingMessage(to, text, buttons=buttons, priority=priority), kind=KIND,
            subject=subject))
