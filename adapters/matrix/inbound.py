"""Sync batches as the core's events: invites answered, gaps filled, late keys waited for.

A timeline the homeserver cut short (``limited``) is completed from ``/messages`` back to the
previous sync token, so a busy room or a long outage loses nothing. An encrypted message whose
key has not arrived yet is kept and tried again after each sync; while any is waiting, the sync
token stays at the batch it came in, so even a restart cannot skip it (what was handled in
between is replayed and dropped by the core's de-duplication). A member whose DM message is
still unreadable after a minute is told (``Unreadable``): silence could meet a cry for help.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nio import (
    AsyncClient,
    EncryptionError,
    LocalProtocolError,
    MegolmEvent,
    MessageDirection,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessageEmote,
    RoomMessagesResponse,
    RoomMessageText,
    SyncResponse,
)
from nio import Event as NioEvent

from adapters.matrix.convert import PLATFORM, Kind, Place, convert
from adapters.matrix.rooms import Rooms
from bot.events import Event, Unreadable
from bot.identity import RoomRef, UserRef
from bot.ports import Clock

log = logging.getLogger(__name__)

KEY_WAIT = timedelta(minutes=10)  # how long an undecryptable message waits for its key
TELL_AFTER = timedelta(minutes=1)  # when the member hears we can't read it (it still waits)
GAP_PAGE = 100
GAP_PAGES = 20


@dataclass
class _Waiting:
    room_id: str
    event: MegolmEvent
    since: datetime
    token: str  # the sync token to resume from while it waits
    told: bool = False


class Inbound:
    def __init__(self, client: AsyncClient, rooms: Rooms, clock: Clock, *, me: str,
                 community_room: str) -> None:
        self._client = client
        self._rooms = rooms
        self._clock = clock
        self._me = me
        self._community = community_room
        self._waiting: list[_Waiting] = []
        self._requested: set[str] = set()

    async def batch(self, resp: SyncResponse, since: str | None) -> list[Event]:
        """Answer invites, note leaves; then, unless this is the very first sync (no token:
        history is not replayed), the new timeline events as core events, in order."""
        for room_id, invite in resp.rooms.invite.items():
            self._rooms.invited(room_id, invite.invite_state)
        for room_id in resp.rooms.leave:
            self._rooms.left(room_id)
        if since is None:
            return []
        events: list[Event] = []
        for room_id, joined in resp.rooms.join.items():
            timeline = list(joined.timeline.events)
            our_join = self._our_join(timeline)
            if our_join is None and joined.timeline.limited and joined.timeline.prev_batch:
                timeline = await self._gap(room_id, joined.timeline.prev_batch, since) + timeline
            events += self._convert(room_id, timeline, since, our_join or 0)
        return events + await self._late()

    def _our_join(self, timeline: Sequence[NioEvent]) -> int | None:
        """Where the bot joined, if it joined in this batch: what came before is history."""
        for index, event in enumerate(timeline):
            if (isinstance(event, RoomMemberEvent) and event.state_key == self._me
                    and event.membership == "join" and event.prev_membership != "join"):
                return index
        return None

    def resume_token(self, next_batch: str) -> str:
        """Where a restart must resume: before the oldest message still waiting for a key."""
        return self._waiting[0].token if self._waiting else next_batch

    def _convert(self, room_id: str, timeline: Sequence[NioEvent], since: str,
                 joined_at: int) -> list[Event]:
        """Events from ``joined_at`` on; before it, only what a member wrote in their DM
        while waiting for the bot to accept (never old moderator or room history)."""
        out: list[Event] = []
        for index, event in enumerate(timeline):
            if index < joined_at and not self._in_dm(room_id, getattr(event, "sender", "")):
                continue
            if isinstance(event, RoomMemberEvent):
                self._rooms.membership(room_id, event)
            if isinstance(event, MegolmEvent) and event.sender != self._me:
                self._waiting.append(_Waiting(room_id, event, self._clock.now(), since))
                continue
            try:
                converted = self._one(room_id, event)
            except Exception as exc:  # one odd event must not block the ones after it
                log.error("could not convert %s in %s: %s", getattr(event, "event_id", "?"),
                          room_id, type(exc).__name__)
                continue
            if converted is not None:
                out.append(converted)
        return out

    def _in_dm(self, room_id: str, sender: str) -> bool:
        place = self._rooms.place(room_id, sender)
        return place is not None and place.kind is Kind.DIRECT

    def _one(self, room_id: str, event: NioEvent) -> Event | None:
        place: Place | None = None
        if isinstance(event, RoomMessageText | RoomMessageEmote | ReactionEvent):
            place = self._rooms.place(room_id, event.sender)
        elif isinstance(event, RoomMemberEvent) and room_id == self._community:
            place = Place(room_id, Kind.SHARED, community=True)
        if place is None:
            return None
        return convert(event, place, me=self._me, now=self._clock.now())

    async def _gap(self, room_id: str, start: str, since: str) -> list[NioEvent]:
        """The events between the previous sync and a cut-short timeline, oldest first."""
        older: list[NioEvent] = []
        for _ in range(GAP_PAGES):
            resp = await self._client.room_messages(room_id, start=start, end=since,
                                                    direction=MessageDirection.back,
                                                    limit=GAP_PAGE)
            if not isinstance(resp, RoomMessagesResponse) or not resp.chunk:
                break
            older.extend(resp.chunk)
            if not resp.end or resp.end == start:
                break
            start = resp.end
        log.info("filled a gap of %d events in %s", len(older), room_id)
        return older[::-1]

    async def _late(self) -> list[Event]:
        """Messages whose room key has arrived since; ask the sender's devices for the rest."""
        out: list[Event] = []
        still: list[_Waiting] = []
        now = self._clock.now()
        for waiting in self._waiting:
            try:
                decrypted = self._client.decrypt_event(waiting.event)
            except EncryptionError:
                decrypted = None
            if decrypted is not None and not isinstance(decrypted, MegolmEvent):
                converted = self._one(waiting.room_id, decrypted)
                out += [converted] if converted is not None else []
                continue
            if not waiting.told and now - waiting.since >= TELL_AFTER:
                waiting.told = True
                out += self._unreadable(waiting, now)
            if now - waiting.since < KEY_WAIT:
                still.append(waiting)
            else:
                log.warning("gave up waiting for the key of %s in %s",
                            waiting.event.event_id, waiting.room_id)
        self._waiting = still
        for waiting in still:
            await self._request_key(waiting.event)
        return out

    def _unreadable(self, waiting: _Waiting, now: datetime) -> list[Event]:
        """Told only in the member's DM: elsewhere the bot was not the one spoken to."""
        event = waiting.event
        if not self._in_dm(waiting.room_id, event.sender):
            return []
        return [Unreadable(UserRef(PLATFORM, event.sender), RoomRef(PLATFORM, waiting.room_id),
                           event.event_id, now)]

    async def _request_key(self, event: MegolmEvent) -> None:
        if event.session_id in self._requested:
            return
        self._requested.add(event.session_id)
        with contextlib.suppress(LocalProtocolError):  # nio already asked for this session
            await self._client.request_room_key(event)
        log.info("asked for the room key of %s", event.event_id)
