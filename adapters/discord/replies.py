"""Interactions waiting for the core's answer, keyed by the reply token handed to the core.

The token (``ix:<interaction id>``) is all that goes into the outbox: the interaction's own
webhook token stays in memory, for the 15 minutes Discord honours it. A token the process no
longer knows (a restart) or that is too old simply means: answer by DM or in the room instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import discord

from bot.events import OutgoingMessage
from bot.identity import RoomRef, UserRef

TOKEN_PREFIX = "ix:"
TOKEN_LIFETIME = timedelta(minutes=15)
SAFETY_MARGIN = timedelta(minutes=1)  # a send that starts at 14:59 must not end at 15:01


@dataclass
class Waiting:
    interaction: discord.Interaction
    received: datetime
    thinking: bool  # a slash command's "thinking..." message, which the first answer replaces
    public: bool  # that message's visibility, fixed when it was deferred
    answered: bool = False

    def fits(self, message: OutgoingMessage) -> bool:
        """Private answers go to the member who asked; public ones only where they asked."""
        target = message.target
        if isinstance(target, UserRef):
            wanted_public = False
            if target.id != str(self.interaction.user.id):
                return False
        elif isinstance(target, RoomRef):
            wanted_public = True
            if target.id != str(self.interaction.channel_id):
                return False
        else:
            return False
        return not self.thinking or self.answered or self.public == wanted_public


class Replies:
    def __init__(self) -> None:
        self._waiting: dict[str, Waiting] = {}

    def register(self, interaction: discord.Interaction, now: datetime, *,
                 thinking: bool = False, public: bool = False) -> str:
        self._forget_older_than(now - TOKEN_LIFETIME)
        token = f"{TOKEN_PREFIX}{interaction.id}"
        self._waiting[token] = Waiting(interaction, now, thinking, public)
        return token

    def usable(self, message: OutgoingMessage, now: datetime) -> Waiting | None:
        """The interaction to answer ``message`` through, if it is still good for it."""
        if message.reply_token is None:
            return None
        waiting = self._waiting.get(message.reply_token)
        if waiting is None or now - waiting.received >= TOKEN_LIFETIME - SAFETY_MARGIN:
            return None
        return waiting if waiting.fits(message) else None

    def _forget_older_than(self, cutoff: datetime) -> None:
        for token in [t for t, w in self._waiting.items() if w.received < cutoff]:
            del self._waiting[token]
