"""Crisis jobs: page again what nobody has claimed, and return lapsed claims to the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.crisis.escalation import CrisisService


async def page_unclaimed(service: CrisisService) -> None:
    await service.page_due()
