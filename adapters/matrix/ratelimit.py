"""Honouring the homeserver's rate limit, with crisis messages first in line.

Synapse answers ``429 M_LIMIT_EXCEEDED`` with ``retry_after_ms`` once the bot's bucket is empty
(``rc_message`` defaults to 0.2 messages/s with a burst of 10); a refused request costs nothing.
nio would retry a 429 forever, so it is told not to (``max_limit_exceeded=0``) and this gate
does it, bounded: after a 429 every request waits until the homeserver said to come back, then
they go one at a time, most urgent first (the message's priority: crisis, then replies, then
fan-out), in order of arrival within a priority. A request that would wait longer than
``max_wait`` raises ``RateLimited`` and the delivery worker's retry schedule takes over.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class RateLimited(Exception):
    """Still limited after waiting as long as allowed; try again after ``retry_after`` s."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class SendGate:
    def __init__(self, max_wait: float) -> None:
        self._max_wait = max_wait
        self._open_at = 0.0  # loop time from which the homeserver accepts requests again
        self._limited = False  # a 429 was seen and the queue has not emptied since
        self._busy = False
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def limited(self) -> bool:
        return self._limited

    async def run(
        self,
        lane: int,
        request: Callable[[], Awaitable[T]],
        retry_after: Callable[[T], float | None],
    ) -> T:
        """``request()`` until it is not rate limited; between tries it waits its turn in
        ``lane`` (lower goes first)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        ticket = next(self._order)  # kept across tries: a refused request keeps its place
        while True:
            exclusive = await self._turn(lane, ticket, deadline)
            wait: float | None = 0.0  # if the request raises: not a success
            try:
                result = await request()
                wait = retry_after(result)
                if wait is not None:
                    self._hold(wait)  # before the slot passes on: the next one must wait too
            finally:
                if exclusive:
                    self._release(ok=wait is None)
            if wait is None:
                return result
            log.info("rate limited by the homeserver for %.1f s (lane %d)", wait, lane)
            if loop.time() + wait > deadline:
                raise RateLimited(wait)

    def _hold(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._open_at = max(self._open_at, loop.time() + seconds)
        self._limited = True

    async def _turn(self, lane: int, ticket: int, deadline: float) -> bool:
        """Wait for our turn while limited; True if we hold the one slot."""
        if not self._limited:
            return False
        turn = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (lane, ticket, turn))
        self._grant()
        try:
            async with asyncio.timeout_at(deadline):
                await turn
        except BaseException as exc:
            if turn.done() and not turn.cancelled():
                self._release(False)  # granted just as we gave up: pass it on
            turn.cancel()
            if isinstance(exc, TimeoutError):
                now = asyncio.get_running_loop().time()
                raise RateLimited(max(0.5, self._open_at - now)) from None
            raise
        return True

    def _release(self, ok: bool) -> None:
        self._busy = False
        self._drop_abandoned()
        if ok and not self._queue:
            self._limited = False
        self._grant()

    def _drop_abandoned(self) -> None:
        while self._queue and self._queue[0][2].done():
            heapq.heappop(self._queue)

    def _grant(self) -> None:
        """Give the slot to the most urgent waiter once the homeserver lets us in."""
        self._drop_abandoned()
        if self._busy or not self._queue:
            return
        loop = asyncio.get_running_loop()
        delay = self._open_at - loop.time()
        if delay > 0:
            if self._timer is None:
                self._timer = loop.call_later(delay, self._on_timer)
            return
        _, _, turn = heapq.heappop(self._queue)
        self._busy = True
        turn.set_result(None)

    def _on_timer(self) -> None:
        self._timer = None
        self._grant()
