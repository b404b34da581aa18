"""The stand-in's small world: one bot, one guild, its roles, channels, members and DMs.

Ids are real-looking snowflakes so discord.py's ``created_at`` and sorting behave normally.
World entities get deterministic ids (easier to read in failures); runtime objects (messages,
interactions, DM channels) get time-based ids from :class:`Snowflakes`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

DISCORD_EPOCH_MS = 1_420_070_400_000
WORLD_ID_BASE = 1_200_000_000_000_000_000  # a snowflake from early 2023

# Permission bits discord.py reads from role and member payloads.
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_MANAGE_MESSAGES = 1 << 13
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_HISTORY = 1 << 16
P_USE_APP_COMMANDS = 1 << 31
P_MODERATE_MEMBERS = 1 << 40
MEMBER_PERMS = (
    P_ADD_REACTIONS
    | P_VIEW_CHANNEL
    | P_SEND_MESSAGES
    | P_EMBED_LINKS
    | P_ATTACH_FILES
    | P_READ_HISTORY
    | P_USE_APP_COMMANDS
)
MODERATOR_PERMS = P_MANAGE_MESSAGES | P_MODERATE_MEMBERS

CH_GUILD_TEXT = 0
CH_DM = 1


class Snowflakes:
    """Unique, increasing, time-based ids for objects created while the stand-in runs."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


@dataclass(slots=True)
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False


@dataclass(slots=True)
class Role:
    id: int
    name: str
    position: int = 0
    permissions: int = 0
    mentionable: bool = False
    managed: bool = False


@dataclass(slots=True)
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    recipient_id: int | None = None  # DM channels only


@dataclass(slots=True)
class Member:
    user: User
    role_ids: list[int]
    joined_at: str = "2024-01-01T00:00:00.000000+00:00"
    nick: str | None = None


@dataclass(slots=True)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    def permissions_of(self, member: Member) -> int:
        """OR of @everyone and the member's roles: what Discord sends as member.permissions."""
        perms = self.roles[self.id].permissions
        for role_id in member.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        return perms


class World:
    """Everything the fake Discord knows about; tests look entities up by short keys."""

    def __init__(self, guild_name: str = "Porchlight Alumni") -> None:
        self._ids = itertools.count(WORLD_ID_BASE)
        self.snowflakes = Snowflakes()
        self.bot = User(next(self._ids), "Porchlight", "Porchlight", bot=True)
        self.application_id = self.bot.id
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guild = Guild(next(self._ids), guild_name, owner_id=0)
        self.guild.roles[self.guild.id] = Role(self.guild.id, "@everyone", 0, MEMBER_PERMS)
        self.channels: dict[int, Channel] = {}
        self.dm_channels: dict[int, Channel] = {}  # recipient user id -> DM channel
        self._keys: dict[str, User | Role | Channel] = {
            "everyone": self.guild.roles[self.guild.id]
        }

    # -- building -------------------------------------------------------------------------
    def add_role(
        self, key: str, name: str, permissions: int = 0, mentionable: bool = False
    ) -> Role:
        role = Role(next(self._ids), name, len(self.guild.roles), permissions, mentionable)
        self.guild.roles[role.id] = role
        self._keys[key] = role
        return role

    def add_channel(self, key: str, name: str) -> Channel:
        channel = Channel(
            next(self._ids), CH_GUILD_TEXT, name, self.guild.id, len(self.guild.channels)
        )
        self.guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self._keys[key] = channel
        return channel

    def add_user(self, key: str, username: str, *, roles: list[str] | None = None) -> User:
        """Add a user; with ``roles`` (role keys, may be empty) the user is a guild member."""
        user = User(next(self._ids), username, username.title())
        self.users[user.id] = user
        self._keys[key] = user
        if roles is not None:
            ids = [self.role(r).id for r in roles]
            self.guild.members[user.id] = Member(user, ids)
        return user

    def synthetic_user(self, user_id: int) -> User:
        """A user Discord knows but the test did not name (benchmarks DM thousands of them)."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id, f"user{user_id}")
        return user

    def dm_channel_for(self, user_id: int) -> Channel:
        """Find or open the bot's DM channel with a user (what POST /users/@me/channels does)."""
        channel = self.dm_channels.get(user_id)
        if channel is None:
            channel = Channel(self.snowflakes.next(), CH_DM, recipient_id=user_id)
            self.dm_channels[user_id] = channel
            self.channels[channel.id] = channel
        return channel

    # -- lookups --------------------------------------------------------------------------
    def lookup(self, key: str) -> User | Role | Channel:
        return self._keys[key]

    def user(self, key: str) -> User:
        found = self._keys[key]
        assert isinstance(found, User), key
        return found

    def role(self, key: str) -> Role:
        found = self._keys[key]
        assert isinstance(found, Role), key
        return found

    def channel(self, key: str) -> Channel:
        found = self._keys[key]
        assert isinstance(found, Channel), key
        return found

    def member(self, user: User | int) -> Member | None:
        return self.guild.members.get(user if isinstance(user, int) else user.id)

    @property
    def moderator_role_id(self) -> int:
        """The id Porchlight is configured with; the role named "Moderator" is a decoy."""
        return self.role("moderator").id

    @property
    def mod_channel_id(self) -> int:
        return self.channel("moderators").id


def default_world() -> World:
    """Porchlight's test community.

    ``moderator`` (named "Porch Stewards") is the configured moderator role. ``fake_moderator``
    is merely *named* "Moderator": a bot that checks role names instead of ids lets ``pat`` in.
    ``outsider`` shares no guild with the bot (DM only).
    """
    world = World()
    world.add_role("moderator", "Porch Stewards", MODERATOR_PERMS, mentionable=True)
    world.add_role("fake_moderator", "Moderator")
    world.add_role("alumni", "Alumni")
    bot_role = world.add_role("bot", "Porchlight", MODERATOR_PERMS)
    bot_role.managed = True
    world.add_channel("general", "general")
    world.add_channel("checkins", "check-ins")
    world.add_channel("moderators", "stewards-only")
    world.guild.members[world.bot.id] = Member(world.bot, [bot_role.id])
    world.add_user("alice", "alice", roles=["alumni"])
    world.add_user("bob", "bob", roles=["alumni"])
    world.add_user("sam", "sam", roles=["alumni", "moderator"])
    world.add_user("pat", "pat", roles=["alumni", "fake_moderator"])
    world.add_user("newcomer", "newcomer", roles=[])
    world.add_user("outsider", "outsider")
    world.guild.owner_id = world.user("sam").id
    return world
