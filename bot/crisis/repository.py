"""Escalations and everything attached to them, as stored; the service decides what happens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.audit import FORGOTTEN
from bot.crisis.policy import PagePolicy
from bot.identity import UserRef
from bot.store.db import Tx, from_db, maybe_from_db, to_db

OPEN, CLAIMED, RESOLVED = "open", "claimed", "resolved"
OUTCOMES = ("reached-out", "emergency-services", "no-action-needed", "false-alarm")


@dataclass(frozen=True, slots=True)
class Escalation:
    id: int
    member: UserRef
    tier: str
    status: str
    source: str
    categories: tuple[str, ...]
    link: str | None
    policy: PagePolicy
    opened_at: datetime
    cycle: int
    cycle_started_at: datetime
    level: int
    next_page_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    forget_on_resolve: bool

    @property
    def platform(self) -> str:
        return self.member.platform


@dataclass(frozen=True, slots=True)
class NewEscalation:
    member: UserRef
    tier: str
    dedup_key: str
    source: str
    categories: tuple[str, ...]
    link: str | None
    policy: PagePolicy


def _escalation(row: Any) -> Escalation:
    return Escalation(
        id=row["id"], member=UserRef.parse(row["member"]), tier=row["tier"],
        status=row["status"], source=row["source"],
        categories=tuple(json.loads(row["categories"])), link=row["link"],
        policy=PagePolicy.from_json(row["policy"]), opened_at=from_db(row["opened_at"]),
        cycle=row["cycle"], cycle_started_at=from_db(row["cycle_started_at"]),
        level=row["level"], next_page_at=maybe_from_db(row["next_page_at"]),
        claimed_by=row["claimed_by"], claimed_at=maybe_from_db(row["claimed_at"]),
        resolved_at=maybe_from_db(row["resolved_at"]), outcome=row["outcome"],
        forget_on_resolve=bool(row["forget_on_resolve"]),
    )


class Escalations:
    """The escalation aggregate: escalations, their messages and their page send log."""

    section = "escalations"

    async def open_for(self, tx: Tx, member: UserRef) -> Escalation | None:
        row = await tx.fetchone(
            "SELECT * FROM escalations WHERE member = ? AND status != 'resolved'"
            " ORDER BY id DESC LIMIT 1",
            (str(member),),
        )
        return None if row is None else _escalation(row)

    async def get(self, tx: Tx, escalation_id: int) -> Escalation | None:
        row = await tx.fetchone("SELECT * FROM escalations WHERE id = ?", (escalation_id,))
        return None if row is None else _escalation(row)

    async def create(self, tx: Tx, new: NewEscalation, now: datetime) -> int | None:
        """None when this message already opened one (a replay after a restart)."""
        stamp = to_db(now)
        changed = await tx.execute(
            "INSERT OR IGNORE INTO escalations (member, platform, tier, status, dedup_key,"
            " source, categories, link, policy, opened_at, cycle_started_at)"
            " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
            (str(new.member), new.member.platform, new.tier, new.dedup_key, new.source,
             json.dumps(list(new.categories)), new.link, new.policy.to_json(), stamp, stamp),
        )
        if not changed:
            return None
        return int(await tx.scalar("SELECT last_insert_rowid()"))

    async def add_message(
        self, tx: Tx, escalation_id: int, message_key: str, tier: str, text: str,
        now: datetime,
    ) -> bool:
        """False if this exact message was already recorded."""
        return bool(await tx.execute(
            "INSERT OR IGNORE INTO escalation_messages"
            " (escalation_id, message_key, tier, text, received_at) VALUES (?, ?, ?, ?, ?)",
            (escalation_id, message_key, tier, text, to_db(now)),
        ))

    async def messages(self, tx: Tx, escalation_id: int) -> list[tuple[datetime, str | None]]:
        rows = await tx.fetchall(
            "SELECT received_at, text FROM escalation_messages WHERE escalation_id = ?"
            " ORDER BY id", (escalation_id,),
        )
        return [(from_db(r["received_at"]), r["text"]) for r in rows]

    async def upgrade_to_crisis(self, tx: Tx, escalation_id: int, now: datetime) -> None:
        await tx.execute(
            "UPDATE escalations SET tier = 'crisis', cycle_started_at = ?, level = -1"
            " WHERE id = ?", (to_db(now), escalation_id),
        )

    async def record_page(
        self, tx: Tx, esc: Escalation, level: int, target: str, now: datetime
    ) -> bool:
        """The send log: False when this level already went to this target in this cycle."""
        return bool(await tx.execute(
            "INSERT OR IGNORE INTO escalation_pages (escalation_id, cycle, level, target,"
            " queued_at) VALUES (?, ?, ?, ?, ?)",
            (esc.id, esc.cycle, level, target, to_db(now)),
        ))

    async def mark_page(self, tx: Tx, key: str, column: str, now: datetime) -> None:
        """Record on the send log that the page with this outbox key was delivered or failed."""
        if column not in {"delivered_at", "failed_at"}:
            raise ValueError(column)
        escalation_id, cycle, level, target = key.split(":", 3)
        await tx.execute(
            f"UPDATE escalation_pages SET {column} = ? WHERE escalation_id = ? AND cycle = ?"
            " AND level = ? AND target = ?",
            (to_db(now), int(escalation_id), int(cycle), int(level), target),
        )

    async def set_paged(
        self, tx: Tx, escalation_id: int, level: int, next_page_at: datetime | None
    ) -> None:
        await tx.execute(
            "UPDATE escalations SET level = ?, next_page_at = ? WHERE id = ?",
            (level, None if next_page_at is None else to_db(next_page_at), escalation_id),
        )

    async def due(self, tx: Tx, now: datetime) -> list[Escalation]:
        rows = await tx.fetchall(
            "SELECT * FROM escalations WHERE next_page_at IS NOT NULL AND next_page_at <= ?"
            " ORDER BY next_page_at", (to_db(now),),
        )
        return [_escalation(r) for r in rows]

    async def next_due_at(self, tx: Tx) -> datetime | None:
        return maybe_from_db(await tx.scalar(
            "SELECT MIN(next_page_at) FROM escalations WHERE next_page_at IS NOT NULL"))

    async def claim(
        self, tx: Tx, escalation_id: int, moderator: UserRef, now: datetime, deadline: datetime
    ) -> bool:
        """Exactly one of several simultaneous claims wins: the one that finds it open."""
        return bool(await tx.execute(
            "UPDATE escalations SET status = 'claimed', claimed_by = ?, claimed_at = ?,"
            " first_claimed_at = COALESCE(first_claimed_at, ?), next_page_at = ?"
            " WHERE id = ? AND status = 'open'",
            (str(moderator), to_db(now), to_db(now), to_db(deadline), escalation_id),
        ))

    async def reopen(self, tx: Tx, escalation_id: int, now: datetime) -> bool:
        """Back to unclaimed, starting a new paging cycle."""
        return bool(await tx.execute(
            "UPDATE escalations SET status = 'open', claimed_by = NULL, claimed_at = NULL,"
            " cycle = cycle + 1, cycle_started_at = ?, level = -1, next_page_at = ?"
            " WHERE id = ? AND status = 'claimed'",
            (to_db(now), to_db(now), escalation_id),
        ))

    async def resolve(
        self, tx: Tx, escalation_id: int, moderator: UserRef, outcome: str, note: str | None,
        now: datetime,
    ) -> bool:
        return bool(await tx.execute(
            "UPDATE escalations SET status = 'resolved', resolved_by = ?, resolved_at = ?,"
            " outcome = ?, resolution_note = ?, next_page_at = NULL,"
            " first_claimed_at = COALESCE(first_claimed_at, ?),"
            " claimed_by = COALESCE(claimed_by, ?), claimed_at = COALESCE(claimed_at, ?)"
            " WHERE id = ? AND status != 'resolved'",
            (str(moderator), to_db(now), outcome, note, to_db(now), str(moderator), to_db(now),
             escalation_id),
        ))

    async def unresolved(self, tx: Tx) -> list[Escalation]:
        rows = await tx.fetchall(
            "SELECT * FROM escalations WHERE status != 'resolved' ORDER BY opened_at")
        return [_escalation(r) for r in rows]

    async def count_opened(self, tx: Tx, since: datetime) -> int:
        return int(await tx.scalar(
            "SELECT COUNT(*) FROM escalations WHERE opened_at >= ?", (to_db(since),)))

    async def durations(self, tx: Tx, since: datetime) -> tuple[list[float], list[float]]:
        """Seconds to first claim and to resolution, for escalations opened since then."""
        rows = await tx.fetchall(
            "SELECT opened_at, first_claimed_at, resolved_at FROM escalations"
            " WHERE opened_at >= ?", (to_db(since),),
        )
        to_claim, to_resolve = [], []
        for row in rows:
            opened = from_db(row["opened_at"])
            if row["first_claimed_at"]:
                to_claim.append((from_db(row["first_claimed_at"]) - opened).total_seconds())
            if row["resolved_at"]:
                to_resolve.append((from_db(row["resolved_at"]) - opened).total_seconds())
        return to_claim, to_resolve

    async def delete(self, tx: Tx, escalation_id: int) -> None:
        await tx.execute("DELETE FROM escalations WHERE id = ?", (escalation_id,))

    # Data rights.

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any]:
        about_you = []
        for row in await tx.fetchall(
            "SELECT * FROM escalations WHERE member = ? ORDER BY id", (str(user),)
        ):
            texts = await self.messages(tx, row["id"])
            about_you.append({
                "id": row["id"], "tier": row["tier"], "status": row["status"],
                "opened_at": row["opened_at"], "resolved_at": row["resolved_at"],
                "outcome": row["outcome"], "moderator_note": row["resolution_note"],
                "your_messages": [{"at": to_db(at), "text": text} for at, text in texts],
            })
        handled = [dict(r) for r in await tx.fetchall(
            "SELECT id, tier, claimed_at, resolved_at, outcome FROM escalations"
            " WHERE claimed_by = ? OR resolved_by = ? ORDER BY id", (str(user), str(user)),
        )]
        return {"about_you": about_you, "handled_as_moderator": handled}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        """Their own escalations go, except one a moderator is still handling (deleted when it
        is resolved); as a moderator, their name is removed from what they handled."""
        me = str(user)
        removed = await tx.execute(
            "DELETE FROM escalations WHERE member = ? AND status = 'resolved'", (me,))
        removed += await tx.execute(
            "UPDATE escalations SET forget_on_resolve = 1 WHERE member = ?", (me,))
        for column in ("claimed_by", "resolved_by"):
            removed += await tx.execute(
                f"UPDATE escalations SET {column} = ? WHERE {column} = ?", (FORGOTTEN, me))
        removed += await tx.execute(
            "DELETE FROM escalation_pages WHERE target = ?", (f"user {me}",))
        return removed

    async def purge_texts(self, tx: Tx, before: datetime) -> int:
        """What members wrote is kept only for a while after the escalation was resolved."""
        changed = await tx.execute(
            "UPDATE escalation_messages SET text = NULL WHERE text IS NOT NULL AND"
            " escalation_id IN (SELECT id FROM escalations WHERE status = 'resolved'"
            " AND resolved_at < ?)", (to_db(before),),
        )
        return changed + await tx.execute(
            "UPDATE escalations SET resolution_note = NULL WHERE resolution_note IS NOT NULL"
            " AND status = 'resolved' AND resolved_at < ?", (to_db(before),),
        )


class OnCall:
    """Moderators who asked to be paged privately when nobody claims in time."""

    section = "on_call"

    async def set(self, tx: Tx, user: UserRef, on: bool, now: datetime) -> None:
        if on:
            await tx.execute("INSERT OR IGNORE INTO moderators_on_call VALUES (?, ?)",
                             (str(user), to_db(now)))
        else:
            await self.delete_user(tx, user)

    async def on_platform(self, tx: Tx, platform: str) -> list[UserRef]:
        rows = await tx.fetchall("SELECT user FROM moderators_on_call WHERE user LIKE ?",
                                 (f"{platform}:%",))
        return [UserRef.parse(r["user"]) for r in rows]

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any] | None:
        since = await tx.scalar("SELECT since FROM moderators_on_call WHERE user = ?",
                                (str(user),))
        return None if since is None else {"on_call_since": since}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("DELETE FROM moderators_on_call WHERE user = ?", (str(user),))
