"""Receiving: interactions and DMs become the core's neutral events.

Every interaction is acknowledged first, before the core sees it, so the 3-second limit holds
however busy the bot is: a slash command is deferred as "thinking" (privately, unless it is a
moderator's command in the moderator channel, whose answer is for the room), a click as a
silent update. The core's answer then arrives as the interaction's followup.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

import discord

from adapters.discord.convert import command_of_modal, command_text, room_ref, user_ref
from adapters.discord.replies import Replies
from adapters.discord.state import AdapterState
from adapters.discord.views import TextForm, submitted_text
from bot.commands import CommandSpec, Scope
from bot.events import ButtonPressed, Event, IncomingMessage
from bot.ports import Clock, EventSink

log = logging.getLogger(__name__)

_READABLE = {discord.MessageType.default, discord.MessageType.reply}


@dataclass(frozen=True, slots=True)
class Where:
    """The configured places and roles the inbound side needs to know."""

    moderator_channel_id: int
    moderator_role_ids: frozenset[int]
    scan_channel_ids: frozenset[int]


class Inbound:
    def __init__(self, *, where: Where, replies: Replies, state: AdapterState,
                 clock: Clock) -> None:
        self._where = where
        self._replies = replies
        self._state = state
        self._clock = clock
        self._sink: EventSink | None = None

    def connect(self, sink: EventSink) -> None:
        self._sink = sink

    async def command(self, interaction: discord.Interaction, spec: CommandSpec,
                      values: dict[str, object]) -> None:
        """A slash command: defer at once, then hand the core its text form."""
        public = self._answered_in_room(interaction, spec)
        token = None
        if await self._ack(interaction, interaction.response.defer(ephemeral=not public,
                                                                   thinking=True)):
            token = self._replies.register(interaction, self._clock.now(), thinking=True,
                                           public=public)
        self._learn_dm(interaction)
        log.info("slash command %s (interaction %s)", spec.name, interaction.id)
        await self._submit(IncomingMessage(
            user=user_ref(interaction.user.id), room=room_ref(_channel_id(interaction)),
            text=command_text(spec.name, spec.params, values), is_direct=True,
            message_id=f"ix{interaction.id}", sent_at=self._clock.now(), reply_token=token))

    async def button(self, interaction: discord.Interaction, command: str) -> None:
        token = None
        if await self._ack(interaction, interaction.response.defer()):
            token = self._replies.register(interaction, self._clock.now())
        self._learn_dm(interaction)
        log.info("button (interaction %s)", interaction.id)
        await self._submit(self._press(interaction, command, token, None))

    async def form(self, interaction: discord.Interaction, command: str, title: str,
                   input_label: str) -> None:
        """A button that asks for text first: show the form; its submission is the press."""
        await self._ack(interaction, interaction.response.send_modal(
            TextForm(command, title, input_label)))

    async def modal(self, interaction: discord.Interaction) -> None:
        command = command_of_modal(str((interaction.data or {}).get("custom_id", "")))
        if command is None:
            return
        token = None
        if await self._ack(interaction, interaction.response.defer()):
            token = self._replies.register(interaction, self._clock.now())
        log.info("form submitted (interaction %s)", interaction.id)
        text = submitted_text(interaction.data)
        await self._submit(self._press(interaction, command, token, text))

    async def message(self, message: discord.Message) -> None:
        """Typed text: every DM, and guild messages only in channels opted into scanning."""
        if message.author.bot:  # including our own messages, which Discord echoes back
            return
        if message.type not in _READABLE or not message.content:
            return
        direct = message.guild is None
        if direct:
            self._state.remember_dm(message.author.id, message.channel.id)
        elif message.channel.id not in self._where.scan_channel_ids:
            return
        await self._submit(IncomingMessage(
            user=user_ref(message.author.id), room=room_ref(message.channel.id),
            text=message.content, is_direct=direct, message_id=str(message.id),
            sent_at=self._clock.now(), link=None if direct else message.jump_url))

    def _press(self, interaction: discord.Interaction, command: str, token: str | None,
               text: str | None) -> ButtonPressed:
        source = interaction.message
        return ButtonPressed(
            user=user_ref(interaction.user.id), room=room_ref(_channel_id(interaction)),
            message_id=str(source.id) if source else "", is_direct=interaction.guild_id is None,
            sent_at=self._clock.now(), command=command, reply_token=token, text=text,
            event_id=str(interaction.id))

    def _answered_in_room(self, interaction: discord.Interaction, spec: CommandSpec) -> bool:
        """A moderator's command in the moderator channel is answered for the room to see
        (the dispatcher does the same, checking the roles again)."""
        if spec.scope is not Scope.MODERATOR:
            return False
        if interaction.channel_id != self._where.moderator_channel_id:
            return False
        roles = getattr(interaction.user, "roles", [])
        return any(role.id in self._where.moderator_role_ids for role in roles)

    def _learn_dm(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None and interaction.channel_id is not None:
            self._state.remember_dm(interaction.user.id, interaction.channel_id)

    @staticmethod
    async def _ack(interaction: discord.Interaction, response: Awaitable[object]) -> bool:
        """Acknowledge; a late or repeated interaction is logged, and answered by DM later."""
        try:
            await response
        except (discord.HTTPException, discord.InteractionResponded) as exc:
            log.warning("interaction %s not acknowledged (%s)", interaction.id,
                        type(exc).__name__)
            return False
        return True

    async def _submit(self, event: Event) -> None:
        if self._sink is None:
            log.warning("discord event before the adapter started; dropped")
            return
        await self._sink(event)


def _channel_id(interaction: discord.Interaction) -> int:
    return interaction.channel_id or 0
