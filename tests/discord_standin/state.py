"""Shared state of one stand-in: the world, the logs, the limiter and live interactions."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from . import payloads as p
from .messages import MessageStore
from .ratelimit import RateLimiter
from .records import (
    GatewayEvent,
    InteractionCallback,
    RecordLog,
    RestCall,
    SentMessage,
    Stats,
)
from .world import Channel, User, World

ACK_DEADLINE = 3.0  # seconds Discord waits for the first interaction response
TOKEN_LIFETIME = 15 * 60.0  # interaction webhook token validity


@dataclass
class PendingInteraction:
    """An interaction the test injected; await its response or followups from here."""

    id: int
    token: str
    type: int
    payload: p.Json
    user: User
    channel: Channel
    created: float
    callbacks: RecordLog[InteractionCallback]
    sent: RecordLog[SentMessage]
    source_message_id: int | None = None
    acked_type: int | None = None
    original_id: int | None = None
    loading: bool = False  # deferred with type 5 and the placeholder not yet replaced
    message_ids: set[int] = field(default_factory=set)

    async def wait_response(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
    ) -> InteractionCallback:
        """The first callback the bot made for this interaction (successful or not)."""
        return await self.callbacks.wait_for(
            lambda c: c.interaction_id == self.id, timeout=timeout
        )

    async def wait_followup(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        *,
        after: int = 0,
    ) -> SentMessage:
        """The next followup message (POST /webhooks/{app}/{token}) for this interaction."""
        return await self.sent.wait_for(
            lambda m: m.interaction_id == self.id and m.source == "followup",
            timeout=timeout,
            after=after,
        )

    async def wait_edit(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API is timeout=
        *,
        after: int = 0,
    ) -> SentMessage:
        """The next edit of a message belonging to this interaction."""
        return await self.sent.wait_for(
            lambda m: m.interaction_id == self.id and m.kind == "edit",
            timeout=timeout,
            after=after,
        )


class StandInState:
    """Everything REST handlers, the gateway and the injectors share."""

    def __init__(self, world: World, token: str) -> None:
        self.world = world
        self.token = token
        self.auth_header = f"Bot {token}"
        self.messages = MessageStore(world)
        self.limiter = RateLimiter()
        self.stats = Stats()
        self.calls: RecordLog[RestCall] = RecordLog("REST call")
        self.unknown_calls: RecordLog[RestCall] = RecordLog("unknown REST call")
        self.callbacks: RecordLog[InteractionCallback] = RecordLog("interaction callback")
        self.gateway_events: RecordLog[GatewayEvent] = RecordLog("gateway event")
        self.interactions: dict[int, PendingInteraction] = {}
        self.by_token: dict[str, PendingInteraction] = {}
        # None -> global commands; guild id -> that guild's commands; each name -> payload
        self.commands: dict[int | None, dict[str, p.Json]] = {}
        self.closed_dms: set[int] = set()
        self.forbidden_channels: set[int] = set()  # the bot lost access (403 / 50001)
        self.internal_errors: list[str] = []  # stand-in bugs; fixtures assert this is empty
        self.strict_recipients = False
        self.ack_deadline = ACK_DEADLINE
        self.token_lifetime = TOKEN_LIFETIME

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    def register(self, ix: PendingInteraction) -> None:
        self.interactions[ix.id] = ix
        self.by_token[ix.token] = ix

    def command(self, name: str, guild_id: int | None) -> p.Json | None:
        """A synced command by name: the guild's own first, then global (as Discord shows)."""
        if guild_id is not None and name in self.commands.get(guild_id, {}):
            return self.commands[guild_id][name]
        return self.commands.get(None, {}).get(name)

    def store_commands(self, guild_id: int | None, body: Any) -> list[p.Json]:
        """PUT .../commands: replace the set, keeping ids of commands that already existed."""
        old = self.commands.get(guild_id, {})
        new: dict[str, p.Json] = {}
        for cmd in body or []:
            previous = old.get(cmd["name"])
            cmd_id = previous["id"] if previous else str(self.world.snowflakes.next())
            stored = {
                "id": cmd_id,
                "application_id": str(self.world.application_id),
                "version": str(self.world.snowflakes.next()),
                "type": cmd.get("type", 1),
                "description": cmd.get("description", ""),
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
            }
            if guild_id is not None:
                stored["guild_id"] = str(guild_id)
            new[cmd["name"]] = stored
        self.commands[guild_id] = new
        return list(new.values())
