"""The sync loop: resume from the stored token, hand each batch to the core, then store it.

First start ever (no token): one sync whose timeline is ignored, so the bot never answers old
history. Every later start resumes from the stored token, with full room state (nio keeps none
across restarts). A batch's token is stored only after the core has handled its events, so a
crash replays rather than loses (the core drops replays by event id). Failures back off,
doubling from half a second to 30 s: a homeserver restart is just a few failed syncs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from nio import AsyncClient, SyncError, SyncResponse

from adapters.matrix.calls import NETWORK_ERRORS
from adapters.matrix.inbound import Inbound
from adapters.matrix.rooms import Rooms
from adapters.matrix.session import maintain_keys
from adapters.matrix.state import AdapterState
from bot.ports import EventSink

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
TIMELINE_LIMIT = 50
# No presence, typing or receipts: Porchlight reads messages, reactions and memberships.
_QUIET = {"not_types": ["*"]}
SYNC_FILTER = {"presence": _QUIET, "account_data": _QUIET,
               "room": {"timeline": {"limit": TIMELINE_LIMIT}, "ephemeral": _QUIET,
                        "account_data": _QUIET}}
FIRST_FILTER = {**SYNC_FILTER, "room": {**SYNC_FILTER["room"], "timeline": {"limit": 1}}}


class SyncFailed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SyncLoop:
    def __init__(
        self,
        client: AsyncClient,
        state: AdapterState,
        inbound: Inbound,
        rooms: Rooms,
        sink: EventSink,
        *,
        timeout_ms: int,
        relogin: Callable[[], Awaitable[None]] | None,
    ) -> None:
        self._client = client
        self._state = state
        self._inbound = inbound
        self._rooms = rooms
        self._sink = sink
        self._timeout_ms = timeout_ms
        self._relogin = relogin
        self._next = state.sync_token  # where the next sync starts (the stored one may lag)
        self.batches = 0

    async def first(self) -> None:
        """The start-up sync: full state, and what happened while we were away."""
        await self._handle(await self._sync(full_state=True, timeout_ms=0))

    async def run(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            try:
                await self._handle(await self._sync(full_state=False,
                                                    timeout_ms=self._timeout_ms))
                delay = BACKOFF_FIRST
            except Exception as exc:  # never let the loop die: the bot would go deaf
                code = exc.code if isinstance(exc, SyncFailed) else type(exc).__name__
                expected = isinstance(exc, (SyncFailed, *NETWORK_ERRORS))
                log.log(logging.WARNING if expected else logging.ERROR,
                        "sync failed (%s); trying again in %.1f s", code, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                if code == "M_UNKNOWN_TOKEN" and self._relogin is not None:
                    await self._try_relogin()

    async def _try_relogin(self) -> None:
        """A token revoked under us: log in again with the password, or keep trying."""
        assert self._relogin is not None
        try:
            await self._relogin()
        except Exception as exc:  # the loop must live: the next failure tries again
            log.error("Matrix login again failed (%s); still trying", type(exc).__name__)

    async def _sync(self, *, full_state: bool, timeout_ms: int) -> SyncResponse:
        resp = await self._client.sync(
            timeout=timeout_ms, since=self._next, full_state=full_state or None,
            sync_filter=SYNC_FILTER if self._next else FIRST_FILTER,
        )
        if isinstance(resp, SyncError):
            raise SyncFailed(str(resp.status_code or "sync error"))
        assert isinstance(resp, SyncResponse)
        return resp

    async def _handle(self, resp: SyncResponse) -> None:
        self._rooms.synced()
        events = await self._inbound.batch(resp, self._next)
        for event in events:
            await self._sink(event)  # returns once the core has handled it
        self._next = resp.next_batch
        resume = self._inbound.resume_token(resp.next_batch)
        if resume != self._state.sync_token:
            self._state.sync_token = resume
            self._state.save()
        self.batches += 1
        if events:
            log.info("sync batch %d: %d events handed to the core", self.batches, len(events))
        await maintain_keys(self._client)
