"""Encrypted DMs both ways, including an encrypted reaction (as Element sends them) and a
restart of the bot with the same device and crypto store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from nio import MemoryDownloadResponse, RoomEncryptedFile
from nio.crypto.attachments import decrypt_attachment

from adapters.matrix.state import AdapterState
from bot.checkins import texts
from bot.events import Unreadable
from bot.identity import RoomRef, UserRef
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import open_dm, running_bot, say
from tests.matrix_harness import MEGOLM, raw_event, send_event, send_reaction
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.synapse import SynapseServer


async def test_an_encrypted_dm_round_trip_survives_a_bot_restart(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    member = await new_member(encryption=True)
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        room = await open_dm(member, bot_id, encrypted=True)
        sent = await say(bot, member, room, "checkin start 09:00")
        reply = await member.text_from(bot_id, room)
        assert reply.decrypted and reply.body.startswith("Check-ins are on")
        for event_id in (sent, reply.event_id):
            wire = await raw_event(member.client, room, event_id)
            assert wire["type"] == "m.room.encrypted"
            assert wire["content"]["algorithm"] == MEGOLM
        assert "checkin" not in str(await raw_event(member.client, room, sent))

        await bot.app.advance(timedelta(hours=1))
        prompt = await member.text_from(bot_id, room, texts.PROMPT)
        reaction = await send_reaction(member.client, room, prompt.event_id, "5️⃣")
        assert (await raw_event(member.client, room, reaction))["type"] == "m.room.encrypted"
        await bot.tap.handled_id(reaction)
        await bot.settle()
        thanks = await member.text_from(bot_id, room)
        assert thanks.decrypted and thanks.body.startswith(texts.THANKS)
        clock = bot.clock

    async with running_bot(synapse, bot_user, tmp_path, clock=clock) as bot:
        await say(bot, member, room, "checkin status")
        status = await member.text_from(bot_id, room)
        assert status.decrypted and status.body.startswith("Your check-ins are on")


async def test_mydata_is_an_encrypted_file_in_an_encrypted_dm_and_inline_in_a_plain_one(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    secret = await new_member("secret", encryption=True)
    plain = await new_member("plain")
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        sealed = await open_dm(secret, bot_id, encrypted=True)
        await say(bot, secret, sealed, "mydata")
        await secret.text_from(bot_id, sealed)
        file = await secret.expect(lambda _r, e: isinstance(e, RoomEncryptedFile), sealed)
        assert file.body == "porchlight-mydata.json"
        download = await secret.client.download(file.url)
        assert isinstance(download, MemoryDownloadResponse)
        data = decrypt_attachment(download.body, file.key["k"], file.hashes["sha256"], file.iv)
        assert json.loads(data)["you"] == f"matrix:{secret.user_id}"

        room = await open_dm(plain, bot_id)
        await say(bot, plain, room, "mydata")
        inline = await plain.text_from(bot_id, room)
        assert "<pre><code>" in inline.source["content"]["formatted_body"]
        assert f"matrix:{plain.user_id}" in inline.body


async def test_a_password_login_keeps_one_device_across_restarts(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    member = await new_member(encryption=True)
    by_password = {"access_token": None, "password": bot_user.password}
    async with running_bot(synapse, bot_user, tmp_path, **by_password) as bot:
        first = AdapterState.load(tmp_path / "store").device_id
        room = await open_dm(member, bot_user.user_id, encrypted=True)
        await say(bot, member, room, "help")
        assert (await member.text_from(bot_user.user_id, room)).decrypted
    async with running_bot(synapse, bot_user, tmp_path, **by_password) as bot:
        assert AdapterState.load(tmp_path / "store").device_id == first != bot_user.device_id
        await say(bot, member, room, "checkin status")
        assert (await member.text_from(bot_user.user_id, room)).decrypted


async def test_a_dm_message_the_bot_cannot_decrypt_is_answered_once_not_with_silence(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        room = await open_dm(member, bot_id)
        # What a client that never shared its room key with the bot's device sends.
        locked = await send_event(member.client, room, "m.room.encrypted", {
            "algorithm": MEGOLM, "sender_key": "k" * 43, "session_id": "s" * 43,
            "ciphertext": "AwgAEhA" + "A" * 60, "device_id": "OTHERDEVICE"})
        await say(bot, member, room, "help")  # the locked message arrived before this one
        await member.text_from(bot_id, room)

        await bot.app.advance(timedelta(minutes=1))
        await say(bot, member, room, "checkin status")
        told = await bot.tap.wait_for(lambda event: isinstance(event, Unreadable))
        assert told == Unreadable(UserRef("matrix", member.user_id), RoomRef("matrix", room),
                                  locked, bot.clock.now())
        await bot.settle()
        notice = await member.text_from(bot_id, room, "I couldn't read your last message")
        assert "988" in notice.body

        await bot.app.advance(timedelta(minutes=5))
        await say(bot, member, room, "checkin status")
        await member.text_from(bot_id, room, "Check-ins are off")
        await member.catch_up()
        assert not [text for text in member.inbox_texts_from(bot_id)
                    if text.startswith("I couldn't read")]  # told once
