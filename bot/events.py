"""Frozen, platform-neutral events: what adapters hand in and what the core hands out.

Adapters convert platform payloads into these at the edge; nothing in the core sees a
platform type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from bot.identity import RoomRef, Target, UserRef


class Capability(StrEnum):
    """What an adapter can render; the core falls back to plain text for the rest."""

    BUTTONS = "buttons"  # clickable choices that come back as ButtonPressed
    REACTIONS = "reactions"  # emoji reactions on a message, answered like buttons
    FILES = "files"  # attachments
    SPOILERS = "spoilers"  # text hidden behind a content warning
    PRIVATE_ROOMS = "private_rooms"  # a private room or thread for two members
    EPHEMERAL = "ephemeral"  # replies only the asker can see, in a shared room


class Mention(StrEnum):
    """The only mentions Porchlight ever makes: a moderator role, on a page."""

    NONE = "none"
    MODERATORS = "moderators"  # the configured moderator role(s)
    BACKUP = "backup"  # the configured backup role(s), when nobody has claimed in time


class Priority(IntEnum):
    """Delivery lanes: a lower number is never kept waiting by a higher one."""

    CRISIS = 0  # pages and the crisis resource message
    REPLY = 1  # answers to something a member just did
    ROUTINE = 2  # scheduled fan-out: check-in prompts, nudges


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """Text a member wrote to the bot or in a room the bot can see."""

    user: UserRef
    room: RoomRef
    text: str
    is_direct: bool
    message_id: str
    sent_at: datetime
    link: str | None = None  # a permalink, where the platform has one
    reply_token: str | None = None  # lets the adapter answer privately (e.g. an interaction)
    space: str | None = None  # the key of the Porchlight-made private space it was written in


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A button click or a reaction used as an answer.

    Either ``command`` is known (platforms that carry it in the button), or ``choice`` is the
    index of the button on the message ``message_id`` and the core looks the command up.
    """

    user: UserRef
    room: RoomRef
    message_id: str
    is_direct: bool
    sent_at: datetime
    command: str | None = None
    choice: int | None = None
    reply_token: str | None = None
    text: str | None = None  # what the member typed into a form, if the button asked
    event_id: str | None = None  # the press itself (interaction, reaction), to drop replays


@dataclass(frozen=True, slots=True)
class MemberLeft:
    """A member left the community (the server or the community room)."""

    user: UserRef
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A message to the bot that the platform could not show it (an encrypted message whose
    key never came). It may have mattered, so the member is told rather than met with silence."""

    user: UserRef
    room: RoomRef
    message_id: str
    sent_at: datetime


Event = IncomingMessage | ButtonPressed | MemberLeft | Unreadable


@dataclass(frozen=True, slots=True)
class Button:
    """A choice. Pressing it runs ``command`` as if the member had typed it.

    With ``input_label``, platforms that have forms ask for a line of text and append it to the
    command; elsewhere the command runs as is and the feature asks for the text itself.
    """

    label: str
    command: str
    input_label: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: str


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message to one place. Mentions are off except a moderator role on a page."""

    target: Target
    text: str
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    hidden_text: str | None = None  # shown behind a content warning
    mention: Mention = Mention.NONE
    reply_token: str | None = None
    priority: Priority = Priority.REPLY  # adapters pacing under a rate limit send urgent first
