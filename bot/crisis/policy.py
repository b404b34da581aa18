"""When an unclaimed escalation is paged again. Stored with each escalation when it opens, so
a config change never alters the promise made to an escalation already running."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bot.config import CrisisSection


@dataclass(frozen=True, slots=True)
class PagePolicy:
    repage_after_minutes: float
    backup_after_minutes: float
    repeat_every_minutes: float
    claim_timeout_minutes: float

    @classmethod
    def from_config(cls, crisis: CrisisSection) -> PagePolicy:
        return cls(crisis.repage_after_minutes, crisis.backup_after_minutes,
                   crisis.repeat_every_minutes, crisis.claim_timeout_minutes)

    @classmethod
    def from_json(cls, text: str) -> PagePolicy:
        return cls(**json.loads(text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def is_backup(level: int) -> bool:
        """Level 0 is the first page, 1 the re-page with a mention, 2 and up the backup."""
        return level >= 2

    def next_page_after(self, cycle_started_at: datetime, level: int) -> datetime:
        """When to page again once ``level`` has been paged in a cycle that began then."""
        if level <= 0:
            offset = self.repage_after_minutes
        elif level == 1:
            offset = self.backup_after_minutes
        else:
            offset = self.backup_after_minutes + (level - 1) * self.repeat_every_minutes
        return cycle_started_at + timedelta(minutes=offset)

    def claim_deadline(self, claimed_at: datetime) -> datetime:
        return claimed_at + timedelta(minutes=self.claim_timeout_minutes)
