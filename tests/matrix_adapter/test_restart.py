"""Restarting the bot: no history answered on the very first start, nothing lost or answered
twice when it stops in the middle of a sync batch, and what came while it was away answered."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.events import Event, IncomingMessage
from bot.store.db import Database
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import (
    CRISIS,
    moderator_room,
    open_dm,
    running_bot,
    say,
)
from tests.matrix_harness import create_room, invite_and_join, send_text
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.fixtures import ClientMaker, UserMaker
from tests.matrix_harness.synapse import SynapseServer

STATE = "store/porchlight-state.json"


def is_crisis(event: Event) -> bool:
    return isinstance(event, IncomingMessage) and event.text == CRISIS


async def count(db: Database, sql: str) -> int:
    async with db.read() as tx:
        return int(await tx.scalar(sql))


async def test_stopped_while_handling_a_crisis_the_restart_pages_once(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    mods = await moderator_room(matrix_user, matrix_client, bot_id)
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id,
                           hold=is_crisis) as bot:
        room = await open_dm(member, bot_id)
        await say(bot, member, room, "help")
        await member.text_from(bot_id, room, "Hi, I'm Porchlight")
        await send_text(member.client, room, CRISIS)
        await bot.tap.wait_for(is_crisis, where="held")  # the core never finishes it
        clock = bot.clock
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id,
                           clock=clock) as bot:
        await bot.tap.wait_for(is_crisis)
        await bot.settle()
        page = await mods.mod.text_from(bot_id, mods.room_id, "@room")
        assert "Crisis #1" in page.body
        await member.text_from(bot_id, room, "Thank you for telling us.")
        db = bot.app.core.db
        assert await count(db, "SELECT COUNT(*) FROM escalations") == 1
        assert await count(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'crisis.page'") == 1
        await member.catch_up()
        await mods.mod.catch_up()
        assert member.inbox_texts_from(bot_id) == []  # "help" was not answered again
        assert mods.mod.inbox_texts_from(bot_id) == []


async def test_a_replayed_batch_is_not_answered_twice_and_news_is_answered_once(
    synapse: SynapseServer, bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        room = await open_dm(member, bot_id)
        await say(bot, member, room, "checkin start 09:00")
        await member.text_from(bot_id, room, "Check-ins are on")
        shutil.copy(tmp_path / STATE, tmp_path / "before.json")
        await say(bot, member, room, "checkin status")
        await member.text_from(bot_id, room, "Your check-ins are on")
        clock = bot.clock
    # As if the bot died after handling "checkin status" but before storing the sync token.
    shutil.copy(tmp_path / "before.json", tmp_path / STATE)
    away = await send_text(member.client, room, "checkin stop")  # while the bot is down
    async with running_bot(synapse, bot_user, tmp_path, clock=clock) as bot:
        await bot.tap.handled_id(away)
        await bot.settle()
        await member.text_from(bot_id, room, "Check-ins are off, from now.")
        await member.catch_up()
        assert member.inbox_texts_from(bot_id) == []  # the replayed status: not answered again


async def test_the_first_start_does_not_answer_history(
    synapse: SynapseServer, matrix_client: ClientMaker, bot_user: RegisteredUser,
    new_member: MemberMaker, tmp_path: Path,
) -> None:
    member = await new_member()
    by_hand = await matrix_client(bot_user)  # the account was in the DM before Porchlight ran
    dm = await create_room(member.client, invite=[bot_user.user_id], is_direct=True)
    await invite_and_join(member.client, by_hand, dm, already_invited=True)
    await send_text(member.client, dm, "help")  # history from before the first start
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        await say(bot, member, dm, "checkin status")
        first = await member.text_from(bot_user.user_id, dm)
        assert first.body.startswith("Check-ins are off")  # and "help" was never answered
        assert [e.text for e in bot.tap.handled if isinstance(e, IncomingMessage)] == [
            "checkin status"]
