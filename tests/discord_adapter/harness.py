"""The real App with the Discord adapter and every feature, against the Discord stand-in.

``running_bot`` starts it on a manual clock: nothing happens on real time except the network
round trips to the stand-in. ``Bot.events`` records every event the adapter handed the core
(appended once queued), so a test can wait for the event, then ``settle()`` the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters.discord import DiscordAdapter, options_from
from bot.app import App
from bot.config import Settings
from bot.events import Event
from bot.features import ALL_FEATURES
from bot.ports import Clock, EventSink, ManualClock
from tests.discord_standin import DiscordStandIn, RecordLog, SentMessage
from tests.fakes import START

CRISIS = "I'm going to take all my pills tonight"


class TracedAdapter(DiscordAdapter):
    """The real adapter; only the sink is wrapped, to record what reached the core."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: RecordLog[Event] = RecordLog("event handed to the core")

    async def start(self, sink: EventSink) -> None:
        async def traced(event: Event) -> None:
            await sink(event)
            self.events.append(event)

        await super().start(traced)


@dataclass
class Bot:
    app: App
    adapter: TracedAdapter
    clock: ManualClock
    d: DiscordStandIn

    def assert_alive(self) -> None:
        """discord.py's connect() task must still run: parse errors kill it silently."""
        task = self.adapter.connection
        assert task is not None
        if task.done():
            exc = None if task.cancelled() else task.exception()
            raise AssertionError(f"discord.py connect() task died: {exc!r}")

    async def event(self, predicate: Callable[[Event], bool] | None = None,
                    after: int = 0) -> Event:
        return await self.adapter.events.wait_for(predicate, after=after)

    async def handled(self, predicate: Callable[[Event], bool] | None = None,
                      after: int = 0) -> Event:
        """Wait for the event to reach the core, then let the core act and deliver."""
        found = await self.event(predicate, after)
        await self.app.settle()
        return found

    def user_id(self, key: str) -> int:
        return self.d.world.user(key).id


def settings_for(d: DiscordStandIn, tmp_path: Path, **discord: object) -> Settings:
    world = d.world
    return Settings(
        bot={"database": str(tmp_path / "porchlight.db"), "adapters": ["discord"]},
        discord={"token": d.token, "guild_id": world.guild.id,
                 "moderator_role_ids": [world.moderator_role_id],
                 "moderator_channel_id": world.mod_channel_id,
                 "state_file": str(tmp_path / "discord-state.json"), **discord},
    )


@asynccontextmanager
async def running_bot(d: DiscordStandIn, tmp_path: Path, *, clock: Clock | None = None,
                      **discord: object) -> AsyncIterator[Bot]:
    clock = clock or ManualClock(START)
    assert isinstance(clock, ManualClock)
    settings = settings_for(d, tmp_path, **discord)
    options = replace(options_from(settings), ready_timeout=0.05, reidentify_delay=0.0)
    adapter = TracedAdapter(options, clock)
    async with App(settings, clock, [adapter], ALL_FEATURES) as app:
        bot = Bot(app, adapter, clock, d)
        yield bot
        bot.assert_alive()


MOOD_4 = "pl:checkin mood 2026-03-02 4"
NOTE_FORM = "pf:checkin note 2026-03-02|A few words, just for you"
NOTE_MODAL = "pn:checkin note 2026-03-02"


async def start_checkins(bot: Bot, who: str, at: str = "10:30",
                         zone: str = "Europe/Helsinki") -> None:
    """``/checkin start`` in #general; 10:30 in Helsinki is 08:30 UTC, half an hour away."""
    ix = await bot.d.slash_command(who, "checkin start", {"time": at, "zone": zone})
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{ix.id}")
    await ix.wait_followup()


async def checkin_prompt(bot: Bot, who: str) -> SentMessage:
    """Move the clock to the check-in and return the DM it arrived as."""
    mark = bot.d.sent.mark()
    await bot.app.advance(timedelta(minutes=31))
    user_id = bot.user_id(who)
    return await bot.d.wait_for_message(
        lambda m: m.recipient_id == user_id and MOOD_4 in m.custom_ids, after=mark)
