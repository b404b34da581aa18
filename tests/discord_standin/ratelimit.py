"""Discord-style rate limiting: a global limit, per-route buckets, and forced 429 storms.

* Global: a token bucket (``global_per_second`` tokens/s, burst ``global_burst``, default one
  second's worth). Interaction callbacks and interaction webhooks are exempt, as on Discord.
* Per route: fixed windows keyed by (bucket, major parameters), where the major parameters are
  channel_id / guild_id / webhook_id+token like Discord's. Routes may share a bucket name.
* Every answer carries ``X-RateLimit-*`` headers; discord.py learns buckets from them.

Everything is O(1) per request so the stand-in is never the bottleneck.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

RouteSpec = tuple[int, float] | tuple[int, float, str]
UNLIMITED = 10_000  # limit advertised by routes nobody configured


def ceil_ms(seconds: float) -> float:
    """Discord rounds up to the millisecond; rounding down invites an early retry and a 429."""
    return math.ceil(max(seconds, 0.0) * 1000) / 1000


def bucket_hash(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()


@dataclass(slots=True)
class Rejection:
    retry_after: float
    is_global: bool
    scope: str  # "global" | "user" | "shared"
    reason: str  # "global" | "route" | "forced"


class _TokenBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def retry_after(self, now: float) -> float:
        """Refill, then 0 if a token is available (not taken yet) else seconds to wait."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class _Window:
    __slots__ = ("remaining", "reset_at")

    def __init__(self, remaining: int, reset_at: float) -> None:
        self.remaining, self.reset_at = remaining, reset_at


@dataclass(slots=True)
class _Route:
    limit: int
    per: float
    bucket: str


class RateLimiter:
    """Decides per request: allowed (with headers) or a 429 :class:`Rejection`."""

    def __init__(self) -> None:
        self._global: _TokenBucket | None = None
        self._routes: dict[str, _Route] = {}
        self._windows: dict[tuple[str, str], _Window] = {}
        self._static: dict[str, dict[str, str]] = {}
        self._forced = 0
        self._forced_retry_after = 0.0
        self._forced_global = False
        self._forced_route: str | None = None

    def configure(
        self,
        now: float,
        global_per_second: float | None = 50.0,
        per_route: Mapping[str, RouteSpec] | None = None,
        global_burst: float | None = None,
    ) -> None:
        """Replace the limits; ``None`` turns the global limit off. Windows start fresh."""
        self._global = None
        if global_per_second:
            burst = global_burst if global_burst is not None else global_per_second
            self._global = _TokenBucket(global_per_second, burst, now)
        self._routes = {}
        for key, spec in (per_route or {}).items():
            name = spec[2] if len(spec) == 3 else key
            self._routes[key] = _Route(int(spec[0]), float(spec[1]), bucket_hash(name))
        self._windows.clear()

    def force(
        self, n: int, retry_after: float, *, is_global: bool = False, route: str | None = None
    ) -> None:
        """The next ``n`` requests (optionally only on ``route``) get a 429."""
        self._forced, self._forced_retry_after = n, retry_after
        self._forced_global, self._forced_route = is_global, route

    def check(
        self, route: str, major: str, now: float, *, global_exempt: bool
    ) -> tuple[dict[str, str], Rejection | None]:
        """Headers for the answer, and a rejection if the request must get a 429."""
        if self._forced and (self._forced_route is None or self._forced_route == route):
            self._forced -= 1
            scope = "global" if self._forced_global else "user"
            return {}, Rejection(self._forced_retry_after, self._forced_global, scope, "forced")
        spec = self._routes.get(route)
        window = self._window(spec, major, now) if spec is not None else None
        if spec is not None and window is not None and window.remaining <= 0:
            wait = window.reset_at - now
            return self._route_headers(spec, 0, wait), Rejection(wait, False, "user", "route")
        if self._global is not None and not global_exempt:
            wait = self._global.retry_after(now)
            if wait > 0:
                return {}, Rejection(wait, True, "global", "global")
            self._global.tokens -= 1.0
        if spec is None or window is None:
            return self._static_headers(route), None
        window.remaining -= 1
        return self._route_headers(spec, window.remaining, window.reset_at - now), None

    def _window(self, spec: _Route, major: str, now: float) -> _Window:
        key = (spec.bucket, major)
        window = self._windows.get(key)
        if window is None or now >= window.reset_at:
            window = self._windows[key] = _Window(spec.limit, now + spec.per)
        return window

    @staticmethod
    def _route_headers(spec: _Route, remaining: int, reset_after: float) -> dict[str, str]:
        reset_after = ceil_ms(reset_after)
        return {
            "X-RateLimit-Limit": str(spec.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": spec.bucket,
        }

    def _static_headers(self, route: str) -> dict[str, str]:
        """Unconfigured routes advertise a bucket that never runs out (cached per route)."""
        headers = self._static.get(route)
        if headers is None:
            headers = self._static[route] = {
                "X-RateLimit-Limit": str(UNLIMITED),
                "X-RateLimit-Remaining": str(UNLIMITED - 1),
                "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": bucket_hash(route),
            }
        return {**headers, "X-RateLimit-Reset": f"{time.time() + 1:.3f}"}


def rejection_headers(rejection: Rejection) -> dict[str, str]:
    headers = {
        "Retry-After": str(math.ceil(rejection.retry_after)),
        "X-RateLimit-Scope": rejection.scope,
    }
    if rejection.is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


def rejection_body(rejection: Rejection) -> dict[str, object]:
    return {
        "message": "You are being rate limited.",
        "retry_after": ceil_ms(rejection.retry_after),
        "global": rejection.is_global,
        "code": 0,
    }
