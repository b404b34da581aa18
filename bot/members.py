"""Members: when we first and last heard from someone, and a question awaiting their yes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.identity import UserRef
from bot.store.db import Tx, from_db, maybe_from_db, to_db


@dataclass(frozen=True, slots=True)
class Member:
    user: UserRef
    first_seen_at: datetime
    last_seen_at: datetime
    pending_action: str | None
    pending_until: datetime | None


class Members:
    section = "member"

    async def touch(self, tx: Tx, user: UserRef, now: datetime) -> datetime | None:
        """Record that ``user`` spoke now; returns when they were last seen before (or None)."""
        previous = await tx.scalar("SELECT last_seen_at FROM members WHERE user = ?", (str(user),))
        stamp = to_db(now)
        await tx.execute(
            "INSERT INTO members (user, first_seen_at, last_seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            (str(user), stamp, stamp),
        )
        return maybe_from_db(previous)

    async def get(self, tx: Tx, user: UserRef) -> Member | None:
        row = await tx.fetchone("SELECT * FROM members WHERE user = ?", (str(user),))
        if row is None:
            return None
        return Member(user, from_db(row["first_seen_at"]), from_db(row["last_seen_at"]),
                      row["pending_action"], maybe_from_db(row["pending_until"]))

    async def set_pending(self, tx: Tx, user: UserRef, action: str, until: datetime) -> None:
        await tx.execute(
            "UPDATE members SET pending_action = ?, pending_until = ? WHERE user = ?",
            (action, to_db(until), str(user)),
        )

    async def take_pending(self, tx: Tx, user: UserRef, now: datetime) -> str | None:
        """The action awaiting this member's yes, if still valid; it is cleared either way."""
        member = await self.get(tx, user)
        if member is None or member.pending_action is None:
            return None
        await tx.execute(
            "UPDATE members SET pending_action = NULL, pending_until = NULL WHERE user = ?",
            (str(user),),
        )
        if member.pending_until is None or member.pending_until < now:
            return None
        return member.pending_action

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any] | None:
        row = await tx.fetchone(
            "SELECT first_seen_at, last_seen_at FROM members WHERE user = ?", (str(user),)
        )
        return None if row is None else {"id": str(user), **dict(row)}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("DELETE FROM members WHERE user = ?", (str(user),))
