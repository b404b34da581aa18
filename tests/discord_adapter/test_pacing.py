"""The request pacer: never above its rate, and the most urgent waiter always next."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.pacing import Pacer
from bot.events import Priority


class SteppedTime:
    """Time that moves only when a sleep is let through (``step``): no real waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._open = asyncio.Event()
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        await self._open.wait()
        self._open.clear()
        self.now += delay

    async def step(self) -> None:
        self._open.set()
        await _spin()


async def _spin() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_the_next_free_slot_goes_to_the_most_urgent_waiter() -> None:
    clock = SteppedTime()
    pacer = Pacer(10, burst=1, now=clock.time, sleep=clock.sleep)
    await pacer.acquire(Priority.ROUTINE)  # the only token
    granted: list[str] = []

    async def want(name: str, priority: Priority) -> None:
        await pacer.acquire(priority)
        granted.append(name)

    tasks = [asyncio.create_task(want(f"prompt{i}", Priority.ROUTINE)) for i in range(3)]
    await _spin()
    tasks.append(asyncio.create_task(want("reply", Priority.REPLY)))
    tasks.append(asyncio.create_task(want("page", Priority.CRISIS)))
    await _spin()
    for _ in tasks:
        await clock.step()
    assert granted == ["page", "reply", "prompt0", "prompt1", "prompt2"]
    assert clock.sleeps == pytest.approx([0.1] * 5)
    await asyncio.gather(*tasks)


async def test_it_never_exceeds_its_rate_after_the_burst() -> None:
    clock = SteppedTime()
    pacer = Pacer(48, burst=5, now=clock.time, sleep=clock.sleep)
    times: list[float] = []

    async def one() -> None:
        await pacer.acquire()
        times.append(clock.now)

    tasks = [asyncio.create_task(one()) for _ in range(200)]
    await _spin()
    while len(times) < 200:
        await clock.step()
    for start in times:
        in_one_second = [t for t in times if start <= t < start + 1.0]
        assert len(in_one_second) <= 48 + 5
    assert times[-1] == pytest.approx((200 - 5) / 48)
    await asyncio.gather(*tasks)


async def test_a_cancelled_waiter_gives_its_turn_away() -> None:
    clock = SteppedTime()
    pacer = Pacer(10, burst=1, now=clock.time, sleep=clock.sleep)
    await pacer.acquire()
    gone = asyncio.create_task(pacer.acquire(Priority.CRISIS))
    kept = asyncio.create_task(pacer.acquire(Priority.ROUTINE))
    await _spin()
    gone.cancel()
    await clock.step()
    assert kept.done() and gone.cancelled()
    pacer.close()


def test_a_pacer_needs_a_rate() -> None:
    with pytest.raises(ValueError):
        Pacer(0)
