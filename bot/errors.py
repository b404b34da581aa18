"""The one error handler: a failing handler or job is logged and counted, never fatal.

Exception messages can carry what a member wrote, so only the exception type and where it
happened are logged, never ``str(exc)``.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter

log = logging.getLogger(__name__)


def describe(exc: BaseException) -> str:
    """``TypeName at file:line in func <- ...``: enough to debug, nothing a member wrote."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}"
                        for f in reversed(frames))
    return f"{type(exc).__name__} at {where}" if where else type(exc).__name__


class ErrorHandler:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def handle(self, exc: BaseException, where: str) -> None:
        self.counts[where] += 1
        log.error("%s failed (%d so far): %s", where, self.counts[where], describe(exc))
