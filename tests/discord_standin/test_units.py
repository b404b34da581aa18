"""Unit tests of the stand-in's own logic (no client): limiter, pings, waiters."""

from __future__ import annotations

import asyncio

import pytest

from .messages import compute_pings
from .ratelimit import RateLimiter
from .records import RecordLog

ROUTE = "POST /channels/{channel_id}/messages"


def test_global_bucket_allows_burst_then_rate():
    limiter = RateLimiter()
    limiter.configure(0.0, global_per_second=50, global_burst=2)
    assert limiter.check(ROUTE, "1", 0.0, global_exempt=False)[1] is None
    assert limiter.check(ROUTE, "2", 0.0, global_exempt=False)[1] is None
    _, rejected = limiter.check(ROUTE, "3", 0.0, global_exempt=False)
    assert rejected is not None and rejected.is_global and rejected.scope == "global"
    assert rejected.retry_after == pytest.approx(0.02)
    assert limiter.check(ROUTE, "3", 0.02, global_exempt=False)[1] is None
    assert limiter.check(ROUTE, "4", 0.02, global_exempt=True)[1] is None  # interactions


def test_fixed_rate_of_50_per_second_is_never_rejected():
    limiter = RateLimiter()
    limiter.configure(0.0, global_per_second=50)
    verdicts = [limiter.check(ROUTE, str(i), i / 50, global_exempt=False)[1] for i in range(500)]
    assert verdicts == [None] * 500


def test_route_window_counts_per_major_parameter_and_resets():
    limiter = RateLimiter()
    limiter.configure(0.0, None, {ROUTE: (2, 5.0)})
    headers, ok = limiter.check(ROUTE, "10", 0.0, global_exempt=False)
    assert ok is None and headers["X-RateLimit-Remaining"] == "1"
    assert headers["X-RateLimit-Reset-After"] == "5.000"
    assert limiter.check(ROUTE, "10", 1.0, global_exempt=False)[1] is None
    headers, rejected = limiter.check(ROUTE, "10", 2.0, global_exempt=False)
    assert rejected is not None and rejected.reason == "route" and not rejected.is_global
    assert rejected.retry_after == pytest.approx(3.0) and headers["X-RateLimit-Remaining"] == "0"
    assert limiter.check(ROUTE, "11", 2.0, global_exempt=False)[1] is None  # other channel
    assert limiter.check(ROUTE, "10", 5.0, global_exempt=False)[1] is None  # new window


def test_routes_can_share_a_bucket():
    other = "PATCH /channels/{channel_id}/messages/{message_id}"
    limiter = RateLimiter()
    limiter.configure(0.0, None, {ROUTE: (1, 1.0, "msgs"), other: (1, 1.0, "msgs")})
    first, _ = limiter.check(ROUTE, "1", 0.0, global_exempt=False)
    second, rejected = limiter.check(other, "1", 0.1, global_exempt=False)
    assert rejected is not None and rejected.reason == "route"
    assert first["X-RateLimit-Bucket"] == second["X-RateLimit-Bucket"]


def test_forced_429s_only_hit_their_route():
    limiter = RateLimiter()
    limiter.force(2, 0.05, route=ROUTE)
    assert limiter.check("GET /users/@me", "", 0.0, global_exempt=False)[1] is None
    first = limiter.check(ROUTE, "1", 0.0, global_exempt=False)[1]
    assert first is not None and first.reason == "forced" and first.retry_after == 0.05
    assert limiter.check(ROUTE, "1", 0.0, global_exempt=False)[1] is not None
    assert limiter.check(ROUTE, "1", 0.0, global_exempt=False)[1] is None


def test_unconfigured_routes_advertise_a_bucket_that_never_runs_out():
    headers, ok = RateLimiter().check(ROUTE, "1", 0.0, global_exempt=False)
    assert ok is None and int(headers["X-RateLimit-Remaining"]) > 1000


def test_pings_follow_allowed_mentions():
    content = "<@1> <@!2> <@&7> @everyone"
    everything = compute_pings(content, None, replied_to=3)
    assert (everything.users, everything.roles, everything.everyone) == ([1, 2, 3], [7], True)
    assert not compute_pings(content, {"parse": []}, replied_to=3)
    only_one = compute_pings(content, {"parse": [], "users": ["2"]}, replied_to=None)
    assert (only_one.users, only_one.roles, only_one.everyone) == ([2], [], False)


async def test_record_log_waits_for_future_and_finds_past_records():
    log: RecordLog[int] = RecordLog("number")
    log.append(1)
    assert await log.wait_for(lambda n: n == 1) == 1
    waiter = asyncio.create_task(log.wait_for(lambda n: n > 0, after=log.mark()))
    await asyncio.sleep(0)  # let the waiter register (a yield, not a wait)
    log.append(0)
    log.append(5)
    assert await waiter == 5
    with pytest.raises(TimeoutError, match="no matching number"):
        await log.wait_for(lambda n: n > 100, timeout=0)
