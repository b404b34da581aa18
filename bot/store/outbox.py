"""The outbox: every outgoing message is a row, written in the same transaction as its cause.

The delivery worker claims due rows, sends them, and records the outcome. A row is only marked
delivered after the platform accepted it, so a crash means "sent at least once", never "lost".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bot.events import Attachment, Button, Mention, OutgoingMessage, Priority
from bot.identity import UserRef, parse_target, target_str
from bot.store.db import Tx, from_db, maybe_from_db, to_db


class Lane(Enum):
    """Crisis messages have a lane of their own so they never queue behind fan-out."""

    URGENT = "urgent"
    ROUTINE = "routine"

    def priority_clause(self) -> str:
        return "priority = 0" if self is Lane.URGENT else "priority > 0"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    platform: str
    message: OutgoingMessage
    kind: str
    attempts: int
    subject: str | None
    dedup_key: str | None


@dataclass(frozen=True, slots=True)
class Enqueue:
    """One message to write, with what the outbox needs to know about it."""

    message: OutgoingMessage
    kind: str
    subject: UserRef | None = None
    dedup_key: str | None = None
    forget_on_delivery: bool = False


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    id: int
    kind: str
    platform: str
    error: str
    at: datetime


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # made once, not per call


def encode(message: OutgoingMessage) -> str:
    data: dict[str, Any] = {"text": message.text}
    if message.buttons:
        data["buttons"] = [[b.label, b.command, b.input_label] for b in message.buttons]
    if message.attachment:
        data["attachment"] = [message.attachment.filename, message.attachment.content]
    if message.hidden_text is not None:
        data["hidden_text"] = message.hidden_text
    if message.mention is not Mention.NONE:
        data["mention"] = message.mention.value
    if message.reply_token:
        data["reply_token"] = message.reply_token
    return _ENCODER.encode(data)


def decode(target: str, payload: str, priority: int = Priority.REPLY) -> OutgoingMessage:
    data = json.loads(payload)
    attachment = data.get("attachment")
    return OutgoingMessage(
        target=parse_target(target),
        text=data["text"],
        buttons=tuple(Button(*button) for button in data.get("buttons", ())),
        attachment=Attachment(*attachment) if attachment else None,
        hidden_text=data.get("hidden_text"),
        mention=Mention(data.get("mention", Mention.NONE)),
        reply_token=data.get("reply_token"),
        priority=Priority(priority),
    )


_COLUMNS = "id, platform, target, payload, kind, priority, attempts, subject, dedup_key"


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        platform=row["platform"],
        message=decode(row["target"], row["payload"], row["priority"]),
        kind=row["kind"],
        attempts=row["attempts"],
        subject=row["subject"],
        dedup_key=row["dedup_key"],
    )


class Outbox:
    """Repository for outgoing messages. ``listeners`` are told after a commit adds rows."""

    section = "messages"

    def __init__(self) -> None:
        self.listeners: list[Callable[[], None]] = []

    def _notify(self) -> None:
        for listener in self.listeners:
            listener()

    async def enqueue(self, tx: Tx, now: datetime, item: Enqueue) -> bool:
        """Write one message; False if its dedup key was already used (nothing written)."""
        return await self.enqueue_many(tx, now, (item,)) == 1

    async def enqueue_many(self, tx: Tx, now: datetime, items: Iterable[Enqueue]) -> int:
        stamp = to_db(now)
        rows = [
            (
                item.message.target.platform,
                target_str(item.message.target),
                None if item.subject is None else str(item.subject),
                item.kind,
                int(item.message.priority),
                encode(item.message),
                item.dedup_key,
                stamp,
                stamp,
                int(item.forget_on_delivery),
            )
            for item in items
        ]
        before = await tx.scalar("SELECT total_changes()")
        await tx.executemany(
            "INSERT OR IGNORE INTO outbox (platform, target, subject, kind, priority, payload,"
            " dedup_key, next_attempt_at, created_at, forget_on_delivery)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        written = int(await tx.scalar("SELECT total_changes()")) - int(before)
        if written:
            tx.after_commit(self._notify)
        return written

    async def claim_due(
        self, tx: Tx, platform: str, lane: Lane, now: datetime, limit: int
    ) -> list[OutboxItem]:
        """Take up to ``limit`` due rows, most urgent first, and mark them in flight."""
        rows = await tx.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE platform = ? AND status = 'pending'"
            f" AND {lane.priority_clause()} AND next_attempt_at <= ?"
            " ORDER BY priority, id LIMIT ?",
            (platform, to_db(now), limit),
        )
        if rows:
            await tx.executemany(
                "UPDATE outbox SET status = 'sending' WHERE id = ?", [(r["id"],) for r in rows]
            )
        return [_item(r) for r in rows]

    async def next_due_at(self, tx: Tx, platform: str, lane: Lane) -> datetime | None:
        value = await tx.scalar(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE platform = ? AND status = 'pending'"
            f" AND {lane.priority_clause()}",
            (platform,),
        )
        return maybe_from_db(value)

    async def mark_delivered(
        self, tx: Tx, item_id: int, now: datetime, platform_message_id: str | None
    ) -> None:
        await tx.execute("DELETE FROM outbox WHERE id = ? AND forget_on_delivery = 1", (item_id,))
        await tx.execute(
            "UPDATE outbox SET status = 'delivered', delivered_at = ?, platform_message_id = ?,"
            " attempts = attempts + 1, last_error = NULL WHERE id = ?",
            (to_db(now), platform_message_id, item_id),
        )

    async def mark_retry(self, tx: Tx, item_id: int, retry_at: datetime, error: str) -> None:
        await tx.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts + 1,"
            " next_attempt_at = ?, last_error = ? WHERE id = ?",
            (to_db(retry_at), error, item_id),
        )

    async def mark_failed(self, tx: Tx, item_id: int, now: datetime, error: str) -> None:
        await tx.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, delivered_at = ?,"
            " last_error = ? WHERE id = ?",
            (to_db(now), error, item_id),
        )

    async def cancel_pending(self, tx: Tx, user: UserRef, kind: str) -> int:
        """Withdraw messages of ``kind`` to ``user`` not yet sent (consent taken back)."""
        return await tx.execute(
            "DELETE FROM outbox WHERE target = ? AND kind = ? AND status = 'pending'",
            (target_str(user), kind),
        )

    async def release_in_flight(self, tx: Tx, platform: str) -> int:
        """After a restart: rows that were being sent go back to pending (at least once)."""
        return await tx.execute(
            "UPDATE outbox SET status = 'pending' WHERE platform = ? AND status = 'sending'",
            (platform,),
        )

    async def buttons_of(self, tx: Tx, platform: str, message_id: str) -> tuple[Button, ...]:
        """The buttons of a message we sent, to answer a reaction or a numbered reply."""
        row = await tx.fetchone(
            "SELECT target, payload FROM outbox WHERE platform = ? AND platform_message_id = ?",
            (platform, message_id),
        )
        return () if row is None else decode(row["target"], row["payload"]).buttons

    async def latest_buttons_to(
        self, tx: Tx, user: UserRef, since: datetime
    ) -> tuple[Button, ...]:
        """Buttons of the newest message with buttons privately delivered to ``user``."""
        row = await tx.fetchone(
            "SELECT target, payload FROM outbox WHERE target = ? AND status = 'delivered'"
            " AND delivered_at >= ? AND payload LIKE '%\"buttons\":%'"
            " ORDER BY delivered_at DESC, id DESC LIMIT 1",
            (target_str(user), to_db(since)),
        )
        return () if row is None else decode(row["target"], row["payload"]).buttons

    async def recent_failures(self, tx: Tx, limit: int = 10) -> list[FailedDelivery]:
        rows = await tx.fetchall(
            "SELECT id, kind, platform, last_error, delivered_at FROM outbox"
            " WHERE status = 'failed' ORDER BY delivered_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [
            FailedDelivery(r["id"], r["kind"], r["platform"], r["last_error"] or "",
                           from_db(r["delivered_at"]))
            for r in rows
        ]

    async def counts(self, tx: Tx) -> dict[str, int]:
        rows = await tx.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return {row[0]: row[1] for row in rows}

    async def export_user(self, tx: Tx, user: UserRef) -> list[dict[str, Any]]:
        """Messages to them, with text; messages about them (pages), without."""
        mine = target_str(user)
        rows = await tx.fetchall(
            "SELECT kind, status, created_at, delivered_at, target, payload FROM outbox"
            " WHERE target = ? OR subject = ? ORDER BY id",
            (mine, str(user)),
        )
        return [
            {
                "kind": r["kind"],
                "status": r["status"],
                "created_at": r["created_at"],
                "delivered_at": r["delivered_at"],
                "to_you": r["target"] == mine,
                "text": decode(r["target"], r["payload"]).text if r["target"] == mine else None,
            }
            for r in rows
        ]

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        """Messages to them go. Messages about them still waiting to reach others (a page for
        an escalation that stays open) are still delivered, no longer linked to them."""
        removed = await tx.execute(
            "DELETE FROM outbox WHERE target = ? OR (subject = ? AND status IN"
            " ('delivered', 'failed'))", (target_str(user), str(user)),
        )
        return removed + await self.unlink_subject(tx, user)

    async def unlink_subject(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("UPDATE outbox SET subject = NULL WHERE subject = ?", (str(user),))

    async def purge_expired(self, tx: Tx, before: datetime) -> int:
        """Finished rows hold message text: keep them only as long as retention allows."""
        return await tx.execute(
            "DELETE FROM outbox WHERE status IN ('delivered', 'failed') AND delivered_at < ?",
            (to_db(before),),
        )
