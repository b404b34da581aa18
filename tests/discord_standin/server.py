"""``DiscordStandIn``: start/stop the fake Discord and drive it from tests or benchmarks."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from . import payloads as p
from .gateway import OP_INVALID_SESSION, OP_RECONNECT, Gateway
from .inject import ChannelLike, Injector, UserLike
from .ratelimit import RouteSpec
from .records import GatewayEvent, InteractionCallback, RecordLog, RestCall, SentMessage, Stats
from .rest import API_PREFIX, RestServer
from .routes_core import CORE_ENDPOINTS
from .routes_interactions import INTERACTION_ENDPOINTS
from .state import PendingInteraction, StandInState
from .world import Channel, World, default_world

DEFAULT_HEARTBEAT_MS = 41_250


def _listen(port: int) -> socket.socket:
    """A listening socket that a restart can re-bind while the old one is still open."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    return sock


class DiscordStandIn:
    """A local Discord (gateway + REST) for discord.py; see the package docstring."""

    def __init__(
        self,
        world: World | None = None,
        *,
        token: str = "standin.bot.token",
        heartbeat_interval_ms: int = DEFAULT_HEARTBEAT_MS,
        allowed_intents: int = p.PRIVILEGED_INTENTS,
        strict_recipients: bool = False,
    ) -> None:
        self.world = world or default_world()
        self.token = token
        self.state = StandInState(self.world, token)
        self.state.strict_recipients = strict_recipients
        self.gateway = Gateway(self.state, heartbeat_interval_ms, allowed_intents)
        self.inject = Injector(self.state, self.gateway)
        self.state.messages.on_record = self.gateway.echo
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._site: web.SockSite | None = None

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> DiscordStandIn:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        RestServer(self.state, CORE_ENDPOINTS + INTERACTION_ENDPOINTS).mount(app)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = _listen(0)
        self.port = sock.getsockname()[1]
        self._site = web.SockSite(self._runner, sock)
        await self._site.start()
        self.gateway.url = self.gateway_url
        return self

    async def stop(self) -> None:
        self.gateway.cancel_echoes()
        await self.gateway.close_sockets(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = self._site = None

    async def __aenter__(self) -> DiscordStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def restart(self, *, forget_sessions: bool = True) -> None:
        """Re-bind the port and drop every websocket (1001), like a Discord deploy.

        With ``forget_sessions`` the client's RESUME gets INVALID_SESSION and it must
        IDENTIFY again. Open HTTP keep-alive connections survive (same process).
        """
        assert self._runner is not None and self._site is not None
        new_site = web.SockSite(self._runner, _listen(self.port))
        await new_site.start()
        old, self._site = self._site, new_site
        await old.stop()
        if forget_sessions:
            self.gateway.forget_sessions()
        await self.gateway.close_sockets(code=1001)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextmanager
    def point_discord_py_here(self) -> Iterator[None]:
        """Aim discord.py's REST base and gateway URL here; restore them on exit."""
        ws_cls = discord.gateway.DiscordWebSocket
        old_base, old_gateway = discord.http.Route.BASE, ws_cls.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        ws_cls.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            ws_cls.DEFAULT_GATEWAY = old_gateway

    # -- injection ------------------------------------------------------------------------
    async def send_message(
        self, channel: ChannelLike, author: UserLike, content: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """Dispatch MESSAGE_CREATE in a guild or DM channel; returns the message payload."""
        return await self.inject.message(channel, author, content, reply_to=reply_to)

    async def send_dm(self, author: UserLike, content: str) -> dict[str, Any]:
        """A user writes to the bot in their DM channel (opened if needed)."""
        return await self.inject.message(self.dm_channel(author), author, content)

    async def slash_command(
        self,
        user: UserLike,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: bool = True,
        channel: ChannelLike | None = None,
    ) -> PendingInteraction:
        return await self.inject.slash_command(user, name, options, guild=guild, channel=channel)

    async def autocomplete(
        self,
        user: UserLike,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        guild: bool = True,
        channel: ChannelLike | None = None,
    ) -> PendingInteraction:
        return await self.inject.autocomplete(
            user, name, options, focused, guild=guild, channel=channel
        )

    async def click_button(
        self, user: UserLike, message_id: int, custom_id: str
    ) -> PendingInteraction:
        return await self.inject.click(user, message_id, custom_id)

    async def choose(
        self, user: UserLike, message_id: int, custom_id: str, values: list[str]
    ) -> PendingInteraction:
        """Pick ``values`` in a select menu on a bot message."""
        return await self.inject.click(user, message_id, custom_id, values=values)

    async def submit_modal(
        self, user: UserLike, custom_id: str, values: Mapping[str, Any]
    ) -> PendingInteraction:
        return await self.inject.submit_modal(user, custom_id, values)

    def seed_bot_message(
        self, channel: ChannelLike, content: str, components: list[dict[str, Any]] | None = None
    ) -> SentMessage:
        """A message the bot posted in an earlier life (e.g. a persistent-button panel)."""
        body = {"content": content, "components": components or []}
        return self.state.messages.create(self.inject.channel(channel), body, [], source="seed")

    def dm_channel(self, user: UserLike) -> Channel:
        return self.world.dm_channel_for(self.inject.user(user).id)

    # -- gateway control ------------------------------------------------------------------
    async def close_gateway(self, code: int = 4000) -> None:
        """Drop the websocket(s); discord.py reconnects and RESUMEs (missed events replay)."""
        await self.gateway.close_sockets(code=code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        await self.gateway.send_op(OP_RECONNECT)

    async def invalidate_session(self) -> None:
        """Send op 9 INVALID_SESSION (not resumable): the client must IDENTIFY again."""
        await self.gateway.send_op(OP_INVALID_SESSION, False)
        self.gateway.forget_sessions()

    async def wait_for_gateway(
        self,
        kind: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        after: int = 0,
    ) -> GatewayEvent:
        """E.g. ``"identify"``, ``"ready"``, ``"resumed"``, ``"invalid_session"``."""
        return await self.state.gateway_events.wait_for(
            lambda e: e.kind == kind, timeout=timeout, after=after
        )

    # -- recorders and waiters ------------------------------------------------------------
    @property
    def calls(self) -> RecordLog[RestCall]:
        return self.state.calls

    @property
    def unknown_calls(self) -> RecordLog[RestCall]:
        return self.state.unknown_calls

    @property
    def sent(self) -> RecordLog[SentMessage]:
        return self.state.messages.sent

    @property
    def callbacks(self) -> RecordLog[InteractionCallback]:
        return self.state.callbacks

    @property
    def gateway_events(self) -> RecordLog[GatewayEvent]:
        return self.state.gateway_events

    @property
    def stats(self) -> Stats:
        return self.state.stats

    async def wait_for_message(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        after: int = 0,
        channel: ChannelLike | None = None,
        kind: str | None = "create",
    ) -> SentMessage:
        """A message the bot created (``kind=None``: also edits/deletes), by any route."""
        channel_id = self.inject.channel(channel).id if channel is not None else None

        def matches(m: SentMessage) -> bool:
            return (
                (kind is None or m.kind == kind)
                and (channel_id is None or m.channel_id == channel_id)
                and (predicate is None or predicate(m))
            )

        return await self.sent.wait_for(matches, timeout=timeout, after=after)

    async def wait_for_call(
        self,
        predicate: Callable[[RestCall], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        after: int = 0,
    ) -> RestCall:
        return await self.calls.wait_for(predicate, timeout=timeout, after=after)

    # -- failure injection ----------------------------------------------------------------
    def close_dms_for(self, user: UserLike) -> None:
        """Sends to this user's DM channel answer 403 / 50007 from now on."""
        self.state.closed_dms.add(self.inject.user(user).id)

    def open_dms_for(self, user: UserLike) -> None:
        self.state.closed_dms.discard(self.inject.user(user).id)

    def forbid_channel(self, channel: ChannelLike) -> None:
        """The bot loses access to a channel: posts there answer 403 / 50001 from now on."""
        self.state.forbidden_channels.add(self.inject.channel(channel).id)

    def rate_limits(
        self,
        global_per_second: float | None = 50.0,
        per_route: Mapping[str, RouteSpec] | None = None,
        global_burst: float | None = None,
    ) -> None:
        """Enforce limits. ``per_route`` maps "POST /channels/{channel_id}/messages" to
        ``(limit, per_seconds)`` or ``(limit, per_seconds, shared_bucket_name)``."""
        self.state.limiter.configure(self.state.now(), global_per_second, per_route, global_burst)

    def no_rate_limits(self) -> None:
        self.rate_limits(None, None)

    def force_429(
        self,
        n: int = 1,
        retry_after: float = 0.05,
        *,
        is_global: bool = False,
        route: str | None = None,
    ) -> None:
        """The next ``n`` requests (on ``route`` if given) get 429 with ``retry_after``."""
        self.state.limiter.force(n, retry_after, is_global=is_global, route=route)
