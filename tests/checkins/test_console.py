"""End to end through the real program: opt in, a day passes, the prompt comes, an answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.core.test_console import attachment, run_console

NOTE = "long day, still here-3307"


def _a_time_23_hours_ahead() -> tuple[str, str]:
    """The console's demo clock starts at the real time: choose a check-in time that comes
    23 hours in, and a zone where no local midnight falls in the hour after it (so the answer,
    when the day is up, is the same local day)."""
    ahead = datetime.now(UTC) + timedelta(hours=23)
    for zone in ("UTC", "Asia/Kolkata"):
        local = ahead.astimezone(ZoneInfo(zone))
        if local.hour != 23:
            return local.strftime("%H:%M"), zone
    raise AssertionError("unreachable: the two zones are 5:30 apart")


def test_opt_in_a_day_later_answer_then_status_and_mydata_show_it(tmp_path: Path) -> None:
    at, zone = _a_time_23_hours_ahead()
    result = run_console(tmp_path, "\n".join([
        f"checkin start {at} {zone}",
        "/clock +1d",
        "4",
        NOTE,
        "checkin status",
        "checkin stats",
        "mydata",
    ]) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"Check-ins are on: every day at {at} ({zone})." in out
    assert "Checking in. How are you today?" in out
    assert "[1] 1 · heavy  [2] 2 · low  [3] 3 · okay  [4] 4 · good  [5] 5 · steady" in out
    assert out.index("Checking in.") < out.index("(it is now")  # it came during the day
    assert "Thank you for checking in." in out
    assert "Kept with today's check-in, just for you." in out
    assert ", 4 · good, with a note." in out  # checkin status
    assert "You've checked in on 1 day since" in out
    (checkin,) = json.loads(attachment(out, "porchlight-mydata.json"))["checkins"]["checkins"]
    assert (checkin["status"], checkin["mood"], checkin["note"]) == ("answered", 4, NOTE)
    assert NOTE not in result.stderr  # logs were on, at DEBUG
    assert "check-ins: 1 sent" in result.stderr
