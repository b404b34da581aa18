"""Parsing the times, zones and durations people type, with corrections they can act on."""

from __future__ import annotations

import re
from datetime import time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_HHMM = re.compile(r"(\d{1,2})[:.h](\d{2})")
_DURATION = re.compile(r"\+?(\d{1,4})\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_hhmm(text: str) -> time:
    """``"9:30"``, ``"09:30"`` or ``"21.30"`` -> time; anything else raises ValueError."""
    match = _HHMM.fullmatch(text.strip())
    if not match:
        raise ValueError("a time looks like 09:30 or 21:00 (24-hour clock)")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError("that time doesn't exist; try something like 09:30 or 21:00")
    return time(hour, minute)


@lru_cache(maxsize=1)
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=4096)
def parse_zone(text: str) -> ZoneInfo:
    """An IANA zone, case-insensitively (``europe/helsinki`` works); else ValueError."""
    name = _zones_by_lower().get(text.strip().lower())
    if name is None:
        raise ValueError("that isn't a time zone I know; use a name like Europe/Helsinki "
                         "or America/Chicago")
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # pragma: no cover - listed but not loadable
        raise ValueError("that time zone can't be loaded on this system") from None


def parse_duration(text: str) -> timedelta:
    """``+2h``, ``1d``, ``30m``, ``2w`` -> timedelta (at most a year)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match:
        raise ValueError("a duration looks like +30m, +2h, +1d or +1w")
    delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if delta > timedelta(days=366):
        raise ValueError("that's more than a year; try a shorter step")
    return delta
