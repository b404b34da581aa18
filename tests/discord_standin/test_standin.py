"""Smoke tests: the real discord.py client against the stand-in, feature by feature.

Every test ends with ``probe.assert_alive()`` (and the fixture checks again): a payload
discord.py cannot parse kills its connect() task without any error reaching the test.
"""

from __future__ import annotations

import discord
import pytest

from .probe_bot import ACK_ID, NOTE_ID, NOTE_MODAL_ID, NOTE_TEXT_ID, Probe
from .server import DiscordStandIn

EPHEMERAL = 64


async def test_ready_shows_guild_roles_and_members(standin: DiscordStandIn, probe: Probe):
    world = standin.world
    guild = probe.client.get_guild(world.guild.id)
    assert guild is not None
    roles = {r.id: r.name for r in guild.roles}
    decoy = world.role("fake_moderator")
    assert roles[world.moderator_role_id] == "Porch Stewards"
    assert roles[decoy.id] == "Moderator" and decoy.id != world.moderator_role_id
    sam = guild.get_member(world.user("sam").id)
    assert sam is not None and world.moderator_role_id in [r.id for r in sam.roles]
    assert guild.get_channel(world.mod_channel_id) is not None
    assert len(guild.members) == len(world.guild.members)  # chunked via op 8
    probe.assert_alive()


async def test_guild_message_reaches_on_message_and_reply_is_recorded(
    standin: DiscordStandIn, probe: Probe
):
    injected = await standin.send_message("general", "alice", "!echo hello porch")
    seen = await probe.messages.get()
    assert seen.content == "!echo hello porch" and isinstance(seen.author, discord.Member)
    reply = await standin.wait_for_message(channel="general")
    assert reply.content == "hello porch"
    assert int(reply.body["message_reference"]["message_id"]) == int(injected["id"])
    assert reply.allowed_mentions == {"parse": []}
    assert not reply.pings  # AllowedMentions.none(): not even the replied-to author
    probe.assert_alive()


async def test_dm_reaches_on_message_and_reply_goes_to_dm(standin: DiscordStandIn, probe: Probe):
    await standin.send_dm("outsider", "is anyone there?")
    seen = await probe.messages.get()
    assert isinstance(seen.channel, discord.DMChannel)
    reply = await standin.wait_for_message(lambda m: m.is_dm)
    assert reply.content == "got your DM"
    assert reply.recipient_id == standin.world.user("outsider").id
    probe.assert_alive()


async def test_bot_opens_dm_channel_and_sends(standin: DiscordStandIn, probe: Probe):
    bob = await probe.client.fetch_user(standin.world.user("bob").id)
    await bob.send("your witness checked in")
    opened = await standin.wait_for_call(lambda c: c.route == "POST /users/@me/channels")
    assert opened.json == {"recipient_id": bob.id}
    sent = await standin.wait_for_message(lambda m: m.recipient_id == bob.id)
    assert sent.content == "your witness checked in" and sent.is_dm
    probe.assert_alive()


async def test_tree_sync_registers_global_and_guild_commands(
    standin: DiscordStandIn, probe: Probe
):
    synced = await probe.tree.sync()
    names = {"checkin", "slow", "public_slow", "steps", "witness", "panel", "stewards"}
    assert {c.name for c in synced} == names
    stored = standin.state.commands[None]
    assert {c.id for c in synced} == {int(c["id"]) for c in stored.values()}
    guild = discord.Object(standin.world.guild.id)
    probe.tree.copy_global_to(guild=guild)
    assert len(await probe.tree.sync(guild=guild)) == len(names)
    probe.assert_alive()


async def test_slash_command_answered_ephemerally_by_role_id(
    standin: DiscordStandIn, probe: Probe
):
    await probe.tree.sync()
    steward = await standin.slash_command("sam", "checkin", {"mood": 4})
    decoy = await standin.slash_command("pat", "checkin", {"mood": 2})
    answer = await steward.wait_response()
    assert (answer.type, answer.flags & EPHEMERAL) == (4, EPHEMERAL)
    assert answer.content == "mood 4 logged; steward=True"
    assert (await decoy.wait_response()).content == "mood 2 logged; steward=False"
    probe.assert_alive()


async def test_subcommand_with_member_option(standin: DiscordStandIn, probe: Probe):
    await probe.tree.sync()
    ix = await standin.slash_command("alice", "stewards page", {"who": "sam"})
    assert (await ix.wait_response()).content == "paging Sam"
    probe.assert_alive()


