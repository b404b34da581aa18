"""A running app with check-ins, crisis escalation and witness pairing on a fake platform."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot import checkins, crisis, witness
from bot.app import App, install_foundation
from bot.events import Capability
from bot.identity import RoomRef
from bot.ports import ManualClock
from tests.fakes import FakeAdapter, running_app

MODS = RoomRef("fake", "mods")
WITH_ROOMS = frozenset({Capability.BUTTONS, Capability.PRIVATE_ROOMS})


def platform(*, rooms: bool = True, **kw: object) -> FakeAdapter:
    return FakeAdapter(**{"mod_room": MODS, "moderators": {"carol"},  # type: ignore[arg-type]
                          "capabilities": WITH_ROOMS if rooms else
                          frozenset({Capability.BUTTONS}), **kw})


@asynccontextmanager
async def witness_app(
    tmp_path: Path, adapter: FakeAdapter | None = None, **sections: dict[str, object]
) -> AsyncIterator[tuple[App, FakeAdapter, ManualClock]]:
    features = [install_foundation, crisis.install, checkins.install, witness.install]
    async with running_app(tmp_path, adapters=[adapter or platform()], features=features,
                           **sections) as parts:
        yield parts


async def pair(app: App, adapter: FakeAdapter, member: str = "mia", volunteer: str = "vic",
               details: str = "", *, volunteers: bool = True) -> None:
    """Volunteer (unless already done), request, accept, confirm: the whole double consent,
    by buttons."""
    if volunteers:
        await adapter.say(volunteer, f"witness volunteer {details}")
    await adapter.say(member, f"witness request {details}")
    await app.settle()
    await adapter.say(volunteer, "1")  # the first button of the offer: yes
    await app.settle()
    await adapter.say(member, "1")  # the first button of the confirmation: yes please
    await app.settle()
