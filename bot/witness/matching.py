"""Choosing a witness: what makes a volunteer a good match for a member.

Familiar faces first (the member's original group), then overlapping waking hours, then a
shared language; ties go to whoever was paired least recently, so no one carries everyone.
The repository applies these weights in SQL, so thousands of volunteers are ranked where they
are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

WAKING_HOURS = 14  # 08:00 to 22:00 local
SAME_GROUP, WAKING, LANGUAGE = 4.0, 3.0, 1.0  # in the order the program puts them


@dataclass(frozen=True, slots=True)
class Profile:
    """What matching may know about a person: nothing about check-ins or relapse."""

    user: str
    cohort: str | None
    languages: frozenset[str]
    zone: str | None
    last_paired_at: str | None = None  # ISO UTC; None: never paired


@lru_cache(maxsize=1024)
def _offset_hours(zone: str, hour: datetime) -> float:
    offset = hour.astimezone(ZoneInfo(zone)).utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 3600


def waking_overlap(a: str | None, b: str | None, now: datetime) -> float:
    """Share (0..1) of waking hours two zones have in common today; 0.5 if one is unknown."""
    if a is None or b is None:
        return 0.5
    hour = now.replace(minute=0, second=0, microsecond=0)
    gap = abs(_offset_hours(a, hour) - _offset_hours(b, hour)) % 24
    gap = min(gap, 24 - gap)
    shared = max(0.0, WAKING_HOURS - gap) + max(0.0, gap - (24 - WAKING_HOURS))
    return shared / WAKING_HOURS