async def test_deferred_then_followup_replaces_thinking_message(
    standin: DiscordStandIn, probe: Probe
):
    ix = await standin.slash_command("alice", "slow")
    deferred = await ix.wait_response()
    assert deferred.type == 5 and deferred.ephemeral
    thinking = await standin.wait_for_message(lambda m: m.interaction_id == ix.id)
    assert thinking.flags == 64 | 128  # ephemeral + loading: "Porchlight is thinking..."
    follow = await ix.wait_followup()
    assert follow.content == "done thinking" and follow.ephemeral
    assert follow.kind == "edit" and follow.message_id == ix.original_id
    probe.assert_alive()


async def test_autocomplete_answered_with_choices(standin: DiscordStandIn, probe: Probe):
    await probe.tree.sync()
    ix = await standin.autocomplete("alice", "witness", {"partner": "b"}, focused="partner")
    answer = await ix.wait_response()
    assert answer.type == 8
    assert answer.choices == [{"name": "bob", "value": "bob"}]
    probe.assert_alive()


async def test_persistent_button_on_old_message(standin: DiscordStandIn, probe: Probe):
    """A panel posted before a restart: only the persistent view can answer its button."""
    components = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 3, "label": "I'm okay", "custom_id": ACK_ID},
                {"type": 2, "style": 2, "label": "Leave a note", "custom_id": NOTE_ID},
            ],
        }
    ]
    panel = standin.seed_bot_message("checkins", "Check in below", components)
    ix = await standin.click_button("alice", panel.message_id, ACK_ID)
    answer = await ix.wait_response()
    assert answer.type == 4 and answer.ephemeral and answer.content == "noted, thank you"
    probe.assert_alive()


async def test_button_from_panel_command_opens_modal_and_submit(
    standin: DiscordStandIn, probe: Probe
):
    await (await standin.slash_command("alice", "panel")).wait_response()
    panel = await standin.wait_for_message(lambda m: NOTE_ID in m.custom_ids)
    assert not panel.ephemeral
    click = await standin.click_button("bob", panel.message_id, NOTE_ID)
    shown = await click.wait_response()
    assert shown.type == 9 and shown.data["custom_id"] == NOTE_MODAL_ID
    assert NOTE_TEXT_ID in shown.custom_ids
    submit = await standin.submit_modal("bob", NOTE_MODAL_ID, {NOTE_TEXT_ID: "rough day"})
    saved = await submit.wait_response()
    assert saved.type == 4 and saved.ephemeral and saved.content == "saved: rough day"
    probe.assert_alive()


async def test_closed_dms_surface_as_forbidden_50007(standin: DiscordStandIn, probe: Probe):
    standin.close_dms_for("bob")
    bob = await probe.client.fetch_user(standin.world.user("bob").id)
    with pytest.raises(discord.Forbidden) as caught:
        await bob.send("are you okay?")
    assert caught.value.code == 50007
    assert standin.stats.closed_dm_403 == 1 and standin.stats.invalid_requests == 1
    probe.assert_alive()


async def test_forced_429_is_retried_by_discord_py(standin: DiscordStandIn, probe: Probe):
    channel = probe.client.get_channel(standin.world.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    standin.force_429(1, retry_after=0.05, route="POST /channels/{channel_id}/messages")
    message = await channel.send("after the storm")
    assert message.content == "after the storm"
    statuses = [c.status for c in standin.calls if c.route.startswith("POST /channels/")]
    assert statuses == [429, 200]
    assert standin.stats.forced_429 == 1 and standin.stats.invalid_requests == 1
    probe.assert_alive()


async def test_reconnect_resumes_and_replays_missed_events(standin: DiscordStandIn, probe: Probe):
    mark = standin.gateway_events.mark()
    await standin.close_gateway()
    await standin.send_message("general", "bob", "sent while you were away")
    resumed = await standin.wait_for_gateway("resumed", after=mark)
    assert resumed.detail["replayed"] >= 1
    assert (await probe.messages.get()).content == "sent while you were away"
    probe.assert_alive()


async def test_restart_forces_identify_and_bot_keeps_working(
    standin: DiscordStandIn, probe: Probe
):
    mark = standin.gateway_events.mark()
    await standin.restart()
    await standin.wait_for_gateway("invalid_session", after=mark)
    await standin.wait_for_gateway("ready", after=mark)
    ix = await standin.slash_command("sam", "checkin", {"mood": 5})
    assert (await ix.wait_response()).type == 4
    probe.assert_alive()


async def test_unknown_route_is_recorded(standin: DiscordStandIn, probe: Probe):
    with pytest.raises(discord.NotFound):
        await probe.client.fetch_guild(standin.world.guild.id)
    unknown = await standin.unknown_calls.wait_for()
    assert unknown.method == "GET" and unknown.path.endswith(f"/guilds/{standin.world.guild.id}")
    probe.assert_alive()
