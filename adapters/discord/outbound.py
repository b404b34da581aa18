"""Sending: an interaction's followup when one is waiting, else a DM or a channel post.

Every REST request goes through the pacer first. Errors become the core's two kinds: closed
DMs (403/50007) are ``dm_closed``, any other 403 is ``forbidden`` (never retried: each one
counts toward Discord's invalid-request ban); 429s carry their ``retry_after``; 5xx and network
trouble are transient.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord

from adapters.discord.convert import chunks, render, role_mentions, snowflake
from adapters.discord.pacing import Pacer
from adapters.discord.replies import Replies, Waiting
from adapters.discord.state import AdapterState
from adapters.discord.views import view_for
from bot.events import OutgoingMessage
from bot.identity import RoomRef, UserRef
from bot.ports import Clock, PermanentDeliveryError, Sent, TransientDeliveryError

log = logging.getLogger(__name__)

CLOSED_DMS = 50007
EXPIRED_TOKEN_STATUSES = {401, 404}  # 50027 invalid webhook token, 10015 unknown webhook


@dataclass(frozen=True, slots=True)
class Roles:
    moderators: tuple[int, ...]
    backup: tuple[int, ...]


class Outbound:
    def __init__(self, *, client: Callable[[], discord.Client], pacer: Pacer, replies: Replies,
                 state: AdapterState, clock: Clock, roles: Roles) -> None:
        self._client = client
        self._pacer = pacer
        self._replies = replies
        self._state = state
        self._clock = clock
        self._roles = roles

    async def send(self, message: OutgoingMessage) -> Sent:
        try:
            return await self._send(message)
        except discord.RateLimited as exc:
            raise TransientDeliveryError("rate_limited", retry_after=exc.retry_after) from None
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from None
        except discord.ClientException as exc:  # not logged in yet, or closing
            raise TransientDeliveryError("not_connected", type(exc).__name__) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransientDeliveryError("unreachable", type(exc).__name__) from None

    async def _send(self, message: OutgoingMessage) -> Sent:
        waiting = self._replies.usable(message, self._clock.now())
        if waiting is not None:
            try:
                return await self._followup(waiting, message)
            except discord.HTTPException as exc:
                if exc.status not in EXPIRED_TOKEN_STATUSES:
                    raise
                log.info("interaction %s answer fell back to a plain send (%s)",
                         waiting.interaction.id, exc.code)
        channel_id = await self._channel_for(message)
        try:
            return await self._post(channel_id, message)
        except discord.NotFound:
            if isinstance(message.target, UserRef):  # a DM channel we remembered is gone
                self._state.forget_dm(int(message.target.id))
                raise TransientDeliveryError("dm_channel_gone") from None
            raise

    async def _followup(self, waiting: Waiting, message: OutgoingMessage) -> Sent:
        ephemeral = isinstance(message.target, UserRef)
        sent: discord.WebhookMessage | None = None
        for text, extras in self._pieces(message):
            sent = await waiting.interaction.followup.send(
                content=text, ephemeral=ephemeral, wait=True, **extras)
            waiting.answered = True
        log.info("answered interaction %s (%s)", waiting.interaction.id,
                 "private" if ephemeral else "public")
        return Sent(str(sent.id) if sent else None)

    async def _post(self, channel_id: int, message: OutgoingMessage) -> Sent:
        channel = self._client().get_partial_messageable(channel_id)
        sent: discord.Message | None = None
        for text, extras in self._pieces(message):
            await self._pacer.acquire(message.priority)
            sent = await channel.send(content=text, **extras)
        return Sent(str(sent.id) if sent else None)

    async def _channel_for(self, message: OutgoingMessage) -> int:
        target = message.target
        ident = snowflake(target.id) if isinstance(target, UserRef | RoomRef) else None
        if ident is None:
            raise PermanentDeliveryError("bad_target", type(target).__name__)
        if isinstance(target, RoomRef):
            return ident
        known = self._state.dm_channel(ident)
        if known is not None:
            return known
        await self._pacer.acquire(message.priority)
        channel = await self._client().create_dm(discord.Object(ident))
        self._state.remember_dm(ident, channel.id)
        return channel.id

    def _pieces(self, message: OutgoingMessage) -> list[tuple[str, dict[str, Any]]]:
        """Content pieces of at most 2,000 characters; buttons and file go with the last."""
        roles = role_mentions(message.mention, message.target, self._roles.moderators,
                              self._roles.backup)
        mentions = discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                           roles=[discord.Object(r) for r in roles])
        pieces: list[tuple[str, dict[str, Any]]] = [
            (text, {"allowed_mentions": mentions}) for text in chunks(render(message, roles))]
        last = pieces[-1][1]
        if message.buttons and (view := view_for(message.buttons)) is not None:
            last["view"] = view
        if message.attachment is not None:
            data = io.BytesIO(message.attachment.content.encode("utf-8"))
            last["file"] = discord.File(data, filename=message.attachment.filename)
        return pieces


def _delivery_error(exc: discord.HTTPException) -> Exception:
    """What the core should do about a failed request."""
    if isinstance(exc, discord.Forbidden):
        code = "dm_closed" if exc.code == CLOSED_DMS else "forbidden"
        return PermanentDeliveryError(code, f"discord {exc.code}")
    if exc.status == 429:
        return TransientDeliveryError("rate_limited", retry_after=_retry_after(exc))
    if exc.status >= 500:
        return TransientDeliveryError("server_error", str(exc.status))
    if isinstance(exc, discord.NotFound):
        return PermanentDeliveryError("not_found", f"discord {exc.code}")
    return PermanentDeliveryError("rejected", f"{exc.status} discord {exc.code}")


def _retry_after(exc: discord.HTTPException) -> float | None:
    header = getattr(exc.response, "headers", {}).get("Retry-After")
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None
