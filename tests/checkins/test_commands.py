"""Opting in and out, privately, with friendly corrections for anything that can't work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import MemberLeft
from bot.identity import UserRef
from bot.ports import TransientDeliveryError
from tests.checkins.helpers import checkin_rows, checkins_app, prompts, rows
from tests.fakes import FakeAdapter


async def test_start_says_what_will_happen_and_how_to_stop(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 21:30 Europe/Helsinki")
        await app.settle()
        text = adapter.last_to("alice").text
        assert text.startswith("Check-ins are on: every day at 21:30 (Europe/Helsinki).")
        assert "skip" in text and "The first one comes Mon 2 Mar at 21:30." in text
        assert "checkin stop, and they stop at once" in text


async def test_start_without_arguments_uses_the_configured_defaults(tmp_path: Path) -> None:
    async with checkins_app(tmp_path, checkins={"default_time": "07:15",
                                                "default_zone": "Asia/Kolkata"}) as parts:
        app, adapter, _ = parts
        await adapter.say("alice", "checkin start")
        await adapter.say("bob", "checkin start Europe/Helsinki 08:00")  # either order
        await app.settle()
        assert "every day at 07:15 (Asia/Kolkata)" in adapter.last_to("alice").text
        assert "every day at 08:00 (Europe/Helsinki)" in adapter.last_to("bob").text


async def test_asked_in_a_room_answered_privately(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "!checkin start 09:00 UTC", room="general")
        await adapter.say("alice", "!checkin status", room="general")
        await app.settle()
        assert {m.target for m in adapter.sent} == {UserRef("fake", "alice")}


async def test_time_zone_and_days_change_the_next_moment(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await adapter.say("alice", "checkin time 20:15")
        await adapter.say("alice", "checkin zone america/chicago")
        await adapter.say("alice", "checkin days sat,sun")
        await adapter.say("alice", "checkin days weekdays")
        await app.settle()
        answers = adapter.texts_to("alice")[1:]
        assert answers == [
            "Done: every day at 20:15 (UTC). The next one comes Mon 2 Mar at 20:15.",
            "Done: every day at 20:15 (America/Chicago). The next one comes Mon 2 Mar at 20:15.",
            "Done: on Sat and Sun at 20:15 (America/Chicago). The next one comes Sat 7 Mar"
            " at 20:15.",
            "Done: Monday to Friday at 20:15 (America/Chicago). The next one comes Mon 2 Mar"
            " at 20:15.",
        ]


async def test_stop_takes_effect_at_once_even_for_a_prompt_still_waiting(tmp_path: Path) -> None:
    adapter = FakeAdapter()
    async with checkins_app(tmp_path, adapter=adapter) as (app, _, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        adapter.fail_next.append(TransientDeliveryError("timeout"))
        await app.advance(timedelta(hours=1))  # the prompt failed once and waits for a retry
        await adapter.say("alice", "checkin stop")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Check-ins are off, from now.")
        await app.advance(timedelta(days=3))
        assert prompts(adapter) == []
        assert await rows(app, "SELECT * FROM outbox WHERE kind = 'checkins.prompt'") == []
        await adapter.say("alice", "checkin stop")
        await adapter.say("alice", "checkin status")
        await app.settle()
        assert adapter.texts_to("alice")[-2].startswith("Check-ins are already off.")
        assert adapter.texts_to("alice")[-1] == (
            "Check-ins are off. checkin start turns them on again: every day at 09:00 (UTC).")


async def test_pause_until_resumed_and_resume(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await adapter.say("alice", "checkin pause")
        await adapter.say("alice", "checkin status")
        await app.settle()
        await app.advance(timedelta(days=5))
        assert prompts(adapter) == []
        await adapter.say("alice", "checkin resume")
        await adapter.say("alice", "checkin resume")
        await app.settle()
        assert adapter.texts_to("alice")[1:] == [
            "Paused. Nothing more until you type checkin resume. Take the time you need.",
            "Check-ins are paused. checkin resume brings them back whenever you like.",
            "Check-ins are back on. The next one comes Sat 7 Mar at 09:00.",
            "Check-ins aren't paused. The next one comes Sat 7 Mar at 09:00.",
        ]


async def test_stats_count_answered_days_only_and_only_on_request(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin stats")
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        for day in range(4):
            await app.advance(timedelta(days=1) if day else timedelta(hours=1))
            if day != 1:
                await adapter.say("alice", "3" if day != 2 else "skip")
        await adapter.say("alice", "checkin stats")
        await app.settle()
        said = adapter.texts_to("alice")
        assert said[0].startswith("No check-ins answered yet, and that's fine.")
        assert said[-1] == "You've checked in on 2 days since Mon 2 Mar. Only you see this."
        assert not any("streak" in t or "missed" in t for t in said)
        assert [r["status"] for r in await checkin_rows(app, "alice")] == [
            "answered", "sent", "skipped", "answered"]


@pytest.mark.parametrize(("command", "expected"), [
    ("checkin start 25:00", "That time doesn't exist; try something like 09:30 or 21:00."),
    ("checkin start 9am", "A time looks like 09:30 or 21:00 (24-hour clock)."),
    ("checkin start 09:00 Mars/Olympus_Mons",
     "That isn't a time zone I know; use a name like Europe/Helsinki or America/Chicago."),
    ("checkin start 09:00 10:00", "I can use a time and a time zone here, nothing more."),
    ("checkin start UTC Europe/Helsinki", "I can use a time and a time zone here, nothing more."),
    ("checkin time", "Which time? For example: checkin time 20:00"),
    ("checkin time 24:30", "That time doesn't exist; try something like 09:30 or 21:00."),
    ("checkin zone", "Which time zone? For example: checkin zone Europe/Helsinki"),
    ("checkin zone Europe/Helsinky",
     "That isn't a time zone I know; use a name like Europe/Helsinki or America/Chicago."),
    ("checkin days", "Which days? For example: checkin days mon-fri, or checkin days every day"),
    ("checkin days someday", "Days look like mon-fri, sat,sun or every day."),
    ("checkin pause 0", "A pause is a number of days, up to 365. For example: checkin pause 3"),
    ("checkin pause 400 days", "A pause is a number of days, up to 365."),
    ("checkin pause a while", "A pause is a number of days, up to 365."),
    ("checkin mood", "That doesn't look like a check-in day."),
    ("checkin mood 2026-03-02 9", "A mood is a number from 1 to 5."),
    ("checkin mood yesterday 3", "That doesn't look like a check-in day."),
    ("checkin skip", "That doesn't look like a check-in day."),
    ("checkin note 2026-02-30 hi", "That doesn't look like a check-in day."),
    ("checkin stauts", "checkin needs one more word. Try one of: checkin start,"),
])
async def test_bad_input_gets_a_friendly_correction_with_an_example(
    tmp_path: Path, command: str, expected: str
) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await adapter.say("alice", command)
        await app.settle()
        assert adapter.last_to("alice").text.startswith(expected)
        schedule = await rows(app, "SELECT local_time, zone, days, state FROM checkin_schedules")
        assert schedule == [{"local_time": "09:00", "zone": "UTC", "days": "*", "state": "on"}]


@pytest.mark.parametrize("command", [
    "checkin time 20:00", "checkin zone UTC", "checkin days mon-fri", "checkin pause 2",
    "checkin resume", "checkin status",
])
async def test_settings_before_opting_in_point_to_checkin_start(
    tmp_path: Path, command: str
) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", command)
        await app.settle()
        assert "checkin start" in adapter.last_to("alice").text
        assert await rows(app, "SELECT * FROM checkin_schedules") == []


async def test_extra_words_on_simple_commands_do_no_harm(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await adapter.say("alice", "checkin stop please")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Check-ins are off, from now.")


async def test_leaving_the_community_stops_checkins(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "checkin start 09:00 UTC")
        await app.settle()
        assert adapter._sink is not None
        await adapter._sink(MemberLeft(adapter.user("alice"), clock.now()))
        await app.settle()
        await app.advance(timedelta(days=2))
        assert prompts(adapter) == []
