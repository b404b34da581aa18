from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.events import Mention, Priority
from bot.identity import RoomRef, UserRef
from tests.crisis.helpers import (
    CONCERN,
    CRISIS,
    MODS,
    crisis_app,
    fake_platform,
    pages,
    room_posts,
)

ALICE = UserRef("fake", "alice")


async def test_a_crisis_in_a_dm_pages_moderators_and_sends_one_resource_message(
    tmp_path: Path,
) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await app.settle()
        page, resource = adapter.sent
        assert page.target == MODS and page.mention is Mention.MODERATORS
        assert page.text.startswith("🔴 Crisis #1 · needs a person now")
        assert "Member: <alice>, in a private message to Porchlight" in page.text
        assert [b.command for b in page.buttons] == ["mod claim 1"]
        assert page.hidden_text == CRISIS
        assert CRISIS not in page.text  # the words only behind the content warning
        assert resource.target == ALICE
        assert resource.text == app.settings.crisis.resource_message
        async with app.core.db.read() as tx:
            kinds = await tx.fetchall("SELECT kind, priority FROM outbox ORDER BY id")
        assert [tuple(k) for k in kinds] == [("crisis.page", Priority.CRISIS),
                                             ("crisis.resource", Priority.CRISIS)]


async def test_a_scanned_room_pages_privately_and_says_nothing_in_the_room(
    tmp_path: Path,
) -> None:
    mods = RoomRef("console", "#moderators")
    platform = fake_platform(platform="console", mod_room=mods)
    async with crisis_app(tmp_path, platform, console={"scan_rooms": ["general"]}) as (
        app, adapter, _,
    ):
        await adapter.say("alice", CRISIS, room="#general")
        await app.settle()
        assert {m.target for m in adapter.sent} == {mods, UserRef("console", "alice")}
        assert "in a shared room (nothing was said there)" in pages(adapter)[0].text
        assert not any(m.target == RoomRef("console", "#general") for m in adapter.sent)


async def test_unscanned_rooms_and_the_moderator_room_are_not_read(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS, room="random")
        await adapter.say("carol", CRISIS, room="mods")
        await app.settle()
        assert adapter.sent == []


