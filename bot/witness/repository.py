"""Witness pairing as stored: volunteers, requests, offers, pairs, exclusions, sharing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.identity import UserRef
from bot.store.db import Tx, from_db, maybe_from_db, to_db
from bot.witness.matching import LANGUAGE, SAME_GROUP, WAKING, Profile, waking_overlap

SHARING_MOODS = ("off", "daily", "weekly")


@dataclass(frozen=True, slots=True)
class Volunteer:
    profile: Profile
    status: str
    capacity: int
    load: int  # active pairings plus offers not yet settled


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    member: UserRef
    status: str
    profile: Profile
    told_waiting: bool


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    request_id: int
    volunteer: UserRef
    status: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Pair:
    id: int
    member: UserRef
    witness: UserRef
    status: str
    started_at: datetime

    def other(self, user: UserRef) -> UserRef:
        return self.witness if user == self.member else self.member


@dataclass(frozen=True, slots=True)
class Sharing:
    """What a member chose to share with their witness; all off until they say otherwise."""

    mood: str = "off"
    nudge_after: int | None = None
    moderators: bool = False
    last_shared_at: datetime | None = None
    last_nudged_at: datetime | None = None


def _languages(stored: str) -> frozenset[str]:
    """Stored as ``en,fi``: cheap to read back for thousands of volunteers at once."""
    return frozenset(stored.split(",")) if stored else frozenset()


def _profile(row: Any, user_column: str, last_paired_at: str | None = None) -> Profile:
    return Profile(row[user_column], row["cohort"], _languages(row["languages"]), row["zone"],
                   last_paired_at)


def _sharing(row: Any) -> Sharing:
    return Sharing(row["mood"], row["nudge_after"], bool(row["moderators"]),
                   maybe_from_db(row["last_shared_at"]), maybe_from_db(row["last_nudged_at"]))


def _request(row: Any) -> Request:
    return Request(row["id"], UserRef.parse(row["member"]), row["status"],
                   _profile(row, "member"), bool(row["told_waiting"]))


def _offer(row: Any) -> Offer:
    return Offer(row["id"], row["request_id"], UserRef.parse(row["volunteer"]), row["status"],
                 from_db(row["expires_at"]))


def _pair(row: Any) -> Pair:
    return Pair(row["id"], UserRef.parse(row["member"]), UserRef.parse(row["witness"]),
                row["status"], from_db(row["started_at"]))


_LOAD = (
    "(SELECT COUNT(*) FROM witness_pairs p WHERE p.witness = v.user AND p.status = 'active')"
    " + (SELECT COUNT(*) FROM witness_offers o WHERE o.volunteer = v.user"
    " AND o.status IN ('pending', 'accepted'))"
)


class Volunteers:
    section = "witness_volunteer"

    async def get(self, tx: Tx, user: UserRef) -> Volunteer | None:
        row = await tx.fetchone(f"SELECT v.*, {_LOAD} AS load FROM witness_volunteers v"
                                " WHERE v.user = ?", (str(user),))
        if row is None:
            return None
        profile = _profile(row, "user", row["last_paired_at"])
        return Volunteer(profile, row["status"], row["capacity"], row["load"])

    async def save(self, tx: Tx, user: UserRef, profile: Profile, capacity: int,
                   now: datetime) -> None:
        await tx.execute(
            "INSERT INTO witness_volunteers (user, platform, status, capacity, cohort, languages,"
            " zone, created_at) VALUES (?, ?, 'active', ?, ?, ?, ?, ?)"
            " ON CONFLICT (user) DO UPDATE SET status = 'active', capacity = excluded.capacity,"
            " cohort = excluded.cohort, languages = excluded.languages, zone = excluded.zone",
            (str(user), user.platform, capacity, profile.cohort,
             ",".join(sorted(profile.languages)), profile.zone, to_db(now)))

    async def set_status(self, tx: Tx, user: UserRef, status: str) -> bool:
        return bool(await tx.execute(
            "UPDATE witness_volunteers SET status = ? WHERE user = ?", (status, str(user))))

    async def best_candidate(self, tx: Tx, request: Request, now: datetime) -> Profile | None:
        """The best match among active volunteers with room, never excluded by or for the
        member, not yet asked for this request, and not the member themselves."""
        member = request.profile
        zones = [row[0] for row in await tx.fetchall(
            "SELECT DISTINCT zone FROM witness_volunteers WHERE platform = ?"
            " AND status = 'active' AND zone IS NOT NULL", (request.member.platform,))]
        zone_scores = [(z, WAKING * waking_overlap(member.zone, z, now)) for z in zones]
        values = ", ".join("(?, ?)" for _ in zone_scores) or "(NULL, 0)"
        speaks = " OR ".join("instr(',' || v.languages || ',', ?) > 0"
                             for _ in member.languages) or "0"
        row = await tx.fetchone(
            "WITH busy AS ("
            " SELECT witness AS user FROM witness_pairs WHERE status = 'active'"
            " UNION ALL SELECT volunteer FROM witness_offers"
            " WHERE status IN ('pending', 'accepted')),"
            " load AS (SELECT user, COUNT(*) AS n FROM busy GROUP BY user),"
            f" zone_score (zone, score) AS (VALUES {values})"
            " SELECT v.user, v.cohort, v.languages, v.zone, v.last_paired_at"
            " FROM witness_volunteers v LEFT JOIN load ON load.user = v.user"
            " LEFT JOIN zone_score z ON z.zone = v.zone"
            " WHERE v.platform = ? AND v.status = 'active' AND v.user != ?"
            " AND v.capacity > COALESCE(load.n, 0)"
            " AND v.user NOT IN (SELECT other FROM witness_exclusions WHERE by_user = ?)"
            " AND v.user NOT IN (SELECT by_user FROM witness_exclusions WHERE other = ?)"
            " AND v.user NOT IN (SELECT volunteer FROM witness_offers WHERE request_id = ?)"
            " ORDER BY COALESCE(z.score, ?) + (CASE WHEN v.cohort = ? THEN ? ELSE 0 END)"
            f" + (CASE WHEN {speaks} THEN ? ELSE 0 END) DESC,"
            " COALESCE(v.last_paired_at, '') ASC, v.user ASC LIMIT 1",
            (*(p for pair in zone_scores for p in pair), request.member.platform, member.user,
             member.user, member.user, request.id, WAKING * waking_overlap(None, None, now),
             member.cohort, SAME_GROUP, *(f",{lang}," for lang in sorted(member.languages)),
             LANGUAGE))
        return None if row is None else _profile(row, "user", row["last_paired_at"])

    async def paired(self, tx: Tx, user: UserRef, now: datetime) -> None:
        await tx.execute("UPDATE witness_volunteers SET last_paired_at = ? WHERE user = ?",
                         (to_db(now), str(user)))

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any] | None:
        row = await tx.fetchone(
            "SELECT status, capacity, cohort, languages, zone, last_paired_at, created_at"
            " FROM witness_volunteers WHERE user = ?", (str(user),))
        return None if row is None else dict(row)

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("DELETE FROM witness_volunteers WHERE user = ?", (str(user),))


class Pairing:
    """Requests, offers, pairs and exclusions: one aggregate, the pairing process."""

    section = "witness_pairing"

    async def open_request(self, tx: Tx, member: UserRef) -> Request | None:
        row = await tx.fetchone(
            "SELECT * FROM witness_requests WHERE member = ? AND status IN"
            " ('searching', 'waiting', 'confirming')", (str(member),))
        return None if row is None else _request(row)

    async def request(self, tx: Tx, request_id: int) -> Request | None:
        row = await tx.fetchone("SELECT * FROM witness_requests WHERE id = ?", (request_id,))
        return None if row is None else _request(row)

    async def create_request(self, tx: Tx, profile: Profile, now: datetime) -> int:
        return await tx.insert(
            "INSERT INTO witness_requests (member, status, cohort, languages, zone, created_at)"
            " VALUES (?, 'searching', ?, ?, ?, ?)",
            (profile.user, profile.cohort, ",".join(sorted(profile.languages)), profile.zone,
             to_db(now)))

    async def set_request(self, tx: Tx, request_id: int, status: str,
                          told_waiting: bool | None = None) -> None:
        await tx.execute(
            "UPDATE witness_requests SET status = ?,"
            " told_waiting = COALESCE(?, told_waiting) WHERE id = ?",
            (status, told_waiting, request_id))

    async def waiting_requests(self, tx: Tx) -> list[Request]:
        rows = await tx.fetchall(
            "SELECT * FROM witness_requests WHERE status = 'waiting' ORDER BY id")
        return [_request(r) for r in rows]

    async def create_offer(self, tx: Tx, request_id: int, volunteer: UserRef, now: datetime,
                           expires_at: datetime) -> int:
        return await tx.insert(
            "INSERT INTO witness_offers (request_id, volunteer, status, offered_at, expires_at)"
            " VALUES (?, ?, 'pending', ?, ?)",
            (request_id, str(volunteer), to_db(now), to_db(expires_at)))

    async def offer(self, tx: Tx, offer_id: int) -> Offer | None:
        row = await tx.fetchone("SELECT * FROM witness_offers WHERE id = ?", (offer_id,))
        return None if row is None else _offer(row)

    async def settle_offer(self, tx: Tx, offer_id: int, expected: str, status: str,
                           now: datetime) -> bool:
        """Move an offer on only from the state the caller saw (two answers can't both win)."""
        return bool(await tx.execute(
            "UPDATE witness_offers SET status = ?, answered_at = ? WHERE id = ? AND status = ?",
            (status, to_db(now), offer_id, expected)))

    async def live_offers_to(self, tx: Tx, volunteer: UserRef) -> list[Offer]:
        rows = await tx.fetchall(
            "SELECT * FROM witness_offers WHERE volunteer = ? AND status IN"
            " ('pending', 'accepted')", (str(volunteer),))
        return [_offer(r) for r in rows]

    async def live_offer_for(self, tx: Tx, request_id: int) -> Offer | None:
        row = await tx.fetchone(
            "SELECT * FROM witness_offers WHERE request_id = ? AND status IN"
            " ('pending', 'accepted')", (request_id,))
        return None if row is None else _offer(row)

    async def expired_offers(self, tx: Tx, now: datetime) -> list[Offer]:
        """Offers nobody answered in time: the volunteer (pending) or the member (accepted)."""
        rows = await tx.fetchall(
            "SELECT * FROM witness_offers WHERE status IN ('pending', 'accepted')"
            " AND expires_at <= ? ORDER BY expires_at", (to_db(now),))
        return [_offer(r) for r in rows]

    async def next_expiry(self, tx: Tx) -> datetime | None:
        return maybe_from_db(await tx.scalar(
            "SELECT MIN(expires_at) FROM witness_offers WHERE status IN ('pending', 'accepted')"))

    async def set_offer_expiry(self, tx: Tx, offer_id: int, expires_at: datetime) -> None:
        await tx.execute("UPDATE witness_offers SET expires_at = ? WHERE id = ?",
                         (to_db(expires_at), offer_id))

    async def create_pair(self, tx: Tx, member: UserRef, witness: UserRef, now: datetime) -> int:
        return await tx.insert(
            "INSERT INTO witness_pairs (member, witness, status, started_at)"
            " VALUES (?, ?, 'active', ?)", (str(member), str(witness), to_db(now)))

    async def active_pairs(self, tx: Tx, user: UserRef) -> list[Pair]:
        rows = await tx.fetchall(
            "SELECT * FROM witness_pairs WHERE status = 'active' AND (member = ? OR witness = ?)"
            " ORDER BY id", (str(user), str(user)))
        return [_pair(r) for r in rows]

    async def end_pair(self, tx: Tx, pair_id: int, now: datetime) -> bool:
        """False if it had already ended (both ending at once: the second is a no-op)."""
        return bool(await tx.execute(
            "UPDATE witness_pairs SET status = 'ended', ended_at = ? WHERE id = ?"
            " AND status = 'active'", (to_db(now), pair_id)))

    async def exclude(self, tx: Tx, by_user: UserRef, other: UserRef, reason: str,
                      now: datetime) -> None:
        """Never propose these two to each other again (a block overrides the rest)."""
        await tx.execute(
            "INSERT INTO witness_exclusions (by_user, other, reason, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (by_user, other) DO UPDATE SET reason = CASE"
            " WHEN witness_exclusions.reason = 'blocked' THEN 'blocked' ELSE excluded.reason END,"
            " at = excluded.at", (str(by_user), str(other), reason, to_db(now)))

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any]:
        me = str(user)
        requests = await tx.fetchall(
            "SELECT id, status, cohort, languages, zone, created_at FROM witness_requests"
            " WHERE member = ? ORDER BY id", (me,))
        offers = await tx.fetchall(
            "SELECT id, status, offered_at, answered_at FROM witness_offers WHERE volunteer = ?"
            " ORDER BY id", (me,))
        pairs = await tx.fetchall(
            "SELECT id, member, witness, status, started_at, ended_at FROM witness_pairs"
            " WHERE member = ? OR witness = ? ORDER BY id", (me, me))
        mine = await tx.fetchall(
            "SELECT other, reason, at FROM witness_exclusions WHERE by_user = ?", (me,))
        return {"requests": [dict(r) for r in requests],
                "offers_to_you": [dict(r) for r in offers],
                "pairings": [dict(r) for r in pairs],
                "not_matched_again_by_your_choice": [dict(r) for r in mine]}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        me = str(user)
        removed = 0
        for sql, params in (
            ("DELETE FROM witness_requests WHERE member = ?", (me,)),
            ("DELETE FROM witness_offers WHERE volunteer = ?", (me,)),
            ("DELETE FROM witness_pairs WHERE member = ? OR witness = ?", (me, me)),
            ("DELETE FROM witness_exclusions WHERE by_user = ? OR other = ?", (me, me)),
        ):
            removed += await tx.execute(sql, params)
        return removed


