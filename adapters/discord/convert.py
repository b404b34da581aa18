"""Neutral events <-> Discord payload pieces: pure functions, no client, no network.

Custom ids carry the core command, so a button works on any message the bot ever sent, after
any restart: ``pl:<command>`` runs the command, ``pf:<command>|<label>`` asks for a line of
text first (a modal labelled ``label``), and the modal itself is ``pn:<command>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from bot.commands import Param
from bot.events import Button, Mention, OutgoingMessage
from bot.identity import RoomRef, Target, UserRef

PLATFORM = "discord"
MAX_CUSTOM_ID = 100
MAX_CONTENT = 2000
MAX_LABEL = 80
MAX_INPUT_LABEL = 45
MIN_INPUT_LABEL = 8  # shorter than this, a form is not worth it: the command asks instead
COMMAND_PREFIX = "pl:"
FORM_PREFIX = "pf:"
MODAL_PREFIX = "pn:"
FORM_SEPARATOR = "|"
COMMAND_TEMPLATE = re.compile(r"pl:(?P<command>.+)", re.DOTALL)
FORM_TEMPLATE = re.compile(r"pf:(?P<command>[^|]+)\|(?P<label>.*)", re.DOTALL)
CONTENT_WARNING = "Content warning:"
FALLBACK_INPUT_LABEL = "A few words"


def button_custom_id(button: Button) -> str | None:
    """The custom id for ``button``, or None when its command is too long to carry."""
    if button.input_label:
        room = MAX_CUSTOM_ID - len(FORM_PREFIX) - len(button.command) - len(FORM_SEPARATOR)
        label = button.input_label[:min(room, MAX_INPUT_LABEL)]
        enough = len(label) >= min(MIN_INPUT_LABEL, len(button.input_label))
        if enough and FORM_SEPARATOR not in button.command:
            return f"{FORM_PREFIX}{button.command}{FORM_SEPARATOR}{label}"
    custom_id = COMMAND_PREFIX + button.command
    return custom_id if len(custom_id) <= MAX_CUSTOM_ID else None


def modal_custom_id(command: str) -> str:
    return MODAL_PREFIX + command


def command_of_modal(custom_id: str) -> str | None:
    return custom_id[len(MODAL_PREFIX):] if custom_id.startswith(MODAL_PREFIX) else None


def command_text(name: str, params: Sequence[Param], values: Mapping[str, object]) -> str:
    """A slash command as the core's text grammar: ``checkin start 09:00 Europe/Helsinki``."""
    words = [name]
    for param in params:
        value = values.get(param.name)
        if value is not None and str(value).strip():
            words.append(str(value).strip())
    return " ".join(words)


def role_mentions(mention: Mention, target: Target, moderators: Sequence[int],
                  backup: Sequence[int]) -> tuple[int, ...]:
    """The roles a message may ping: only pages, only in a room. Backup falls back to the
    moderator roles when no backup role is configured."""
    if mention is Mention.NONE or not isinstance(target, RoomRef):
        return ()
    if mention is Mention.BACKUP and backup:
        return tuple(backup)
    return tuple(moderators)


def escape_spoiler(text: str) -> str:
    """Keep hidden text inside its spoiler: a ``||`` in it would end the spoiler early."""
    return text.replace("||", "|\u200b|")


def render(message: OutgoingMessage, roles: Iterable[int]) -> str:
    """The message's text with role pings in front and the hidden part behind a spoiler."""
    parts = []
    if pings := " ".join(f"<@&{role}>" for role in roles):
        parts.append(pings)
    parts.append(message.text)
    if message.hidden_text:
        parts.append(f"{CONTENT_WARNING}\n||{escape_spoiler(message.hidden_text)}||")
    return "\n".join(part for part in parts if part)


def chunks(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Split on line breaks where possible; every piece fits one Discord message."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    pieces.append(rest)
    return pieces


def user_ref(user_id: int) -> UserRef:
    return UserRef(PLATFORM, str(user_id))


def room_ref(channel_id: int) -> RoomRef:
    return RoomRef(PLATFORM, str(channel_id))


def snowflake(ident: str) -> int | None:
    """A Discord id from a neutral id, or None for anything that is not one."""
    return int(ident) if ident.isdigit() and len(ident) <= 20 else None
