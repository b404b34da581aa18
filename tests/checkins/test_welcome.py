"""Welcome back after a silence, or on ``back``: no questions, and the choice of check-ins."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.checkins.helpers import checkins_app, rows

WELCOME = "Welcome back. You don't need to explain.\nLower the bar: just be present."


def welcomes(adapter, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [t for t in adapter.texts_to(name) if t.startswith("Welcome back.")]


async def test_after_a_long_silence_a_member_is_welcomed_without_questions(
    tmp_path: Path,
) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "help")
        await app.settle()
        clock.advance(timedelta(days=14))
        await adapter.say("alice", "hi, it's been a while")
        await app.settle()
        welcome = adapter.last_to("alice")
        assert welcome.text.startswith(WELCOME)
        assert "gentle check-in each day" in welcome.text
        assert "why, followed by a few words" in welcome.text
        assert [b.command for b in welcome.buttons] == ["checkin start"]
        assert len(adapter.texts_to("alice")) == 2  # no "I don't understand" on top of it
        await adapter.press("alice", "checkin start")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Check-ins are on: every day at 09:00")


async def test_no_welcome_for_a_first_message_a_short_silence_or_room_chatter(
    tmp_path: Path,
) -> None:
    async with checkins_app(tmp_path, checkins={"welcome_back_after_days": 10}) as parts:
        app, adapter, clock = parts
        await adapter.say("alice", "hello")  # first ever
        clock.advance(timedelta(days=9, hours=23))
        await adapter.say("alice", "help")  # not quite ten days
        clock.advance(timedelta(days=20))
        await adapter.say("alice", "morning all", room="general")  # room chatter
        await app.settle()
        assert welcomes(adapter, "alice") == []
        await adapter.say("alice", "help")  # writing to us after 20 days
        await app.settle()
        assert len(welcomes(adapter, "alice")) == 1


async def test_back_welcomes_once_even_after_a_silence(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "back")
        await app.settle()
        assert welcomes(adapter, "alice") == [adapter.texts_to("alice")[0]]
        clock.advance(timedelta(days=30))
        await adapter.say("alice", "back")  # the observer and the command, one welcome
        await app.settle()
        assert len(welcomes(adapter, "alice")) == 2
        assert len(await rows(app, "SELECT * FROM outbox WHERE kind = 'checkins.welcome'")) == 2


async def test_with_checkins_on_the_welcome_says_so_and_offers_nothing(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start")
        await adapter.say("alice", "why for my kids")
        await adapter.say("alice", "back")
        await app.settle()
        welcome = adapter.last_to("alice")
        assert "Your check-ins are still on." in welcome.text
        assert "why, followed by" not in welcome.text
        assert welcome.buttons == ()


async def test_why_is_kept_shown_back_and_never_taken_from_a_room(tmp_path: Path) -> None:
    async with checkins_app(tmp_path, checkins={"note_max_chars": 50}) as (app, adapter, _):
        await adapter.say("alice", "why")
        await adapter.say("alice", "!why said out loud", room="general")
        await adapter.say("alice", "why so my daughter can trust me again")
        await adapter.say("alice", "why")
        await adapter.say("alice", "why " + "y" * 60)
        await app.settle()
        nothing, in_room, kept, shown, trimmed = adapter.texts_to("alice")
        assert nothing.startswith("You haven't written a why yet.")
        assert in_room.startswith("Let's keep that private")
        assert kept == "Kept, just for you. Type why any time to read it again."
        assert shown == "Your why, in your own words:\nso my daughter can trust me again"
        assert trimmed.startswith("Kept the first 50 characters")
        assert await rows(app, "SELECT text FROM checkin_whys") == [{"text": "y" * 50}]
