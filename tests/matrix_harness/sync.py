"""Driving nio's sync by hand: wait until a client sees an event, with a deadline.

Tests call `wait_for_event` right after the action they expect to be seen, so the event
is always in a sync batch the client has not consumed yet: no sleeps, no races.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from nio import (
    AsyncClient,
    Event,
    InviteEvent,
    InviteMemberEvent,
    MegolmEvent,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessageText,
    SyncResponse,
)

from tests.matrix_harness.clients import ok

# The server holds a sync open this long when there is nothing new; it answers as soon as
# there is, so this only bounds how late a deadline is noticed (asyncio.timeout cancels).
SYNC_POLL_MS = 5_000
DEFAULT_WAIT = 10.0

AnyEvent = Event | InviteEvent
Predicate = Callable[[str, AnyEvent], bool]


async def maintain_keys(client: AsyncClient) -> None:
    """What nio's sync_forever does between syncs: to-device out, key upload/query/claim."""
    if client.olm is None:
        return
    for resp in await client.send_to_device_messages():
        ok(resp, f"to-device from {client.user_id}")
    if client.should_upload_keys:
        ok(await client.keys_upload(), f"keys_upload for {client.user_id}")
    if client.should_query_keys:
        ok(await client.keys_query(), f"keys_query for {client.user_id}")
    if client.should_claim_keys:
        users = client.get_users_for_key_claiming()
        ok(await client.keys_claim(users), f"keys_claim for {client.user_id}")


async def sync_once(client: AsyncClient, timeout_ms: int = 0) -> SyncResponse:
    """One sync (long-poll up to timeout_ms), then the e2e housekeeping."""
    resp = ok(await client.sync(timeout=timeout_ms), f"sync for {client.user_id}")
    await maintain_keys(client)
    assert isinstance(resp, SyncResponse)
    return resp


def iter_sync_events(resp: SyncResponse) -> Iterator[tuple[str, AnyEvent]]:
    """(room_id, event) for invites, joined rooms' state and timeline (decrypted by nio)."""
    for room_id, invite in resp.rooms.invite.items():
        for event in invite.invite_state:
            yield room_id, event
    for room_id, joined in resp.rooms.join.items():
        for event in joined.state:
            yield room_id, event
        for event in joined.timeline.events:
            yield room_id, event


def describe(room_id: str, event: AnyEvent) -> str:
    """Short text for timeout messages: what did the client see instead?"""
    sender = getattr(event, "sender", "?")
    body = getattr(event, "body", None) or getattr(event, "key", None) or ""
    return f"{type(event).__name__}({sender} in {room_id} {body!r})"


async def wait_for_event(
    client: AsyncClient,
    predicate: Predicate,
    *,
    room_id: str | None = None,
    timeout: float = DEFAULT_WAIT,  # noqa: ASYNC109 - a deadline for many requests
) -> tuple[str, AnyEvent]:
    """Sync until an event in a new batch satisfies predicate(room_id, event).

    Raises TimeoutError listing the last events seen, so a failing test says what
    arrived instead.
    """
    seen: list[str] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                resp = await sync_once(client, SYNC_POLL_MS)
                for rid, event in iter_sync_events(resp):
                    if room_id is not None and rid != room_id:
                        continue
                    if predicate(rid, event):
                        return rid, event
                    seen.append(describe(rid, event))
    except TimeoutError:
        raise TimeoutError(
            f"{client.user_id} saw no matching event within {timeout} s; last seen: {seen[-12:]}"
        ) from None


def text_message(body: str | None = None, sender: str | None = None) -> Predicate:
    """Predicate: a (decrypted) m.text message, optionally with this body/sender."""

    def match(_room_id: str, event: AnyEvent) -> bool:
        return (
            isinstance(event, RoomMessageText)
            and (body is None or event.body == body)
            and (sender is None or event.sender == sender)
        )

    return match


def reaction(key: str | None = None, reacts_to: str | None = None) -> Predicate:
    """Predicate: an m.reaction (annotation), optionally with this key/target."""

    def match(_room_id: str, event: AnyEvent) -> bool:
        return (
            isinstance(event, ReactionEvent)
            and (key is None or event.key == key)
            and (reacts_to is None or event.reacts_to == reacts_to)
        )

    return match


def membership(user_id: str, state: str) -> Predicate:
    """Predicate: user_id's membership became state ("invite", "join", "leave")."""

    def match(_room_id: str, event: AnyEvent) -> bool:
        return (
            isinstance(event, RoomMemberEvent | InviteMemberEvent)
            and event.state_key == user_id
            and event.membership == state
        )

    return match


def undecryptable() -> Predicate:
    """Predicate: a Megolm event nio could not decrypt (useful in failure diagnostics)."""
    return lambda _room_id, event: isinstance(event, MegolmEvent)
