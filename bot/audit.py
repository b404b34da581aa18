"""The audit log: who did what, when, to which record. Never what anyone wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.identity import UserRef
from bot.store.db import Tx, to_db

FORGOTTEN = "forgotten"
SYSTEM = "system"


class AuditLog:
    section = "audit_log"

    async def record(
        self,
        tx: Tx,
        now: datetime,
        actor: UserRef | str,
        action: str,
        subject: UserRef | None = None,
        ref: str | None = None,
    ) -> None:
        await tx.execute(
            "INSERT INTO audit_log (at, actor, action, subject, ref) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), str(actor), action, None if subject is None else str(subject), ref),
        )

    async def export_user(self, tx: Tx, user: UserRef) -> list[dict[str, Any]]:
        rows = await tx.fetchall(
            "SELECT at, actor, action, subject, ref FROM audit_log"
            " WHERE actor = ? OR subject = ? ORDER BY id",
            (str(user), str(user)),
        )
        return [dict(row) for row in rows]

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        """The record of what happened stays; who it was is removed."""
        me = str(user)
        changed = await tx.execute(
            "UPDATE audit_log SET actor = ? WHERE actor = ?", (FORGOTTEN, me)
        )
        return changed + await tx.execute(
            "UPDATE audit_log SET subject = ? WHERE subject = ?", (FORGOTTEN, me)
        )

    async def forget_subject_of(self, tx: Tx, ref: str) -> int:
        """Who a record was about is removed, for one record (an escalation deleted late)."""
        return await tx.execute(
            "UPDATE audit_log SET subject = ? WHERE ref = ? AND subject IS NOT NULL",
            (FORGOTTEN, ref))

    async def purge_expired(self, tx: Tx, before: datetime) -> int:
        return await tx.execute("DELETE FROM audit_log WHERE at < ?", (to_db(before),))
