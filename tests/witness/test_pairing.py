from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.events import IncomingMessage, MemberLeft, Mention
from bot.identity import RoomRef, SpaceRef, UserRef
from tests.core.test_privacy import rows_mentioning
from tests.witness.helpers import pair, platform, witness_app

MIA, VIC = UserRef("fake", "mia"), UserRef("fake", "vic")


async def test_volunteering_with_details_and_bad_details(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("vic", "witness volunteer 1 Europe/Helsinki lang=fi,en group=Spring")
        await adapter.say("wes", "witness volunteer 12")
        await adapter.say("wes", "witness volunteer Mars/Olympus")
        await adapter.say("wes", "witness volunteer lots")
        await app.settle()
        assert adapter.texts_to("vic")[0].startswith(
            "Thank you. You're a witness volunteer, with room for 1 (group spring; languages "
            "en, fi; time zone Europe/Helsinki).")
        too_many, bad_zone, unknown = adapter.texts_to("wes")
        assert too_many.startswith("Room for 1 to 10 people.")
        assert bad_zone.startswith("That isn't a time zone I know")
        assert unknown.startswith("I didn't understand “lots”.")


async def test_only_alumni_volunteer_when_organisers_set_the_role(tmp_path: Path) -> None:
    async with witness_app(tmp_path, platform(alumni={"vic"})) as (app, adapter, _):
        await adapter.say("Alumni", "witness volunteer")
        await adapter.say("vic", "witness volunteer")
        await app.settle()
        assert adapter.texts_to("Alumni")[0].startswith("Witnesses are alumni of the program")
        assert adapter.texts_to("vic")[0].startswith("Thank you.")


async def test_double_consent_then_an_introduction_in_a_private_space(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("vic", "witness volunteer group=spring")
        await adapter.say("mia", "checkin start 09:00 Europe/Helsinki")
        await adapter.say("mia", "witness request group=spring Europe/Helsinki")
        await app.settle()
        offer = adapter.last_to("vic")
        assert "Who: <mia>" in offer.text and "Group: spring" in offer.text
        assert "Time zone: Europe/Helsinki" in offer.text
        assert "check" not in offer.text.lower()  # nothing about check-ins or relapse
        assert adapter.texts_to("mia")[-1].startswith("I'm asking someone now.")
        await adapter.say("vic", "1")
        await app.settle()
        assert adapter.texts_to("vic")[-1].startswith("Thank you. I've asked <mia> to confirm")
        confirm = adapter.last_to("mia")
        assert confirm.text.startswith("<vic> said yes to being your witness.")
        await adapter.say("mia", "1")
        await app.settle()
        intro = adapter.sent[-1]
        assert intro.target == SpaceRef("fake", "witness-1", (MIA, VIC))
        assert intro.text.startswith("<mia>, meet <vic>: your witness.")
        assert "Not rescue, just witness." in intro.text


async def test_without_private_rooms_each_gets_a_dm_naming_the_other(tmp_path: Path) -> None:
    async with witness_app(tmp_path, platform(rooms=False)) as (app, adapter, _):
        await pair(app, adapter)
        assert adapter.texts_to("mia")[-1].startswith("You're paired: <vic> is your witness.")
        assert adapter.texts_to("vic")[-1].startswith("You're paired: you're <mia>'s witness.")


async def test_a_decline_or_no_answer_moves_to_the_next_volunteer(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        for name, zone in (("ann", "Europe/Helsinki"), ("bo", "Europe/Tallinn"),
                           ("cy", "Asia/Tokyo")):
            await adapter.say(name, f"witness volunteer {zone}")
        await adapter.say("mia", "witness request Europe/Helsinki")
        await app.settle()
        assert "Who: <mia>" in adapter.texts_to("ann")[-1]
        await adapter.say("ann", "2")  # not this time
        await app.settle()
        assert adapter.texts_to("ann")[-1] == "No problem at all. Thank you for saying."
        assert "Who: <mia>" in adapter.texts_to("bo")[-1]
        await app.advance(timedelta(hours=23, minutes=59))
        assert not any("Who: <mia>" in t for t in adapter.texts_to("cy"))
        await app.advance(timedelta(minutes=2))
        assert "Who: <mia>" in adapter.texts_to("cy")[-1]
        await adapter.say("bo", "1")  # too late
        await app.settle()
        assert adapter.texts_to("bo")[-1] == ("That offer isn't open any more. "
                                              "Thank you all the same.")


async def test_an_offer_the_member_never_confirms_lets_the_volunteer_go(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("vic", "witness volunteer 1")
        await adapter.say("mia", "witness request")
        await app.settle()
        await adapter.say("vic", "1")  # yes; mia never answers
        await app.advance(timedelta(hours=23, minutes=59))
        assert adapter.texts_to("vic")[-1].startswith("Thank you. I've asked <mia> to confirm")
        await app.advance(timedelta(minutes=2))
        assert adapter.texts_to("vic")[-1].startswith(
            "<mia> hasn't confirmed, so I've let this one go")
        assert adapter.texts_to("mia")[-1] == (
            "I've let the witness offer go for now, so nobody is left waiting. "
            "That's okay. Whenever you're ready: witness request.")
        await adapter.say("mia", "1")  # the old offer is gone
        await adapter.say("sam", "witness request")  # vic's one place is free again
        await app.settle()
        assert adapter.texts_to("mia")[-1] == "There's no request waiting for your answer."
        assert "Who: <sam>" in adapter.texts_to("vic")[-1]
        await adapter.say("mia", "witness request")  # and mia may ask again at once
        await app.settle()
        assert adapter.texts_to("mia")[-1].startswith("There's nobody free")


async def test_the_member_may_ask_for_someone_else(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("ann", "witness volunteer UTC")
        await adapter.say("bo", "witness volunteer UTC")
        await adapter.say("mia", "witness request UTC")
        await app.settle()
        await adapter.say("ann", "1")
        await app.settle()
        await adapter.say("mia", "2")  # someone else
        await app.settle()
        assert adapter.texts_to("ann")[-1].startswith("They've decided to go another way")
        assert "Who: <mia>" in adapter.texts_to("bo")[-1]
        await adapter.say("bo", "2")
        await app.settle()
        assert adapter.texts_to("mia")[-1].startswith("There's nobody free to be a witness")


async def test_nobody_free_is_said_once_and_a_new_volunteer_is_asked(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("mia", "witness request")
        await app.settle()
        await app.advance(timedelta(days=2))
        assert adapter.texts_to("mia") == [
            "There's nobody free to be a witness right now. I'll keep looking and tell you "
            "when someone is. You're not forgotten."]
        await adapter.say("vic", "witness volunteer")
        await app.settle()
        assert "Who: <mia>" in adapter.texts_to("vic")[-1]


async def test_capacity_is_respected(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await adapter.say("vic", "witness volunteer 1")
        await pair(app, adapter, "mia", "vic", volunteers=False)
        await adapter.say("max", "witness request")
        await app.settle()
        assert not any("Who: <max>" in t for t in adapter.texts_to("vic"))
        assert adapter.texts_to("max")[-1].startswith("There's nobody free")


async def test_ending_needs_no_reason_tells_the_other_kindly_and_never_rematches(
    tmp_path: Path,
) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await adapter.say("mia", "witness end")
        await adapter.say("vic", "witness end")  # both at once: the second is a no-op
        await app.settle()
        assert adapter.texts_to("mia")[-1] == "Done. Your pairing with <vic> has ended. " \
            "No reason needed."
        assert adapter.texts_to("vic")[-2].startswith(
            "Your witness pairing with <mia> has ended. Nothing you need to do")
        assert adapter.texts_to("vic")[-1] == "You don't have a witness pairing right now."
        await adapter.say("mia", "witness request")  # at once, and never vic again
        await app.settle()
        assert adapter.texts_to("mia")[-1].startswith("There's nobody free")


async def test_block_means_never_matched_again(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await adapter.say("vic", "witness block")
        await app.settle()
        assert adapter.texts_to("vic")[-1].startswith("Done. Your pairing with <mia> has ended, "
                                                      "and you won't be matched again.")
        assert adapter.texts_to("mia")[-1].startswith("Your witness pairing with <vic> has ended")
        async with app.core.db.read() as tx:
            reasons = await tx.fetchall("SELECT by_user, reason FROM witness_exclusions")
        assert ("fake:vic", "blocked") in {tuple(r) for r in reasons}


async def test_a_witness_with_two_pairings_says_which_one_to_end(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter, "mia", "vic")
        await pair(app, adapter, "max", "vic", volunteers=False)
        await adapter.say("vic", "witness end")
        await app.settle()
        assert adapter.texts_to("vic")[-1] == ("You're in more than one pairing. Say which: "
                                               "witness end 1 (with <mia>), witness end 2 "
                                               "(with <max>)")
        await adapter.say("vic", "witness end 2")
        await app.settle()
        assert adapter.texts_to("max")[-1].startswith("Your witness pairing with <vic> has ended")


async def test_a_volunteer_leaving_the_community(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, clock):
        await pair(app, adapter, "mia", "vic", details="UTC")
        await adapter.say("ann", "witness volunteer Pacific/Auckland")
        await adapter.say("max", "witness request UTC")
        await app.settle()
        assert "Who: <max>" in adapter.texts_to("vic")[-1]
        assert adapter._sink is not None
        await adapter._sink(MemberLeft(VIC, clock.now()))
        await app.settle()
        assert adapter.texts_to("mia")[-1].startswith("<vic> is no longer in the community")
        assert "Who: <max>" in adapter.texts_to("ann")[-1]  # the offer moved on
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM witness_volunteers") == 1


async def test_crisis_in_the_pair_space_goes_to_moderators(tmp_path: Path) -> None:
    async with witness_app(tmp_path) as (app, adapter, clock):
        await pair(app, adapter)
        assert adapter._sink is not None
        await adapter._sink(IncomingMessage(
            user=MIA, room=RoomRef("fake", "pair-room"), text="I want to die tonight",
            is_direct=False, message_id="p1", sent_at=clock.now(), space="witness-1"))
        await app.settle()
        page = [m for m in adapter.sent if m.mention is Mention.MODERATORS]
        assert page and "in a private space Porchlight made" in page[0].text


async def test_mydata_and_forget_me_cover_pairing_and_tell_the_other_side(
    tmp_path: Path,
) -> None:
    async with witness_app(tmp_path) as (app, adapter, _):
        await pair(app, adapter)
        await adapter.say("mia", "witness sharing mood weekly")
        await adapter.say("vic", "mydata")
        await app.settle()
        assert '"witness_volunteer"' in adapter.last_to("vic").attachment.content  # type: ignore[union-attr]
        await adapter.say("mia", "forget me")
        await adapter.say("mia", "yes")
        await app.settle()
        assert adapter.texts_to("vic")[-1].startswith(
            "Your witness pairing with <mia> has ended. Nothing you need to do")
        assert await rows_mentioning(app, "fake:mia") == []
