"""The harness against a real Synapse: the things the Matrix adapter's tests will rely on."""

from __future__ import annotations

import math
import urllib.request
from pathlib import Path

import psutil
import pytest
from nio import AsyncClient, RoomSendError, WhoamiResponse

from tests.matrix_harness.clients import HarnessError
from tests.matrix_harness.fixtures import ClientMaker, ServerMaker, UserMaker
from tests.matrix_harness.rooms import (
    MEGOLM,
    create_room,
    invite_and_join,
    is_moderator,
    power_level,
    raw_event,
    room_state,
    send_reaction,
    send_text,
    set_display_name,
)
from tests.matrix_harness.synapse import SynapseServer, SynapseStartError
from tests.matrix_harness.sync import (
    Predicate,
    membership,
    reaction,
    sync_once,
    text_message,
    wait_for_event,
)

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_server_answers_health_on_loopback_only(synapse: SynapseServer) -> None:
    with NO_PROXY.open(f"{synapse.base_url}/health", timeout=5) as resp:
        assert resp.status == 200
        assert resp.read() == b"OK"
    assert synapse.pid is not None
    listening = [
        conn.laddr
        for conn in psutil.Process(synapse.pid).net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    ]
    assert listening, "Synapse listens on nothing"
    assert {addr.ip for addr in listening} == {"127.0.0.1"}
    assert {addr.port for addr in listening} == {synapse.port}


async def test_register_users(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker
) -> None:
    admin = await matrix_user("admin", admin=True)
    member = await matrix_user("member", displayname="Sam")
    assert admin.user_id != member.user_id
    assert member.user_id == f"@{member.localpart}:localhost"
    client = await matrix_client(member)
    whoami = await client.whoami()
    assert isinstance(whoami, WhoamiResponse)
    assert (whoami.user_id, whoami.device_id) == (member.user_id, member.device_id)
    assert (await client.get_displayname()).displayname == "Sam"
    relogged = await matrix_client(member, new_device=True)
    assert relogged.device_id != member.device_id
    with pytest.raises(HarnessError, match="User ID already taken"):
        await synapse.register(member.localpart)
    batch = [f"{member.localpart}-{n}" for n in range(20)]
    many = await synapse.register_many(batch, concurrency=8)
    assert [user.localpart for user in many] == batch
    assert len({user.access_token for user in many}) == 20


async def test_dm_message_and_reaction(matrix_user: UserMaker, matrix_client: ClientMaker) -> None:
    alice = await matrix_client(await matrix_user("alice"))
    bob = await matrix_client(await matrix_user("bob"))
    room_id = await create_room(alice, invite=[bob.user_id], is_direct=True)

    _, invite = await wait_for_event(bob, membership(bob.user_id, "invite"), room_id=room_id)
    assert invite.content.get("is_direct") is True
    await invite_and_join(alice, bob, room_id, already_invited=True)

    message_id = await send_text(alice, room_id, "How are you today?")
    _, message = await wait_for_event(bob, text_message("How are you today?", alice.user_id))
    assert message.event_id == message_id

    await send_reaction(bob, room_id, message_id, "🙂")
    _, seen = await wait_for_event(alice, reaction("🙂", reacts_to=message_id), room_id=room_id)
    assert seen.sender == bob.user_id


async def test_power_levels_moderator_versus_display_name(
    matrix_user: UserMaker, matrix_client: ClientMaker
) -> None:
    owner = await matrix_client(await matrix_user("owner"))
    mod = await matrix_client(await matrix_user("mod"))
    impostor = await matrix_client(await matrix_user("impostor"))
    room_id = await create_room(
        owner, room_version="10", power_users={mod.user_id: 50, impostor.user_id: 0}
    )
    for member in (mod, impostor):
        await invite_and_join(owner, member, room_id)
    await set_display_name(impostor, "Moderator")
    await wait_for_event(owner, _display_name_is(impostor.user_id, "Moderator"), room_id=room_id)

    assert await power_level(owner, room_id, owner.user_id) == 100
    assert await power_level(owner, room_id, mod.user_id) == 50
    assert await power_level(owner, room_id, impostor.user_id) == 0
    assert is_moderator(50) and not is_moderator(0)
    room = owner.rooms[room_id]
    assert room.user_name(impostor.user_id) == "Moderator"
    assert room.power_levels.get_user_level(impostor.user_id) == 0
    assert room.power_levels.get_user_level(mod.user_id) == 50


