"""Room helpers for tests: create with power levels/version/encryption, invite+join, send.

Also the reference rule for "who is a moderator" that tests can compare the adapter with:
in room versions with MSC4289 (v12), creators outrank everyone and are NOT listed in the
power-levels event, and nio's `get_user_level` does not know that.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, RoomCreateResponse, RoomGetStateResponse, RoomSendResponse

from tests.matrix_harness.clients import HarnessError, ok
from tests.matrix_harness.sync import membership, wait_for_event

MEGOLM = "m.megolm.v1.aes-sha2"
# Room versions where creators have unlimited power and must not be in `users` (MSC4289).
CREATOR_POWER_VERSIONS = frozenset({"12"})


def encryption_state() -> dict[str, Any]:
    """initial_state entry that makes a room Megolm-encrypted from its first event."""
    return {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": MEGOLM}}


async def client_api(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A raw client-server API call with the client's token, for what nio does not cover."""
    data = json.dumps(body) if body is not None else None
    headers = {"Authorization": f"Bearer {client.access_token}"}
    resp = await client.send(method, path, data, headers)
    answer: dict[str, Any] = await resp.json()
    if resp.status != 200:
        raise HarnessError(f"{method} {path} failed: {resp.status} {answer}")
    return answer


async def default_room_version(client: AsyncClient) -> str:
    """The server's default room version, from the capabilities endpoint."""
    data = await client_api(client, "GET", "/_matrix/client/v3/capabilities")
    return str(data["capabilities"]["m.room_versions"]["default"])


async def create_room(
    client: AsyncClient,
    *,
    invite: Sequence[str] = (),
    is_direct: bool = False,
    encrypted: bool = False,
    room_version: str | None = None,
    power_users: Mapping[str, int] | None = None,
    power_levels: Mapping[str, Any] | None = None,
    name: str | None = None,
    initial_state: Sequence[dict[str, Any]] = (),
) -> str:
    """Create a room and return its id.

    power_users is the `users` map of m.room.power_levels. The creator is handled per room
    version: added at 100 before v12 (Synapse requires it there) and left out in v12 (the
    auth rules reject creators in `users`). power_levels overrides other keys.
    """
    override: dict[str, Any] = dict(power_levels or {})
    if power_users is not None:
        version = room_version or await default_room_version(client)
        users = dict(power_users)
        if version in CREATOR_POWER_VERSIONS:
            users.pop(client.user_id, None)
        else:
            users.setdefault(client.user_id, 100)
        override["users"] = users
    state = [*initial_state, *([encryption_state()] if encrypted else [])]
    resp = ok(
        await client.room_create(
            name=name,
            room_version=room_version,
            is_direct=is_direct,
            invite=list(invite),
            initial_state=state,
            power_level_override=override or None,
        ),
        f"room_create by {client.user_id}",
    )
    assert isinstance(resp, RoomCreateResponse)
    return resp.room_id


async def invite_and_join(
    inviter: AsyncClient,
    invitee: AsyncClient,
    room_id: str,
    *,
    already_invited: bool = False,
    inviter_sees_join: bool = True,
) -> None:
    """Invite (unless done at creation), join, and wait until both clients see the join.

    Waiting matters for encryption: the sender shares the Megolm key with the members
    its client knows about.
    """
    if not already_invited:
        ok(await inviter.room_invite(room_id, invitee.user_id), f"invite {invitee.user_id}")
    ok(await invitee.join(room_id), f"join {room_id} by {invitee.user_id}")
    joined = membership(invitee.user_id, "join")
    await wait_for_event(invitee, joined, room_id=room_id)
    if inviter_sees_join:
        await wait_for_event(inviter, joined, room_id=room_id)


async def set_display_name(client: AsyncClient, name: str) -> None:
    """Set the global display name (Synapse updates the member event in each room)."""
    ok(await client.set_displayname(name), f"set_displayname for {client.user_id}")


