"""Fakes for what is outside the unit: a platform adapter and a started app on a temp DB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App, Feature, install_foundation
from bot.commands import CommandSpec
from bot.config import Settings
from bot.events import (
    ButtonPressed,
    Capability,
    Event,
    IncomingMessage,
    OutgoingMessage,
)
from bot.identity import RoomRef, UserRef
from bot.ports import (
    DeliveryError,
    EventSink,
    ManualClock,
    Sent,
)

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@dataclass
class FakeAdapter:
    """Push events in with ``say``/``press``; read what the bot sent from ``sent``.

    ``fail_next`` queues errors the next sends raise; ``gate`` (when set) makes every send
    wait for it, to hold deliveries in flight.
    """

    platform: str = "fake"
    capabilities: frozenset[Capability] = frozenset({Capability.BUTTONS})
    moderators: set[str] = field(default_factory=set)
    alumni: set[str] | None = None  # None: no alumni role configured, anyone may volunteer
    mod_room: RoomRef | None = None
    sent: list[OutgoingMessage] = field(default_factory=list)
    fail_next: list[DeliveryError] = field(default_factory=list)
    gate: asyncio.Event | None = None
    commands: list[CommandSpec] = field(default_factory=list)
    clock: ManualClock | None = None
    _sink: EventSink | None = None
    _ids: int = 0
    _sent_more: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def moderator_room(self) -> RoomRef | None:
        return self.mod_room

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        self.commands = list(commands)

    async def start(self, sink: EventSink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._sink = None

    async def send(self, message: OutgoingMessage) -> Sent:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(message)
        self._sent_more.set()
        self._ids += 1
        return Sent(f"out{self._ids}")

    async def is_moderator(self, user: UserRef) -> bool:
        return user.id in self.moderators

    async def is_alumnus(self, user: UserRef) -> bool:
        return self.alumni is None or user.id in self.alumni

    def handle(self, user: UserRef) -> str:
        return f"<{user.id}>"

    async def wait_sent(self, count: int) -> None:
        """Until at least ``count`` messages were sent (for tests with the worker running)."""
        while len(self.sent) < count:
            self._sent_more.clear()
            await self._sent_more.wait()

    def user(self, name: str) -> UserRef:
        return UserRef(self.platform, name)

    def _now(self) -> datetime:
        return self.clock.now() if self.clock else START

    async def say(self, name: str, text: str, *, room: str | None = None) -> None:
        """``name`` writes ``text``, privately to the bot unless ``room`` is given."""
        assert self._sink is not None, "adapter not started"
        self._ids += 1
        where = RoomRef(self.platform, room or f"dm-{name}")
        await self._sink(IncomingMessage(
            user=self.user(name), room=where, text=text, is_direct=room is None,
            message_id=f"{id(self)}-in{self._ids}", sent_at=self._now(),
        ))

    async def hand_over(self, event: Event) -> None:
        """Any event, as the platform would hand it to the core."""
        assert self._sink is not None, "adapter not started"
        await self._sink(event)

    async def press(self, name: str, command: str, *, room: str | None = None) -> None:
        assert self._sink is not None, "adapter not started"
        where = RoomRef(self.platform, room or f"dm-{name}")
        await self._sink(ButtonPressed(
            user=self.user(name), room=where, message_id="x", is_direct=room is None,
            sent_at=self._now(), command=command,
        ))

    def texts_to(self, name: str) -> list[str]:
        me = self.user(name)
        return [m.text for m in self.sent if m.target == me]

    def last_to(self, name: str) -> OutgoingMessage:
        me = self.user(name)
        return [m for m in self.sent if m.target == me][-1]


def settings_for(db_path: Path, **sections: dict[str, object]) -> Settings:
    """Settings on a temp database, with overrides per section."""
    data: dict[str, object] = {"bot": {"database": str(db_path), "adapters": ["console"]}}
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}  # type: ignore[dict-item]
    return Settings(**data)  # type: ignore[arg-type]


@asynccontextmanager
async def running_app(
    tmp_path: Path,
    *,
    adapters: Sequence[FakeAdapter] | None = None,
    features: Sequence[Feature] = (install_foundation,),
    clock: ManualClock | None = None,
    **sections: dict[str, object],
) -> AsyncIterator[tuple[App, FakeAdapter, ManualClock]]:
    """A started app in demo mode (manual clock) on a fresh SQLite file."""
    clock = clock or ManualClock(START)
    adapters = list(adapters) if adapters else [FakeAdapter()]
    for adapter in adapters:
        adapter.clock = clock
    app = App(settings_for(tmp_path / "porchlight.db", **sections), clock, adapters, features)
    async with app:
        yield app, adapters[0], clock
