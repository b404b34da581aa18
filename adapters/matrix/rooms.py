"""The rooms Porchlight talks in, and which is which.

- DMs: one per member, made with ``is_direct`` (end-to-end encrypted unless configured not to)
  or accepted from the member's own invite, and reused. A member who leaves or refuses it
  counts as having closed their DMs until they open one again.
- Spaces: one private, invite-only, encrypted room per space key, its members invited.
- Invites: a DM is accepted only from users on an allowed server or joined members of the
  community room; invites to the configured rooms are accepted; all others are declined.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomMemberEvent,
    RoomPreset,
)

from adapters.matrix.calls import Calls, with_retries
from adapters.matrix.convert import Kind, Place
from adapters.matrix.state import AdapterState
from bot.events import Priority
from bot.identity import SpaceRef
from bot.ports import PermanentDeliveryError, TransientDeliveryError

log = logging.getLogger(__name__)

MEGOLM = "m.megolm.v1.aes-sha2"
SYNC_WAIT = 15.0  # seconds a new room may take to show up in our sync
DM_CLOSED = "dm_closed"


@dataclass(frozen=True, slots=True)
class RoomConfig:
    me: str
    moderator_room: str
    community_room: str
    shared: frozenset[str]  # scanned rooms and the community room
    allowed_servers: frozenset[str]
    encrypt: bool

    @property
    def configured(self) -> frozenset[str]:
        return frozenset({self.moderator_room, self.community_room, *self.shared}) - {""}


class Rooms:
    def __init__(self, client: AsyncClient, state: AdapterState, calls: Calls,
                 config: RoomConfig) -> None:
        self._client = client
        self._state = state
        self._calls = calls
        self._config = config
        self._synced = asyncio.Event()
        self._creating: dict[str, asyncio.Lock] = {}
        self._made: dict[str, tuple[frozenset[str], bool]] = {}  # invited, encrypted
        self._tasks: set[asyncio.Task[None]] = set()

    def place(self, room_id: str, sender: str) -> Place | None:
        """What kind of room this is for Porchlight; None for rooms it does not serve."""
        config = self._config
        if room_id == config.moderator_room:
            return Place(room_id, Kind.MODERATORS)
        kept = self._state.room_kind_of(room_id)
        if kept is not None and kept[0] == "space":
            return Place(room_id, Kind.SPACE, space=kept[1])
        if room_id in config.shared:
            return Place(room_id, Kind.SHARED, community=room_id == config.community_room)
        if self._state.dms.get(sender) == room_id or self._private_with(room_id, sender):
            return Place(room_id, Kind.DIRECT)
        return None

    def _shared_with(self, user_id: str) -> str | None:
        """A room of just this member and the bot, when none is on record (forgotten at the
        member's request, or the state file was lost): reused rather than a new invite."""
        for room_id, room in self._client.rooms.items():
            if (room.member_count == 2 and user_id in room.users
                    and room_id not in self._config.configured
                    and self._state.room_kind_of(room_id) is None):
                return room_id
        return None

    def _private_with(self, room_id: str, sender: str) -> bool:
        """A room of just the sender and the bot is their DM (e.g. the state file was lost)."""
        room = self._client.rooms.get(room_id)
        if (room is None or sender == self._config.me or sender not in room.users
                or room.member_count != 2):
            return False
        self._state.dms.setdefault(sender, room_id)
        return True

    # Where messages go.

    async def for_user(self, user_id: str, priority: Priority) -> str:
        if user_id in self._state.closed:
            raise PermanentDeliveryError(DM_CLOSED, "the member left or refused the DM")
        async with self._creating.setdefault(user_id, asyncio.Lock()):
            room_id = self._state.dms.get(user_id) or self._shared_with(user_id)
            room = self._client.rooms.get(room_id or "")
            if room is None or user_id not in room.users:
                room_id = await self._create([user_id], priority, direct=True)
                self._state.dms[user_id] = room_id
                self._state.save()
                log.info("created a DM room %s", room_id)
            return await self.known(room_id)  # inside the lock: one new room, not two

    async def for_space(self, space: SpaceRef, priority: Priority) -> str:
        async with self._creating.setdefault(f"space {space.key}", asyncio.Lock()):
            room_id = self._state.spaces.get(space.key)
            if room_id is None:
                invite = [m.id for m in space.members]
                room_id = await self._create(invite, priority, direct=False)
                self._state.spaces[space.key] = room_id
                self._state.save()
                log.info("created the private room %s for space %s", room_id, space.key)
            return await self.known(room_id)

    async def known(self, room_id: str) -> str:
        """The room id, once our sync shows the room complete: nio encrypts for the members
        it knows, and a sync racing the room's creation can show it half made."""
        try:
            async with asyncio.timeout(SYNC_WAIT):
                while not self._complete(room_id):
                    synced = self._synced
                    await synced.wait()
        except TimeoutError:
            self._made.pop(room_id, None)  # e.g. an invite refused at once: don't wait again
            raise TransientDeliveryError("not_synced", "room not seen in sync yet") from None
        self._made.pop(room_id, None)
        return room_id

    def _complete(self, room_id: str) -> bool:
        room = self._client.rooms.get(room_id)
        if room is None:
            return False
        made = self._made.get(room_id)
        if made is None:
            return True
        invited, encrypted = made
        return invited <= set(room.users) and (room.encrypted or not encrypted)

    async def _create(self, invite: list[str], priority: Priority, *, direct: bool) -> str:
        state: list[dict[str, Any]] = []
        if self._config.encrypt:
            state.append({"type": "m.room.encryption", "state_key": "",
                          "content": {"algorithm": MEGOLM}})
        preset = RoomPreset.trusted_private_chat if direct else RoomPreset.private_chat
        resp = await self._calls.run(self._calls.rooms, priority, lambda: self._client.room_create(
            is_direct=direct, preset=preset, invite=invite, initial_state=state,
        ), "create room")
        assert isinstance(resp, RoomCreateResponse)
        self._made[resp.room_id] = (frozenset(invite), self._config.encrypt)
        return resp.room_id

    # What the sync tells us.

    def synced(self) -> None:
        """Called after every sync batch: wakes sends waiting for a room to show up."""
        self._synced.set()
        self._synced = asyncio.Event()

    def invited(self, room_id: str, invite_state: Iterable[object]) -> None:
        me = self._config.me
        invite = next((e for e in invite_state if isinstance(e, InviteMemberEvent)
                       and e.state_key == me and e.membership == "invite"), None)
        if invite is not None:
            self._spawn(self._answer_invite(room_id, invite.sender,
                                            bool(invite.content.get("is_direct"))))

    async def _answer_invite(self, room_id: str, inviter: str, is_direct: bool) -> None:
        if room_id in self._config.configured:
            await self._join(room_id)
        elif is_direct and await self.may_open_dm(inviter):
            self._state.dms[inviter] = room_id
            self._state.closed.discard(inviter)
            self._state.save()
            await self._join(room_id)
        else:
            log.info("declined an invite to %s", room_id)
            await with_retries(lambda: self._client.room_leave(room_id), "decline invite")

    async def _join(self, room_id: str) -> None:
        if await with_retries(lambda: self._client.join(room_id), f"join {room_id}") is not None:
            log.info("joined %s", room_id)

    async def may_open_dm(self, user_id: str) -> bool:
        server = user_id.split(":", 1)[-1]
        if server in self._config.allowed_servers:
            return True
        community = self._config.community_room
        return bool(community) and await self.is_joined(community, user_id)

    async def is_joined(self, room_id: str, user_id: str) -> bool:
        """Asked of the homeserver now, so someone who just left no longer counts."""
        resp = await self._client.room_get_state_event(room_id, "m.room.member", user_id)
        return (isinstance(resp, RoomGetStateEventResponse)
                and resp.content.get("membership") == "join")

    def membership(self, room_id: str, event: RoomMemberEvent) -> None:
        """A member leaving their DM closes it; the bot removed from a room forgets it."""
        if event.membership not in ("leave", "ban"):
            return
        if event.state_key == self._config.me:
            self.left(room_id)
        elif self._state.dms.get(event.state_key) == room_id:
            del self._state.dms[event.state_key]
            self._state.closed.add(event.state_key)
            self._state.save()
            log.info("a member closed their DM %s", room_id)
            self._spawn(self._leave(room_id))

    def left(self, room_id: str) -> None:
        if self._state.room_kind_of(room_id) is not None:
            self._state.forget_room(room_id)
            self._state.save()

    async def _leave(self, room_id: str) -> None:
        await with_retries(lambda: self._client.room_leave(room_id), "leave")

    async def ensure_joined(self, room_ids: Iterable[str]) -> None:
        """The configured rooms: join those we were invited to while away."""
        for room_id in room_ids:
            if room_id not in self._client.rooms:
                await self._join(room_id)

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(_logged(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _logged(coro: Coroutine[object, object, None]) -> None:
    """Room housekeeping runs beside the sync loop; a failure is logged, never raised."""
    try:
        await coro
    except Exception as exc:
        log.warning("room housekeeping failed: %s", type(exc).__name__)
