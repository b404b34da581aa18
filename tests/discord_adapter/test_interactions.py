"""Interactions: acknowledged at once, answered by followup; buttons and forms that outlive the
process; the connection surviving Discord's restarts; the intents asked for."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.checkins import texts
from bot.events import ButtonPressed, IncomingMessage, OutgoingMessage
from bot.identity import UserRef
from bot.ports import ManualClock
from tests.discord_standin import DiscordStandIn
from tests.discord_standin.payloads import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_MESSAGE_CONTENT,
)
from tests.fakes import START

from .harness import (
    MOOD_4,
    NOTE_FORM,
    NOTE_MODAL,
    Bot,
    checkin_prompt,
    running_bot,
    start_checkins,
)

PRIVILEGED = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


async def test_an_interaction_is_deferred_before_the_core_sees_it_then_followed_up(
    d: DiscordStandIn, bot: Bot
) -> None:
    ix = await d.slash_command("alice", "checkin status")
    await bot.event(lambda e: isinstance(e, IncomingMessage))
    deferred = d.callbacks.matching(lambda c: c.interaction_id == ix.id)
    assert [c.type for c in deferred] == [5] and deferred[0].elapsed < 3.0  # acked first
    assert not d.sent.matching(lambda m: m.interaction_id == ix.id and m.source == "followup")
    await bot.app.settle()
    answer = await ix.wait_followup()
    assert answer.kind == "edit" and answer.message_id == ix.original_id and answer.ephemeral


async def test_an_answer_later_than_the_interaction_token_goes_by_dm(
    d: DiscordStandIn, bot: Bot
) -> None:
    ix = await d.slash_command("alice", "checkin status")
    await bot.event(lambda e: isinstance(e, IncomingMessage))
    bot.clock.advance(timedelta(minutes=15))
    mark = d.sent.mark()
    await bot.app.settle()
    dm = await d.wait_for_message(lambda m: m.is_dm, after=mark)
    assert dm.recipient_id == bot.user_id("alice") and dm.source == "channel"
    assert not d.sent.matching(lambda m: m.interaction_id == ix.id and m.source == "followup")


async def test_buttons_and_forms_still_work_after_the_bot_restarts(
    d: DiscordStandIn, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    async with running_bot(d, tmp_path, clock=clock) as bot:
        await start_checkins(bot, "alice")
        prompt = await checkin_prompt(bot, "alice")

    async with running_bot(d, tmp_path, clock=clock) as bot:  # a new process, new client
        click = await d.click_button("alice", prompt.message_id, MOOD_4)
        await bot.handled(lambda e: isinstance(e, ButtonPressed))
        assert (await click.wait_followup()).content.startswith(texts.THANKS)
        form = await d.click_button("alice", prompt.message_id, NOTE_FORM)
        assert (await form.wait_response()).type == 9

    async with running_bot(d, tmp_path, clock=clock) as bot:  # the form outlived it too
        submitted = await d.submit_modal("alice", NOTE_MODAL, {"text": "a quiet day"})
        await bot.handled(lambda e: isinstance(e, ButtonPressed))
        assert (await submitted.wait_followup()).content == texts.NOTE_KEPT
        syncs = d.calls.matching(lambda c: c.route.startswith("PUT /applications"))
        assert len(syncs) == 1  # commands unchanged: synced by the first run only


async def test_slash_commands_work_in_a_dm_and_teach_the_dm_channel(
    d: DiscordStandIn, bot: Bot
) -> None:
    ix = await d.slash_command("outsider", "checkin status", guild=False)
    await bot.handled(lambda e: isinstance(e, IncomingMessage))
    assert (await ix.wait_followup()).content
    outsider = UserRef("discord", str(bot.user_id("outsider")))
    await bot.adapter.send(OutgoingMessage(outsider, "later"))
    assert not d.calls.matching(lambda c: c.route == "POST /users/@me/channels")
    assert d.sent[-1].recipient_id == int(outsider.id)


async def test_discord_restarting_under_the_bot_is_survived(d: DiscordStandIn, bot: Bot) -> None:
    mark = d.gateway_events.mark()
    await d.restart()
    await d.wait_for_gateway("invalid_session", after=mark)
    await d.wait_for_gateway("ready", after=mark)
    bot.assert_alive()
    ix = await d.slash_command("alice", "checkin status")
    await bot.handled(lambda e: isinstance(e, IncomingMessage))
    assert (await ix.wait_followup()).ephemeral


async def test_intents_are_minimal_unless_channels_are_scanned(
    d: DiscordStandIn, bot: Bot, tmp_path: Path
) -> None:
    identify = await d.wait_for_gateway("identify")
    intents = identify.detail["intents"]
    assert intents & PRIVILEGED == 0 and intents & INTENT_GUILD_MESSAGES == 0
    assert intents & INTENT_DIRECT_MESSAGES

    general = d.world.channel("general").id
    mark = d.gateway_events.mark()
    (tmp_path / "scan").mkdir()
    async with running_bot(d, tmp_path / "scan", scan_channel_ids=[general]):
        scanning = (await d.wait_for_gateway("identify", after=mark)).detail["intents"]
    assert scanning & PRIVILEGED == INTENT_MESSAGE_CONTENT
    assert scanning & INTENT_GUILD_MESSAGES


async def test_guild_messages_outside_scanned_channels_are_ignored(
    d: DiscordStandIn, tmp_path: Path
) -> None:
    checkins = d.world.channel("checkins").id
    async with running_bot(d, tmp_path, scan_channel_ids=[checkins]) as bot:
        await d.send_message("general", "alice", "!help")
        await d.send_message("checkins", "alice", "hello all")
        seen = await bot.event()
        assert isinstance(seen, IncomingMessage) and not seen.is_direct
        assert seen.room.id == str(checkins) and len(bot.adapter.events) == 1
