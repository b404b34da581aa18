"""What the stand-in saw, and waiters that resolve when something matching arrives.

Waiters are futures checked on every append (no polling, no sleeps). ``wait_for`` looks at
records from index ``after`` first, so a reply that raced ahead of the test is still found;
take ``log.mark()`` before acting to ignore older records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Predicate = Callable[[T], bool]
EPHEMERAL = 64


class RecordLog(Generic[T]):
    """An append-only list with awaitable, predicate-based waiters."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[T] = []
        self._waiters: list[tuple[Predicate[T], asyncio.Future[T]]] = []

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def mark(self) -> int:
        """Index to pass as ``after=`` so only records appended from now on match."""
        return len(self.items)

    def matching(self, predicate: Predicate[T] | None = None, *, after: int = 0) -> list[T]:
        return [i for i in self.items[after:] if predicate is None or predicate(i)]

    def append(self, item: T) -> None:
        self.items.append(item)
        if not self._waiters:
            return
        pending = []
        for predicate, future in self._waiters:
            if future.done():
                continue
            try:
                matched = predicate(item)
            except Exception as exc:  # surface predicate bugs in the waiting test
                future.set_exception(exc)
                continue
            if matched:
                future.set_result(item)
            else:
                pending.append((predicate, future))
        self._waiters = pending

    async def wait_for(
        self,
        predicate: Predicate[T] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        after: int = 0,
    ) -> T:
        """Return the first record (from ``after`` on) matching, waiting up to ``timeout`` s."""
        check: Predicate[T] = predicate or (lambda _item: True)
        for item in self.items[after:]:
            if check(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (check, future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            recent = "\n  ".join(repr(i) for i in self.items[-5:]) or "(none)"
            msg = f"no matching {self.name} within {timeout}s; last records:\n  {recent}"
            raise TimeoutError(msg) from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def clear(self) -> None:
        self.items.clear()


@dataclass(slots=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class RestCall:
    """One HTTP request as the stand-in received it (recorded even when answered 4xx)."""

    method: str
    path: str
    route: str  # e.g. "POST /channels/{channel_id}/messages"; "?" for unknown routes
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    at: float
    status: int = 0
    response: Any = None


@dataclass(slots=True)
class Pings:
    """Who a message would actually notify after Discord applies ``allowed_mentions``."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


def _walk_components(components: list[Any]) -> Iterator[dict[str, Any]]:
    for comp in components:
        yield comp
        yield from _walk_components(comp.get("components") or [])
        if isinstance(comp.get("component"), dict):  # Label wraps one component
            yield from _walk_components([comp["component"]])
        if isinstance(comp.get("accessory"), dict):
            yield comp["accessory"]


def custom_ids(components: list[Any] | None) -> list[str]:
    return [c["custom_id"] for c in _walk_components(components or []) if "custom_id" in c]


def find_component(components: list[Any] | None, custom_id: str) -> dict[str, Any] | None:
    for comp in _walk_components(components or []):
        if comp.get("custom_id") == custom_id:
            return comp
    return None


@dataclass(slots=True)
class SentMessage:
    """A message the bot created, edited or deleted, by any route."""

    kind: str  # "create" | "edit" | "delete"
    source: str  # "channel" | "interaction" | "followup" | "original"
    message_id: int
    channel_id: int
    guild_id: int | None
    recipient_id: int | None  # the user, for DM channels
    body: dict[str, Any]  # the JSON (or payload_json) exactly as the bot sent it
    files: list[UploadedFile]
    message: dict[str, Any]  # the resulting message object (flags after Discord's rules)
    pings: Pings
    interaction_id: int | None = None

    @property
    def content(self) -> str:
        return self.message.get("content", "")

    @property
    def flags(self) -> int:
        return int(self.message.get("flags", 0))

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def is_dm(self) -> bool:
        return self.recipient_id is not None

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.body.get("allowed_mentions")

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.get("components") or []

    @property
    def custom_ids(self) -> list[str]:
        return custom_ids(self.components)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.get("embeds") or []


@dataclass(slots=True)
class InteractionCallback:
    """A POST /interactions/{id}/{token}/callback the bot made."""

    interaction_id: int
    interaction_type: int
    type: int
    data: dict[str, Any]
    files: list[UploadedFile]
    elapsed: float  # seconds since the INTERACTION_CREATE was dispatched
    status: int = 200

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def content(self) -> str:
        return self.data.get("content") or ""

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.data.get("choices") or []

    @property
    def custom_ids(self) -> list[str]:
        return custom_ids(self.data.get("components"))


@dataclass(slots=True)
class GatewayEvent:
    kind: str  # connect, identify, resume, resumed, invalid_session, heartbeat, close, ...
    session_id: str | None = None
    detail: Any = None


@dataclass(slots=True)
class Stats:
    """Counters a benchmark reports: 429s served and invalid requests (401/403/429)."""

    requests: int = 0
    served_429: int = 0
    global_429: int = 0
    route_429: int = 0
    forced_429: int = 0
    invalid_requests: int = 0
    closed_dm_403: int = 0
    unknown_routes: int = 0

    def reset(self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, 0)
