"""One pacer for every REST request the bot makes, below Discord's global 50 requests/s.

discord.py follows per-route buckets but not the global limit: it only reacts to 429s and gives
up after five, so a fan-out of thousands of DMs needs pacing of its own. Waiting requests are
served most urgent first, so a crisis page overtakes a queue of check-in prompts.
Interaction responses and followups are exempt from the global limit and are not paced.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable

from bot.events import Priority

EPSILON = 1e-9  # float refills land a hair short of a whole token; don't sleep for that

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """A token bucket (``rate`` per second, a small ``burst``) with a priority queue."""

    def __init__(self, rate: float, *, burst: float = 5.0, now: Now | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("the pacer needs a positive rate and a burst of at least 1")
        self._rate = rate
        self._burst = burst
        self._now = now or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep
        self._tokens = burst
        self._stamp: float | None = None
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._releaser: asyncio.Task[None] | None = None

    async def acquire(self, priority: Priority = Priority.ROUTINE) -> None:
        """Return when one request may be made now."""
        if not self._waiting and self._take():
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (int(priority), next(self._order), future))
        if self._releaser is None or self._releaser.done():
            self._releaser = asyncio.create_task(self._release(), name="discord.pacer")
        await future

    def close(self) -> None:
        if self._releaser is not None:
            self._releaser.cancel()
        for *_, future in self._waiting:
            future.cancel()
        self._waiting.clear()

    def _refill(self) -> None:
        now = self._now()
        if self._stamp is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def _take(self) -> bool:
        self._refill()
        if self._tokens < 1.0 - EPSILON:
            return False
        self._tokens -= 1.0
        return True

    async def _release(self) -> None:
        """Hand out tokens as they come, always to the most urgent waiter."""
        while self._waiting:
            if not self._take():
                await self._sleep((1.0 - self._tokens) / self._rate)
                continue
            while self._waiting:
                *_, future = heapq.heappop(self._waiting)
                if not future.done():  # a cancelled waiter gives its turn to the next
                    future.set_result(None)
                    break
            else:
                self._tokens += 1.0  # nobody was left to use it
