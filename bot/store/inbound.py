"""Inbound events already handled. Platforms may deliver an event twice (a sync replayed
after a crash, a gateway resume); handling is then skipped, so no reply goes out twice.

Only ids are kept, never content; rows go after a few days.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Tx, to_db


class InboundLog:
    async def seen(self, tx: Tx, platform: str, event_id: str) -> bool:
        return bool(await tx.scalar(
            "SELECT 1 FROM inbound_events WHERE platform = ? AND event_id = ?",
            (platform, event_id)))

    async def record(self, tx: Tx, platform: str, event_id: str, now: datetime) -> None:
        await tx.execute(
            "INSERT OR IGNORE INTO inbound_events (platform, event_id, handled_at)"
            " VALUES (?, ?, ?)", (platform, event_id, to_db(now)))

    async def purge_expired(self, tx: Tx, before: datetime) -> int:
        return await tx.execute("DELETE FROM inbound_events WHERE handled_at < ?",
                                (to_db(before),))
