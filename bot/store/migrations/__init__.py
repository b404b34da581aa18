"""Numbered schema migrations: one module per step, named ``vNNN_what.py``.

Each module defines ``STATEMENTS``, applied in one transaction together with its row in
``schema_version``; a step already recorded there is never applied again.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from dataclasses import dataclass

from bot.ports import Clock
from bot.store.db import Database, to_db

log = logging.getLogger(__name__)

_NAME = re.compile(r"v(\d{3})_\w+")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Porchlight than this one."""


def discover() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _NAME.fullmatch(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(Migration(int(match.group(1)), info.name, tuple(module.STATEMENTS)))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps: {versions}")
    return found


async def migrate(db: Database, clock: Clock, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date; returns how many steps were applied."""
    steps = discover() if migrations is None else migrations
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = await tx.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version")
    if steps and current > steps[-1].version:
        raise SchemaTooNewError(
            f"database schema v{current} is newer than this Porchlight (v{steps[-1].version})"
        )
    applied = 0
    for step in steps:
        if step.version <= current:
            continue
        async with db.transaction() as tx:
            # Checked again inside the write lock: a second process may have just applied it.
            if await tx.scalar("SELECT 1 FROM schema_version WHERE version = ?", (step.version,)):
                continue
            for statement in step.statements:
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (step.version, step.name, to_db(clock.now())),
            )
        log.info("applied migration %s", step.name)
        applied += 1
    return applied
