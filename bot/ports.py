"""The seams of the core: the adapter contract, the event sink, and the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.commands import CommandSpec
from bot.events import Capability, Event, OutgoingMessage
from bot.identity import RoomRef, UserRef

EventSink = Callable[[Event], Awaitable[None]]
"""The one inbound callback: adapters hand every converted event to it."""


class Clock(Protocol):
    """Injected time. Always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: tests and the console demo."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        self._now = max(self._now, when.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class Sent:
    """What the platform accepted: its id for the message, when it has one."""

    message_id: str | None = None


class DeliveryError(Exception):
    """Base of the two ways a send can fail."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Worth retrying: rate limit, timeout, server error, platform unreachable."""

    def __init__(self, code: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Will never succeed as asked: closed DMs, forbidden, unknown room."""


class Adapter(Protocol):
    """What every platform adapter provides. Platform types never cross this line."""

    platform: str
    capabilities: frozenset[Capability]

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        """Called once before ``start``: the commands the core understands, for platforms that
        list them natively (slash commands). Others ignore it."""

    async def start(self, sink: EventSink) -> None:
        """Connect and begin handing events to ``sink``; returns once running."""

    async def stop(self) -> None: ...

    async def send(self, message: OutgoingMessage) -> Sent:
        """Deliver one message or raise a DeliveryError subclass."""

    async def is_moderator(self, user: UserRef) -> bool:
        """Ask the platform now, by role id or power level: never by name."""

    async def is_alumnus(self, user: UserRef) -> bool:
        """May volunteer as a witness: holds a configured alumni role (True if none is set)."""

    def handle(self, user: UserRef) -> str:
        """How to show this person to others in a message, without notifying them."""

    @property
    def moderator_room(self) -> RoomRef | None:
        """The private room where pages go, if configured."""


def handle_of(adapters: Mapping[str, Adapter], user: UserRef) -> str:
    """How ``user`` is shown to others: the platform's own handle, else ``platform:id``."""
    adapter = adapters.get(user.platform)
    return adapter.handle(user) if adapter is not None else str(user)
