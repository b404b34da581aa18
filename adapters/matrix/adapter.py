"""The Matrix adapter: Porchlight on a Matrix homeserver, through matrix-nio with vodozemac.

It composes the session (login, crypto store), the sync loop (inbound), the rooms (DMs,
spaces, invites) and the sender (outbound). nio types never leave ``adapters/matrix``.
Moderators are checked against the moderator room's state as the homeserver has it at the
moment of the command (one request), not the synced copy: a moderator demoted a second ago,
or while our sync was failing, must not claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nio import RoomGetStateResponse

from adapters.matrix import power
from adapters.matrix.calls import NETWORK_ERRORS, Calls
from adapters.matrix.convert import PLATFORM
from adapters.matrix.inbound import Inbound
from adapters.matrix.rooms import RoomConfig, Rooms
from adapters.matrix.send import PageMentions, Sender
from adapters.matrix.session import (
    Credentials,
    LoginFailed,
    log_in,
    make_client,
    quiet_nio_logs,
)
from adapters.matrix.state import AdapterState
from adapters.matrix.sync import BACKOFF_FIRST, BACKOFF_MAX, SyncFailed, SyncLoop
from bot.commands import CommandSpec
from bot.events import Capability, OutgoingMessage
from bot.identity import RoomRef, UserRef
from bot.ports import Clock, EventSink, Sent
from bot.store.db import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MatrixOptions:
    store_path: Path
    moderator_room_id: str = ""
    moderator_power_level: int = 50
    community_room_id: str = ""
    alumni_room_id: str = ""
    scan_room_ids: tuple[str, ...] = ()
    allowed_servers: tuple[str, ...] = ()
    encrypt_rooms: bool = True
    page_mentions: PageMentions = "room"
    sync_timeout_seconds: int = 30
    rate_limit_wait_seconds: float = 60.0


class MatrixAdapter:
    platform = PLATFORM
    capabilities = frozenset({Capability.REACTIONS, Capability.FILES, Capability.SPOILERS,
                              Capability.PRIVATE_ROOMS})

    def __init__(self, creds: Credentials, options: MatrixOptions, clock: Clock) -> None:
        self._creds = creds
        self._options = options
        self._clock = clock
        self._state = AdapterState.load(options.store_path)
        self._client = make_client(creds, options.store_path, self._state)
        calls = Calls(options.rate_limit_wait_seconds)
        community = options.community_room_id
        self._rooms = Rooms(self._client, self._state, calls, RoomConfig(
            me=creds.user_id, moderator_room=options.moderator_room_id,
            community_room=community,
            shared=frozenset({*options.scan_room_ids, community} - {""}),
            allowed_servers=frozenset(options.allowed_servers), encrypt=options.encrypt_rooms,
        ))
        self._sender = Sender(self._client, self._rooms, calls,
                              moderator_room=options.moderator_room_id,
                              page_mentions=options.page_mentions,
                              moderator_level=options.moderator_power_level)
        self._sync: SyncLoop | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def moderator_room(self) -> RoomRef | None:
        room_id = self._options.moderator_room_id
        return RoomRef(PLATFORM, room_id) if room_id else None

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        """Matrix has no native command list: members type commands."""

    # The DM room kept for a member is about them: mydata shows it, forget me drops it.

    section = "matrix_adapter"

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, object] | None:
        room_id = self._state.dms.get(user.id) if user.platform == PLATFORM else None
        closed = user.platform == PLATFORM and user.id in self._state.closed
        return None if room_id is None and not closed else {"dm_room_id": room_id,
                                                            "dms_closed": closed}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        if user.platform != PLATFORM:
            return 0
        removed = int(self._state.dms.pop(user.id, None) is not None)
        removed += int(user.id in self._state.closed)
        self._state.closed.discard(user.id)
        if removed:
            self._state.save()
        return removed

    def handle(self, user: UserRef) -> str:
        """The Matrix id: unambiguous (display names can be anything), and ``m.mentions``
        is empty, so writing it notifies no one."""
        return user.id

    async def start(self, sink: EventSink) -> None:
        quiet_nio_logs()
        if not self._options.allowed_servers and not self._options.community_room_id:
            log.warning("nobody can open a DM with the bot: set matrix.allowed_servers "
                        "or matrix.community_room_id")
        inbound = Inbound(self._client, self._rooms, self._clock, me=self._creds.user_id,
                          community_room=self._options.community_room_id)
        relogin = self._relogin if self._creds.password else None
        self._sync = SyncLoop(self._client, self._state, inbound, self._rooms, sink,
                              timeout_ms=self._options.sync_timeout_seconds * 1000,
                              relogin=relogin)
        connected = await self._connect()
        self._task = asyncio.create_task(self._run(connected), name="matrix.sync")

    async def _connect(self) -> bool:
        """Log in and catch up. An unreachable homeserver is retried in the background;
        refused credentials stop the start (LoginFailed)."""
        assert self._sync is not None
        try:
            await log_in(self._client, self._creds, self._state)
            await self._sync.first()
        except (SyncFailed, *NETWORK_ERRORS) as exc:
            log.warning("Matrix homeserver not reachable (%s): connecting in the background",
                        type(exc).__name__)
            return False
        joined = [self._options.moderator_room_id, self._options.community_room_id,
                  *self._options.scan_room_ids]
        await self._rooms.ensure_joined(room for room in joined if room)
        return True

    async def _relogin(self) -> None:
        await log_in(self._client, self._creds, self._state)

    async def _run(self, connected: bool) -> None:
        assert self._sync is not None
        delay = BACKOFF_FIRST
        while not connected:
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)
            try:
                connected = await self._connect()
            except LoginFailed as exc:
                log.error("Matrix login refused, still trying: %s", exc)
        await self._sync.run()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(self._task, return_exceptions=True)
        await self._rooms.close()
        await self._client.close()

    async def send(self, message: OutgoingMessage) -> Sent:
        return await self._sender.send(message)

    async def is_moderator(self, user: UserRef) -> bool:
        room_id = self._options.moderator_room_id
        if user.platform != PLATFORM or not room_id:
            return False
        state = await self._room_state(room_id)
        return state is not None and power.is_moderator(
            state, user.id, self._options.moderator_power_level)

    async def is_alumnus(self, user: UserRef) -> bool:
        """Joined members of the alumni room, if one is configured; anyone otherwise."""
        room_id = self._options.alumni_room_id
        if user.platform != PLATFORM:
            return False
        if not room_id:
            return True
        try:
            return await self._rooms.is_joined(room_id, user.id)
        except NETWORK_ERRORS:
            return False

    async def _room_state(self, room_id: str) -> list[dict[str, object]] | None:
        """The room's current state from the homeserver; None (no rights) if unreachable."""
        try:
            resp = await self._client.room_get_state(room_id)
        except NETWORK_ERRORS as exc:
            log.warning("moderator check: homeserver unreachable (%s)", type(exc).__name__)
            return None
        if not isinstance(resp, RoomGetStateResponse):
            log.warning("moderator check: can't read %s", room_id)
            return None
        return list(resp.events)