async def test_more_words_while_open_are_added_not_paged_again(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("alice", "I have them counted out already and I want to die")
        await app.settle()
        assert len(pages(adapter)) == 1
        assert len(adapter.texts_to("alice")) == 1  # one resource message, no more
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalation_messages") == 2


async def test_unclaimed_crises_are_paged_again_then_to_the_backup_level(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("dave", "mod oncall on")
        await adapter.say("alice", CRISIS)
        await app.settle()
        await app.advance(timedelta(minutes=4, seconds=59))
        assert len(pages(adapter)) == 1
        await app.advance(timedelta(seconds=1))
        assert pages(adapter)[-1].text.startswith("🔴 Still unclaimed after 5 min · Crisis #1")
        assert pages(adapter)[-1].mention is Mention.MODERATORS
        await app.advance(timedelta(minutes=10))
        backup = pages(adapter)[2:]
        assert {m.target for m in backup} == {MODS, UserRef("fake", "dave")}
        assert all(m.mention is Mention.BACKUP for m in backup)
        assert backup[0].text.startswith("🔴 Backup page · Crisis #1 unclaimed for 15 min")
        await app.advance(timedelta(minutes=15))
        assert len(pages(adapter)) == 6  # the backup level repeats until claimed
        await adapter.say("carol", "mod claim 1")
        await app.settle()
        await app.advance(timedelta(minutes=45))
        assert len(pages(adapter)) == 6


async def test_a_claim_stops_paging_and_tells_the_room(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await app.settle()
        await adapter.press("carol", "mod claim 1")
        await app.settle()
        mine = adapter.last_to("carol")
        assert mine.text.startswith("You have #1. Reach out to <alice> privately")
        assert [b.command for b in mine.buttons][-1] == "mod release 1"
        assert room_posts(adapter)[-1].text == "#1 is claimed by <carol>."
        await app.advance(timedelta(minutes=30))
        assert len(pages(adapter)) == 1


async def test_only_one_of_two_claims_wins(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.press("carol", "mod claim 1")
        await adapter.press("dave", "mod claim 1")
        await app.settle()
        assert adapter.texts_to("carol")[0].startswith("You have #1.")
        assert adapter.texts_to("dave") == ["#1 is already claimed by <carol>."]


async def test_a_lapsed_claim_returns_to_the_queue_and_pages_again(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("carol", "mod claim 1")
        await app.settle()
        await app.advance(timedelta(minutes=59))
        assert len(pages(adapter)) == 1
        await app.advance(timedelta(minutes=1))
        assert pages(adapter)[-1].text.startswith("🔴 Crisis #1 is back in the queue")
        assert adapter.texts_to("carol")[-1].startswith("#1 went back to the queue")
        await app.advance(timedelta(minutes=5))
        assert pages(adapter)[-1].text.startswith("🔴 Still unclaimed after 5 min")


async def test_release_and_resolve(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("carol", "mod claim 1")
        await adapter.say("carol", "mod release 1")
        await app.settle()
        assert adapter.texts_to("carol")[-1].startswith("#1 is back in the queue")
        assert pages(adapter)[-1].text.startswith("🔴 Crisis #1 is back in the queue")
        await adapter.say("dave", "mod resolve 1 maybe")
        await adapter.say("dave", "mod resolve 1 reached-out talked, she is with her sister")
        await adapter.say("carol", "mod resolve 1 false-alarm")
        await adapter.say("carol", "mod claim 9")
        await app.settle()
        usage, done = adapter.texts_to("dave")
        assert usage.startswith("The outcome is one of: reached-out")
        assert done == "#1 resolved (reached-out) by <dave>. Thank you."
        assert adapter.texts_to("carol")[-2:] == ["#1 is already resolved.",
                                                  "There's no open escalation #9."]
        await app.advance(timedelta(hours=2))
        assert len(pages(adapter)) == 2


async def test_non_moderators_and_a_lookalike_moderator_cannot_claim(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.press("Moderator", "mod claim 1")
        await adapter.say("bob", "mod queue")
        await app.settle()
        assert adapter.texts_to("Moderator") == ["That one is for moderators."]
        assert adapter.texts_to("bob") == ["That one is for moderators."]
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT status FROM escalations") == "open"


async def test_concern_goes_to_the_queue_without_a_page_and_can_become_a_crisis(
    tmp_path: Path,
) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CONCERN)
        await app.settle()
        notice = room_posts(adapter)
        assert len(notice) == 1 and notice[0].mention is Mention.NONE
        assert notice[0].text.startswith("🟡 Concern #1")
        assert adapter.texts_to("alice") == []  # no resource message for a concern
        await adapter.say("carol", "mod queue")
        await app.settle()
        assert "#1 concern · unclaimed" in adapter.texts_to("carol")[0]
        await adapter.say("alice", CRISIS)
        await app.settle()
        assert pages(adapter)[0].text.startswith("🔴 Crisis #1 · needs a person now")
        assert adapter.texts_to("alice") == [app.settings.crisis.resource_message]


async def test_member_mentions_ping_no_one(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", f"@everyone @here <@&123> {CRISIS}")
        await app.settle()
        page = pages(adapter)[0]
        assert page.mention is Mention.MODERATORS
        assert "@everyone" not in (page.hidden_text or "")
        assert "<@&123>" not in (page.hidden_text or "")
        assert "@\u200beveryone" in (page.hidden_text or "")


async def test_mod_stats_reports_p50_and_p90(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        for escalation_id, (name, wait) in enumerate((("a1", 2), ("a2", 4), ("a3", 10)), 1):
            await adapter.say(name, CRISIS)
            await app.settle()
            await app.advance(timedelta(minutes=wait))
            await adapter.say("carol", f"mod claim {escalation_id}")
            await adapter.say("carol", f"mod resolve {escalation_id} reached-out")
            await app.settle()
        await adapter.say("carol", "mod stats")
        await app.settle()
        stats = adapter.texts_to("carol")[-1]
        assert stats.startswith("Last 30 days: 3 escalations.")
        assert "Time to claim: p50 4 min, p90 10 min." in stats


async def test_every_transition_is_audited_without_member_text(tmp_path: Path) -> None:
    async with crisis_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", CRISIS)
        await adapter.say("alice", "still here, " + CRISIS)
        await adapter.say("carol", "mod claim 1")
        await adapter.say("carol", "mod resolve 1 reached-out she is safe now")
        await app.settle()
        async with app.core.db.read() as tx:
            rows = await tx.fetchall("SELECT actor, action, subject, ref FROM audit_log")
        assert [(r["actor"], r["action"]) for r in rows] == [
            ("system", "opened crisis"), ("system", "paged level 0"),
            ("system", "appended crisis"), ("fake:carol", "claimed"),
            ("fake:carol", "resolved reached-out"),
        ]
        assert {r["ref"] for r in rows} == {"escalation:1"}
        flat = " ".join(str(v) for r in rows for v in tuple(r))
        assert "pills" not in flat and "safe now" not in flat


async def test_two_moderators_claiming_at_the_same_moment_one_wins(tmp_path: Path) -> None:
    """Two connections (two processes) race the same claim: exactly one succeeds."""
    from bot.crisis.repository import Escalations
    from bot.store.db import Database

    async with crisis_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", CRISIS)
        await app.settle()
        other = await Database.open(app.core.db.path)
        try:
            async def claim(db: Database, name: str) -> bool:
                async with db.transaction() as tx:
                    return await Escalations().claim(tx, 1, UserRef("fake", name), clock.now(),
                                                     clock.now() + timedelta(hours=1))

            results = await asyncio.gather(claim(app.core.db, "carol"), claim(other, "dave"))
        finally:
            await other.close()
        assert sorted(results) == [False, True]
