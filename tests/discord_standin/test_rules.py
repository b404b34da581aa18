"""Discord rules the stand-in enforces, observed through the real discord.py client."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import discord
import pytest

from .probe_bot import MOOD_ID, Probe, make_intents, running_probe
from .server import DiscordStandIn

MESSAGES_ROUTE = "POST /channels/{channel_id}/messages"


def _text_channel(standin: DiscordStandIn, probe: Probe, key: str) -> discord.TextChannel:
    channel = probe.client.get_channel(standin.world.channel(key).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_replies_are_exact_json_with_rate_limit_headers(standin: DiscordStandIn):
    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": f"Bot {standin.token}"}
        async with http.get(f"{standin.api_base}/users/@me", headers=auth) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
                assert f"X-RateLimit-{name}" in resp.headers
        async with http.get(f"{standin.api_base}/users/@me") as resp:
            assert resp.status == 401
    assert standin.stats.invalid_requests == 1


async def test_global_limit_429_is_honoured_then_everything_arrives(
    standin: DiscordStandIn, probe: Probe
):
    standin.rate_limits(global_per_second=10, global_burst=1)
    channel = _text_channel(standin, probe, "general")
    sent = await asyncio.gather(*(channel.send(f"wave {i}") for i in range(3)))
    assert sorted(m.content for m in sent) == ["wave 0", "wave 1", "wave 2"]
    assert standin.stats.global_429 >= 1
    rejected = next(c for c in standin.calls if c.status == 429)
    assert rejected.response["global"] is True and rejected.response["retry_after"] > 0
    probe.assert_alive()


async def test_route_bucket_headers_let_discord_py_wait_without_429(
    standin: DiscordStandIn, probe: Probe
):
    standin.rate_limits(global_per_second=None, per_route={MESSAGES_ROUTE: (2, 0.1)})
    channel = _text_channel(standin, probe, "checkins")
    for i in range(3):  # the 3rd needs a new window: discord.py must wait for it, unasked
        await channel.send(f"paced {i}")
    assert standin.stats.served_429 == 0
    assert len(standin.sent.matching(lambda m: m.content.startswith("paced"))) == 3
    probe.assert_alive()


async def test_intents_decide_members_and_message_content(standin: DiscordStandIn):
    world = standin.world
    intents = make_intents(members=False, message_content=False)
    async with running_probe(standin.token, world.moderator_role_id, intents) as probe:
        guild = probe.client.get_guild(world.guild.id)
        assert guild is not None and [m.id for m in guild.members] == [world.bot.id]
        assert guild.member_count == len(world.guild.members)
        await standin.send_message("general", "alice", "private words")
        assert (await probe.messages.get()).content == ""
        await standin.send_message("general", "alice", f"<@{world.bot.id}> help")
        assert (await probe.messages.get()).content.endswith("help")
        await standin.send_dm("alice", "in a DM")
        assert (await probe.messages.get()).content == "in a DM"
        probe.assert_alive()


async def test_late_response_is_unknown_interaction(standin: DiscordStandIn, probe: Probe):
    standin.state.ack_deadline = 0.0  # every answer is "too late"
    ix = await standin.slash_command("alice", "checkin", {"mood": 1})
    answer = await ix.wait_response()
    assert answer.status == 404 and ix.acked_type is None
    probe.assert_alive()


async def test_second_response_is_rejected_with_40060(standin: DiscordStandIn, probe: Probe):
    ix = await standin.slash_command("alice", "checkin", {"mood": 3})
    await ix.wait_response()
    url = f"{standin.api_base}/interactions/{ix.id}/{ix.token}/callback"
    async with aiohttp.ClientSession() as http, http.post(url, json={"type": 6}) as resp:
        assert resp.status == 400
        assert (await resp.json())["code"] == 40060
    probe.assert_alive()


async def test_followup_after_public_defer_is_public(standin: DiscordStandIn, probe: Probe):
    ix = await standin.slash_command("alice", "public_slow")
    follow = await ix.wait_followup()
    assert follow.body["flags"] & 64  # the bot asked for ephemeral...
    assert not follow.ephemeral  # ...but the defer already decided: everyone sees it
    probe.assert_alive()


async def test_original_edit_and_plain_followup(standin: DiscordStandIn, probe: Probe):
    ix = await standin.slash_command("bob", "steps")
    edit = await ix.wait_edit()
    assert (edit.content, edit.source, edit.message_id) == ("step 2", "original", ix.original_id)
    follow = await ix.wait_followup()
    assert follow.kind == "create" and follow.ephemeral and follow.content == "step 3"
    probe.assert_alive()


async def test_select_updates_message(standin: DiscordStandIn, probe: Probe):
    await (await standin.slash_command("alice", "panel")).wait_response()
    panel = await standin.wait_for_message(lambda m: MOOD_ID in m.custom_ids)
    ix = await standin.choose("alice", panel.message_id, MOOD_ID, ["4"])
    answer = await ix.wait_response()
    assert answer.type == 7
    assert standin.state.messages.by_id[panel.message_id]["content"] == "mood 4 noted"
    probe.assert_alive()


async def test_dm_slash_command_carries_user_not_member(standin: DiscordStandIn, probe: Probe):
    ix = await standin.slash_command("outsider", "witness", {"partner": "bob"}, guild=False)
    assert "user" in ix.payload and "member" not in ix.payload and ix.payload["context"] == 1
    assert (await ix.wait_response()).content == "paired with bob"
    probe.assert_alive()


async def test_files_edit_reaction_and_delete(standin: DiscordStandIn, probe: Probe):
    channel = _text_channel(standin, probe, "general")
    note = discord.File(io.BytesIO(b"one day at a time"), filename="note.txt")
    message = await channel.send("see attached", file=note)
    assert [a.filename for a in message.attachments] == ["note.txt"]
    await message.edit(content="see attached (edited)")
    await message.add_reaction("\N{WHITE HEAVY CHECK MARK}")
    await message.delete()
    kinds = [(m.kind, m.content) for m in standin.sent if m.message_id == message.id]
    assert [k for k, _ in kinds] == ["create", "edit", "delete"]
    created = standin.sent.matching(lambda m: m.message_id == message.id)[0]
    assert created.files[0].data == b"one day at a time"
    reaction = await standin.wait_for_call(lambda c: "/reactions/" in c.path)
    assert reaction.params["emoji"] == "\N{WHITE HEAVY CHECK MARK}"
    probe.assert_alive()


async def test_bot_receives_its_own_messages_but_not_ephemeral_ones(
    standin: DiscordStandIn, probe: Probe
):
    """Discord echoes the bot's messages over the gateway: handlers must ignore them."""
    client = probe.client
    ix = await standin.slash_command("alice", "checkin", {"mood": 3})  # ephemeral answer
    await ix.wait_response()
    mine = asyncio.ensure_future(
        client.wait_for("message", check=lambda m: m.author == client.user)
    )
    sent = await _text_channel(standin, probe, "general").send("echo me")
    assert (await asyncio.wait_for(mine, 5)).id == sent.id  # echoes go out in order, so...
    creates = [
        e.detail["d"]["id"]
        for e in standin.gateway_events
        if e.kind == "dispatch" and e.detail["t"] == "MESSAGE_CREATE"
    ]
    assert str(ix.original_id) not in creates  # ...the ephemeral answer was never echoed
    probe.assert_alive()


