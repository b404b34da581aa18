"""Synapse's default rate limits (rc_message: 0.2/s, burst 10): 429s are waited out, and a
crisis page goes out ahead of the check-in fan-out waiting for the same bucket."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.events import Mention, OutgoingMessage, Priority
from bot.identity import RoomRef, UserRef
from bot.store.outbox import Enqueue
from tests.matrix_adapter.helpers import (
    Bot,
    Member,
    moderator_room,
    open_dm,
    running_bot,
    say,
)
from tests.matrix_harness import membership
from tests.matrix_harness.fixtures import ClientMaker, ServerMaker, UserMaker

FAN_OUT = 14
BURST = 10  # Synapse's default rc_message burst_count


async def enqueue(bot: Bot, *items: Enqueue) -> None:
    async with bot.app.core.db.transaction() as tx:
        await bot.app.core.outbox.enqueue_many(tx, bot.clock.now(), items)


async def test_a_page_goes_ahead_of_fan_out_waiting_on_the_rate_limit(
    synapse_factory: ServerMaker, matrix_user: UserMaker, matrix_client: ClientMaker,
    tmp_path: Path,
) -> None:
    server = await synapse_factory()  # set up with raised limits, measure with the defaults
    bot_user = await matrix_user("bot", server=server)
    bot_id = bot_user.user_id
    mods = await moderator_room(matrix_user, matrix_client, bot_id, server=server)
    member = Member(await matrix_client(await matrix_user("member", server=server),
                                        server=server))
    async with running_bot(server, bot_user, tmp_path, moderator_room_id=mods.room_id) as bot:
        await mods.mod.expect(membership(bot_id, "join"), mods.room_id)
        room = await open_dm(member, bot_id)
        await say(bot, member, room, "help")
        await member.text_from(bot_id, room, "Hi, I'm Porchlight")
        await server.arestart(raise_rate_limits=False)

        worker = asyncio.create_task(bot.app.workers[0].run())  # both lanes, as in production
        someone = UserRef("matrix", member.user_id)
        await enqueue(bot, *(Enqueue(OutgoingMessage(someone, f"fan-out {n}",
                                                     priority=Priority.ROUTINE), kind="fan-out")
                             for n in range(FAN_OUT)))
        for _ in range(BURST):  # the burst goes out; the rest wait for the bucket to refill
            await member.text_from(bot_id, room, "fan-out")
        page = OutgoingMessage(RoomRef("matrix", mods.room_id), "A page",
                               mention=Mention.MODERATORS, priority=Priority.CRISIS)
        await enqueue(bot, Enqueue(page, kind="crisis.page"))
        await mods.mod.text_from(bot_id, mods.room_id, "@room\n\nA page")
        await member.catch_up()
        assert member.inbox_texts_from(bot_id) == []  # no fan-out got the token before it
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        async with bot.app.core.db.read() as tx:
            failed = await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
        assert failed == 0
