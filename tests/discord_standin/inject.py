"""Test-side injection: members post messages, run slash commands, click and submit modals."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from . import interaction_payloads as ip
from . import payloads as p
from .gateway import Gateway, message_for
from .messages import compute_pings
from .records import find_component
from .routes_interactions import IX_AUTOCOMPLETE, IX_COMMAND, IX_COMPONENT, IX_MODAL
from .state import PendingInteraction, StandInState
from .world import Channel, User

UserLike = User | int | str  # a User, a user id, or a world key such as "alice"
ChannelLike = Channel | int | str


class Injector:
    """Builds events as Discord would and dispatches them on the gateway."""

    def __init__(self, state: StandInState, gateway: Gateway) -> None:
        self.state = state
        self.world = state.world
        self.gateway = gateway

    def user(self, who: UserLike) -> User:
        if isinstance(who, User):
            return who
        if isinstance(who, int):
            return self.world.users[who]
        return self.world.user(who)

    def channel(self, where: ChannelLike) -> Channel:
        if isinstance(where, Channel):
            return where
        if isinstance(where, int):
            return self.world.channels[where]
        return self.world.channel(where)

    async def message(
        self, channel: ChannelLike, author: UserLike, content: str, *, reply_to: int | None = None
    ) -> p.Json:
        """MESSAGE_CREATE from a member (guild channel) or a user (their DM channel)."""
        ch, user = self.channel(channel), self.user(author)
        msg = self.state.messages.payload(ch, user, content)
        pings = compute_pings(content, None, None)
        msg["mentions"] = [
            p.user(self.world.users[u]) for u in pings.users if u in self.world.users
        ]
        msg["mention_roles"] = [str(r) for r in pings.roles]
        msg["mention_everyone"] = pings.everyone
        if ch.recipient_id is not None and ch.recipient_id != user.id:
            raise ValueError(f"{user.username} cannot post in another user's DM channel")
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {"message_id": str(reply_to), "channel_id": str(ch.id)}
            if reply_to in self.state.messages.by_id:
                msg["referenced_message"] = self.state.messages.by_id[reply_to]
        if ch.guild_id is not None:
            member = self.world.member(user)
            if member is None:
                raise ValueError(f"{user.username} is not a member and cannot post in #{ch.name}")
            msg["member"] = p.member(member, with_user=False)
        self.state.messages.by_id[int(msg["id"])] = msg
        bot_id = self.world.bot.id
        await self.gateway.dispatch("MESSAGE_CREATE", lambda s: message_for(s, msg, bot_id))
        return msg

    async def _interaction(
        self,
        itype: int,
        user: User,
        channel: Channel,
        data: p.Json,
        *,
        message: p.Json | None = None,
    ) -> PendingInteraction:
        ix_id = self.world.snowflakes.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload = ip.envelope(self.world, ix_id, token, itype, user, channel, data)
        if message is not None:
            payload["message"] = dict(message)
        st = self.state
        ix = PendingInteraction(
            ix_id, token, itype, payload, user, channel, st.now(), st.callbacks, st.messages.sent
        )
        if message is not None:
            ix.source_message_id = int(message["id"])
        st.register(ix)
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return ix

    def _where(self, user: User, guild: bool, channel: ChannelLike | None) -> Channel:
        if channel is not None:
            return self.channel(channel)
        if guild:
            return self.world.channel("general")
        return self.world.dm_channel_for(user.id)

    async def slash_command(
        self,
        user: UserLike,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: bool = True,
        channel: ChannelLike | None = None,
    ) -> PendingInteraction:
        """A chat-input command; ``name`` may be "group sub" for subcommands."""
        who = self.user(user)
        where = self._where(who, guild, channel)
        data = self._command_data(name, options or {}, where, None)
        return await self._interaction(IX_COMMAND, who, where, data)

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
        """Autocomplete for option ``focused`` (its current text is ``options[focused]``)."""
        who = self.user(user)
        where = self._where(who, guild, channel)
        data = self._command_data(name, options, where, focused)
        return await self._interaction(IX_AUTOCOMPLETE, who, where, data)

    def _command_data(
        self, name: str, options: Mapping[str, Any], where: Channel, focused: str | None
    ) -> p.Json:
        synced = self.state.command(name.split()[0], where.guild_id)
        return ip.command_data(
            self.world, synced, name, options, focused, self.world.snowflakes.next()
        )

    async def click(
        self, user: UserLike, message_id: int, custom_id: str, *, values: list[str] | None = None
    ) -> PendingInteraction:
        """A component interaction on a message the bot sent (button, or select ``values``)."""
        message = self.state.messages.by_id.get(message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in the stand-in")
        comp = find_component(message.get("components"), custom_id)
        if comp is None:
            raise LookupError(f"message {message_id} has no component {custom_id!r}")
        data: p.Json = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp["type"] in ip.COMPONENT_TYPES_WITH_VALUES:
            data["values"] = values or []
        channel = self.world.channels[int(message["channel_id"])]
        return await self._interaction(
            IX_COMPONENT, self.user(user), channel, data, message=message
        )

    async def submit_modal(
        self, user: UserLike, custom_id: str, values: Mapping[str, Any]
    ) -> PendingInteraction:
        """Submit the modal the bot most recently showed with this custom id."""
        who = self.user(user)
        shown = next(
            (
                c
                for c in reversed(self.state.callbacks.items)
                if c.type == 9 and c.status == 200 and c.data.get("custom_id") == custom_id
            ),
            None,
        )
        if shown is None:
            raise LookupError(f"the bot never showed a modal {custom_id!r}")
        origin = self.state.interactions[shown.interaction_id]
        data = ip.modal_submission(shown.data, values)
        source = origin.source_message_id
        message = self.state.messages.by_id.get(source) if source is not None else None
        return await self._interaction(IX_MODAL, who, origin.channel, data, message=message)
