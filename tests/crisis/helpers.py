"""A running app with crisis escalation on a fake platform with a moderator room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot import crisis
from bot.app import App, install_foundation
from bot.events import Mention, OutgoingMessage
from bot.identity import RoomRef
from bot.ports import ManualClock
from tests.fakes import FakeAdapter, running_app

CRISIS = "I'm going to take all my pills tonight"
CONCERN = "I feel hopeless and so alone"
MODS = RoomRef("fake", "mods")


def fake_platform(**kw: object) -> FakeAdapter:
    """A platform with a moderator room, where carol and dave have the moderator role."""
    return FakeAdapter(**{"mod_room": MODS, "moderators": {"carol", "dave"}, **kw})  # type: ignore[arg-type]


@asynccontextmanager
async def crisis_app(
    tmp_path: Path, adapter: FakeAdapter | None = None, **sections: dict[str, object]
) -> AsyncIterator[tuple[App, FakeAdapter, ManualClock]]:
    async with running_app(tmp_path, adapters=[adapter or fake_platform()],
                           features=[install_foundation, crisis.install], **sections) as parts:
        yield parts


def pages(adapter: FakeAdapter) -> list[OutgoingMessage]:
    return [m for m in adapter.sent if m.mention is not Mention.NONE]


def room_posts(adapter: FakeAdapter) -> list[OutgoingMessage]:
    return [m for m in adapter.sent if m.target == MODS]
