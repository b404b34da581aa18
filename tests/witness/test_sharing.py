"""Sharing with a witness: off by default, moods never notes, changeable at any moment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.events import Mention
from tests.witness.helpers import MODS, pair, witness_app

NOTE = "my sister visited today"


async def _checkins_on(app, adapter, name: str = "mia") -> None:  # type: ignore[no-untyped-def]
    """Check-ins at 09:00 UTC; the tests start on a Monday at 08:00."""
    await adapter.say(name, "checkin start 09:00 UTC")
    await app.settle()


async def _answer_a_day(app, adapter, mood: str, note: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """From 08:00: the 09:00 prompt arrives, mia answers at 09:01, then on to 08:00."""
    await app.advance(timedelta(hours=1, minutes=1))
    await adapter.say("mia", mood)
    if note:
        await adapter.say("mia", note)
    await app.advance(timedelta(hours=22, minutes=59))


async def test_nothing_is_shared_until_the_member_chooses(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await _checkins_on(app, adapter)
        for _ in range(5):
            await _answer_a_day(app, adapter, "4")
        assert not any("check-in" in t for t in adapter.texts_to("vic"))
        await adapter.say("mia", "witness sharing")
        await app.settle()
        shown = adapter.texts_to("mia")[-1]
        assert "is shared with <vic>: off." in shown
        assert "after missed check-ins: off." in shown


async def test_daily_moods_never_notes_and_consent_withdrawn_mid_pairing(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await _checkins_on(app, adapter)
        await adapter.say("mia", "witness sharing mood daily")
        await _answer_a_day(app, adapter, "4", NOTE)  # shared at 18:00 on the way
        digest = adapter.texts_to("vic")[-1]
        assert digest == ("<mia> chose to share their check-in moods with you: Mon 02 Mar 4/5. "
                          "Just so you know.")
        await adapter.say("mia", "witness sharing mood off")
        await _answer_a_day(app, adapter, "2")
        assert adapter.texts_to("vic")[-1] == digest  # nothing more after consent was withdrawn


async def test_weekly_moods_come_once_a_week(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await _checkins_on(app, adapter)
        await adapter.say("mia", "witness sharing mood weekly")
        for _ in range(8):
            await _answer_a_day(app, adapter, "3")
        digests = [t for t in adapter.texts_to("vic") if "share their check-in moods" in t]
        assert len(digests) == 2
        assert digests[1].count("3/5") == 7


async def test_a_gentle_nudge_after_missed_check_ins_once_per_run(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await _checkins_on(app, adapter)
        await adapter.say("mia", "witness sharing nudge 3")
        await app.advance(timedelta(days=3))  # Thursday 08:00: two whole days missed
        assert not any("hasn't checked in" in t for t in adapter.texts_to("vic"))
        await app.advance(timedelta(hours=12))  # Thursday 18:00: Wednesday was the third
        nudges = [t for t in adapter.texts_to("vic") if "hasn't checked in" in t]
        assert nudges == ["<mia> hasn't checked in for 3 days and asked that you hear about it. "
                          "A hello without questions can help."]
        await app.advance(timedelta(days=3))
        assert len([t for t in adapter.texts_to("vic") if "hasn't checked in" in t]) == 1


async def test_without_a_witness_a_moderator_item_only_if_agreed(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await _checkins_on(app, adapter)
        await adapter.say("mia", "witness sharing nudge 2")
        await app.advance(timedelta(days=4))
        assert not [m for m in adapter.sent if m.target == MODS]
        await adapter.say("mia", "witness sharing moderators on")
        await app.advance(timedelta(days=1))
        (item,) = [m for m in adapter.sent if m.target == MODS]
        assert item.mention is Mention.NONE
        assert item.text.startswith("🟡 Concern #1 · not urgent, no page")
        assert "has missed a few check-ins and asked that a moderator say hello" in item.text


async def test_sharing_goes_back_to_off_when_a_pairing_ends(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await adapter.say("mia", "witness sharing mood daily")
        await adapter.say("mia", "witness sharing nudge 3")
        await adapter.say("mia", "witness end")
        await adapter.say("mia", "witness sharing")
        await app.settle()
        shown = adapter.texts_to("mia")[-1]
        assert "your witness, when you have one: off." in shown


async def test_bad_sharing_input_gets_the_usage(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("mia", "witness sharing mood hourly")
        await adapter.say("mia", "witness sharing nudge 99")
        await app.settle()
        usage, bounds = adapter.texts_to("mia")
        assert usage.startswith("Try: witness sharing mood daily")
        assert bounds.startswith("A nudge after 1 to 30 missed check-ins.")
