"""The check-in job: a module-level function taking the service it drives.

It reads what is due from the database with the injected clock, so running it twice, late, or
right after a restart sends nothing twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.checkins.dispatch import CheckinDispatch


async def dispatch_due_checkins(dispatch: CheckinDispatch) -> None:
    await dispatch.dispatch_due()
