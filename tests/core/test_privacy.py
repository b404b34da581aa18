from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.events import OutgoingMessage, Priority
from bot.identity import RoomRef, UserRef
from bot.store.outbox import Enqueue
from tests.fakes import running_app


async def rows_mentioning(app: App, needle: str) -> list[tuple[str, str]]:
    """Every (table, column) whose value contains ``needle``, across the whole database."""
    found = []
    async with app.core.db.read() as tx:
        tables = [r[0] for r in await tx.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in await tx.fetchall(f"PRAGMA table_info({table})")]
            for column in columns:
                hit = await tx.scalar(
                    f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?",
                    (f"%{needle}%",))
                if hit:
                    found.append((table, column))
    return found


async def test_mydata_sends_the_export_privately_as_json(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "help")
        await adapter.say("alice", "mydata")
        await app.settle()
        export = adapter.last_to("alice")
        assert export.target == UserRef("fake", "alice")
        assert export.attachment is not None
        data = json.loads(export.attachment.content)
        assert data["you"] == "fake:alice"
        assert data["member"]["id"] == "fake:alice"
        assert [m["kind"] for m in data["messages"]] == ["reply"]  # the help answer
        async with app.core.db.read() as tx:  # the export itself is not kept
            kept = await tx.scalar(
                "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%mydata.json%'")
        assert kept == 0


async def test_forget_me_asks_first_and_a_yes_deletes_every_trace(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        async with app.core.db.transaction() as tx:
            await app.core.audit.record(tx, app.clock.now(), UserRef("fake", "alice"), "test")
            await app.core.outbox.enqueue(tx, app.clock.now(), Enqueue(
                OutgoingMessage(RoomRef("fake", "mods"), "about alice",
                                priority=Priority.CRISIS),
                kind="test", subject=UserRef("fake", "alice")))
        await adapter.say("alice", "help")
        await adapter.say("bob", "help")
        await adapter.say("alice", "forget me")
        await app.settle()
        assert "reply yes within 10 minutes" in adapter.last_to("alice").text
        assert await rows_mentioning(app, "fake:alice")  # still there until the yes
        await adapter.say("alice", "yes")
        await app.settle()
        assert adapter.last_to("alice").text.startswith("Done. Everything Porchlight held")
        assert await rows_mentioning(app, "fake:alice") == []
        assert await rows_mentioning(app, "fake:bob")  # others untouched


async def test_anything_but_yes_keeps_everything(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "forget me")
        await adapter.say("alice", "hmm, no")
        await adapter.say("alice", "yes")  # too late: the question was dropped
        await app.settle()
        assert await rows_mentioning(app, "fake:alice")
        assert not any(t.startswith("Done.") for t in adapter.texts_to("alice"))


async def test_a_late_yes_does_nothing(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, clock):
        await adapter.say("alice", "forget me")
        await app.settle()
        clock.advance(timedelta(minutes=11))
        await adapter.say("alice", "yes")
        await app.settle()
        assert await rows_mentioning(app, "fake:alice")


async def test_the_daily_purge_removes_what_outlived_its_lifetime(tmp_path: Path) -> None:
    async with running_app(tmp_path, retention={"sent_messages_days": 7}) as (app, adapter, _):
        await adapter.say("alice", "help")
        await app.settle()
        await app.advance(timedelta(days=6))
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM outbox") == 1
        await app.advance(timedelta(days=2))
        async with app.core.db.read() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM outbox") == 0


async def test_every_personal_table_is_covered_by_export_and_delete(tmp_path: Path) -> None:
    """Each table with a user column must belong to a registered source."""
    async with running_app(tmp_path) as (app, _, _):
        sections = {source.section for source in app.core.rights.sources}
        assert {"member", "messages", "audit_log"} <= sections
