"""What can go wrong when sending: closed DMs, lost access, 429 storms; and DM channels."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.events import IncomingMessage, OutgoingMessage
from bot.identity import RoomRef, UserRef
from bot.ports import PermanentDeliveryError
from tests.discord_standin import DiscordStandIn

from .harness import CRISIS, Bot, running_bot, start_checkins

MESSAGES = "POST /channels/{channel_id}/messages"
OPEN_DM = "POST /users/@me/channels"


async def _outbox(bot: Bot, kind: str) -> list[tuple[str, str | None, int]]:
    async with bot.app.core.db.read() as tx:
        rows = await tx.fetchall(
            "SELECT status, last_error, attempts FROM outbox WHERE kind = ? ORDER BY id", (kind,))
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_closed_dm_is_recorded_and_the_member_told_when_they_next_use_a_command(
    d: DiscordStandIn, bot: Bot
) -> None:
    await start_checkins(bot, "bob")
    d.close_dms_for("bob")
    await bot.app.advance(timedelta(minutes=31))  # the check-in falls due
    assert await _outbox(bot, "checkins.prompt") == [("failed", "dm_closed", 1)]
    assert d.stats.closed_dm_403 == 1  # not retried
    async with bot.app.core.db.read() as tx:
        assert await tx.scalar("SELECT reason FROM unreachable_members") == "dm_closed"

    ix = await d.slash_command("bob", "checkin status")
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{ix.id}")
    told = await ix.wait_followup()
    status = await ix.wait_followup(after=d.sent.items.index(told) + 1)
    assert told.ephemeral and told.content == texts.DMS_CLOSED
    assert status.ephemeral and status.content.startswith("Your check-ins are on")


async def test_moderators_are_told_when_the_crisis_follow_up_could_not_be_delivered(
    d: DiscordStandIn, tmp_path: Path
) -> None:
    general = d.world.channel("general").id
    async with running_bot(d, tmp_path, scan_channel_ids=[general]) as bot:
        d.close_dms_for("alice")
        await d.send_message("general", "alice", CRISIS)
        await bot.handled(lambda e: isinstance(e, IncomingMessage) and not e.is_direct)
        notice = await d.wait_for_message(
            lambda m: "could not reach the member" in m.content, channel="moderators")
        assert "their private messages are closed" in notice.content and not notice.pings
        assert await _outbox(bot, "crisis.resource") == [("failed", "dm_closed", 1)]
        assert not d.sent.matching(lambda m: m.channel_id == general)  # silent in the room


async def test_a_429_storm_is_waited_out_as_told_then_everything_arrives(
    d: DiscordStandIn, bot: Bot
) -> None:
    d.force_429(7, retry_after=0.05, route=MESSAGES)
    await d.send_dm("alice", "help")
    await bot.handled(lambda e: isinstance(e, IncomingMessage))
    # discord.py waited out five 429s, then gave up: the outbox keeps it for later...
    assert await _outbox(bot, "reply") == [("pending", "rate_limited", 1)]
    await bot.app.advance(timedelta(seconds=3))
    assert await _outbox(bot, "reply") == [("delivered", None, 2)]
    # ...and every retry came no sooner than retry_after.
    posts = d.calls.matching(lambda c: c.route == MESSAGES)
    assert [c.status for c in posts] == [429] * 7 + [200]
    gaps = [b.at - a.at for a, b in itertools.pairwise(posts)]
    assert min(gaps) >= 0.05  # discord.py sleeps retry_after after every 429, even its last
    assert d.stats.forced_429 == 7


async def test_a_long_retry_after_is_kept_by_the_outbox_not_by_a_sleeping_sender(
    d: DiscordStandIn, bot: Bot
) -> None:
    d.force_429(1, retry_after=40.0, route=MESSAGES)  # longer than discord.py may wait
    await d.send_dm("alice", "help")
    await bot.handled(lambda e: isinstance(e, IncomingMessage))
    assert await _outbox(bot, "reply") == [("pending", "rate_limited", 1)]
    await bot.app.advance(timedelta(seconds=39))
    assert await _outbox(bot, "reply") == [("pending", "rate_limited", 1)]
    await bot.app.advance(timedelta(seconds=2))
    assert await _outbox(bot, "reply") == [("delivered", None, 2)]


async def test_lost_access_is_forbidden_and_not_retried(d: DiscordStandIn, bot: Bot) -> None:
    d.forbid_channel("checkins")
    room = RoomRef("discord", str(d.world.channel("checkins").id))
    with pytest.raises(PermanentDeliveryError) as caught:
        await bot.adapter.send(OutgoingMessage(room, "hello"))
    assert caught.value.code == "forbidden"
    assert len(d.calls.matching(lambda c: c.route == MESSAGES)) == 1


async def test_dm_channels_are_opened_once_and_remembered_across_restarts(
    d: DiscordStandIn, tmp_path: Path
) -> None:
    bob = UserRef("discord", str(d.world.user("bob").id))
    async with running_bot(d, tmp_path) as bot:
        await bot.adapter.send(OutgoingMessage(bob, "one"))
        await bot.adapter.send(OutgoingMessage(bob, "two"))
        await d.send_dm("outsider", "help")  # a member's own DM teaches the channel too
        await bot.handled(lambda e: isinstance(e, IncomingMessage))
    async with running_bot(d, tmp_path) as bot:
        await bot.adapter.send(OutgoingMessage(bob, "three"))
    assert len(d.calls.matching(lambda c: c.route == OPEN_DM)) == 1
    assert [m.content for m in d.sent if m.recipient_id == int(bob.id)] == [
        "one", "two", "three"]
    assert d.sent.matching(lambda m: m.recipient_id == d.world.user("outsider").id)
