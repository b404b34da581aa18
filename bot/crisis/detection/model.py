"""The detector's public result types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    """How urgently a human should look: page now, queue for a moderator, or nothing."""

    NONE = "none"
    CONCERN = "concern"
    CRISIS = "crisis"

    @property
    def level(self) -> int:
        return _LEVELS[self]

    @classmethod
    def from_level(cls, level: int) -> Tier:
        return _BY_LEVEL[max(0, min(level, 2))]


_LEVELS = {Tier.NONE: 0, Tier.CONCERN: 1, Tier.CRISIS: 2}
_BY_LEVEL = {level: tier for tier, level in _LEVELS.items()}


@dataclass(frozen=True, slots=True)
class Detection:
    """What the detector found: a tier, stable category names and [start, end) offsets."""

    tier: Tier
    categories: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def as_json(self) -> dict[str, object]:
        """The shape printed by ``porchlight classify``."""
        return {
            "tier": self.tier.value,
            "categories": list(self.categories),
            "spans": [list(span) for span in self.spans],
        }


NOTHING = Detection(Tier.NONE)
