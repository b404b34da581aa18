"""Check-ins through a real homeserver: opt in by DM, get the prompt, answer by reaction, by a
note, and by typing the number."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.checkins import texts
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import open_dm, running_bot, say
from tests.matrix_harness import send_reaction
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.synapse import SynapseServer


async def test_opt_in_then_answer_by_reaction_by_note_and_by_number(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        room = await open_dm(member, bot_id)
        await say(bot, member, room, "checkin start 09:00")
        started = await member.text_from(bot_id, room)
        assert started.body.startswith("Check-ins are on: every day at 09:00")

        await bot.app.advance(timedelta(hours=1))  # 08:00 -> 09:00 UTC
        prompt = await member.text_from(bot_id, room)
        assert prompt.body.startswith(texts.PROMPT)
        assert "1️⃣ 1 · heavy" in prompt.body and "7️⃣ add a note" in prompt.body
        assert prompt.body.endswith("React 1️⃣-7️⃣ or reply with the number.")
        assert prompt.source["content"]["m.mentions"] == {}

        reaction_id = await send_reaction(member.client, room, prompt.event_id, "4️⃣")
        await bot.tap.handled_id(reaction_id)
        await bot.settle()
        thanks = await member.text_from(bot_id, room)
        assert thanks.body.startswith(texts.THANKS)

        await say(bot, member, room, "slept badly but went to the meeting")
        kept = await member.text_from(bot_id, room)
        assert kept.body == texts.NOTE_KEPT

        await bot.app.advance(timedelta(days=1))
        second = await member.text_from(bot_id, room)
        assert second.body.startswith(texts.PROMPT)
        await say(bot, member, room, "2")
        low = await member.text_from(bot_id, room)
        assert low.body.startswith(texts.THANKS_LOW)

        async with bot.app.core.db.read() as tx:
            rows = await tx.fetchall("SELECT local_date, mood, note FROM checkins ORDER BY id")
        assert [tuple(r) for r in rows] == [
            ("2026-03-02", 4, "slept badly but went to the meeting"), ("2026-03-03", 2, None)]
        await member.catch_up()
        assert member.inbox_texts_from(bot_id) == []  # nothing else was sent