async def test_room_v12_creator_is_not_in_power_levels(
    matrix_user: UserMaker, matrix_client: ClientMaker
) -> None:
    creator = await matrix_client(await matrix_user("creator"))
    mod = await matrix_client(await matrix_user("mod"))
    room_id = await create_room(creator, room_version="12", power_users={mod.user_id: 50})
    await invite_and_join(creator, mod, room_id)

    state = await room_state(creator, room_id)
    create = next(e for e in state if e["type"] == "m.room.create")
    levels = next(e for e in state if e["type"] == "m.room.power_levels")["content"]
    assert create["content"]["room_version"] == "12"
    assert creator.user_id not in levels["users"]
    assert levels["users"] == {mod.user_id: 50}
    assert await power_level(mod, room_id, creator.user_id) == math.inf
    assert await power_level(mod, room_id, mod.user_id) == 50


async def test_encrypted_dm_round_trip(
    matrix_user: UserMaker, matrix_client: ClientMaker, tmp_path: Path
) -> None:
    bot_user = await matrix_user("bot")
    bot_store = tmp_path / "bot-store"
    bot = await matrix_client(bot_user, encryption=True, store_dir=bot_store)
    member = await matrix_client(await matrix_user("member"), encryption=True)
    room_id = await create_room(member, invite=[bot.user_id], is_direct=True, encrypted=True)
    await invite_and_join(member, bot, room_id, already_invited=True)

    sent_id = await send_text(member, room_id, "checking in: rough day")
    _, got = await wait_for_event(bot, text_message("checking in: rough day"), room_id=room_id)
    assert got.decrypted
    on_the_wire = await raw_event(bot, room_id, sent_id)
    assert on_the_wire["type"] == "m.room.encrypted"
    assert on_the_wire["content"]["algorithm"] == MEGOLM
    assert "rough day" not in str(on_the_wire)
    await send_text(bot, room_id, "Thank you for telling me.")
    _, reply = await wait_for_event(member, text_message("Thank you for telling me."))
    assert reply.decrypted

    reaction_id = await send_reaction(member, room_id, reply.event_id, "💙")  # as Element does
    _, mood = await wait_for_event(bot, reaction("💙", reacts_to=reply.event_id))
    assert mood.decrypted
    stored = await raw_event(bot, room_id, reaction_id)
    assert stored["type"] == "m.room.encrypted"
    assert stored["content"]["m.relates_to"]["event_id"] == reply.event_id  # left in the clear

    await bot.close()  # the bot restarts with the same device and crypto store
    bot = await matrix_client(bot_user, encryption=True, store_dir=bot_store)
    await send_text(member, room_id, "still here")
    _, again = await wait_for_event(bot, text_message("still here"), room_id=room_id)
    assert again.decrypted


async def test_restart_keeps_port_and_data(
    synapse_factory: ServerMaker, matrix_user: UserMaker, matrix_client: ClientMaker
) -> None:
    server = await synapse_factory()
    alice = await matrix_client(await matrix_user("alice", server=server), server=server)
    bob = await matrix_client(await matrix_user("bob", server=server), server=server)
    room_id = await create_room(alice, invite=[bob.user_id])
    await invite_and_join(alice, bob, room_id, already_invited=True)
    port = server.port

    await server.arestart()

    assert server.port == port and server.running
    await send_text(alice, room_id, "after the restart")
    _, message = await wait_for_event(bob, text_message("after the restart"), room_id=room_id)
    assert message.sender == alice.user_id
    print(f"\nSynapse restart: /health after {server.startup_seconds:.2f} s")


async def test_rate_limits_raised_then_defaults_after_restart(
    synapse_factory: ServerMaker, matrix_user: UserMaker, matrix_client: ClientMaker
) -> None:
    server = await synapse_factory(raise_rate_limits=True)
    sender = await matrix_client(await matrix_user("chatty", server=server), server=server)
    room_id = await create_room(sender)
    await sync_once(sender)
    assert [await _try_send(sender, room_id, n) for n in range(15)] == ["sent"] * 15

    await server.arestart(raise_rate_limits=False)

    statuses: list[str] = []
    while "M_LIMIT_EXCEEDED" not in statuses and len(statuses) < 15:
        statuses.append(await _try_send(sender, room_id, len(statuses)))  # a 429 costs 0.5 s
    assert statuses[-1] == "M_LIMIT_EXCEEDED", statuses
    assert len(statuses) <= 11, statuses  # rc_message default: burst 10, 0.2/s


async def test_start_failure_says_why() -> None:
    server = SynapseServer(default_room_version="no-such-version", start_timeout=20)
    with pytest.raises(SynapseStartError) as failure:
        async with server:
            pass
    message = str(failure.value)
    assert "Unknown default_room_version: no-such-version" in message  # from Synapse itself
    assert "uv sync" in message
    assert not server.running


def _display_name_is(user_id: str, name: str) -> Predicate:
    joined = membership(user_id, "join")
    return lambda rid, event: joined(rid, event) and event.content.get("displayname") == name


async def _try_send(client: AsyncClient, room_id: str, n: int) -> str:
    resp = await client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": f"{n}"})
    return str(resp.status_code) if isinstance(resp, RoomSendError) else "sent"
