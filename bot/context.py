"""What a command handler is given: who asked, where, with which arguments, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands import CommandSpec
from bot.events import (
    Attachment,
    Button,
    ButtonPressed,
    IncomingMessage,
    OutgoingMessage,
    Priority,
)
from bot.identity import RoomRef, Target, UserRef
from bot.store.outbox import Enqueue


@dataclass(frozen=True, slots=True)
class Origin:
    """Who a command came from and where."""

    user: UserRef
    room: RoomRef
    is_direct: bool
    message_id: str | None = None
    reply_token: str | None = None
    link: str | None = None
    via_button: bool = False

    @classmethod
    def of(cls, event: IncomingMessage | ButtonPressed) -> Origin:
        if isinstance(event, ButtonPressed):
            return cls(event.user, event.room, event.is_direct, event.message_id,
                       event.reply_token, via_button=True)
        return cls(event.user, event.room, event.is_direct, event.message_id,
                   event.reply_token, event.link)


@dataclass(frozen=True, slots=True)
class CommandContext:
    spec: CommandSpec
    args: tuple[str, ...]
    rest: str
    now: datetime
    reply_target: Target  # the member privately, or the moderator room for moderator commands
    origin: Origin

    @property
    def user(self) -> UserRef:
        return self.origin.user

    def reply(
        self,
        text: str,
        *,
        buttons: tuple[Button, ...] = (),
        attachment: Attachment | None = None,
        priority: Priority = Priority.REPLY,
        forget_on_delivery: bool = False,
    ) -> Enqueue:
        """An answer to this command, to write into the outbox with the state change."""
        return Enqueue(
            OutgoingMessage(
                target=self.reply_target,
                text=text,
                buttons=buttons,
                attachment=attachment,
                reply_token=self.origin.reply_token,
                priority=priority,
            ),
            kind="reply",
            subject=self.user,
            forget_on_delivery=forget_on_delivery,
        )
