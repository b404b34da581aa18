"""Volunteering as a witness: consent, capacity, and stepping back whenever one needs to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.context import CommandContext
from bot.ports import handle_of
from bot.store.db import Database, Tx
from bot.witness import matching, texts
from bot.witness.details import parse_details
from bot.witness.mail import Mail
from bot.witness.repository import Pairing, Volunteers

RetryWaiting = Callable[[Tx, datetime], Awaitable[None]]


class VolunteerDesk:
    def __init__(self, *, db: Database, mail: Mail, volunteers: Volunteers, pairing: Pairing,
                 default_capacity: int, retry_waiting: RetryWaiting) -> None:
        self._db = db
        self._mail = mail
        self._volunteers = volunteers
        self._pairing = pairing
        self._default_capacity = default_capacity
        self._retry_waiting = retry_waiting

    async def volunteer(self, ctx: CommandContext) -> None:
        adapter = self._mail.adapters.get(ctx.user.platform)
        if adapter is None or not await adapter.is_alumnus(ctx.user):
            async with self._db.transaction() as tx:
                await self._mail.tell(tx, ctx.user, texts.NOT_ALUMNUS, ctx.now)
            return
        details = parse_details(ctx.args, texts.VOLUNTEER_USAGE, allow_capacity=True)
        capacity = details.capacity or self._default_capacity
        profile = matching.Profile(str(ctx.user), details.cohort, details.languages,
                                   details.zone)
        async with self._db.transaction() as tx:
            await self._volunteers.save(tx, ctx.user, profile, capacity, ctx.now)
            await self._mail.tell(tx, ctx.user, texts.volunteered(capacity, _describe(profile)),
                                  ctx.now)
            await self._retry_waiting(tx, ctx.now)

    async def pause(self, ctx: CommandContext) -> None:
        await self._set(ctx, "paused", texts.PAUSED)

    async def resume(self, ctx: CommandContext) -> None:
        await self._set(ctx, "active", texts.RESUMED)

    async def _set(self, ctx: CommandContext, status: str, answer: str) -> None:
        async with self._db.transaction() as tx:
            if not await self._volunteers.set_status(tx, ctx.user, status):
                answer = texts.NOT_VOLUNTEER
            elif status == "active":
                await self._retry_waiting(tx, ctx.now)
            await self._mail.tell(tx, ctx.user, answer, ctx.now)

    async def stop(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            stopped = await self._volunteers.delete_user(tx, ctx.user)
            await self._mail.tell(tx, ctx.user, texts.STOPPED if stopped else
                                  texts.NOT_VOLUNTEER, ctx.now)

    async def status(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            pairs = await self._pairing.active_pairs(tx, ctx.user)
            lines = []
            volunteer = await self._volunteers.get(tx, ctx.user)
            if volunteer is not None:
                witnessing = sum(p.witness == ctx.user for p in pairs)
                lines.append(texts.status_volunteer(volunteer.status, volunteer.capacity,
                                                    witnessing))
            mine = next((p for p in pairs if p.member == ctx.user), None)
            request = await self._pairing.open_request(tx, ctx.user)
            lines.append(texts.status_member(
                handle_of(self._mail.adapters, mine.witness) if mine else None,
                texts.REQUEST_STATES.get(request.status) if request else None))
            await self._mail.tell(tx, ctx.user, "\n".join(lines), ctx.now)


def _describe(profile: matching.Profile) -> str:
    parts = [f"group {profile.cohort}"] if profile.cohort else []
    if profile.languages:
        parts.append("languages " + ", ".join(sorted(profile.languages)))
    if profile.zone:
        parts.append(f"time zone {profile.zone}")
    return f" ({'; '.join(parts)})" if parts else ""

