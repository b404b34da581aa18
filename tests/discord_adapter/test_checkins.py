"""Check-ins on Discord: the slash command with zone autocomplete, the DM, buttons and the form."""

from __future__ import annotations

from bot.checkins import texts
from bot.events import ButtonPressed, IncomingMessage
from tests.discord_standin import DiscordStandIn

from .harness import MOOD_4, NOTE_FORM, NOTE_MODAL, Bot, checkin_prompt, start_checkins

DEFERRED, DEFERRED_UPDATE, MODAL = 5, 6, 9


async def test_checkin_start_with_zone_autocomplete(d: DiscordStandIn, bot: Bot) -> None:
    typed = await d.autocomplete("alice", "checkin start", {"zone": "helsin"}, focused="zone")
    offered = await typed.wait_response()
    assert offered.type == 8
    assert offered.choices == [{"name": "Europe/Helsinki", "value": "Europe/Helsinki"}]

    ix = await d.slash_command("alice", "checkin start",
                               {"time": "10:30", "zone": "Europe/Helsinki"})
    deferred = await ix.wait_response()
    assert (deferred.type, deferred.ephemeral) == (DEFERRED, True)
    assert deferred.elapsed < 3.0
    command = await bot.handled(lambda e: isinstance(e, IncomingMessage))
    assert isinstance(command, IncomingMessage)
    assert command.text == "checkin start 10:30 Europe/Helsinki" and command.is_direct
    answer = await ix.wait_followup()
    assert answer.ephemeral and answer.kind == "edit"  # it replaced the "thinking" message
    assert "every day at 10:30 (Europe/Helsinki)" in answer.content
    assert not answer.pings


async def test_every_listed_command_is_a_slash_command(d: DiscordStandIn, bot: Bot) -> None:
    synced = d.state.commands[None]
    checkin = {o["name"]: o for o in synced["checkin"]["options"]}
    assert {"start", "time", "zone", "days", "pause", "resume", "stop", "status",
            "stats"} <= set(checkin)
    assert "mood" not in checkin  # hidden: reached by buttons
    zone = next(o for o in checkin["start"]["options"] if o["name"] == "zone")
    assert zone["autocomplete"] is True
    resolve = {o["name"]: o for o in synced["mod"]["options"]}["resolve"]
    outcome = next(o for o in resolve["options"] if o["name"] == "outcome")
    assert [c["value"] for c in outcome["choices"]] == [
        "reached-out", "emergency-services", "no-action-needed", "false-alarm"]
    assert {"help", "mydata", "forget", "mod", "checkin"} <= set(synced)
    assert all(c["default_member_permissions"] is None for c in synced.values())


async def test_checkin_dm_answered_by_button_then_by_a_note_in_a_form(
    d: DiscordStandIn, bot: Bot
) -> None:
    await start_checkins(bot, "alice")
    prompt = await checkin_prompt(bot, "alice")
    assert prompt.is_dm and not prompt.pings
    assert NOTE_FORM in prompt.custom_ids

    click = await d.click_button("alice", prompt.message_id, MOOD_4)
    assert (await click.wait_response()).type == DEFERRED_UPDATE
    press = await bot.handled(lambda e: isinstance(e, ButtonPressed))
    assert isinstance(press, ButtonPressed) and press.command == MOOD_4.removeprefix("pl:")
    thanks = await click.wait_followup()
    assert thanks.ephemeral and thanks.content.startswith(texts.THANKS)

    form = await d.click_button("alice", thanks.message_id, NOTE_FORM)
    shown = await form.wait_response()
    assert shown.type == MODAL and shown.data["custom_id"] == NOTE_MODAL
    submitted = await d.submit_modal("alice", NOTE_MODAL, {"text": "slept a bit better"})
    assert (await submitted.wait_response()).type == DEFERRED_UPDATE
    await bot.handled(lambda e: isinstance(e, ButtonPressed) and e.text is not None)
    kept = await submitted.wait_followup()
    assert kept.ephemeral and kept.content == texts.NOTE_KEPT

    async with bot.app.core.db.read() as tx:
        row = await tx.fetchone("SELECT mood, note FROM checkins WHERE user = ?",
                                (f"discord:{bot.user_id('alice')}",))
    assert tuple(row) == (4, "slept a bit better")


async def test_typed_commands_and_numbers_work_in_dms(d: DiscordStandIn, bot: Bot) -> None:
    """The fallback without interactions: a DM is read as a command, a bare number answers
    the newest buttons."""
    await start_checkins(bot, "bob")
    await checkin_prompt(bot, "bob")
    mark = d.sent.mark()
    await d.send_dm("bob", "3")
    await bot.handled(lambda e: isinstance(e, IncomingMessage) and e.text == "3")
    thanks = await d.wait_for_message(lambda m: m.is_dm, after=mark)
    assert thanks.source == "channel" and thanks.content.startswith(texts.THANKS)
    mark = d.sent.mark()
    await d.send_dm("bob", "checkin status")
    await bot.handled(lambda e: isinstance(e, IncomingMessage) and e.text == "checkin status")
    status = await d.wait_for_message(lambda m: m.is_dm, after=mark)
    assert "3 · okay" in status.content


async def test_mydata_comes_privately_as_a_file(d: DiscordStandIn, bot: Bot) -> None:
    await start_checkins(bot, "alice")
    ix = await d.slash_command("alice", "mydata")
    await bot.handled(lambda e: getattr(e, "reply_token", None) == f"ix:{ix.id}")
    export = await ix.wait_followup()
    assert export.ephemeral and [f.filename for f in export.files] == ["porchlight-mydata.json"]
    assert f"discord:{bot.user_id('alice')}" in export.files[0].data.decode()