class SharingChoices:
    section = "witness_sharing"

    async def get(self, tx: Tx, member: UserRef) -> Sharing:
        row = await tx.fetchone("SELECT * FROM witness_sharing WHERE member = ?", (str(member),))
        return Sharing() if row is None else _sharing(row)

    async def set(self, tx: Tx, member: UserRef, sharing: Sharing, now: datetime) -> None:
        await tx.execute(
            "INSERT INTO witness_sharing (member, mood, nudge_after, moderators, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (member) DO UPDATE SET mood = excluded.mood,"
            " nudge_after = excluded.nudge_after, moderators = excluded.moderators,"
            " updated_at = excluded.updated_at",
            (str(member), sharing.mood, sharing.nudge_after, int(sharing.moderators),
             to_db(now)))

    async def sharing_something(self, tx: Tx) -> list[tuple[UserRef, Sharing]]:
        rows = await tx.fetchall(
            "SELECT * FROM witness_sharing WHERE nudge_after IS NOT NULL OR mood != 'off'")
        return [(UserRef.parse(r["member"]), _sharing(r)) for r in rows]

    async def mark(self, tx: Tx, member: UserRef, column: str, now: datetime) -> None:
        if column not in {"last_shared_at", "last_nudged_at"}:
            raise ValueError(column)
        await tx.execute(f"UPDATE witness_sharing SET {column} = ? WHERE member = ?",
                         (to_db(now), str(member)))

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, Any] | None:
        row = await tx.fetchone(
            "SELECT mood, nudge_after, moderators, last_shared_at, last_nudged_at, updated_at"
            " FROM witness_sharing"
            " WHERE member = ?", (str(user),))
        return None if row is None else dict(row)

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        return await tx.execute("DELETE FROM witness_sharing WHERE member = ?", (str(user),))
