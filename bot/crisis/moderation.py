"""The moderators' commands: see the queue, claim, release, resolve, figures, on-call.

Rights are checked by the dispatcher against the platform at the moment of each command.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.audit import AuditLog
from bot.commands import CommandSpec, Param, ParamKind, Scope, UsageError
from bot.context import CommandContext
from bot.crisis import texts
from bot.crisis.detection import Tier
from bot.crisis.paging import Pager
from bot.crisis.repository import OPEN, OUTCOMES, RESOLVED, Escalation, Escalations, OnCall
from bot.events import Button
from bot.identity import IdentityError, UserRef
from bot.safety import defang
from bot.store.db import Database, Tx
from bot.store.outbox import Outbox

log = logging.getLogger(__name__)

STATS_WINDOW = timedelta(days=30)
OUTCOME_LABELS = {"reached-out": "Reached out", "emergency-services": "Emergency services",
                  "no-action-needed": "No action needed", "false-alarm": "False alarm"}
_ID = Param("id", ParamKind.NUMBER, required=True, description="the escalation number")


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


class ModeratorDesk:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        escalations: Escalations,
        on_call: OnCall,
        pager: Pager,
        audit: AuditLog,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._escalations = escalations
        self._on_call = on_call
        self._pager = pager
        self._audit = audit

    def commands(self) -> list[CommandSpec]:
        mod = Scope.MODERATOR
        return [
            CommandSpec("mod queue", "mod queue", "open escalations, oldest first", self.queue,
                        mod),
            CommandSpec("mod show", "mod show ID", "one escalation, with the member's words",
                        self.show, mod, params=(_ID,)),
            CommandSpec("mod claim", "mod claim ID", "take an escalation: you'll reach out",
                        self.claim, mod, params=(_ID,)),
            CommandSpec("mod release", "mod release ID", "put a claimed escalation back",
                        self.release, mod, params=(_ID,)),
            CommandSpec("mod resolve", "mod resolve ID OUTCOME [note]",
                        "close it: reached-out, emergency-services, no-action-needed or "
                        "false-alarm", self.resolve, mod, params=(
                            _ID, Param("outcome", ParamKind.CHOICE, True, choices=OUTCOMES),
                            Param("note", ParamKind.TEXT))),
            CommandSpec("mod stats", "mod stats", "time to claim and resolve, last 30 days",
                        self.stats, mod),
            CommandSpec("mod oncall", "mod oncall on|off",
                        "be paged privately when nobody claims in time", self.oncall, mod,
                        params=(Param("state", ParamKind.CHOICE, True, choices=("on", "off")),)),
            CommandSpec("mod deliveries", "mod deliveries", "messages that could not be delivered",
                        self.deliveries, mod),
        ]

    async def _say(self, tx: Tx, ctx: CommandContext, text: str,
                   buttons: tuple[Button, ...] = ()) -> None:
        await self._outbox.enqueue(tx, ctx.now, ctx.reply(text, buttons=buttons))

    async def queue(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            open_ = await self._escalations.unresolved(tx)
            lines = [texts.queue_line(e.id, e.tier, self._state(e), ctx.now - e.opened_at)
                     for e in open_]
            await self._say(tx, ctx, "\n".join(lines) if lines else texts.NOTHING_OPEN)

    async def show(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            esc = await self._find(tx, ctx)
            if esc is None:
                return
            words = [f"{at:%d %b %H:%M} UTC: {text or '(removed after retention)'}"
                     for at, text in await self._escalations.messages(tx, esc.id)]
            head = texts.queue_line(esc.id, esc.tier, self._state(esc), ctx.now - esc.opened_at)
            await self._audit.record(tx, ctx.now, ctx.user, "viewed", esc.member,
                                     f"escalation:{esc.id}")
            await self._say(tx, ctx, f"{head}\nMember: {self._pager.handle(esc.member)}\n"
                            f"{texts.CONTENT_WARNING}:\n" + defang("\n".join(words)))

    async def claim(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            esc = await self._find(tx, ctx)
            if esc is None:
                return
            deadline = esc.policy.claim_deadline(ctx.now)
            if not await self._escalations.claim(tx, esc.id, ctx.user, ctx.now, deadline):
                await self._say(tx, ctx, self._not_claimable(esc))
                return
            await self._audit.record(tx, ctx.now, ctx.user, "claimed", esc.member,
                                     f"escalation:{esc.id}")
            buttons = tuple(Button(label, f"mod resolve {esc.id} {outcome}")
                            for outcome, label in OUTCOME_LABELS.items())
            await self._say(tx, ctx, texts.claimed_by_you(esc.id, self._pager.handle(esc.member)),
                            (*buttons, Button("Release", f"mod release {esc.id}")))
            await self._tell_room(tx, ctx, esc.platform,
                                  texts.claimed_notice(esc.id, self._pager.handle(ctx.user)))
        log.info("escalation %d claimed", esc.id)

    async def release(self, ctx: CommandContext) -> None:
        escalation_id = _escalation_id(ctx)
        async with self._db.transaction() as tx:
            if not await self._escalations.reopen(tx, escalation_id, ctx.now):
                esc = await self._escalations.get(tx, escalation_id)
                await self._say(tx, ctx, texts.not_found(escalation_id) if esc is None or
                                esc.status != RESOLVED else texts.already_resolved(esc.id))
                return
            esc = await self._escalations.get(tx, escalation_id)
            assert esc is not None
            await self._audit.record(tx, ctx.now, ctx.user, "released", esc.member,
                                     f"escalation:{esc.id}")
            if esc.tier == Tier.CRISIS:
                await self._pager.page(tx, esc, 0, ctx.now, reopened=True)
            else:
                await self._escalations.set_paged(tx, esc.id, -1, None)
            await self._say(tx, ctx, texts.released(esc.id))

    async def resolve(self, ctx: CommandContext) -> None:
        escalation_id = _escalation_id(ctx)
        if len(ctx.args) < 2 or ctx.args[1].lower() not in OUTCOMES:
            raise UsageError(texts.OUTCOME_USAGE)
        outcome = ctx.args[1].lower()
        note = ctx.rest.split(maxsplit=2)[2] if len(ctx.args) > 2 else None
        async with self._db.transaction() as tx:
            esc = await self._escalations.get(tx, escalation_id)
            if esc is None or not await self._escalations.resolve(
                tx, escalation_id, ctx.user, outcome, note, ctx.now
            ):
                await self._say(tx, ctx, texts.not_found(escalation_id) if esc is None
                                else texts.already_resolved(escalation_id))
                return
            await self._audit.record(tx, ctx.now, ctx.user, f"resolved {outcome}", esc.member,
                                     f"escalation:{esc.id}")
            if esc.forget_on_resolve:  # the member asked to be forgotten while it was open
                await self._escalations.delete(tx, esc.id)
                await self._audit.forget_subject_of(tx, f"escalation:{esc.id}")
                await self._outbox.unlink_subject(tx, esc.member)
            notice = texts.resolved(esc.id, outcome, self._pager.handle(ctx.user))
            await self._say(tx, ctx, notice)
            await self._tell_room(tx, ctx, esc.platform, notice)
        log.info("escalation %d resolved: %s", escalation_id, outcome)

    async def stats(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            to_claim, to_resolve = await self._escalations.durations(tx, ctx.now - STATS_WINDOW)
            count = await self._escalations.count_opened(tx, ctx.now - STATS_WINDOW)
            await self._say(tx, ctx, texts.stats(count, _p50_p90(to_claim), _p50_p90(to_resolve)))

    async def oncall(self, ctx: CommandContext) -> None:
        state = ctx.args[0].lower() if ctx.args else ""
        if state not in {"on", "off"}:
            raise UsageError("Say on or off.")
        async with self._db.transaction() as tx:
            await self._on_call.set(tx, ctx.user, state == "on", ctx.now)
            await self._audit.record(tx, ctx.now, ctx.user, f"on call {state}")
            await self._say(tx, ctx, texts.ON_CALL if state == "on" else texts.OFF_CALL)

    async def deliveries(self, ctx: CommandContext) -> None:
        async with self._db.transaction() as tx:
            failures = await self._outbox.recent_failures(tx)
            lines = [texts.delivery_failure(f.id, f.kind, f.platform, f.error,
                                            f"{f.at:%d %b %H:%M} UTC") for f in failures]
            await self._say(tx, ctx, "\n".join(lines) if lines else texts.ALL_DELIVERED)

    async def _tell_room(self, tx: Tx, ctx: CommandContext, platform: str, text: str) -> None:
        """Let the other moderators know, unless the answer already went to the room."""
        if isinstance(ctx.reply_target, UserRef):
            await self._pager.notice(tx, platform, text, ctx.now)

    async def _find(self, tx: Tx, ctx: CommandContext) -> Escalation | None:
        """The escalation the command names, or None after saying there is none."""
        escalation_id = _escalation_id(ctx)
        esc = await self._escalations.get(tx, escalation_id)
        if esc is None:
            await self._say(tx, ctx, texts.not_found(escalation_id))
        return esc

    def _state(self, esc: Escalation) -> str:
        if esc.status == OPEN:
            return "unclaimed"
        if esc.status == RESOLVED:
            return f"resolved ({esc.outcome})"
        return f"claimed by {self._who(esc.claimed_by)}"

    def _who(self, stored: str | None) -> str:
        """A moderator as stored: shown by handle, or plainly once they asked to be forgotten."""
        try:
            return self._pager.handle(UserRef.parse(stored or ""))
        except IdentityError:
            return "a moderator"

    def _not_claimable(self, esc: Escalation) -> str:
        if esc.status == RESOLVED or esc.claimed_by is None:
            return texts.already_resolved(esc.id)
        return texts.already_claimed(esc.id, self._who(esc.claimed_by))


def _escalation_id(ctx: CommandContext) -> int:
    if not ctx.args or not ctx.args[0].lstrip("#").isdigit():
        raise UsageError(texts.NEED_ID)
    return int(ctx.args[0].lstrip("#"))


def _p50_p90(values: list[float]) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        "–" if (v := percentile(values, share)) is None else texts.minutes(v)
        for share in (0.5, 0.9)
    )

