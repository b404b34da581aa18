"""A message the platform could not show the bot is never met with silence."""

from __future__ import annotations

from pathlib import Path

from bot.events import IncomingMessage, Priority, Unreadable
from bot.identity import RoomRef
from tests.crisis.helpers import CRISIS, crisis_app, pages

UNREADABLE_START = "I couldn't read your last message"


async def test_the_member_is_told_once_and_the_message_still_counts_if_it_comes_readable(
    tmp_path: Path,
) -> None:
    async with crisis_app(tmp_path) as (app, adapter, clock):
        dm = RoomRef("fake", "dm-alice")
        unreadable = Unreadable(adapter.user("alice"), dm, "m1", clock.now())
        await adapter.hand_over(unreadable)
        await adapter.hand_over(unreadable)  # a restart replays it
        await app.settle()
        (told,) = [m for m in adapter.sent if m.target == adapter.user("alice")]
        assert told.text.startswith(UNREADABLE_START) and "988" in told.text
        assert told.priority is Priority.CRISIS
        assert pages(adapter) == []  # nothing is known about it: no page

        # The key came after all: the same message, now readable, goes through as usual.
        await adapter.hand_over(IncomingMessage(adapter.user("alice"), dm, CRISIS,
                                                is_direct=True, message_id="m1",
                                                sent_at=clock.now()))
        await app.settle()
        assert len(pages(adapter)) == 1


async def test_the_wording_is_the_communitys_own(tmp_path: Path) -> None:
    ours = "Your last message didn't reach me. Please send it again, or call 112."
    async with crisis_app(tmp_path, crisis={"unreadable_message": ours}) as (app, adapter, clock):
        await adapter.hand_over(Unreadable(adapter.user("bo"), RoomRef("fake", "dm-bo"), "m9",
                                           clock.now()))
        await app.settle()
        assert adapter.texts_to("bo") == [ours]
