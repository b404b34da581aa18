"""Witness pairing through a real homeserver, as members do it: a volunteer, a request, both
say yes (one by reaction, one by typing the number), an encrypted introduction room for the
two of them, and an ending either can ask for."""

from __future__ import annotations

from pathlib import Path

from adapters.matrix.state import AdapterState
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import open_dm, react, running_bot, say
from tests.matrix_harness import MEGOLM, membership, room_state
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.synapse import SynapseServer


async def test_a_request_becomes_an_introduction_room_for_two_and_either_can_end_it(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    vic = await new_member("vic", encryption=True)
    mia = await new_member("mia", encryption=True)
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        vic_dm = await open_dm(vic, bot_id, encrypted=True)
        mia_dm = await open_dm(mia, bot_id)
        await say(bot, vic, vic_dm, "witness volunteer Europe/Helsinki group=spring")
        await vic.text_from(bot_id, vic_dm)
        await say(bot, mia, mia_dm, "witness request group=spring")
        await mia.text_from(bot_id, mia_dm)

        offer = await vic.text_from(bot_id, vic_dm, "Someone who's coming back has asked")
        assert offer.decrypted and f"Who: {mia.user_id}" in offer.body
        await react(bot, vic, vic_dm, offer.event_id, "1️⃣")  # yes
        await vic.text_from(bot_id, vic_dm, "Thank you. I've asked")
        confirm = await mia.text_from(bot_id, mia_dm, f"{vic.user_id} said yes")
        assert "1️⃣" in confirm.body  # the choices, numbered, for a reaction or a number
        await say(bot, mia, mia_dm, "1")

        room, _ = await mia.expect_where(membership(mia.user_id, "invite"))
        assert (await vic.expect_where(membership(vic.user_id, "invite")))[0] == room
        assert room not in (vic_dm, mia_dm)
        for member in (mia, vic):
            assert (await member.client.join(room)).room_id == room
        for member in (mia, vic):
            intro = await member.text_from(bot_id, room)
            assert intro.decrypted
            assert intro.body.startswith(f"{mia.user_id}, meet {vic.user_id}: your witness.")
        state = {e["type"]: e["content"] for e in await room_state(mia.client, room)
                 if e["state_key"] == ""}
        assert state["m.room.join_rules"]["join_rule"] == "invite"
        assert state["m.room.encryption"]["algorithm"] == MEGOLM
        assert list(AdapterState.load(tmp_path / "store").spaces.values()) == [room]

        await say(bot, mia, mia_dm, "witness end")
        done = await mia.text_from(bot_id, mia_dm)
        assert done.body == f"Done. Your pairing with {vic.user_id} has ended. No reason needed."
        ended = await vic.text_from(bot_id, vic_dm)
        assert ended.body.startswith(f"Your witness pairing with {mia.user_id} has ended.")
