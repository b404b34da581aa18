"""Matrix timeline events as the core's neutral events.

Text becomes ``IncomingMessage`` (``is_direct`` only in a member's DM; ``space`` in a room made
for a space), a keycap reaction becomes ``ButtonPressed`` with the index of the choice and the
id of the message reacted to, and leaving the community room becomes ``MemberLeft``. Replies
lose their quoted fallback and edits count as their new text (crisis words added in an edit
must be read too). The bot's own events are never converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from nio import Event as NioEvent
from nio import ReactionEvent, RoomMemberEvent, RoomMessageEmote, RoomMessageText

from adapters.matrix.render import keycap_index
from bot.events import ButtonPressed, Event, IncomingMessage, MemberLeft
from bot.identity import RoomRef, UserRef

PLATFORM = "matrix"


class Kind(StrEnum):
    DIRECT = "direct"  # a member's DM with the bot
    MODERATORS = "moderators"  # the configured moderator room
    SPACE = "space"  # a private room Porchlight made for a space key
    SHARED = "shared"  # a configured shared room: scanned rooms, the community room


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event happened, as far as Porchlight is concerned."""

    room_id: str
    kind: Kind
    space: str | None = None
    community: bool = False


def convert(event: NioEvent, place: Place, *, me: str, now: datetime) -> Event | None:
    if getattr(event, "sender", me) == me:
        return None
    room = RoomRef(PLATFORM, place.room_id)
    user = UserRef(PLATFORM, event.sender)
    if isinstance(event, RoomMessageText | RoomMessageEmote):
        return IncomingMessage(
            user=user, room=room, text=message_text(event.source.get("content", {})),
            is_direct=place.kind is Kind.DIRECT, message_id=event.event_id, sent_at=now,
            link=permalink(place.room_id, event.event_id, me) if place.kind is Kind.SHARED
            else None,
            space=place.space,
        )
    if isinstance(event, ReactionEvent):
        choice = keycap_index(event.key)
        if choice is None:
            return None
        return ButtonPressed(user=user, room=room, message_id=event.reacts_to,
                             is_direct=place.kind is Kind.DIRECT, sent_at=now, choice=choice,
                             event_id=event.event_id)
    if isinstance(event, RoomMemberEvent) and place.community:
        return member_left(event, now)
    return None


def member_left(event: RoomMemberEvent, now: datetime) -> MemberLeft | None:
    """Leaving (or being removed from) the community room, not a change of name or avatar."""
    if event.membership in ("leave", "ban") and event.prev_membership == "join":
        return MemberLeft(UserRef(PLATFORM, event.state_key), now)
    return None


def message_text(content: dict[str, Any]) -> str:
    relates = content.get("m.relates_to") or {}
    new = content.get("m.new_content")
    if relates.get("rel_type") == "m.replace" and isinstance(new, dict):
        return str(new.get("body", ""))
    body = str(content.get("body", ""))
    if "m.in_reply_to" in relates:
        return strip_reply_fallback(body)
    return body


def strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@sender> quoted`` lines (and the blank line after them) of a reply."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    rest = 0
    while rest < len(lines) and lines[rest].startswith(">"):
        rest += 1
    if rest < len(lines) and lines[rest] == "":
        rest += 1
    return "\n".join(lines[rest:])


def permalink(room_id: str, event_id: str, me: str) -> str:
    """A matrix.to link; ``via`` the bot's server (v12 room ids name no server)."""
    server = me.split(":", 1)[1]
    return f"https://matrix.to/#/{quote(room_id, safe='')}/{quote(event_id, safe='')}?via={server}"
