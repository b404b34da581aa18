"""Sending the check-ins that are due: once per member and local day, on time or not at all.

Each run reads what is due from the database with the injected clock, in batches. For every due
schedule it takes the latest moment that has come: within the grace window the check-in is sent
(its row and its prompt written in one transaction), later than that it is recorded as missed by
us, never held against the member. Then the schedule moves to its next moment after now. So a
three-day outage gives at most one check-in on return, and a second run finds nothing to do.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.checkins import texts
from bot.checkins.answers import prompt_buttons
from bot.checkins.repository import CheckinRepository, Due, Status, rhythm_of
from bot.checkins.schedule import around
from bot.events import OutgoingMessage, Priority
from bot.identity import UserRef
from bot.ports import Clock
from bot.store.db import Database, Tx, from_db, to_db
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

PROMPT_KIND = "checkins.prompt"
BATCH = 5000


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do for one due schedule (shared by every member with the same rhythm)."""

    local_date: str | None  # the day the latest moment belongs to, if one has come
    due_at: str
    send: bool  # within grace: send it; otherwise it was missed by us
    next_due_at: str

    @property
    def status(self) -> str:
        return (Status.SENT if self.send else Status.MISSED_BY_US).value


class Decider:
    """Decisions for one run, cached per (time, zone, days, stored moment): many members
    share a rhythm, and the calendar work is the same for all of them."""

    def __init__(self, now: datetime, grace: timedelta) -> None:
        self._now = now
        self._grace = grace
        self._cache: dict[tuple[str, str, str, str], Decision] = {}

    def __call__(self, due: Due) -> Decision:
        key = (due.local_time, due.zone, due.days, due.next_due_at)
        decision = self._cache.get(key)
        if decision is None:
            decision = self._cache[key] = self._decide(*key)
        return decision

    def _decide(self, local_time: str, zone: str, days: str, stored: str) -> Decision:
        latest, after = around(rhythm_of(local_time, zone, days), from_db(stored), self._now)
        following = to_db(after.due_at)
        if latest is None:
            return Decision(None, stored, False, following)
        return Decision(latest.local_date.isoformat(), to_db(latest.due_at),
                        self._now - latest.due_at <= self._grace, following)


class CheckinDispatch:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        repo: CheckinRepository,
        clock: Clock,
        grace: timedelta,
        batch: int = BATCH,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._repo = repo
        self._clock = clock
        self._grace = grace
        self._batch = batch

    async def next_due(self) -> datetime | None:
        """The next moment anything is due (lets the demo clock step exactly there)."""
        async with self._db.read() as tx:
            return await self._repo.next_due_at(tx)

    async def dispatch_due(self) -> Counter[str]:
        """Send every check-in due now. Safe to run twice, late, or from two processes."""
        now = self._clock.now()
        decide = Decider(now, self._grace)
        tally: Counter[str] = Counter()
        while True:
            async with self._db.transaction() as tx:
                due = await self._repo.due(tx, now, self._batch)
                if not due:
                    break
                tally += await self._dispatch_batch(tx, due, decide, now)
        if tally:
            log.info("check-ins: %d sent, %d missed by us, %d already had one",
                     tally["sent"], tally["missed_by_us"], tally["already"])
        return tally

    async def _dispatch_batch(
        self, tx: Tx, due: list[Due], decide: Decider, now: datetime
    ) -> Counter[str]:
        decided = [(row.user, decide(row)) for row in due]
        come = [(user, d) for user, d in decided if d.local_date is not None]
        existing = await self._repo.existing(tx, [(user, d.local_date) for user, d in come])
        fresh = [(user, d) for user, d in come if (user, d.local_date) not in existing]
        stamp = to_db(now)
        await self._repo.record(tx, [(user, d.local_date, d.status, d.due_at, stamp)
                                     for user, d in fresh])
        prompts = [self._prompt(UserRef.parse(user), d.local_date) for user, d in fresh if d.send]
        await self._outbox.enqueue_many(tx, now, prompts)
        await self._repo.reschedule(tx, [(d.next_due_at, stamp, user) for user, d in decided])
        return Counter({Status.SENT.value: len(prompts),
                        Status.MISSED_BY_US.value: len(fresh) - len(prompts),
                        "already": len(come) - len(fresh)})

    @staticmethod
    def _prompt(user: UserRef, local_date: str) -> Enqueue:
        return Enqueue(
            OutgoingMessage(user, texts.PROMPT, buttons=prompt_buttons(local_date),
                            priority=Priority.ROUTINE),
            kind=PROMPT_KIND, subject=user,
            dedup_key=f"checkin:{user}:{local_date}",
        )
