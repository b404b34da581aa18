"""Who is proposed: the ranking and every rule about who may never be proposed, on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.identity import UserRef
from bot.ports import ManualClock
from bot.store.db import Database
from bot.store.migrations import migrate
from bot.witness.matching import Profile, waking_overlap
from bot.witness.repository import Pairing, Volunteers

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
MEMBER = UserRef("fake", "m")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "w.db")
    await migrate(database, ManualClock(NOW))
    yield database
    await database.close()


async def _volunteer(db: Database, name: str, cohort: str | None = None, langs: str = "",
                     zone: str | None = None, capacity: int = 2) -> UserRef:
    user = UserRef("fake", name)
    profile = Profile(str(user), cohort, frozenset(filter(None, langs.split(","))), zone)
    async with db.transaction() as tx:
        await Volunteers().save(tx, user, profile, capacity, NOW)
    return user


async def _best(db: Database, cohort: str | None = "spring-2024", langs: str = "fi",
                zone: str | None = "Europe/Helsinki") -> str | None:
    pairing = Pairing()
    async with db.transaction() as tx:
        profile = Profile(str(MEMBER), cohort, frozenset(filter(None, langs.split(","))), zone)
        if open_request := await pairing.open_request(tx, MEMBER):
            await pairing.set_request(tx, open_request.id, "cancelled")
        request = await pairing.request(tx, await pairing.create_request(tx, profile, NOW))
        assert request is not None
        choice = await Volunteers().best_candidate(tx, request, NOW)
    return None if choice is None else choice.user


async def test_a_familiar_face_comes_first(db: Database) -> None:
    await _volunteer(db, "near", "autumn-2023", "fi", "Europe/Helsinki")
    await _volunteer(db, "same-group", "spring-2024", zone="America/Los_Angeles")
    assert await _best(db) == "fake:same-group"


async def test_then_waking_hours_then_language(db: Database) -> None:
    await _volunteer(db, "far-fluent", langs="fi", zone="Pacific/Auckland")
    await _volunteer(db, "near", zone="Europe/Tallinn")
    assert await _best(db) == "fake:near"
    await _volunteer(db, "near-fluent", langs="fi,en", zone="Europe/Tallinn")
    assert await _best(db) == "fake:near-fluent"


async def test_ties_go_to_whoever_was_paired_least_recently(db: Database) -> None:
    for name in ("a", "b", "c"):
        await _volunteer(db, name, zone="Europe/Helsinki")
    async with db.transaction() as tx:
        await Volunteers().paired(tx, UserRef("fake", "a"), NOW)
        await Volunteers().paired(tx, UserRef("fake", "c"), NOW.replace(month=1))
    assert await _best(db, cohort=None, langs="") == "fake:b"  # never paired
    async with db.transaction() as tx:
        await Volunteers().paired(tx, UserRef("fake", "b"), NOW)
    assert await _best(db, cohort=None, langs="") == "fake:c"


async def test_nobody_excluded_full_paused_or_the_member_themselves(db: Database) -> None:
    pairing = Pairing()
    await _volunteer(db, "m")  # the member volunteers too: never their own witness
    declined = await _volunteer(db, "declined")
    blocked = await _volunteer(db, "blocked")
    full = await _volunteer(db, "full", capacity=1)
    paused = await _volunteer(db, "paused")
    async with db.transaction() as tx:
        await pairing.exclude(tx, declined, MEMBER, "declined", NOW)
        await pairing.exclude(tx, MEMBER, blocked, "blocked", NOW)
        await pairing.create_pair(tx, UserRef("fake", "someone"), full, NOW)
        await Volunteers().set_status(tx, paused, "paused")
    assert await _best(db) is None
    free = await _volunteer(db, "free", zone="Asia/Tokyo")
    assert await _best(db) == str(free)


async def test_nobody_to_choose_from(db: Database) -> None:
    assert await _best(db) is None


def test_waking_overlap() -> None:
    assert waking_overlap("Europe/Helsinki", "Europe/Helsinki", NOW) == 1.0
    assert waking_overlap("Europe/Helsinki", "Europe/Berlin", NOW) == 13 / 14
    assert waking_overlap("UTC", "Pacific/Kiritimati", NOW) == 4 / 14  # 14 h apart
    assert waking_overlap(None, "UTC", NOW) == 0.5


@given(st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Chatham",
                        "Australia/Eucla", "America/St_Johns"]),
       st.sampled_from(["UTC", "Asia/Tokyo", "Europe/London", "America/Los_Angeles"]))
def test_overlap_is_symmetric_and_bounded(a: str, b: str) -> None:
    value = waking_overlap(a, b, NOW)
    assert 0.0 <= value <= 1.0
    assert value == waking_overlap(b, a, NOW)