async def test_reconnect_opcode_and_invalid_session_are_survived(
    standin: DiscordStandIn, probe: Probe
):
    mark = standin.gateway_events.mark()
    await standin.request_reconnect()
    await standin.wait_for_gateway("resumed", after=mark)
    mark = standin.gateway_events.mark()
    await standin.invalidate_session()
    await standin.wait_for_gateway("ready", after=mark)
    await standin.send_message("general", "alice", "still there?")
    assert (await probe.messages.get()).content == "still there?"
    probe.assert_alive()


async def test_heartbeats_are_acknowledged():
    async with DiscordStandIn(heartbeat_interval_ms=30) as d:
        with d.point_discord_py_here():
            async with running_probe(d.token, d.world.moderator_role_id) as probe:
                first = await d.wait_for_gateway("heartbeat")  # sent right after HELLO
                after = d.gateway_events.items.index(first) + 1
                await d.wait_for_gateway("heartbeat", after=after)  # the periodic one
                assert probe.client.latency < 1.0  # measured from our HEARTBEAT_ACKs
                probe.assert_alive()


async def test_forbidden_channel_answers_403_missing_access(standin: DiscordStandIn, probe: Probe):
    standin.forbid_channel("checkins")
    with pytest.raises(discord.Forbidden) as caught:
        await _text_channel(standin, probe, "checkins").send("hello")
    assert caught.value.code == 50001
    assert standin.stats.invalid_requests == 1 and standin.stats.closed_dm_403 == 0
    probe.assert_alive()
