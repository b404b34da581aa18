"""Requests made while delivering: paced by the homeserver's rate limits, errors mapped for the
delivery worker (transient: retry later; permanent: record and tell the feature).

Synapse has separate limiters for messages, room creation and invites, and media, so each has
a gate of its own: a 429 on creating a room never holds up a page to an existing room.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from nio import ErrorResponse, LocalProtocolError, SendRetryError

from adapters.matrix.ratelimit import RateLimited, SendGate
from bot.events import Priority
from bot.ports import PermanentDeliveryError, TransientDeliveryError

log = logging.getLogger(__name__)

R = TypeVar("R")
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)
LIMITED = "M_LIMIT_EXCEEDED"
DEFAULT_RETRY_MS = 5000
# Codes that will never succeed as asked. M_FORBIDDEN: not in the room, or not allowed to post.
PERMANENT = {
    "M_FORBIDDEN": "forbidden",
    "M_NOT_FOUND": "unknown_room",
    "M_TOO_LARGE": "too_large",
    "M_BAD_JSON": "bad_request",
    "M_NOT_JSON": "bad_request",
    "M_INVALID_PARAM": "bad_request",
    "M_UNKNOWN_ROOM": "unknown_room",
}


def retry_after(resp: object) -> float | None:
    """Seconds the homeserver asked us to wait, if this is a 429."""
    if not isinstance(resp, ErrorResponse):
        return None
    status = resp.transport_response.status if resp.transport_response is not None else None
    if resp.status_code != LIMITED and status != 429:
        return None
    return (resp.retry_after_ms or DEFAULT_RETRY_MS) / 1000


def delivery_error(resp: ErrorResponse, what: str) -> Exception:
    code = str(resp.status_code or "")
    status = resp.transport_response.status if resp.transport_response is not None else 0
    if code in PERMANENT:
        return PermanentDeliveryError(PERMANENT[code], what)
    if code == "M_UNKNOWN_TOKEN" or status == 401:
        return TransientDeliveryError("unauthorized", what)  # an operator must fix the token
    return TransientDeliveryError(code.lower() or f"http_{status}", what)


class Calls:
    def __init__(self, max_wait: float) -> None:
        self.messages = SendGate(max_wait)
        self.rooms = SendGate(max_wait)
        self.media = SendGate(max_wait)

    async def run(self, gate: SendGate, priority: Priority, request: Callable[[], Awaitable[R]],
                  what: str) -> R:
        """The response of ``request`` if it succeeded, else a DeliveryError to raise. Every
        request made for a message (room creation, upload, the message) carries its priority:
        crisis first, fan-out last."""
        try:
            resp = await gate.run(priority, request, retry_after)
        except RateLimited as exc:
            raise TransientDeliveryError("rate_limited", what, retry_after=exc.retry_after) \
                from None
        except NETWORK_ERRORS as exc:
            raise TransientDeliveryError("unreachable", f"{what}: {type(exc).__name__}") \
                from None
        except (LocalProtocolError, SendRetryError) as exc:
            raise TransientDeliveryError("not_ready", f"{what}: {type(exc).__name__}") from None
        if isinstance(resp, ErrorResponse):
            raise delivery_error(resp, what)
        return resp


async def with_retries(request: Callable[[], Awaitable[R]], what: str,
                       attempts: int = 5) -> R | None:
    """For housekeeping outside delivery (joining a room): honour 429s a few times, else None."""
    for _ in range(attempts):
        try:
            resp = await request()
        except NETWORK_ERRORS as exc:
            log.warning("%s: homeserver unreachable (%s)", what, type(exc).__name__)
            return None
        wait = retry_after(resp)
        if wait is None:
            if isinstance(resp, ErrorResponse):
                log.warning("%s failed: %s", what, resp.status_code)
                return None
            return resp
        await asyncio.sleep(wait)
    log.warning("%s: still rate limited after %d tries", what, attempts)
    return None
