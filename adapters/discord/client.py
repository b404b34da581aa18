"""The discord.py client: minimal intents, no mentions by default, quiet library logs.

Intents: ``guilds`` (channels and roles, so role ids resolve) and ``dm_messages`` (typed
commands in DMs; DM content needs no privileged intent). Guild messages and the privileged
Message Content intent are asked for only when an organiser opted channels into crisis
scanning. Slash commands, buttons and modals arrive as interactions, which need no intent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Protocol

import discord

from adapters.discord.views import Clicks

RATE_LIMIT_WAIT_MAX = 30.0  # longer waits come back as RateLimited: the outbox retries later
_TOKEN_IN_PATH = re.compile(r"(/(?:webhooks|interactions)/\d+/)[^/\s?]+")
_NOISY = ("discord.http", "discord.webhook.async_", "discord.gateway", "discord.client")


class Events(Clicks, Protocol):
    """Everything the client hands to the adapter's inbound side."""

    async def message(self, message: discord.Message) -> None: ...

    async def modal(self, interaction: discord.Interaction) -> None: ...


def intents_for(scan_channel_ids: Sequence[int]) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    if scan_channel_ids:
        intents.guild_messages = True
        intents.message_content = True  # privileged: enable it in the developer portal
    return intents


class PorchlightClient(discord.Client):
    def __init__(self, *, events: Events, intents: discord.Intents, ready_timeout: float,
                 reidentify_delay: float) -> None:
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=RATE_LIMIT_WAIT_MAX,
            guild_ready_timeout=ready_timeout,
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
        )
        self.clicks = events
        self._events = events
        self._reidentify_delay = reidentify_delay

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before every re-IDENTIFY; configurable (tests use 0)."""
        if not initial:
            await asyncio.sleep(self._reidentify_delay)

    async def on_message(self, message: discord.Message) -> None:
        await self._events.message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await self._events.modal(interaction)


class _RedactTokens(logging.Filter):
    """discord.py logs request URLs on 429s; interaction webhook URLs hold a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"\1<token>", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


_REDACT = _RedactTokens()


def quiet_library_logs() -> None:
    """No DEBUG from discord.py (it logs request and gateway payloads there) and no tokens."""
    level = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    logging.getLogger("discord").setLevel(level)
    for name in _NOISY:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)
