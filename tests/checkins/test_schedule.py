"""Due times in the member's zone: DST gaps give the next valid minute, folds fire once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from bot.checkins.schedule import Rhythm, around, next_after, occurrences, parse_days


def moments(zone: str, at: str, start: datetime, count: int = 3,
            days: str = "*") -> list[tuple[date, datetime]]:
    """(local date, local wall time) of the next ``count`` moments after ``start``."""
    rhythm = Rhythm(time.fromisoformat(at), ZoneInfo(zone), days)
    return [(m.local_date, m.due_at.astimezone(rhythm.zone))
            for m in islice(occurrences(rhythm, start), count)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_los_angeles_spring_forward_gap_fires_at_the_next_valid_minute() -> None:
    got = moments("America/Los_Angeles", "02:30", utc(2026, 3, 7, 12))
    assert [(d.isoformat(), w.strftime("%H:%M %z")) for d, w in got] == [
        ("2026-03-08", "03:00 -0700"),  # 02:00-02:59 doesn't exist that night
        ("2026-03-09", "02:30 -0700"),
        ("2026-03-10", "02:30 -0700"),
    ]
    assert got[0][1].astimezone(UTC) == utc(2026, 3, 8, 10, 0)


def test_los_angeles_fall_back_fires_once_at_the_first_of_the_two() -> None:
    got = moments("America/Los_Angeles", "01:30", utc(2026, 10, 31, 12), count=2)
    assert [d.isoformat() for d, _ in got] == ["2026-11-01", "2026-11-02"]
    assert got[0][1].astimezone(UTC) == utc(2026, 11, 1, 8, 30)  # PDT, not the repeat in PST
    assert got[1][1].astimezone(UTC) == utc(2026, 11, 2, 9, 30)


def test_times_outside_the_change_are_untouched_on_change_days() -> None:
    spring = moments("America/Los_Angeles", "09:00", utc(2026, 3, 7, 20), count=1)
    fall = moments("America/Los_Angeles", "09:00", utc(2026, 10, 31, 20), count=1)
    assert spring[0][1].astimezone(UTC) == utc(2026, 3, 8, 16)  # 09:00 PDT
    assert fall[0][1].astimezone(UTC) == utc(2026, 11, 1, 17)  # 09:00 PST


@pytest.mark.parametrize(("start", "expected_utc"), [
    (utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 0)),  # last Sunday of March: 03:30 is missing
    (utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),  # last Sunday of October: twice
])
def test_helsinki_on_the_last_sundays_of_march_and_october(
    start: datetime, expected_utc: datetime
) -> None:
    got = moments("Europe/Helsinki", "03:30", start, count=2)
    assert got[0][0] == expected_utc.date()
    assert got[0][1].astimezone(UTC) == expected_utc
    assert got[1][0] - got[0][0] == timedelta(days=1)  # one per local day, never two


def test_helsinki_spring_gap_lands_on_04_00_local() -> None:
    (_, wall), = moments("Europe/Helsinki", "03:30", utc(2026, 3, 28, 12), count=1)
    assert wall.strftime("%H:%M %z") == "04:00 +0300"


def test_chatham_quarter_hour_offsets_and_its_own_dst() -> None:
    # Chatham is +12:45, +13:45 in summer. 2026-09-27: 02:45 jumps to 03:45.
    spring = moments("Pacific/Chatham", "03:00", utc(2026, 9, 25, 12), count=3)
    assert [w.strftime("%d %H:%M %z") for _, w in spring] == [
        "26 03:00 +1245", "27 03:45 +1345", "28 03:00 +1345"]
    # 2026-04-05: 03:45 goes back to 02:45, so 02:50 happens twice: once is enough.
    autumn = moments("Pacific/Chatham", "02:50", utc(2026, 4, 3, 0), count=3)
    assert [w.strftime("%d %H:%M %z") for _, w in autumn] == [
        "04 02:50 +1345", "05 02:50 +1345", "06 02:50 +1245"]


def test_kolkata_half_hour_offset_without_dst() -> None:
    got = moments("Asia/Kolkata", "09:00", utc(2026, 3, 1, 0), count=2)
    assert [w.astimezone(UTC) for _, w in got] == [utc(2026, 3, 1, 3, 30), utc(2026, 3, 2, 3, 30)]


def test_only_the_chosen_days() -> None:
    got = moments("UTC", "09:00", utc(2026, 3, 6, 12), count=3, days=parse_days("mon-fri"))
    assert [d.strftime("%a %d") for d, _ in got] == ["Mon 09", "Tue 10", "Wed 11"]


def test_next_after_is_strictly_after() -> None:
    rhythm = Rhythm(time(9), ZoneInfo("UTC"))
    assert next_after(rhythm, utc(2026, 3, 2, 9)).due_at == utc(2026, 3, 3, 9)
    assert next_after(rhythm, utc(2026, 3, 2, 8, 59)).due_at == utc(2026, 3, 2, 9)


def test_around_gives_the_latest_moment_come_and_the_next() -> None:
    rhythm = Rhythm(time(9), ZoneInfo("Europe/Helsinki"))
    latest, nxt = around(rhythm, utc(2026, 3, 2, 7), utc(2026, 3, 5, 8))  # 3 days late
    assert latest is not None and latest.local_date == date(2026, 3, 5)
    assert nxt.due_at == utc(2026, 3, 6, 7)
    nothing, _ = around(rhythm, utc(2026, 3, 2, 7, 1), utc(2026, 3, 2, 8))
    assert nothing is None


@pytest.mark.parametrize(("text", "canonical"), [
    ("mon-fri", "mon,tue,wed,thu,fri"), ("weekdays", "mon,tue,wed,thu,fri"),
    ("sat,sun", "sat,sun"), ("Weekend", "sat,sun"), ("mon wed  fri", "mon,wed,fri"),
    ("fri-mon", "mon,fri,sat,sun"), ("every day", "*"), ("mon-sun", "*"),
    ("Tuesday, thurs", "tue,thu"),
])
def test_days_are_read_forgivingly(text: str, canonical: str) -> None:
    assert parse_days(text) == canonical


@pytest.mark.parametrize("text", ["", "funday", "mo", "mon-", "mon,,xyz", "1-5"])
def test_days_that_are_not_days_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="days look like mon-fri"):
        parse_days(text)