async def send_event(
    client: AsyncClient, room_id: str, event_type: str, content: dict[str, Any]
) -> str:
    """Send a room event (encrypted if the room is) and return its event id."""
    resp = ok(
        await client.room_send(room_id, event_type, content, ignore_unverified_devices=True),
        f"send {event_type} by {client.user_id}",
    )
    assert isinstance(resp, RoomSendResponse)
    return resp.event_id


async def send_text(client: AsyncClient, room_id: str, body: str) -> str:
    """Send an m.text message; returns the event id."""
    return await send_event(client, room_id, "m.room.message", {"msgtype": "m.text", "body": body})


async def send_reaction(
    client: AsyncClient, room_id: str, event_id: str, key: str, *, encrypt: bool | None = None
) -> str:
    """React to event_id with key (an m.annotation); returns the reaction's event id.

    nio's room_send never encrypts reactions; Element does in encrypted rooms (with
    m.relates_to left in the clear). encrypt=None follows the room, like Element.
    """
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
    room = client.rooms.get(room_id)
    if encrypt is None:
        encrypt = bool(room and room.encrypted and client.olm)
    if encrypt:
        return await send_encrypted(client, room_id, "m.reaction", content)
    return await send_event(client, room_id, "m.reaction", content)


async def send_encrypted(
    client: AsyncClient, room_id: str, event_type: str, content: dict[str, Any]
) -> str:
    """Megolm-encrypt any event type (room_send skips some) after sharing the room key."""
    if client.olm is None:
        raise HarnessError(f"{client.user_id}'s client was made without encryption")
    if not client.rooms[room_id].members_synced:
        ok(await client.joined_members(room_id), f"members of {room_id}")
        if client.should_query_keys:
            ok(await client.keys_query(), f"keys_query for {client.user_id}")
    if client.olm.should_share_group_session(room_id):
        shared = client.share_group_session(room_id, ignore_unverified_devices=True)
        ok(await shared, f"share room key for {room_id}")
    encrypted_type, encrypted = client.encrypt(room_id, event_type, content)
    path = f"/_matrix/client/v3/rooms/{quote(room_id)}/send/{encrypted_type}/{uuid.uuid4()}"
    return str((await client_api(client, "PUT", path, encrypted))["event_id"])


async def raw_event(client: AsyncClient, room_id: str, event_id: str) -> dict[str, Any]:
    """An event as the server stores it (nio would decrypt it): proves what went on the wire."""
    path = f"/_matrix/client/v3/rooms/{quote(room_id)}/event/{quote(event_id)}"
    return await client_api(client, "GET", path)


async def room_state(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """All current state events of a room, as the server returns them."""
    resp = ok(await client.room_get_state(room_id), f"state of {room_id}")
    assert isinstance(resp, RoomGetStateResponse)
    return list(resp.events)


def _state_event(state: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    for event in state:
        if event.get("type") == event_type and event.get("state_key") == "":
            return event
    raise HarnessError(f"room has no {event_type} state event")


def creators(state: list[dict[str, Any]]) -> set[str]:
    """Room creators: the create event's sender plus content.additional_creators."""
    create = _state_event(state, "m.room.create")
    return {create["sender"], *create["content"].get("additional_creators", [])}


def effective_power_level(state: list[dict[str, Any]], user_id: str) -> float:
    """The spec's power level for user_id: v12 creators are infinite, else users/default.

    Display names play no part: "Moderator" as a name at level 0 is still level 0.
    """
    version = _state_event(state, "m.room.create")["content"].get("room_version", "1")
    if version in CREATOR_POWER_VERSIONS and user_id in creators(state):
        return math.inf
    try:
        levels = _state_event(state, "m.room.power_levels")["content"]
    except HarnessError:
        return 100 if user_id in creators(state) else 0
    return float(levels.get("users", {}).get(user_id, levels.get("users_default", 0)))


async def power_level(client: AsyncClient, room_id: str, user_id: str) -> float:
    """effective_power_level read from the server's current state."""
    return effective_power_level(await room_state(client, room_id), user_id)


def is_moderator(level: float) -> bool:
    """Porchlight's rule: power level 50 or more (v12 creators are infinite)."""
    return level >= 50
