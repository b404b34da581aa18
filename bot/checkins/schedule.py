"""When a member's check-ins fall due: their local time, in their zone, on their days.

CronTrigger walks the calendar on the wall clock (expressed in UTC, which has no DST, so no day
is skipped or doubled) and zoneinfo maps each wall time to an instant with our own rules for the
two DST cases: a time that doesn't exist on a spring-forward day becomes the next minute that
does, and a time that happens twice on a fall-back day is the first of the two. Left to itself,
CronTrigger 3.11 in the member's zone fires an hour late in the first case (02:30 in
Los Angeles on 2026-03-08 became 03:30) and twice in the second (01:30 on 2026-11-01, at
08:30 and 09:30 UTC). Here each scheduled local day gives exactly one moment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
EVERY_DAY = "*"
_ALL_DAYS = {"*", "all", "daily", "every day", "everyday", "each day"}
_NAMED = {"weekdays": "mon-fri", "weekday": "mon-fri", "weekends": "sat,sun", "weekend": "sat,sun"}
_DAY = re.compile(r"[a-z]{3,9}")


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A member's choice: this local time, in this zone, on these days."""

    at: time
    zone: ZoneInfo
    days: str = EVERY_DAY  # "*" or canonical "mon,tue,..." (see ``parse_days``)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One check-in moment: the member's local date it belongs to, and the instant (UTC)."""

    local_date: date
    due_at: datetime


def parse_days(text: str) -> str:
    """``mon-fri``, ``sat,sun``, ``mon wed fri``, ``weekdays``, ``every day`` -> canonical."""
    spec = " ".join(text.strip().lower().split())
    if spec in _ALL_DAYS:
        return EVERY_DAY
    chosen: set[int] = set()
    for part in re.split(r"[,\s]+", _NAMED.get(spec, spec)):
        first, dash, last = part.partition("-")
        start = _weekday(first)
        end = _weekday(last) if dash else start
        chosen.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    if len(chosen) == 7:
        return EVERY_DAY
    return ",".join(WEEKDAYS[day] for day in sorted(chosen))


def _weekday(word: str) -> int:
    if _DAY.fullmatch(word):
        for index, name in enumerate(_FULL_NAMES):
            if name.startswith(word):
                return index
    raise ValueError("days look like mon-fri, sat,sun or every day")


def day_numbers(days: str) -> tuple[int, ...]:
    """The weekdays (0 = Monday) a canonical ``days`` value covers."""
    if days == EVERY_DAY:
        return tuple(range(7))
    return tuple(WEEKDAYS.index(name) for name in days.split(","))


@lru_cache(maxsize=8192)
def _next_wall(days: str, hour: int, minute: int, day: date) -> datetime:
    """The first wall-clock moment on or after ``day`` (shared by every zone)."""
    trigger = CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=UTC)
    fire = trigger.get_next_fire_time(None, datetime.combine(day, time(), tzinfo=UTC))
    if fire is None:  # pragma: no cover - a weekly cron always fires again
        raise ValueError(f"no check-in day in {days!r}")
    return fire


def resolve(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of wall time ``at`` on ``day`` in ``zone``: the first of two on a
    fall-back day; inside a spring-forward gap, the next minute that exists."""
    wall = datetime.combine(day, at)
    while True:
        instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the earlier of two
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            return instant
        wall += timedelta(minutes=1)


def occurrences(rhythm: Rhythm, after: datetime) -> Iterator[Occurrence]:
    """Every check-in moment strictly after ``after``, in order (endless)."""
    at = rhythm.at
    # Start a day early on the wall clock: a moment pushed out of a gap lies after its wall time.
    day = after.astimezone(rhythm.zone).date() - timedelta(days=1)
    while True:
        day = _next_wall(rhythm.days, at.hour, at.minute, day).date()
        moment = Occurrence(day, resolve(day, at, rhythm.zone))
        if moment.due_at > after:
            yield moment
        day += timedelta(days=1)  # one moment per local day


def next_after(rhythm: Rhythm, now: datetime) -> Occurrence:
    """The first check-in moment strictly after ``now``."""
    return next(occurrences(rhythm, now))


def around(rhythm: Rhythm, since: datetime, now: datetime) -> tuple[Occurrence | None, Occurrence]:
    """The last check-in moment in ``[since, now]`` (if any) and the first after ``now``."""
    latest = None
    for moment in occurrences(rhythm, since - timedelta(microseconds=1)):
        if moment.due_at > now:
            return latest, moment
        latest = moment
    raise AssertionError("unreachable: occurrences never ends")  # pragma: no cover


def local_date(zone: ZoneInfo, when: datetime) -> date:
    return when.astimezone(zone).date()
