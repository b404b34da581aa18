"""Answering: a mood, a few words, or skip. Late the same day counts; another day doesn't."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts as core_texts
from bot.events import ButtonPressed
from tests.checkins.helpers import checkin_rows, checkins_app, prompts
from tests.fakes import FakeAdapter

NOTE = "slept badly-5821 but I'm here"


async def _prompted(app, adapter, *, at: str = "09:00") -> None:  # type: ignore[no-untyped-def]
    """alice opts in and her first prompt (Monday) arrives."""
    await adapter.say("alice", f"checkin start {at} UTC")
    await app.settle()
    await app.advance(timedelta(hours=1))
    assert len(prompts(adapter, "alice")) == 1


async def test_a_button_answers_and_free_text_after_it_is_the_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await adapter.press("alice", prompts(adapter)[0].buttons[3].command)
        await adapter.say("alice", NOTE)
        await app.settle()
        thanks, kept = adapter.texts_to("alice")[-2:]
        assert thanks.startswith("Thank you for checking in.\nIf you'd like to add a few words")
        assert kept == "Kept with today's check-in, just for you."
        assert await checkin_rows(app, "alice") == [{
            "local_date": "2026-03-02", "status": "answered", "mood": 4, "note": NOTE,
            "due_at": "2026-03-02T09:00:00.000+00:00"}]
    assert "5821" not in caplog.text


async def test_without_buttons_a_bare_number_is_the_mood(tmp_path: Path) -> None:
    async with checkins_app(tmp_path, adapter=FakeAdapter(capabilities=frozenset())) as parts:
        app, adapter, _ = parts
        await _prompted(app, adapter)
        assert "Pick a number: 1 is a heavy day, 5 is a steady one." in prompts(adapter)[0].text
        await adapter.say("alice", "5")
        await app.settle()
        assert [r["mood"] for r in await checkin_rows(app, "alice")] == [5]


async def test_a_form_sends_the_note_with_the_button(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await _prompted(app, adapter)
        assert adapter._sink is not None
        await adapter._sink(ButtonPressed(
            user=adapter.user("alice"), room=adapter.user("alice"), message_id="out2",
            is_direct=True, sent_at=clock.now(), command=prompts(adapter)[0].buttons[6].command,
            text=NOTE))
        await app.settle()
        assert [(r["status"], r["note"]) for r in await checkin_rows(app, "alice")] == [
            ("answered", NOTE)]


async def test_add_a_note_without_a_form_asks_for_the_next_message(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await adapter.press("alice", prompts(adapter)[0].buttons[6].command)
        await adapter.say("alice", NOTE)
        await app.settle()
        assert adapter.texts_to("alice")[-2].startswith("Write it in your next message.")
        assert [r["note"] for r in await checkin_rows(app, "alice")] == [NOTE]


async def test_the_note_window_never_takes_a_command(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await adapter.say("alice", "3")
        await adapter.say("alice", "checkin status")
        await adapter.say("alice", "checkin stauts")
        await app.settle()
        status, near_miss = adapter.texts_to("alice")[-2:]
        assert status.startswith("Your check-ins are on")
        assert near_miss.startswith("checkin needs one more word")
        assert [r["note"] for r in await checkin_rows(app, "alice")] == [None]


async def test_the_note_window_closes(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await _prompted(app, adapter)
        await adapter.say("alice", "3")
        await app.settle()
        clock.advance(timedelta(hours=2))
        await adapter.say("alice", "just chatting")
        await app.settle()
        assert adapter.last_to("alice").text == core_texts.NOT_A_COMMAND
        assert [r["note"] for r in await checkin_rows(app, "alice")] == [None]


async def test_a_long_note_is_trimmed_and_says_so(tmp_path: Path) -> None:
    async with checkins_app(tmp_path, checkins={"note_max_chars": 50}) as (app, adapter, _):
        await _prompted(app, adapter)
        await adapter.say("alice", "2")
        await adapter.say("alice", "x" * 80)
        await app.settle()
        assert adapter.last_to("alice").text == (
            "Kept the first 50 characters with today's check-in, just for you.")
        assert [len(r["note"]) for r in await checkin_rows(app, "alice")] == [50]


async def test_a_note_written_in_a_room_is_not_kept(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await adapter.say("alice", f"!checkin note 2026-03-02 {NOTE}", room="general")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Let's keep that private")
        assert [r["note"] for r in await checkin_rows(app, "alice")] == [None]


async def test_skip_is_always_fine(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("bob", "skip")  # no check-ins: not ours to answer
        await _prompted(app, adapter)
        await adapter.say("alice", "Skip")
        await adapter.say("alice", "skip")
        await app.settle()
        assert adapter.last_to("bob").text == core_texts.NOT_A_COMMAND
        assert adapter.texts_to("alice")[-2:] == [
            "Skipped, and that's fine. Nothing more is needed today.",
            "That's fine. Your check-in stays as it is."]
        assert [r["status"] for r in await checkin_rows(app, "alice")] == ["skipped"]


async def test_a_late_answer_the_same_local_day_counts(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await app.advance(timedelta(hours=13, minutes=59))  # 23:59 the same day
        await adapter.press("alice", prompts(adapter)[0].buttons[1].command)
        await app.settle()
        assert [r["status"] for r in await checkin_rows(app, "alice")] == ["answered"]


async def test_an_answer_for_another_day_is_declined_gently(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _prompted(app, adapter)
        await app.advance(timedelta(days=1))  # Tuesday's prompt has come too
        await adapter.press("alice", prompts(adapter)[0].buttons[2].command)
        await adapter.say("alice", "checkin mood 2026-03-09 3")  # a day that has no check-in
        await app.settle()
        other_day, not_open = adapter.texts_to("alice")[-2:]
        assert other_day == ("That check-in was for Mon 2 Mar. It's a new day now, so I left "
                             "it as it was. There's nothing to catch up on.")
        assert not_open.startswith("There's no check-in open for that day")
        assert [r["status"] for r in await checkin_rows(app, "alice")] == ["sent", "sent"]


async def test_a_prompt_sent_late_after_midnight_keeps_its_day(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "checkin start 23:30 UTC")
        await app.settle()
        clock.advance(timedelta(hours=16, minutes=45))  # down past midnight, back at 00:45
        await app.core.scheduler.run_all()
        await app.settle()
        (prompt,) = prompts(adapter)
        await app.advance(timedelta(hours=8))
        await adapter.press("alice", prompt.buttons[2].command)
        await app.settle()
        assert [(r["local_date"], r["mood"]) for r in await checkin_rows(app, "alice")] == [
            ("2026-03-02", 3)]


async def test_after_a_low_mood_their_own_why_is_offered(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "why for my kids")
        await _prompted(app, adapter)
        await adapter.say("alice", "2")
        await app.settle()
        thanks = adapter.last_to("alice")
        assert thanks.text.startswith("Thank you for checking in. Hard days count too")
        assert "You once wrote down why you came back." in thanks.text
        assert [b.command for b in thanks.buttons] == ["checkin note 2026-03-02", "why"]
        await adapter.press("alice", "why")
        await app.settle()
        assert adapter.last_to("alice").text == "Your why, in your own words:\nfor my kids"


@pytest.mark.parametrize(("why", "offer", "mood"), [
    (False, True, "1"), (True, False, "1"), (True, True, "3"),
])
async def test_the_why_is_offered_only_when_there_is_one_and_it_is_wanted(
    tmp_path: Path, why: bool, offer: bool, mood: str
) -> None:
    async with checkins_app(tmp_path, checkins={"offer_why_on_low_mood": offer}) as parts:
        app, adapter, _ = parts
        if why:
            await adapter.say("alice", "why for my kids")
        await _prompted(app, adapter)
        await adapter.say("alice", mood)
        await app.settle()
        assert "why you came back" not in adapter.last_to("alice").text
