"""Check-in storage: each member's rhythm, one row per (member, local date), and their "why".

The UNIQUE (user, local_date) constraint is what makes a second check-in on the same local day
impossible, whatever happens to the process around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from bot.checkins.schedule import Rhythm
from bot.identity import UserRef
from bot.store.db import Tx, from_db, maybe_from_db, to_db
from bot.timeparse import parse_zone

_CHUNK = 400  # members per IN (...) lookup, well under SQLite's parameter limit


class State(StrEnum):
    ON = "on"
    PAUSED = "paused"
    OFF = "off"


class Status(StrEnum):
    SENT = "sent"
    ANSWERED = "answered"
    SKIPPED = "skipped"
    MISSED_BY_US = "missed_by_us"  # we were down past the grace window: never held against anyone


@dataclass(frozen=True, slots=True)
class Schedule:
    user: UserRef
    rhythm: Rhythm
    state: State
    paused_until: datetime | None = None
    next_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Checkin:
    id: int
    local_date: date
    status: Status
    mood: int | None
    note: str | None
    created_at: datetime
    note_open_until: datetime | None


@dataclass(frozen=True, slots=True)
class Due:
    """A schedule whose moment has come, as stored (dispatch caches by these strings)."""

    user: str
    local_time: str
    zone: str
    days: str
    next_due_at: str


def rhythm_of(local_time: str, zone: str, days: str) -> Rhythm:
    return Rhythm(time.fromisoformat(local_time), parse_zone(zone), days)


def _checkin(row: Any) -> Checkin:
    return Checkin(row["id"], date.fromisoformat(row["local_date"]), Status(row["status"]),
                   row["mood"], row["note"], from_db(row["created_at"]),
                   maybe_from_db(row["note_open_until"]))


class CheckinRepository:
    """Registered with data rights: ``mydata`` and ``forget me`` cover all three tables."""

    section = "checkins"

    # Schedules.

    async def schedule(self, tx: Tx, user: UserRef) -> Schedule | None:
        row = await tx.fetchone("SELECT * FROM checkin_schedules WHERE user = ?", (str(user),))
        if row is None:
            return None
        return Schedule(user, rhythm_of(row["local_time"], row["zone"], row["days"]),
                        State(row["state"]), maybe_from_db(row["paused_until"]),
                        maybe_from_db(row["next_due_at"]))

    async def save(self, tx: Tx, s: Schedule, now: datetime) -> None:
        stamp = to_db(now)
        await tx.execute(
            "INSERT INTO checkin_schedules (user, local_time, zone, days, state, paused_until,"
            " next_due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user) DO UPDATE SET local_time = excluded.local_time,"
            " zone = excluded.zone, days = excluded.days, state = excluded.state,"
            " paused_until = excluded.paused_until, next_due_at = excluded.next_due_at,"
            " updated_at = excluded.updated_at",
            (str(s.user), s.rhythm.at.strftime("%H:%M"), s.rhythm.zone.key, s.rhythm.days,
             s.state.value, _maybe(s.paused_until), _maybe(s.next_due_at), stamp, stamp),
        )

    async def next_due_at(self, tx: Tx) -> datetime | None:
        return maybe_from_db(await tx.scalar("SELECT MIN(next_due_at) FROM checkin_schedules"))

    async def due(self, tx: Tx, now: datetime, limit: int) -> list[Due]:
        rows = await tx.fetchall(
            "SELECT user, local_time, zone, days, next_due_at FROM checkin_schedules"
            " WHERE next_due_at <= ? ORDER BY next_due_at LIMIT ?",
            (to_db(now), limit),
        )
        return [Due(*row) for row in rows]

    async def reschedule(self, tx: Tx, rows: Iterable[tuple[str, str, str]]) -> None:
        """(next_due_at, updated_at, user): a due schedule moves on; a pause that ran out ends."""
        await tx.executemany(
            "UPDATE checkin_schedules SET next_due_at = ?, updated_at = ?, state = 'on',"
            " paused_until = NULL WHERE user = ?",
            rows,
        )

    # Check-ins.

    async def existing(self, tx: Tx, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (user, local_date) pairs already have a check-in row."""
        found: set[tuple[str, str]] = set()
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = await tx.fetchall(
                f"SELECT user, local_date FROM checkins WHERE user IN ({marks})"
                " AND local_date >= ?",
                (*(user for user, _ in chunk), min(day for _, day in chunk)),
            )
            found.update((row[0], row[1]) for row in rows)
        return found.intersection(pairs)

    async def record(self, tx: Tx, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
        """(user, local_date, status, due_at, created_at) for check-ins sent or missed by us."""
        await tx.executemany(
            "INSERT OR IGNORE INTO checkins (user, local_date, status, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    async def checkin(self, tx: Tx, user: UserRef, on: date) -> Checkin | None:
        row = await tx.fetchone("SELECT * FROM checkins WHERE user = ? AND local_date = ?",
                                (str(user), on.isoformat()))
        return None if row is None else _checkin(row)

    async def latest(self, tx: Tx, user: UserRef, *, answered: bool = False) -> Checkin | None:
        row = await tx.fetchone(
            "SELECT * FROM checkins WHERE user = ? AND (? = 0 OR status = 'answered')"
            " ORDER BY local_date DESC LIMIT 1",
            (str(user), int(answered)),
        )
        return None if row is None else _checkin(row)

    async def note_open(self, tx: Tx, user: UserRef, now: datetime) -> Checkin | None:
        row = await tx.fetchone(
            "SELECT * FROM checkins WHERE user = ? AND note_open_until > ?"
            " ORDER BY local_date DESC LIMIT 1",
            (str(user), to_db(now)),
        )
        return None if row is None else _checkin(row)

    async def answer(self, tx: Tx, checkin_id: int, mood: int, now: datetime,
                     note_until: datetime) -> None:
        await tx.execute(
            "UPDATE checkins SET status = 'answered', mood = ?, answered_at = ?,"
            " note_open_until = ? WHERE id = ?",
            (mood, to_db(now), to_db(note_until), checkin_id),
        )

    async def set_note(self, tx: Tx, checkin_id: int, note: str, now: datetime) -> None:
        await tx.execute(
            "UPDATE checkins SET status = 'answered', note = ?,"
            " answered_at = COALESCE(answered_at, ?), note_open_until = NULL WHERE id = ?",
            (note, to_db(now), checkin_id),
        )

    async def open_note(self, tx: Tx, checkin_id: int, until: datetime | None) -> None:
        await tx.execute("UPDATE checkins SET note_open_until = ? WHERE id = ?",
                         (_maybe(until), checkin_id))

    async def skip(self, tx: Tx, checkin_id: int) -> None:
        await tx.execute(
            "UPDATE checkins SET status = 'skipped', note_open_until = NULL"
            " WHERE id = ? AND status = 'sent'",
            (checkin_id,),
        )

    async def answered_days(self, tx: Tx, user: UserRef) -> tuple[int, date | None]:
        row = await tx.fetchone(
            "SELECT COUNT(*), MIN(local_date) FROM checkins"
            " WHERE user = ? AND status = 'answered'",
            (str(user),),
        )
        if row is None or row[1] is None:
            return 0, None
        return row[0], date.fromisoformat(row[1])

    # What a member may choose to share with their witness: moods and missed days, no notes.

    async def moods_since(self, tx: Tx, user: UserRef, since: datetime,
                          ) -> list[tuple[date, int]]:
        """Moods answered after ``since``, by day."""
        rows = await tx.fetchall(
            "SELECT local_date, mood FROM checkins WHERE user = ? AND status = 'answered'"
            " AND mood IS NOT NULL AND answered_at > ? ORDER BY local_date",
            (str(user), to_db(since)))
        return [(date.fromisoformat(r["local_date"]), r["mood"]) for r in rows]

    async def missed_streak(self, tx: Tx, user: UserRef, now: datetime,
                            ) -> tuple[int, datetime | None]:
        """How many of the latest finished days in a row had a prompt and no answer, and when
        that run began. Days we missed (downtime) never count and never break a run."""
        schedule = await self.schedule(tx, user)
        if schedule is None:
            return 0, None
        today = now.astimezone(schedule.rhythm.zone).date()
        rows = await tx.fetchall(
            "SELECT status, created_at FROM checkins WHERE user = ? AND local_date < ?"
            " ORDER BY local_date DESC LIMIT 60", (str(user), today.isoformat()))
        missed, began = 0, None
        for row in rows:
            if row["status"] == Status.MISSED_BY_US:
                continue
            if row["status"] != Status.SENT:
                break
            missed, began = missed + 1, from_db(row["created_at"])
        return missed, began

    # The member's "why".

    async def why(self, tx: Tx, user: UserRef) -> tuple[str, datetime] | None:
        row = await tx.fetchone("SELECT text, written_at FROM checkin_whys WHERE user = ?",
                                (str(user),))
        return None if row is None else (row["text"], from_db(row["written_at"]))

    async def save_why(self, tx: Tx, user: UserRef, text: str, now: datetime) -> None:
        await tx.execute(
            "INSERT INTO checkin_whys (user, text, written_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user) DO UPDATE SET text = excluded.text,"
            " written_at = excluded.written_at",
            (str(user), text, to_db(now)),
        )

    # Data rights and retention.

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any]:
        me = (str(user),)
        schedule = await tx.fetchone(
            "SELECT local_time, zone, days, state, paused_until, next_due_at, created_at"
            " FROM checkin_schedules WHERE user = ?", me)
        checkins = await tx.fetchall(
            "SELECT local_date, status, mood, note, due_at, created_at, answered_at"
            " FROM checkins WHERE user = ? ORDER BY local_date", me)
        why = await tx.fetchone("SELECT text, written_at FROM checkin_whys WHERE user = ?", me)
        return {
            "schedule": None if schedule is None else dict(schedule),
            "checkins": [dict(row) for row in checkins],
            "why": None if why is None else dict(why),
        }

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        me = (str(user),)
        removed = 0
        for table in ("checkin_schedules", "checkins", "checkin_whys"):
            removed += await tx.execute(f"DELETE FROM {table} WHERE user = ?", me)
        return removed

    async def purge_notes(self, tx: Tx, before: datetime) -> int:
        return await tx.execute(
            "UPDATE checkins SET note = NULL WHERE note IS NOT NULL AND due_at < ?",
            (to_db(before),),
        )

    async def purge_checkins(self, tx: Tx, before: datetime) -> int:
        """Moods go with their whole row: what is left of a day is not worth keeping."""
        return await tx.execute("DELETE FROM checkins WHERE due_at < ?", (to_db(before),))


def _maybe(when: datetime | None) -> str | None:
    return None if when is None else to_db(when)
