"""Who is a moderator: power level in the moderator room, read from the room's current state.

Matrix has no roles; a moderator is a joined member of the moderator room whose power level is
at least the configured threshold. From room version 12 (MSC4289) the room's creators (the
create event's sender and ``additional_creators``) outrank everyone and are not listed in the
power levels, which nio's ``get_user_level`` does not know: they count as moderators here.
Display names play no part: anyone can call themselves "Moderator".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

StateEvent = Mapping[str, Any]

# Experimental ids of room versions that already had MSC4289's creator power.
_CREATOR_POWER_EXPERIMENTAL = frozenset({"org.matrix.hydra.11"})


def creators_have_power(room_version: str) -> bool:
    """Room versions 12 and later (and their experimental precursor)."""
    if room_version in _CREATOR_POWER_EXPERIMENTAL:
        return True
    return room_version.isdigit() and int(room_version) >= 12


def _state(events: Iterable[StateEvent], event_type: str, state_key: str = "") -> StateEvent:
    for event in events:
        if event.get("type") == event_type and event.get("state_key") == state_key:
            return event
    return {}


def creators(events: Iterable[StateEvent]) -> set[str]:
    create = _state(events, "m.room.create")
    if not create:
        return set()
    extra = create.get("content", {}).get("additional_creators", [])
    return {create["sender"], *(user for user in extra if isinstance(user, str))}


def power_level(events: list[StateEvent], user_id: str) -> float:
    """The spec's effective level: infinite for v12+ creators, else ``users`` or the default."""
    version = str(_state(events, "m.room.create").get("content", {}).get("room_version", "1"))
    if creators_have_power(version) and user_id in creators(events):
        return math.inf
    levels = _state(events, "m.room.power_levels").get("content")
    if levels is None:  # no power levels event: the creator has 100, everyone else 0
        return 100 if user_id in creators(events) else 0
    users = levels.get("users", {})
    return float(users.get(user_id, levels.get("users_default", 0)))


def membership(events: Iterable[StateEvent], user_id: str) -> str | None:
    return _state(events, "m.room.member", user_id).get("content", {}).get("membership")


def is_moderator(events: list[StateEvent], user_id: str, threshold: int) -> bool:
    """A joined member at or above ``threshold``; a creator in v12+ rooms."""
    return membership(events, user_id) == "join" and power_level(events, user_id) >= threshold


def moderators(events: list[StateEvent], threshold: int, *, exclude: str = "") -> list[str]:
    """Every joined moderator, e.g. to mention them on a page by user id."""
    joined = (e["state_key"] for e in events if e.get("type") == "m.room.member"
              and e.get("content", {}).get("membership") == "join")
    return sorted(u for u in joined if u != exclude and is_moderator(events, u, threshold))
