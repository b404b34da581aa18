"""A real Porchlight (App, ALL_FEATURES, the Matrix adapter) against the harness's Synapse.

``Tap`` wraps the adapter the App runs and records what it hands to the core, so a test waits
for "the bot has handled this event" instead of sleeping; it can also hold an event forever,
which is what a crash in the middle of handling looks like from the outside. ``Member`` is a
member's nio client with an inbox: events from its syncs are kept until a test asks for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient, RoomMessageText

from adapters.matrix import MatrixAdapter, build
from bot.app import App
from bot.config import Settings
from bot.events import ButtonPressed, Event, IncomingMessage, OutgoingMessage
from bot.features import ALL_FEATURES
from bot.ports import EventSink, ManualClock
from bot.store.outbox import Enqueue
from tests.fakes import START
from tests.matrix_harness import (
    create_room,
    invite_and_join,
    send_reaction,
    send_text,
    set_display_name,
)
from tests.matrix_harness.clients import RegisteredUser, ok
from tests.matrix_harness.fixtures import ClientMaker, UserMaker
from tests.matrix_harness.synapse import SynapseServer
from tests.matrix_harness.sync import AnyEvent, Predicate, iter_sync_events, membership, sync_once

WAIT = 15.0  # seconds: a deadline for Synapse and the sync loops, never a sleep
CRISIS = "I'm going to take all my pills tonight"


class Tap:
    """The Matrix adapter, with what it hands to the core recorded (and optionally held)."""

    def __init__(self, inner: MatrixAdapter) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.capabilities = inner.capabilities
        self.handled: list[Event] = []
        self.held: list[Event] = []
        self.hold: Callable[[Event], bool] = lambda event: False
        self._changed = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def start(self, sink: EventSink) -> None:
        async def tapped(event: Event) -> None:
            if self.hold(event):
                self.held.append(event)
                self._notify()
                await asyncio.Event().wait()  # the core never gets it: a crash mid-handling
            await sink(event)
            self.handled.append(event)
            self._notify()

        await self.inner.start(tapped)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[Event], bool],
                       where: str = "handled") -> Event:
        async with asyncio.timeout(WAIT):
            while True:
                found = [e for e in getattr(self, where) if predicate(e)]
                if found:
                    return found[0]
                await self._changed.wait()

    async def handled_id(self, event_id: str) -> Event:
        """Until the core has handled the Matrix event ``event_id``."""
        return await self.wait_for(lambda e: matrix_id(e) == event_id)


def matrix_id(event: Event) -> str | None:
    if isinstance(event, IncomingMessage):
        return event.message_id
    if isinstance(event, ButtonPressed):
        return event.event_id
    return None


@dataclass
class Bot:
    app: App
    tap: Tap
    clock: ManualClock
    user: RegisteredUser

    async def settle(self) -> None:
        await self.app.settle()


def bot_settings(server: SynapseServer, user: RegisteredUser, tmp_path: Path,
                 **matrix: object) -> Settings:
    return Settings(  # type: ignore[arg-type]
        bot={"database": str(tmp_path / "porchlight.db"), "adapters": ["matrix"]},
        matrix={"homeserver": server.base_url, "user_id": user.user_id,
                "access_token": user.access_token, "store_path": str(tmp_path / "store"),
                "allowed_servers": [server.server_name],
                # Required; tests about crisis pages make a real one and pass it.
                "moderator_room_id": f"!no-moderators-here:{server.server_name}", **matrix},
    )


@asynccontextmanager
async def running_bot(server: SynapseServer, user: RegisteredUser, tmp_path: Path, *,
                      clock: ManualClock | None = None,
                      hold: Callable[[Event], bool] | None = None,
                      **matrix: object) -> AsyncIterator[Bot]:
    """The real App with every feature, the Matrix adapter and a manual clock."""
    settings = bot_settings(server, user, tmp_path, **matrix)
    clock = clock or ManualClock(START)
    tap = Tap(build(settings, clock))
    if hold is not None:
        tap.hold = hold
    async with App(settings, clock, [tap], ALL_FEATURES) as app:
        yield Bot(app, tap, clock, user)


@dataclass
class Member:
    """A member's client with an inbox of everything its syncs brought."""

    client: AsyncClient
    inbox: list[tuple[str, AnyEvent]] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return self.client.user_id

    async def expect(self, predicate: Predicate, room_id: str | None = None) -> Any:
        """The first event so far (or from new syncs) that matches; it leaves the inbox."""
        return (await self.expect_where(predicate, room_id))[1]

    async def expect_where(self, predicate: Predicate,
                           room_id: str | None = None) -> tuple[str, Any]:
        """Like ``expect``, with the room it happened in."""
        async with asyncio.timeout(WAIT):
            while True:
                for index, (rid, event) in enumerate(self.inbox):
                    if (room_id is None or rid == room_id) and predicate(rid, event):
                        del self.inbox[index]
                        return rid, event
                self.inbox += list(iter_sync_events(await sync_once(self.client, 5_000)))

    async def text_from(self, sender: str, room_id: str | None = None,
                        starting: str = "") -> RoomMessageText:
        """The next text from ``sender`` (that starts with ``starting``)."""
        return await self.expect(lambda _r, e: isinstance(e, RoomMessageText)
                                 and e.sender == sender and e.body.startswith(starting),
                                 room_id)

    def inbox_texts_from(self, sender: str) -> list[str]:
        return [e.body for _, e in self.inbox
                if isinstance(e, RoomMessageText) and e.sender == sender]

    async def catch_up(self) -> None:
        """Sync once without waiting, keeping what arrived."""
        self.inbox += list(iter_sync_events(await sync_once(self.client, 0)))


