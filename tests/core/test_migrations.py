from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.ports import ManualClock
from bot.store.db import Database
from bot.store.migrations import Migration, SchemaTooNewError, discover, migrate
from tests.fakes import START


async def _tables(db: Database) -> set[str]:
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


async def test_fresh_database_gets_every_step_in_wal_mode(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        applied = await migrate(db, ManualClock(START))
        assert applied == len(discover()) >= 1
        assert {"members", "outbox", "audit_log", "schema_version"} <= await _tables(db)
        assert await db.journal_mode() == "wal"
    finally:
        await db.close()


async def test_running_again_is_a_no_op(tmp_path: Path) -> None:
    clock = ManualClock(START)
    for expected in (len(discover()), 0):
        db = await Database.open(tmp_path / "a.db")
        try:
            assert await migrate(db, clock) == expected
        finally:
            await db.close()


async def test_a_failing_step_leaves_nothing_behind(tmp_path: Path) -> None:
    steps = [
        Migration(1, "v001_ok", ("CREATE TABLE one (x INTEGER)",)),
        Migration(2, "v002_bad", ("CREATE TABLE two (x INTEGER)", "THIS IS NOT SQL")),
    ]
    db = await Database.open(tmp_path / "a.db")
    try:
        with pytest.raises(Exception, match="syntax error"):
            await migrate(db, ManualClock(START), steps)
        tables = await _tables(db)
        assert "one" in tables and "two" not in tables
        async with db.read() as tx:
            assert await tx.scalar("SELECT MAX(version) FROM schema_version") == 1
    finally:
        await db.close()


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        await migrate(db, ManualClock(START))
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO schema_version VALUES (999, 'v999_future', 'x')")
        with pytest.raises(SchemaTooNewError):
            await migrate(db, ManualClock(START))
    finally:
        await db.close()


async def test_two_start_ups_at_once_apply_each_step_once(tmp_path: Path) -> None:
    first = await Database.open(tmp_path / "a.db")
    second = await Database.open(tmp_path / "a.db")
    try:
        counts = await asyncio.gather(migrate(first, ManualClock(START)),
                                      migrate(second, ManualClock(START)))
        assert sum(counts) == len(discover())
    finally:
        await first.close()
        await second.close()


async def test_a_failed_transaction_rolls_back_everything_in_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        await migrate(db, ManualClock(START))
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO members VALUES ('console:a', 'x', 'x', NULL, NULL)")
                raise RuntimeError("boom")
        async with db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM members") == 0
    finally:
        await db.close()
