"""REST plumbing: routing, auth, rate limits, body parsing, recording and JSON replies.

Handlers (in ``routes_core`` and ``routes_interactions``) are plain functions
``(state, call) -> (status, data)`` that raise :class:`ApiError`; this module does the rest.
Replies use ``Content-Type: application/json`` exactly (discord.py compares the header
verbatim) and ``Via: 1.1 google`` (discord.py treats a 429 without ``Via`` as a Cloudflare
ban and raises instead of retrying).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from .messages import ApiError
from .ratelimit import Rejection, rejection_body, rejection_headers
from .records import RestCall, UploadedFile
from .state import StandInState

API_PREFIX = "/api/v10"
Result = tuple[int, Any]
Handler = Callable[[StandInState, RestCall], Result | Awaitable[Result]]
MAJOR_PARAMS = ("channel_id", "guild_id", "webhook_id", "webhook_token")
INVALID_STATUSES = {401, 403, 429}
BASE_HEADERS = {"Via": "1.1 google"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # below /api/v10, with {placeholders}
    handler: Handler
    public: bool = False  # interaction webhooks: no bot token, not under the global limit

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def json_reply(status: int, data: Any, headers: dict[str, str]) -> web.Response:
    headers = {**BASE_HEADERS, **headers}
    if data is None:
        return web.Response(status=204 if status == 200 else status, headers=headers)
    headers["Content-Type"] = "application/json"
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers)


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    """JSON body, or multipart ``payload_json`` plus ``files[n]`` parts."""
    if not request.can_read_body:
        return None, []
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        try:
            return (json.loads(raw) if raw else None), []
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
    payload: Any = None
    files: list[UploadedFile] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):  # nested multipart: not used by Discord
            continue
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        elif part.filename is not None:
            ctype = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
            files.append(UploadedFile(part.name or "", part.filename, ctype, await part.read()))
    return payload, files


class RestServer:
    """Mounts endpoints on an aiohttp app and runs each request through the common steps."""

    def __init__(self, state: StandInState, endpoints: list[Endpoint]) -> None:
        self.state = state
        self.endpoints = endpoints

    def mount(self, app: web.Application) -> None:
        for ep in self.endpoints:
            app.router.add_route(ep.method, API_PREFIX + ep.path, self._wrap(ep))
        app.router.add_route("*", "/{tail:.*}", self._unknown)

    def _wrap(self, ep: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
        route = ep.route

        async def handle(request: web.Request) -> web.Response:
            return await self._handle(ep, route, request)

        return handle

    async def _handle(self, ep: Endpoint, route: str, request: web.Request) -> web.Response:
        st = self.state
        st.stats.requests += 1
        params = dict(request.match_info)
        call = RestCall(
            request.method, request.path, route, params, dict(request.query), None, [], st.now()
        )
        headers: dict[str, str] = {}
        try:
            call.json, call.files = await read_body(request)
            if not ep.public and request.headers.get("Authorization") != st.auth_header:
                raise ApiError(401, 0, "401: Unauthorized")
            major = "+".join(params[k] for k in MAJOR_PARAMS if k in params)
            headers, rejection = st.limiter.check(route, major, call.at, global_exempt=ep.public)
            if rejection is not None:
                headers = {**headers, **rejection_headers(rejection)}
                return self._finish(call, 429, rejection_body(rejection), headers, rejection)
            result = ep.handler(st, call)
            status, data = await result if inspect.isawaitable(result) else result
        except ApiError as exc:
            status, data = exc.status, exc.body
        except Exception as exc:
            # A stand-in bug. Not a 500: discord.py retries those for ~25 s before failing.
            st.internal_errors.append(f"{route}: {exc!r}")
            status, data = 400, {"message": f"stand-in internal error: {exc!r}", "code": 0}
        return self._finish(call, status, data, headers)

    def _finish(
        self,
        call: RestCall,
        status: int,
        data: Any,
        headers: dict[str, str],
        rejection: Rejection | None = None,
    ) -> web.Response:
        stats = self.state.stats
        if status in INVALID_STATUSES:
            stats.invalid_requests += 1
        if rejection is not None:
            stats.served_429 += 1
            attr = {"global": "global_429", "route": "route_429"}.get(
                rejection.reason, "forced_429"
            )
            setattr(stats, attr, getattr(stats, attr) + 1)
        call.status, call.response = status, data
        self.state.calls.append(call)
        return json_reply(status, data, headers)

    async def _unknown(self, request: web.Request) -> web.Response:
        """Anything not implemented: 404 JSON, and visible to tests in ``unknown_calls``."""
        st = self.state
        st.stats.requests += 1
        st.stats.unknown_routes += 1
        body, files = await read_body(request)
        call = RestCall(
            request.method,
            request.path,
            "?",
            {},
            dict(request.query),
            body,
            files,
            st.now(),
            404,
            {"message": "404: Not Found", "code": 0},
        )
        st.calls.append(call)
        st.unknown_calls.append(call)
        return json_reply(404, call.response, {})