async def open_dm(member: Member, bot_id: str, *, encrypted: bool = False) -> str:
    """The member opens a DM with the bot, as Element does, and waits for the bot to join."""
    room_id = await create_room(member.client, invite=[bot_id], is_direct=True,
                                encrypted=encrypted)
    await member.expect(membership(bot_id, "join"), room_id)
    return room_id


async def post(bot: Bot, message: OutgoingMessage, kind: str = "test") -> None:
    """What a feature does: write a message into the outbox; then deliver it."""
    async with bot.app.core.db.transaction() as tx:
        await bot.app.core.outbox.enqueue(tx, bot.clock.now(), Enqueue(message, kind=kind))
    await bot.settle()


async def say(bot: Bot, member: Member, room_id: str, text: str) -> str:
    """The member writes; returns once the bot has handled it and sent what it had to say."""
    event_id = await send_text(member.client, room_id, text)
    await bot.tap.handled_id(event_id)
    await bot.settle()
    return event_id


async def react(bot: Bot, who: Member, room_id: str, event_id: str, key: str) -> None:
    """The member reacts; returns once the bot has handled it and sent what it had to say."""
    reaction_id = await send_reaction(who.client, room_id, event_id, key)
    await bot.tap.handled_id(reaction_id)
    await bot.settle()


@dataclass
class ModeratorRoom:
    """A room version 12 moderator room, as a community would set it up."""

    room_id: str
    owner: Member  # made the room: a v12 creator, absent from the power levels
    mod: Member  # power level 50
    impostor: Member  # power level 0, display name "Moderator"


async def moderator_room(matrix_user: UserMaker, matrix_client: ClientMaker, bot_id: str,
                         *, server: SynapseServer | None = None) -> ModeratorRoom:
    """Made before the bot starts; the bot is invited with power level 50 (for @room)."""
    async def member(prefix: str) -> Member:
        user = await matrix_user(prefix, server=server)
        return Member(await matrix_client(user, encryption=True, server=server))

    owner, mod, impostor = await member("owner"), await member("mod"), await member("impostor")
    room_id = await create_room(owner.client, room_version="12", power_users={
        mod.user_id: 50, impostor.user_id: 0, bot_id: 50})
    for someone in (mod, impostor):
        await invite_and_join(owner.client, someone.client, room_id)
    await set_display_name(impostor.client, "Moderator")
    ok(await owner.client.room_invite(room_id, bot_id), "invite the bot")
    return ModeratorRoom(room_id, owner, mod, impostor)
