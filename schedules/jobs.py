"""The jobs themselves: module-level functions taking the service they drive.

Each job reads what is due from the database using the injected clock, so running one twice,
late, or after a restart does no harm.
"""

from __future__ import annotations

from bot.privacy import DataRights


async def purge_expired_data(rights: DataRights) -> None:
    await rights.purge()
