"""What the Matrix adapter must remember across restarts, in one small JSON file.

The sync token (a restart resumes where it stopped: nothing replayed, nothing skipped), the
device id (the crypto store belongs to one device), each member's DM room, the members who
closed theirs, and the private room made for each space key. Written atomically (temp file,
fsync, rename): a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "porchlight-state.json"
VERSION = 1


@dataclass
class AdapterState:
    path: Path
    device_id: str | None = None
    sync_token: str | None = None
    dms: dict[str, str] = field(default_factory=dict)  # member's user id -> DM room id
    closed: set[str] = field(default_factory=set)  # members who left or refused our DM
    spaces: dict[str, str] = field(default_factory=dict)  # space key -> room id

    @classmethod
    def load(cls, store_path: Path) -> AdapterState:
        path = store_path / FILE_NAME
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        if data.get("version") != VERSION:
            raise ValueError(f"{path}: unknown state version {data.get('version')!r}")
        return cls(
            path,
            device_id=data.get("device_id"),
            sync_token=data.get("sync_token"),
            dms=dict(data.get("dms", {})),
            closed=set(data.get("closed", [])),
            spaces=dict(data.get("spaces", {})),
        )

    def save(self) -> None:
        data = {
            "version": VERSION,
            "device_id": self.device_id,
            "sync_token": self.sync_token,
            "dms": self.dms,
            "closed": sorted(self.closed),
            "spaces": self.spaces,
        }
        fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def room_kind_of(self, room_id: str) -> tuple[str, str] | None:
        """("direct", member) or ("space", key) for rooms Porchlight keeps, else None."""
        for user_id, dm in self.dms.items():
            if dm == room_id:
                return "direct", user_id
        for key, space in self.spaces.items():
            if space == room_id:
                return "space", key
        return None

    def forget_room(self, room_id: str) -> None:
        self.dms = {user: room for user, room in self.dms.items() if room != room_id}
        self.spaces = {key: room for key, room in self.spaces.items() if room != room_id}
