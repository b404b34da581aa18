"""What the adapter remembers between runs: DM channel ids and the synced commands' hash.

Opening a DM channel is a request of its own (``POST /users/@me/channels``) and every request
counts toward the global 50/s, so a daily fan-out that re-opened each member's DM channel would
take twice as long. The map is learnt from sends and from members' own DMs, kept in a small
JSON file written atomically (temp file + rename), a few seconds after it changes and on stop.
It holds Discord ids only, no names and nothing a member wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FLUSH_DELAY = 5.0


class AdapterState:
    def __init__(self, path: Path | None, flush_delay: float = FLUSH_DELAY) -> None:
        self._path = path
        self._flush_delay = flush_delay
        self._dm: dict[int, int] = {}
        self.commands_hash: str | None = None
        self._dirty = False
        self._flusher: asyncio.Task[None] | None = None
        self._writing: asyncio.Future[None] | None = None

    def load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            self._dm = {int(user): int(channel) for user, channel in data["dm"].items()}
            self.commands_hash = data.get("commands")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("discord state file unreadable (%s); starting afresh", type(exc).__name__)
            self._dm, self.commands_hash = {}, None

    def dm_channel(self, user_id: int) -> int | None:
        return self._dm.get(user_id)

    def remember_dm(self, user_id: int, channel_id: int) -> None:
        if self._dm.get(user_id) != channel_id:
            self._dm[user_id] = channel_id
            self._changed()

    def forget_dm(self, user_id: int) -> None:
        if self._dm.pop(user_id, None) is not None:
            self._changed()

    def set_commands_hash(self, value: str) -> None:
        self.commands_hash = value
        self._changed()

    def _changed(self) -> None:
        self._dirty = True
        if self._path is not None and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._flush_delay)
        await self.flush()

    async def flush(self) -> None:
        """Write if changed. A write is never cut short, and never overtaken by a later one."""
        if self._writing is not None and not self._writing.done():
            await asyncio.wait({self._writing})
        if self._path is None or not self._dirty:
            return
        self._dirty = False
        data = {"dm": {str(u): c for u, c in self._dm.items()}, "commands": self.commands_hash}
        self._writing = asyncio.ensure_future(
            asyncio.to_thread(_write_atomically, self._path, data))
        self._writing.add_done_callback(self._written)
        await asyncio.wait({self._writing})

    def _written(self, writing: asyncio.Future[None]) -> None:
        if not writing.cancelled() and (exc := writing.exception()) is not None:
            self._dirty = True
            log.warning("discord state file not written (%s)", type(exc).__name__)

    async def close(self) -> None:
        if self._flusher is not None and self._flusher is not asyncio.current_task():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
