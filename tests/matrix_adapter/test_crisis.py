"""Crisis escalation through a real homeserver: the page, the claim, the resolution, and who may
claim (power level, v12 creators) and who may not (a "Moderator" at power level 0)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from nio import ReactionEvent, RoomGetStateEventResponse

from bot import texts as core_texts
from bot.identity import UserRef
from tests.matrix_adapter.conftest import MemberMaker
from tests.matrix_adapter.helpers import (
    CRISIS,
    Bot,
    Member,
    moderator_room,
    open_dm,
    react,
    running_bot,
    say,
)
from tests.matrix_harness import membership
from tests.matrix_harness.clients import RegisteredUser, ok
from tests.matrix_harness.fixtures import ClientMaker, UserMaker
from tests.matrix_harness.synapse import SynapseServer

RESOURCE = "Thank you for telling us. A volunteer from this community has been asked"


async def escalation_status(bot: Bot) -> str:
    async with bot.app.core.db.read() as tx:
        return str(await tx.scalar("SELECT status FROM escalations WHERE id = 1"))


async def delivered_replies_to(bot: Bot, user_id: str) -> list[str]:
    async with bot.app.core.db.read() as tx:
        rows = await tx.fetchall("SELECT payload FROM outbox WHERE target = ?"
                                 " AND status = 'delivered'", (f"user matrix:{user_id}",))
    return [row["payload"] for row in rows]


def ref(member: Member) -> UserRef:
    return UserRef("matrix", member.user_id)


async def test_crisis_page_claim_and_resolve_by_power_level_never_by_name(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot_id = bot_user.user_id
    mods = await moderator_room(matrix_user, matrix_client, bot_id)
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id) as bot:
        await mods.mod.expect(membership(bot_id, "join"), mods.room_id)
        dm = await open_dm(member, bot_id)
        await say(bot, member, dm, CRISIS)

        page = await mods.mod.text_from(bot_id, mods.room_id)
        content = page.source["content"]
        assert page.body.startswith("@room\n\n🔴 Crisis #1 · needs a person now")
        assert f"Member: {member.user_id}, in a private message" in page.body
        assert "1️⃣ Claim" in page.body
        assert content["m.mentions"] == {"room": True}
        assert CRISIS not in page.body  # kept out of notifications and plain-text clients
        spoiler = f'<span data-mx-spoiler="content warning">{html.escape(CRISIS)}</span>'
        assert spoiler in content["formatted_body"]
        made = await mods.mod.expect(lambda _r, e: isinstance(e, ReactionEvent)
                                     and e.reacts_to == page.event_id, mods.room_id)
        assert (made.sender, made.key) == (bot_id, "1️⃣")  # one tap to claim
        resource = await member.text_from(bot_id, dm)
        assert resource.body.startswith(RESOURCE)

        await react(bot, mods.impostor, mods.room_id, page.event_id, "1️⃣")
        assert await escalation_status(bot) == "open"
        replies = await delivered_replies_to(bot, mods.impostor.user_id)
        assert [core_texts.MODERATORS_ONLY in r for r in replies] == [True]  # privately

        await react(bot, mods.mod, mods.room_id, page.event_id, "1️⃣")
        claimed = await mods.mod.text_from(bot_id, mods.room_id)
        assert claimed.body.startswith(f"You have #1. Reach out to {member.user_id} privately")
        assert await escalation_status(bot) == "claimed"

        await say(bot, mods.mod, mods.room_id, "!mod resolve 1 reached-out")
        done = await mods.mod.text_from(bot_id, mods.room_id)
        assert done.body == f"#1 resolved (reached-out) by {mods.mod.user_id}. Thank you."

        await say(bot, mods.owner, mods.room_id, "!mod queue")  # the v12 creator
        await mods.owner.text_from(bot_id, mods.room_id, "Nothing is open right now.")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "pills" not in logged  # nothing the member wrote
    assert bot_user.access_token not in logged


async def test_a_page_can_mention_each_moderator_by_id(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, new_member: MemberMaker, tmp_path: Path,
) -> None:
    mods = await moderator_room(matrix_user, matrix_client, bot_user.user_id)
    member = await new_member()
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id,
                           page_mentions="moderators") as bot:
        await mods.mod.expect(membership(bot_user.user_id, "join"), mods.room_id)
        dm = await open_dm(member, bot_user.user_id)
        await say(bot, member, dm, CRISIS)
        page = await mods.mod.text_from(bot_user.user_id, mods.room_id)
        expected = sorted([mods.owner.user_id, mods.mod.user_id])  # the creator, and level 50
        assert page.source["content"]["m.mentions"] == {"user_ids": expected}
        assert mods.impostor.user_id not in page.body


async def test_moderator_rights_are_read_at_the_moment_of_the_check(
    synapse: SynapseServer, matrix_user: UserMaker, matrix_client: ClientMaker,
    bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    mods = await moderator_room(matrix_user, matrix_client, bot_user.user_id)
    async with running_bot(synapse, bot_user, tmp_path, moderator_room_id=mods.room_id) as bot:
        await mods.mod.expect(membership(bot_user.user_id, "join"), mods.room_id)
        adapter = bot.tap.inner
        assert await adapter.is_moderator(ref(mods.owner))
        assert await adapter.is_moderator(ref(mods.mod))
        assert not await adapter.is_moderator(ref(mods.impostor))

        owner = mods.owner.client
        levels = ok(await owner.room_get_state_event(mods.room_id, "m.room.power_levels"),
                    "power levels")
        assert isinstance(levels, RoomGetStateEventResponse)
        users = {**levels.content["users"], mods.mod.user_id: 0, mods.impostor.user_id: 50}
        ok(await owner.room_put_state(mods.room_id, "m.room.power_levels",
                                      {**levels.content, "users": users}), "demote")
        # No sync in between: the adapter asks the homeserver at the moment of the check.
        assert not await adapter.is_moderator(ref(mods.mod))
        assert await adapter.is_moderator(ref(mods.impostor))
        ok(await mods.impostor.client.room_leave(mods.room_id), "leave")
        assert not await adapter.is_moderator(ref(mods.impostor))  # level kept, but gone
