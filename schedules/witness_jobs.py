"""Witness jobs: offers nobody answered move on; sharing goes out as members chose."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.witness.pairing import PairingService
    from bot.witness.sharing import SharingService


async def settle_offers(pairs: PairingService) -> None:
    await pairs.offers_due()


async def share_with_witnesses(sharing: SharingService) -> None:
    await sharing.share_due()
