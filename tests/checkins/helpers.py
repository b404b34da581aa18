"""A running app with check-ins on a fake platform, and ways to read what it holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import checkins
from bot.app import App, install_foundation
from bot.checkins import texts
from bot.events import OutgoingMessage
from bot.ports import ManualClock
from tests.fakes import FakeAdapter, running_app, settings_for


@asynccontextmanager
async def checkins_app(
    tmp_path: Path, *, adapter: FakeAdapter | None = None, clock: ManualClock | None = None,
    **sections: dict[str, object],
) -> AsyncIterator[tuple[App, FakeAdapter, ManualClock]]:
    async with running_app(tmp_path, adapters=[adapter] if adapter else None, clock=clock,
                           features=[install_foundation, checkins.install], **sections) as parts:
        yield parts


def prompts(adapter: FakeAdapter, name: str | None = None) -> list[OutgoingMessage]:
    """Check-in prompts sent (to ``name``, or to anyone)."""
    return [m for m in adapter.sent if m.text == texts.PROMPT
            and (name is None or m.target == adapter.user(name))]


def prompt_day(message: OutgoingMessage) -> str:
    """The local date a prompt belongs to, read from its first button."""
    return message.buttons[0].command.split()[2]


async def rows(app: App, sql: str, *params: object) -> list[dict[str, Any]]:
    async with app.core.db.read() as tx:
        return [dict(row) for row in await tx.fetchall(sql, params)]


async def checkin_rows(app: App, name: str) -> list[dict[str, Any]]:
    return await rows(app, "SELECT local_date, status, mood, note, due_at FROM checkins"
                           " WHERE user = ? ORDER BY local_date", f"fake:{name}")


class FixedClock:
    """Time that stands still but isn't a ManualClock: the App runs as in production
    (APScheduler started, start-up catch-up, delivery workers in the background)."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


@asynccontextmanager
async def production_app(
    tmp_path: Path, now: datetime, adapter: FakeAdapter
) -> AsyncIterator[App]:
    """A real-time start on the same database file as ``checkins_app`` uses."""
    app = App(settings_for(tmp_path / "porchlight.db"), FixedClock(now), [adapter],
              [install_foundation, checkins.install])
    async with app:
        yield app
