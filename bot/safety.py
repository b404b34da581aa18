"""Defanging: member-written text shown to others must not be able to notify anyone.

Adapters also switch mentions off at the platform level; this is the second lock on the door,
so a page quoting "@everyone" pings no one on any platform.
"""

from __future__ import annotations

import re

_ZWSP = "\u200b"
_MASS = re.compile(r"@(?=(everyone|here|room|channel)\b)", re.IGNORECASE)
_DISCORD = re.compile(r"<(?=[@#])")


def defang(text: str) -> str:
    """``@everyone`` -> ``@\u200beveryone``, ``<@&123>`` -> ``<\u200b@&123>``."""
    return _DISCORD.sub("<" + _ZWSP, _MASS.sub("@" + _ZWSP, text))
