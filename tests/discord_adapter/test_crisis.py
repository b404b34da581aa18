"""Crisis on Discord: a DM pages the moderator channel (pinging only the moderator role), a
moderator claims with the button, and a role merely *named* "Moderator" gets nothing."""

from __future__ import annotations

import logging

import pytest

from bot import texts
from bot.events import ButtonPressed, IncomingMessage
from tests.discord_standin import DiscordStandIn, SentMessage

from .harness import CRISIS, NOTE_FORM, NOTE_MODAL, Bot, checkin_prompt, start_checkins

CLAIM = "pl:mod claim 1"


async def _page(d: DiscordStandIn, bot: Bot, who: str = "alice") -> SentMessage:
    mark = d.sent.mark()
    await d.send_dm(who, CRISIS)
    await bot.handled(lambda e: isinstance(e, IncomingMessage) and e.text == CRISIS)
    return await d.wait_for_message(lambda m: CLAIM in m.custom_ids, after=mark,
                                    channel="moderators")


async def test_a_crisis_in_a_dm_pages_the_moderator_channel_and_a_moderator_claims(
    d: DiscordStandIn, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    world = d.world
    page = await _page(d, bot)
    role = world.moderator_role_id
    assert page.content.startswith(f"<@&{role}>\n🔴 Crisis #1")
    assert (page.pings.roles, page.pings.users, page.pings.everyone) == ([role], [], False)
    allowed = page.allowed_mentions or {}
    assert allowed["parse"] == [] and [int(r) for r in allowed["roles"]] == [role]
    assert f"Member: <@{world.user('alice').id}>" in page.content
    assert f"||{CRISIS}||" in page.content  # behind the content warning (a spoiler)
    resource = await d.wait_for_message(lambda m: m.recipient_id == world.user("alice").id)
    assert resource.content == bot.app.settings.crisis.resource_message

    claim = await d.click_button("sam", page.message_id, CLAIM)
    assert (await claim.wait_response()).type == 6
    await bot.handled(lambda e: isinstance(e, ButtonPressed))
    claimed = await claim.wait_followup()
    assert not claimed.ephemeral and claimed.channel_id == world.mod_channel_id
    assert claimed.content.startswith("You have #1.")
    assert "pl:mod resolve 1 reached-out" in claimed.custom_ids
    assert not claimed.pings

    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert CRISIS not in log_text and d.token not in log_text


async def test_a_role_merely_named_moderator_is_refused(d: DiscordStandIn, bot: Bot) -> None:
    page = await _page(d, bot)
    decoy = await d.click_button("pat", page.message_id, CLAIM)
    await bot.handled(lambda e: isinstance(e, ButtonPressed))
    refused = await decoy.wait_followup()
    assert refused.ephemeral and refused.content == texts.MODERATORS_ONLY
    async with bot.app.core.db.read() as tx:
        assert await tx.scalar("SELECT status FROM escalations WHERE id = 1") == "open"

    queue = await d.slash_command("pat", "mod queue", channel="moderators")
    assert (await queue.wait_response()).ephemeral
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{queue.id}")
    assert (await queue.wait_followup()).content == texts.MODERATORS_ONLY


async def test_a_moderator_command_in_the_moderator_channel_is_answered_for_the_room(
    d: DiscordStandIn, bot: Bot
) -> None:
    await _page(d, bot)
    queue = await d.slash_command("sam", "mod queue", channel="moderators")
    deferred = await queue.wait_response()
    assert deferred.type == 5 and not deferred.ephemeral
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{queue.id}")
    answer = await queue.wait_followup()
    assert not answer.ephemeral and answer.content.startswith("• #1 crisis · unclaimed")

    elsewhere = await d.slash_command("sam", "mod queue", channel="general")
    assert (await elsewhere.wait_response()).ephemeral  # in #general it stays private
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{elsewhere.id}")
    assert (await elsewhere.wait_followup()).ephemeral


async def test_everyone_in_a_note_pings_no_one(
    d: DiscordStandIn, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """The note reaches moderators (it is crisis language) but notifies only their role."""
    caplog.set_level(logging.DEBUG)
    role, sam = d.world.moderator_role_id, d.world.user("sam").id
    note = f"@everyone @here <@&{role}> <@{sam}> {CRISIS}"
    await start_checkins(bot, "alice")
    prompt = await checkin_prompt(bot, "alice")
    form = await d.click_button("alice", prompt.message_id, NOTE_FORM)
    await form.wait_response()
    mark = d.sent.mark()
    submitted = await d.submit_modal("alice", NOTE_MODAL, {"text": note})
    await bot.handled(lambda e: isinstance(e, ButtonPressed) and e.text == note)
    page = await d.wait_for_message(lambda m: CLAIM in m.custom_ids, after=mark)
    assert "@\u200beveryone" in page.content and "<\u200b@&" in page.content
    assert page.pings.roles == [role] and not page.pings.users and not page.pings.everyone
    await submitted.wait_followup()
    for sent in d.sent:
        assert not sent.pings.everyone and not sent.pings.users
        assert set(sent.pings.roles) <= {role}
    assert note not in "\n".join(r.getMessage() for r in caplog.records)
