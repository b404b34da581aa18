"""The homeserver restarted under a running bot: what fell due meanwhile waits in the outbox
and goes out once it is back; the sync loop reconnects by itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.checkins import texts
from tests.matrix_adapter.helpers import Member, open_dm, running_bot, say
from tests.matrix_harness.fixtures import ClientMaker, ServerMaker, UserMaker


async def test_synapse_restarts_and_the_bot_reconnects_and_delivers_what_waited(
    synapse_factory: ServerMaker, matrix_user: UserMaker, matrix_client: ClientMaker,
    tmp_path: Path,
) -> None:
    server = await synapse_factory()
    bot_user = await matrix_user("bot", server=server)
    bot_id = bot_user.user_id
    member = Member(await matrix_client(await matrix_user("member", server=server),
                                        server=server))
    async with running_bot(server, bot_user, tmp_path) as bot:
        room = await open_dm(member, bot_id)
        await say(bot, member, room, "checkin start 09:00")
        await member.text_from(bot_id, room, "Check-ins are on")

        await server.astop()
        await bot.app.advance(timedelta(hours=1))  # the check-in falls due while it is down
        async with bot.app.core.db.read() as tx:
            waiting = await tx.fetchone("SELECT status, attempts, last_error FROM outbox"
                                        " WHERE kind = 'checkins.prompt'")
        assert tuple(waiting) == ("pending", 1, "unreachable")

        await server.astart()
        await bot.app.advance(timedelta(seconds=5))  # its retry falls due
        await member.text_from(bot_id, room, texts.PROMPT)
        await say(bot, member, room, "3")  # read by the sync loop, reconnected by itself
        await member.text_from(bot_id, room, texts.THANKS)
