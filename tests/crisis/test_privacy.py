"""Crisis data is covered by mydata, forget me and retention, and bad input breaks nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.ports import PermanentDeliveryError
from tests.core.test_privacy import rows_mentioning
from tests.crisis.helpers import CRISIS, crisis_app, pages, room_posts


async def test_mydata_shows_the_member_their_escalation_and_words(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("carol", "mod resolve 1 reached-out called her")
        await adapter.say("alice", "mydata")
        await adapter.say("carol", "mydata")
        await app.settle()
        mine = json.loads(adapter.last_to("alice").attachment.content)  # type: ignore[union-attr]
        (esc,) = mine["escalations"]["about_you"]
        assert esc["outcome"] == "reached-out"
        assert esc["your_messages"][0]["text"] == CRISIS
        theirs = json.loads(adapter.last_to("carol").attachment.content)  # type: ignore[union-attr]
        assert [e["id"] for e in theirs["escalations"]["handled_as_moderator"]] == [1]
        assert "fake:alice" not in json.dumps(theirs["escalations"])


async def test_forget_me_deletes_resolved_escalations_and_anonymises_the_moderator(
    tmp_path: Path,
) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("carol", "mod oncall on")
        await adapter.say("carol", "mod resolve 1 false-alarm")
        for name in ("alice", "carol"):
            await adapter.say(name, "forget me")
            await adapter.say(name, "yes")
        await app.settle()
        assert await rows_mentioning(app, "fake:alice") == []
        assert await rows_mentioning(app, "fake:carol") == []


async def test_forget_me_keeps_an_open_escalation_until_it_is_resolved(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("alice", "forget me")
        await adapter.say("alice", "yes")
        await app.settle()
        done = adapter.texts_to("alice")[-1]
        assert done.startswith("Done.") and "It will be deleted as soon as they close it" in done
        assert await rows_mentioning(app, "fake:alice")  # the open escalation stays
        await app.advance(timedelta(minutes=5))
        assert len(pages(adapter)) == 2  # and is still paged: never lost
        await adapter.say("carol", "mod resolve 1 reached-out")
        await app.settle()
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations") == 0
        await app.advance(timedelta(days=8))  # sent messages age out too
        assert await rows_mentioning(app, "fake:alice") == []


async def test_words_are_purged_30_days_after_resolution(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("carol", "mod resolve 1 reached-out note about her")
        await app.settle()
        await app.advance(timedelta(days=29))
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT text FROM escalation_messages") == CRISIS
        await app.advance(timedelta(days=2))
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT text FROM escalation_messages") is None
            assert await tx.scalar("SELECT resolution_note FROM escalations") is None
            assert await tx.scalar("SELECT outcome FROM escalations") == "reached-out"


@pytest.mark.parametrize("text", [
    "a" * 100_000,
    "\x00\x01\xff\ufffd binary \x7f" * 50,
    "".join(ch + "\u0336\u0489" for ch in CRISIS),
    "😭😭😭💊💊🔪",
    "",
])
async def test_bad_input_never_breaks_the_pipeline(tmp_path: Path, text: str) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", text)
        await adapter.say("alice", "help")
        await app.settle()
        assert app.core.errors.counts == {}
        assert "help [command]" in adapter.texts_to("alice")[-1]


async def test_moderators_are_told_when_the_resource_message_cannot_reach_the_member(
    tmp_path: Path,
) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        original = adapter.send

        async def closed_dms(message):  # type: ignore[no-untyped-def]
            if message.target == adapter.user("alice"):
                raise PermanentDeliveryError("dm_closed")
            return await original(message)

        adapter.send = closed_dms  # type: ignore[method-assign]
        await adapter.say("alice", CRISIS)
        await app.settle()
        assert room_posts(adapter)[-1].text == (
            "#1: the resource message could not reach the member: their private messages are "
            "closed. Please reach them another way.")
        adapter.send = original  # type: ignore[method-assign]
        await adapter.say("alice", "help")
        await app.settle()
        told, answer = adapter.texts_to("alice")
        assert told.startswith("I couldn't send you a private message earlier")
        assert "help [command]" in answer
