"""Asking for a witness, double consent, the introduction, and ending.

The volunteer is asked first and sees only what they need (handle, group, time zone); then the
member confirms; only then are the two introduced. Either can end it without a reason, and
neither is ever proposed to the other again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.commands import UsageError
from bot.context import CommandContext
from bot.events import Button, Capability, MemberLeft
from bot.identity import SpaceRef, UserRef
from bot.ports import Clock
from bot.store.db import Database, Tx
from bot.witness import matching, texts
from bot.witness.details import parse_details
from bot.witness.mail import Mail
from bot.witness.repository import (
    Offer,
    Pair,
    Pairing,
    Request,
    Sharing,
    SharingChoices,
    Volunteers,
)

log = logging.getLogger(__name__)

REQUEST_USAGE = "Try: witness request, or witness request Europe/Helsinki lang=en group=spring"


class PairingService:
    def __init__(
        self, *, db: Database, mail: Mail, volunteers: Volunteers, pairing: Pairing,
        sharing: SharingChoices, clock: Clock, offer_timeout: timedelta,
    ) -> None:
        self._db = db
        self._mail = mail
        self._volunteers = volunteers
        self._pairing = pairing
        self._sharing = sharing
        self._clock = clock
        self._offer_timeout = offer_timeout

    # Asking.

    async def request(self, ctx: CommandContext) -> None:
        details = parse_details(ctx.args, REQUEST_USAGE, allow_capacity=False)
        async with self._db.transaction() as tx:
            if pairs := [p for p in await self._pairing.active_pairs(tx, ctx.user)
                         if p.member == ctx.user]:
                other = self._mail.handle(pairs[0].witness)
                await self._mail.tell(tx, ctx.user, texts.ALREADY_PAIRED.format(other=other),
                                      ctx.now)
                return
            if await self._pairing.open_request(tx, ctx.user):
                await self._mail.tell(tx, ctx.user, texts.ALREADY_ASKING, ctx.now)
                return
            profile = matching.Profile(str(ctx.user), details.cohort, details.languages,
                                       details.zone)
            request_id = await self._pairing.create_request(tx, profile, ctx.now)
            request = await self._pairing.request(tx, request_id)
            assert request is not None
            if await self._offer_next(tx, request, ctx.now):
                await self._mail.tell(tx, ctx.user, texts.REQUEST_SENT, ctx.now)
        log.info("witness request %d opened", request_id)

    async def _offer_next(self, tx: Tx, request: Request, now: datetime) -> bool:
        """Ask the best free volunteer; False (and the member told once) if there is none."""
        choice = await self._volunteers.best_candidate(tx, request, now)
        if choice is None:
            await self._pairing.set_request(tx, request.id, "waiting", told_waiting=True)
            if not request.told_waiting:
                await self._mail.tell(tx, request.member, texts.NOBODY_FREE, now)
            return False
        volunteer = UserRef.parse(choice.user)
        offer_id = await self._pairing.create_offer(tx, request.id, volunteer, now,
                                                    now + self._offer_timeout)
        await self._pairing.set_request(tx, request.id, "searching")
        await self._mail.tell(
            tx, volunteer, texts.offer(self._mail.handle(request.member), request.profile.cohort,
                                       request.profile.zone), now,
            buttons=(Button("Yes, I'll witness", f"witness accept {offer_id}"),
                     Button("Not this time", f"witness decline {offer_id}")),
            about=request.member)
        log.info("witness request %d: offer %d made", request.id, offer_id)
        return True

    # The volunteer answers.

    async def accept(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            offer = await self._own_offer(tx, ctx, "pending")
            if offer is None:
                return
            await self._pairing.settle_offer(tx, offer.id, "pending", "accepted", ctx.now)
            await self._pairing.set_offer_expiry(tx, offer.id, ctx.now + self._offer_timeout)
            request = await self._pairing.request(tx, offer.request_id)
            assert request is not None
            await self._pairing.set_request(tx, request.id, "confirming")
            await self._mail.tell(tx, ctx.user, texts.offer_accepted_to_volunteer(
                self._mail.handle(request.member)), ctx.now)
            await self._mail.tell(
                tx, request.member, texts.confirm_with_member(self._mail.handle(ctx.user)),
                ctx.now, buttons=(Button("Yes, please", f"witness confirm {offer.id}"),
                                  Button("Someone else", f"witness other {offer.id}")))

    async def decline(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            offer = await self._own_offer(tx, ctx, "pending")
            if offer is None:
                return
            await self._pairing.settle_offer(tx, offer.id, "pending", "declined", ctx.now)
            request = await self._pairing.request(tx, offer.request_id)
            assert request is not None
            await self._pairing.exclude(tx, ctx.user, request.member, "declined", ctx.now)
            await self._mail.tell(tx, ctx.user, texts.OFFER_DECLINED, ctx.now)
            await self._offer_next(tx, request, ctx.now)

    async def _own_offer(self, tx: Tx, ctx: CommandContext, status: str) -> Offer | None:
        offer = await self._pairing.offer(tx, _number(ctx))
        if offer is None or offer.volunteer != ctx.user or offer.status != status:
            await self._mail.tell(tx, ctx.user, texts.OFFER_GONE, ctx.now)
            return None
        return offer

    # The member confirms, or not.

    async def confirm(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            offer, request = await self._members_offer(tx, ctx)
            if offer is None or request is None:
                return
            await self._pairing.settle_offer(tx, offer.id, "accepted", "confirmed", ctx.now)
            pair_id = await self._pairing.create_pair(tx, request.member, offer.volunteer,
                                                      ctx.now)
            await self._pairing.set_request(tx, request.id, "paired")
            await self._volunteers.paired(tx, offer.volunteer, ctx.now)
            await self._introduce(tx, pair_id, request.member, offer.volunteer, ctx.now)
        log.info("witness pair %d started", pair_id)

    async def choose_other(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            offer, request = await self._members_offer(tx, ctx)
            if offer is None or request is None:
                return
            await self._pairing.settle_offer(tx, offer.id, "accepted", "not_chosen", ctx.now)
            await self._pairing.exclude(tx, ctx.user, offer.volunteer, "declined", ctx.now)
            await self._mail.tell(tx, offer.volunteer, texts.member_chose_other(), ctx.now)
            await self._mail.tell(tx, ctx.user, texts.SEARCH_AGAIN, ctx.now)
            await self._offer_next(tx, request, ctx.now)

    async def _members_offer(
        self, tx: Tx, ctx: CommandContext
    ) -> tuple[Offer | None, Request | None]:
        offer = await self._pairing.offer(tx, _number(ctx))
        request = None if offer is None else await self._pairing.request(tx, offer.request_id)
        if offer is None or request is None or request.member != ctx.user \
                or offer.status != "accepted":
            await self._mail.tell(tx, ctx.user, texts.NO_REQUEST, ctx.now)
            return None, None
        return offer, request

    async def _introduce(self, tx: Tx, pair_id: int, member: UserRef, witness: UserRef,
                         now: datetime) -> None:
        """In a private space for the two where the platform has one, else a DM to each."""
        adapter = self._mail.adapters.get(member.platform)
        names = self._mail.handle(member), self._mail.handle(witness)
        if adapter is not None and Capability.PRIVATE_ROOMS in adapter.capabilities:
            space = SpaceRef(member.platform, f"witness-{pair_id}", (member, witness))
            await self._mail.tell(tx, space, texts.introduction(*names), now, about=member)
            return
        await self._mail.tell(tx, member, texts.introduction_to_member(names[1]), now)
        await self._mail.tell(tx, witness, texts.introduction_to_witness(names[0]), now,
                              about=member)

    # Ending.

    async def end(self, ctx: CommandContext) -> None:
        await self._finish(ctx, blocked=False)

    async def block(self, ctx: CommandContext) -> None:
        await self._finish(ctx, blocked=True)

    async def _finish(self, ctx: CommandContext, *, blocked: bool) -> None:
        async with self._db.transaction() as tx:
            pair = await self._which_pair(tx, ctx)
            if pair is None:
                return
            other = pair.other(ctx.user)
            if not await self._pairing.end_pair(tx, pair.id, ctx.now):
                await self._mail.tell(tx, ctx.user, texts.ALREADY_ENDED, ctx.now)
                return
            await self._after_end(tx, pair, ended_by=ctx.user, now=ctx.now)
            if blocked:
                await self._pairing.exclude(tx, ctx.user, other, "blocked", ctx.now)
            done = texts.blocked_by_you if blocked else texts.ended_by_you
            await self._mail.tell(tx, ctx.user, done(self._mail.handle(other)), ctx.now)
        log.info("witness pair %d ended%s", pair.id, " with a block" if blocked else "")

    async def _which_pair(self, tx: Tx, ctx: CommandContext) -> Pair | None:
        pairs = await self._pairing.active_pairs(tx, ctx.user)
        if ctx.args and ctx.args[0].isdigit():
            pairs = [p for p in pairs if p.id == int(ctx.args[0])]
        if len(pairs) == 1:
            return pairs[0]
        if not pairs:
            await self._mail.tell(tx, ctx.user, texts.NOTHING_TO_END, ctx.now)
        else:
            choices = ", ".join(f"{ctx.spec.name} {p.id} (with "
                                f"{self._mail.handle(p.other(ctx.user))})" for p in pairs)
            await self._mail.tell(tx, ctx.user, texts.WHICH_ONE.format(choices=choices), ctx.now)
        return None

    async def _after_end(self, tx: Tx, pair: Pair, *, ended_by: UserRef | None,
                         now: datetime, farewell: str | None = None) -> None:
        """Never match these two again; tell whoever did not end it, kindly and neutrally;
        sharing goes back to off (it was consent for this person)."""
        await self._pairing.exclude(tx, pair.member, pair.witness, "ended", now)
        await self._pairing.exclude(tx, pair.witness, pair.member, "ended", now)
        shared = await self._sharing.get(tx, pair.member)
        await self._sharing.set(tx, pair.member, Sharing(moderators=shared.moderators), now)
        for person in (pair.member, pair.witness):
            if person == ended_by:
                continue
            other = self._mail.handle(pair.other(person))
            text = farewell or (texts.ended_for_member_side(other) if person == pair.member
                                else texts.ended_for_other(other))
            await self._mail.tell(tx, person, text, now)

    # Leaving, forgetting, and offers that lapse.

    async def member_left(self, event: MemberLeft) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await self._withdraw(tx, event.user, now,
                                 farewell=texts.left_community(self._mail.handle(event.user)))
            await self._volunteers.delete_user(tx, event.user)

    async def before_forget(self, tx: Tx, user: UserRef, now: datetime) -> str | None:
        await self._withdraw(tx, user, now, farewell=None)
        return None

    async def _withdraw(self, tx: Tx, user: UserRef, now: datetime,
                        farewell: str | None) -> None:
        """End their pairings (telling the other side), withdraw offers made to them (the
        member they were for is offered someone else) and close their own request."""
        for pair in await self._pairing.active_pairs(tx, user):
            if await self._pairing.end_pair(tx, pair.id, now):
                await self._after_end(tx, pair, ended_by=user, now=now, farewell=farewell)
        for offer in await self._pairing.live_offers_to(tx, user):
            await self._pairing.settle_offer(tx, offer.id, offer.status, "withdrawn", now)
            request = await self._pairing.request(tx, offer.request_id)
            if request is not None:
                await self._offer_next(tx, request, now)
        if request := await self._pairing.open_request(tx, user):
            await self._pairing.set_request(tx, request.id, "cancelled")

    async def offers_due(self) -> int:
        """Lapsed offers go to the next volunteer; waiting members are offered anyone new."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            lapsed = await self._pairing.expired_offers(tx, now)
            for offer in lapsed:
                await self._pairing.settle_offer(tx, offer.id, offer.status, "expired", now)
                request = await self._pairing.request(tx, offer.request_id)
                if request is None:
                    continue
                if offer.status == "pending":
                    await self._offer_next(tx, request, now)
                else:
                    await self._let_unconfirmed_go(tx, offer, request, now)
            await self.retry_waiting(tx, now)
        return len(lapsed)

    async def _let_unconfirmed_go(self, tx: Tx, offer: Offer, request: Request,
                                  now: datetime) -> None:
        """The member never confirmed: free the volunteer, and leave the door open for both."""
        await self._pairing.set_request(tx, request.id, "cancelled")
        await self._mail.tell(tx, offer.volunteer, texts.unconfirmed_to_volunteer(
            self._mail.handle(request.member)), now)
        await self._mail.tell(tx, request.member, texts.UNCONFIRMED_TO_MEMBER, now)

    async def retry_waiting(self, tx: Tx, now: datetime) -> None:
        """Someone may be free now (a new volunteer, a pairing that ended)."""
        for request in await self._pairing.waiting_requests(tx):
            await self._offer_next(tx, request, now)

    async def next_due(self) -> datetime | None:
        async with self._db.read() as tx:
            return await self._pairing.next_expiry(tx)


def _number(ctx: CommandContext) -> int:
    if not ctx.args or not ctx.args[0].isdigit():
        raise UsageError("That needs the number of the offer.")
    return int(ctx.args[0])
