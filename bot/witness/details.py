"""Reading the optional details people give: ``2 Europe/Helsinki lang=en,fi group=spring``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands import UsageError
from bot.timeparse import parse_zone

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z]{2,4})?")
_GROUP = re.compile(r"[\w.-]{1,40}")


@dataclass(frozen=True, slots=True)
class Details:
    capacity: int | None = None
    zone: str | None = None
    languages: frozenset[str] = frozenset()
    cohort: str | None = None


def parse_details(args: tuple[str, ...], usage: str, *, allow_capacity: bool) -> Details:
    """Each detail may come in any order; anything not understood gets the usage back."""
    capacity = zone = cohort = None
    languages: frozenset[str] = frozenset()
    for arg in args:
        key, sep, value = arg.partition("=")
        key = key.lower()
        if sep and key in {"lang", "language", "languages"}:
            languages = _languages(value, usage)
        elif sep and key in {"group", "cohort"}:
            if not _GROUP.fullmatch(value):
                raise UsageError(f"A group name is letters, digits, . _ or -. {usage}")
            cohort = value.lower()
        elif arg.isdigit() and allow_capacity:
            capacity = int(arg)
            if not 1 <= capacity <= 10:
                raise UsageError(f"Room for 1 to 10 people. {usage}")
        elif "/" in arg or arg.upper() == "UTC":
            try:
                zone = parse_zone(arg).key
            except ValueError as exc:
                message = str(exc)
                raise UsageError(f"{message[:1].upper()}{message[1:]}.") from None
        else:
            raise UsageError(f"I didn't understand “{arg[:30]}”. {usage}")
    return Details(capacity, zone, languages, cohort)


def _languages(value: str, usage: str) -> frozenset[str]:
    codes = frozenset(code.strip().lower() for code in value.split(",") if code.strip())
    if not codes or not all(_LANGUAGE.fullmatch(code) for code in codes):
        raise UsageError(f"Languages are short codes, like lang=en,fi. {usage}")
    return codes
