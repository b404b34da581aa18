"""The Discord adapter: the client's lifecycle, slash commands, and the core's Adapter contract.

Capabilities: buttons, files, spoilers and ephemeral answers. Not private rooms: Porchlight
makes no private threads on Discord (they need a channel the pair can see, and moderators of
the server can read them anyway), so the core sends each member of a space a DM instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import discord

from adapters.discord.client import PorchlightClient, intents_for, quiet_library_logs
from adapters.discord.commands import build_tree, payload_hash
from adapters.discord.convert import PLATFORM, room_ref, snowflake
from adapters.discord.inbound import Inbound, Where
from adapters.discord.outbound import Outbound, Roles
from adapters.discord.pacing import Pacer
from adapters.discord.replies import Replies
from adapters.discord.state import AdapterState
from adapters.discord.views import CommandButton, FormButton
from bot.commands import CommandSpec
from bot.events import Capability, OutgoingMessage, Priority
from bot.identity import RoomRef, UserRef
from bot.ports import Clock, EventSink, Sent, TransientDeliveryError
from bot.store.db import Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscordOptions:
    """What the adapter needs from ``[discord]``."""

    token: str
    guild_id: int
    moderator_role_ids: tuple[int, ...] = ()
    backup_role_ids: tuple[int, ...] = ()
    moderator_channel_id: int = 0
    scan_channel_ids: tuple[int, ...] = ()
    state_file: Path | None = None
    requests_per_second: float = 48.0
    ready_timeout: float = 2.0  # discord.py's wait for GUILD_CREATEs after READY
    start_timeout: float = 60.0
    reidentify_delay: float = 5.0


class DiscordAdapter:
    platform = PLATFORM
    capabilities = frozenset({Capability.BUTTONS, Capability.FILES, Capability.SPOILERS,
                              Capability.EPHEMERAL})

    def __init__(self, options: DiscordOptions, clock: Clock) -> None:
        quiet_library_logs()
        self._options = options
        self._clock = clock
        self._specs: list[CommandSpec] = []
        self._state = AdapterState(options.state_file)
        self._pacer = Pacer(options.requests_per_second)
        replies = Replies()
        self._client: PorchlightClient | None = None
        self._ready = asyncio.Event()
        self.connection: asyncio.Task[None] | None = None
        self._inbound = Inbound(
            where=Where(options.moderator_channel_id, frozenset(options.moderator_role_ids),
                        frozenset(options.scan_channel_ids)),
            replies=replies, state=self._state, clock=clock)
        self._outbound = Outbound(
            client=self._client_or_fail, pacer=self._pacer, replies=replies, state=self._state,
            clock=clock,
            roles=Roles(options.moderator_role_ids, options.backup_role_ids))

    @property
    def moderator_room(self) -> RoomRef | None:
        channel = self._options.moderator_channel_id
        return room_ref(channel) if channel else None

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        self._specs = list(commands)

    # The DM channel kept for a member is about them: mydata shows it, forget me drops it.

    section = "discord_adapter"

    async def export_user(self, tx: Tx, user: UserRef) -> dict[str, str] | None:
        channel = self._state.dm_channel(int(user.id)) if _is_ours(user) else None
        return None if channel is None else {"dm_channel_id": str(channel)}

    async def delete_user(self, tx: Tx, user: UserRef) -> int:
        if not _is_ours(user) or self._state.dm_channel(int(user.id)) is None:
            return 0
        self._state.forget_dm(int(user.id))
        return 1

    async def start(self, sink: EventSink) -> None:
        """Log in, sync slash commands if they changed, connect, and wait until ready."""
        await asyncio.to_thread(self._state.load)
        self._inbound.connect(sink)
        client = self._client = PorchlightClient(
            events=self._inbound, intents=intents_for(self._options.scan_channel_ids),
            ready_timeout=self._options.ready_timeout,
            reidentify_delay=self._options.reidentify_delay)
        tree = build_tree(client, self._specs, self._inbound.command)
        client.add_dynamic_items(CommandButton, FormButton)
        await client.login(self._options.token)
        await self._sync(tree)
        self.connection = asyncio.create_task(client.connect(), name="discord.connect")
        self.connection.add_done_callback(_connection_ended)
        await self._until_ready(client, self.connection)
        self._ready.set()
        if client.get_guild(self._options.guild_id) is None:
            log.warning("discord: the bot is not in guild %s; invite it (docs/discord.md)",
                        self._options.guild_id)
        log.info("discord: ready (guild %s, %d slash commands)", self._options.guild_id,
                 len(tree.get_commands()))

    async def stop(self) -> None:
        self._ready.clear()
        self._pacer.close()
        if self._client is not None:
            await self._client.close()
        if self.connection is not None:
            await asyncio.wait({self.connection}, timeout=5)  # its end is logged by a callback
        await self._state.close()

    async def send(self, message: OutgoingMessage) -> Sent:
        """Sends that come before the client is ready (delivery starts first) wait for it."""
        if not self._ready.is_set():
            try:
                await asyncio.wait_for(self._ready.wait(), self._options.start_timeout)
            except TimeoutError:
                raise TransientDeliveryError("not_connected") from None
        return await self._outbound.send(message)

    async def is_moderator(self, user: UserRef) -> bool:
        """Asks Discord now for the member's roles and compares their ids, never names."""
        member_id = snowflake(user.id) if user.platform == PLATFORM else None
        moderators = set(self._options.moderator_role_ids)
        if member_id is None or not moderators:
            return False
        guild = self._client_or_fail().get_guild(self._options.guild_id)
        if guild is None:
            log.warning("discord: guild %s is not available; nobody is a moderator now",
                        self._options.guild_id)
            return False
        await self._pacer.acquire(Priority.CRISIS)
        try:
            member = await guild.fetch_member(member_id)
        except discord.NotFound:
            return False
        return any(role.id in moderators for role in member.roles)

    def handle(self, user: UserRef) -> str:
        """A user mention: shows the name, notifies nobody (mentions are off)."""
        return f"<@{user.id}>" if snowflake(user.id) is not None else str(user)

    async def _sync(self, tree: discord.app_commands.CommandTree[discord.Client]) -> None:
        digest = payload_hash(tree)
        if digest == self._state.commands_hash:
            return
        await self._pacer.acquire(Priority.REPLY)
        await tree.sync()
        self._state.set_commands_hash(digest)
        log.info("discord: slash commands synced")

    async def _until_ready(self, client: discord.Client, connection: asyncio.Task[None]) -> None:
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, connection}, timeout=self._options.start_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
        if connection in done:
            error = None if connection.cancelled() else connection.exception()
            raise RuntimeError(f"discord connection ended while starting: {error!r}")
        if ready not in done:
            raise TimeoutError("discord did not become ready in time")

    def _client_or_fail(self) -> PorchlightClient:
        if self._client is None:
            raise discord.ClientException("the discord adapter is not started")
        return self._client


def _connection_ended(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    if (exc := task.exception()) is not None:
        log.error("discord: the gateway connection ended: %s", type(exc).__name__)


def _is_ours(user: UserRef) -> bool:
    return user.platform == PLATFORM and user.id.isdigit()
