"""A witness introduction room: a private space for two members, made once and reused, and
read for crisis language like a DM."""

from __future__ import annotations

from pathlib import Path

from adapters.matrix.state import AdapterState
from bot.events import OutgoingMessage
from bot.identity import SpaceRef, UserRef
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import (
    CRISIS,
    moderator_room,
    post,
    running_bot,
    say,
)
from tests.matrix_harness import MEGOLM, membership, room_state, text_message
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.fixtures import ClientMaker, UserMaker
from tests.matrix_harness.synapse import SynapseServer


async def test_a_space_is_one_private_encrypted_room_reused_and_read_for_crisis(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    mods = await moderator_room(matrix_user, matrix_client, bot_id)
    alice = await new_member("alice", encryption=True)
    bob = await new_member("bob", encryption=True)
    pair = SpaceRef("matrix", "witness-1", (UserRef("matrix", alice.user_id),
                                             UserRef("matrix", bob.user_id)))
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id) as bot:
        await mods.mod.expect(membership(bot_id, "join"), mods.room_id)
        await post(bot, OutgoingMessage(pair, "Alice, meet Bob. Not rescue, just witness."))
        room, _ = await alice.expect_where(membership(alice.user_id, "invite"))
        assert (await bob.expect_where(membership(bob.user_id, "invite")))[0] == room
        for member in (alice, bob):
            assert (await member.client.join(room)).room_id == room
        await post(bot, OutgoingMessage(pair, "A second message, same room."))
        first = await alice.expect(text_message(sender=bot_id), room)
        second = await alice.expect(text_message(sender=bot_id), room)
        assert (first.body, second.body) == ("Alice, meet Bob. Not rescue, just witness.",
                                             "A second message, same room.")
        assert first.decrypted and second.decrypted  # sent before they joined, still readable
        settings = {e["type"]: e["content"] for e in await room_state(alice.client, room)
                    if e["state_key"] == ""}
        assert settings["m.room.join_rules"]["join_rule"] == "invite"
        assert settings["m.room.encryption"]["algorithm"] == MEGOLM
        assert AdapterState.load(tmp_path / "store").spaces == {"witness-1": room}

        await bob.catch_up()  # bob's client learns the room it joined
        await say(bot, bob, room, CRISIS)
        page = await mods.mod.text_from(bot_id, mods.room_id, "@room")
        assert "in a private space Porchlight made (a witness pairing)" in page.body
        await alice.catch_up()
        assert alice.inbox_texts_from(bot_id) == []  # nothing said in the shared space
