"""Which rooms the bot joins and how it treats them: DM invites by server or community
membership, room history before it joined, leaving the community, a DM the member closed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot import texts as core_texts
from bot.identity import UserRef
from tests.matrix_adapter.helpers import (
    Bot,
    Member,
    moderator_room,
    open_dm,
    running_bot,
    say,
)
from tests.matrix_harness import create_room, invite_and_join, membership, send_text
from tests.matrix_harness.clients import RegisteredUser, ok
from tests.matrix_harness.fixtures import ClientMaker, UserMaker
from tests.matrix_harness.synapse import SynapseServer


async def member_of(matrix_user: UserMaker, matrix_client: ClientMaker, name: str) -> Member:
    return Member(await matrix_client(await matrix_user(name)))


async def schedule_state(bot: Bot, user_id: str) -> str | None:
    async with bot.app.core.db.read() as tx:
        return await tx.scalar("SELECT state FROM checkin_schedules WHERE user = ?",
                               (f"matrix:{user_id}",))


async def test_dm_invites_from_community_members_only_and_leaving_stops_checkins(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    owner = await member_of(matrix_user, matrix_client, "owner")
    alice = await member_of(matrix_user, matrix_client, "alice")
    stranger = await member_of(matrix_user, matrix_client, "stranger")
    community = await create_room(owner.client, invite=[bot_id])
    await invite_and_join(owner.client, alice.client, community)
    async with running_bot(synapse, bot_user, tmp_path, allowed_servers=[],
                           community_room_id=community, alumni_room_id=community) as bot:
        await owner.expect(membership(bot_id, "join"), community)

        dm = await create_room(alice.client, invite=[bot_id], is_direct=True)
        early = await send_text(alice.client, dm, "checkin start 09:00")  # before it joins
        await bot.tap.handled_id(early)
        await bot.settle()
        await alice.text_from(bot_id, dm, "Check-ins are on")  # written to it: answered

        refused = await create_room(stranger.client, invite=[bot_id], is_direct=True)
        await stranger.expect(membership(bot_id, "leave"), refused)  # declined
        adapter = bot.tap.inner
        assert await adapter.is_alumnus(UserRef("matrix", alice.user_id))
        assert not await adapter.is_alumnus(UserRef("matrix", stranger.user_id))

        ok(await alice.client.room_leave(community), "alice leaves the community")
        await bot.tap.wait_for(lambda e: type(e).__name__ == "MemberLeft")
        assert await schedule_state(bot, alice.user_id) == "off"


async def test_joining_a_room_does_not_run_what_was_said_there_before(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    mods = await moderator_room(matrix_user, matrix_client, bot_id)
    await send_text(mods.mod.client, mods.room_id, "!mod queue")  # before the bot was there
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id) as bot:
        await mods.mod.expect(membership(bot_id, "join"), mods.room_id)
        await say(bot, mods.mod, mods.room_id, "!mod stats")
        await mods.mod.text_from(bot_id, mods.room_id, "Last 30 days")
        await mods.mod.catch_up()
        assert mods.mod.inbox_texts_from(bot_id) == []
        assert [getattr(e, "text", None) for e in bot.tap.handled] == ["!mod stats"]


async def test_a_member_who_closed_their_dm_is_not_written_to_until_they_reopen_one(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    alice = await member_of(matrix_user, matrix_client, "alice")
    bob = await member_of(matrix_user, matrix_client, "bob")
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        first = await open_dm(alice, bot_id)
        await say(bot, alice, first, "checkin start 09:00")
        await alice.text_from(bot_id, first, "Check-ins are on")
        ok(await alice.client.room_leave(first), "alice closes the DM")
        bobs = await open_dm(bob, bot_id)
        await say(bot, bob, bobs, "help")  # handled after the leave: the bot has seen it

        await bot.app.advance(timedelta(hours=1))
        async with bot.app.core.db.read() as tx:
            prompt = await tx.fetchone("SELECT status, last_error FROM outbox"
                                       " WHERE kind = 'checkins.prompt'")
        assert tuple(prompt) == ("failed", "dm_closed")

        second = await open_dm(alice, bot_id)
        await say(bot, alice, second, "checkin status")
        await alice.text_from(bot_id, second, core_texts.DMS_CLOSED[:40])


async def test_mydata_shows_the_dm_and_forget_me_leaves_no_trace_yet_answers_in_that_dm(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    bot_id = bot_user.user_id
    alice = await member_of(matrix_user, matrix_client, "alice")
    async with running_bot(synapse, bot_user, tmp_path) as bot:
        room = await open_dm(alice, bot_id)
        await say(bot, alice, room, "mydata")
        export = await alice.text_from(bot_id, room)
        assert f'"dm_room_id": "{room}"' in export.body  # the adapter's own section
        await say(bot, alice, room, "forget me")
        await alice.text_from(bot_id, room, "This deletes everything")
        await say(bot, alice, room, "yes")
        await alice.text_from(bot_id, room, core_texts.FORGET_DONE)  # same room, no new invite
        assert alice.user_id not in (tmp_path / "store" / "porchlight-state.json").read_text()
        await alice.catch_up()
        invited = membership(alice.user_id, "invite")
        assert not [e for rid, e in alice.inbox if invited(rid, e)]
