"""mydata and forget me cover everything check-ins hold; notes and moods expire."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.checkins.helpers import checkin_rows, checkins_app, prompts
from tests.core.test_privacy import rows_mentioning

NOTE = "a quiet note-6610"
WHY = "for my brother-6611"


async def _alice_with_everything(app, adapter) -> None:  # type: ignore[no-untyped-def]
    await adapter.say("alice", "checkin start 09:00 UTC")
    await adapter.say("alice", f"why {WHY}")
    await app.settle()
    await app.advance(timedelta(hours=1))
    await adapter.say("alice", "2")
    await adapter.say("alice", NOTE)
    await app.settle()


async def test_mydata_holds_the_schedule_every_checkin_and_the_why(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _alice_with_everything(app, adapter)
        await adapter.say("alice", "mydata")
        await app.settle()
        export = adapter.last_to("alice").attachment
        assert export is not None
        data = json.loads(export.content)["checkins"]
        assert data["schedule"]["zone"] == "UTC" and data["schedule"]["state"] == "on"
        assert [(c["local_date"], c["mood"], c["note"]) for c in data["checkins"]] == [
            ("2026-03-02", 2, NOTE)]
        assert data["why"]["text"] == WHY


async def test_forget_me_leaves_no_trace_of_checkins(tmp_path: Path) -> None:
    async with checkins_app(tmp_path) as (app, adapter, _):
        await _alice_with_everything(app, adapter)
        await adapter.say("bob", "checkin start")
        await adapter.say("alice", "forget me")
        await adapter.say("alice", "yes")
        await app.settle()
        assert await rows_mentioning(app, "fake:alice") == []
        assert await rows_mentioning(app, NOTE) == []
        assert await rows_mentioning(app, WHY) == []
        assert ("checkin_schedules", "user") in await rows_mentioning(app, "fake:bob")
        before = len(prompts(adapter, "alice"))
        await app.advance(timedelta(days=2))
        assert len(prompts(adapter, "alice")) == before  # no schedule left to send from
        assert len(prompts(adapter, "bob")) == 2


async def test_notes_and_then_moods_expire_on_their_own(tmp_path: Path) -> None:
    retention = {"checkin_notes_days": 2, "checkin_moods_days": 4}
    async with checkins_app(tmp_path, retention=retention) as (app, adapter, _):
        await _alice_with_everything(app, adapter)
        await adapter.say("alice", "checkin stop")
        await app.settle()
        await app.advance(timedelta(days=2))  # Wed 09:00: the Wed 03:30 purge kept it all
        assert [r["note"] for r in await checkin_rows(app, "alice")] == [NOTE]
        await app.advance(timedelta(days=1))  # Thu 03:30: notes older than 2 days go
        assert [(r["mood"], r["note"]) for r in await checkin_rows(app, "alice")] == [(2, None)]
        await app.advance(timedelta(days=2))  # Sat 03:30: the day itself goes after 4
        assert await checkin_rows(app, "alice") == []
        assert await rows_mentioning(app, WHY)  # their own why stays until they say otherwise
