"""JSON payload builders shaped like Discord API v10 objects.

Each builder includes every key discord.py 2.7.1 indexes with ``data[...]`` (a missing key
raises KeyError inside the client's gateway loop and silently kills ``Client.connect``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .world import CH_DM, Channel, Member, Role, User, World

Json = dict[str, Any]

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def user(u: User) -> Json:
    data: Json = {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "public_flags": 0,
    }
    if u.bot:
        data["bot"] = True
    return data


def bot_user(u: User) -> Json:
    """The bot as returned by GET /users/@me and READY (a ClientUser)."""
    return {**user(u), "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}


def member(m: Member, *, with_user: bool = True, permissions: int | None = None) -> Json:
    data: Json = {
        "roles": [str(r) for r in m.role_ids],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def role(r: Role) -> Json:
    return {
        "id": str(r.id),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }


def channel(world: World, c: Channel) -> Json:
    if c.type == CH_DM:
        recipient = world.users[c.recipient_id or 0]
        return {
            "id": str(c.id),
            "type": CH_DM,
            "last_message_id": None,
            "flags": 0,
            "recipients": [user(recipient)],
        }
    return {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "permission_overwrites": [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def application(world: World) -> Json:
    """GET /applications/@me: AppInfo reads every key here with ``data[...]``."""
    return {
        "id": str(world.application_id),
        "name": world.bot.username,
        "description": "Porchlight test application",
        "icon": None,
        "bot_public": False,
        "bot_require_code_grant": False,
        "owner": user(world.users.get(world.guild.owner_id, world.bot)),
        "verify_key": "0" * 64,
        "flags": 0,
        "bot": bot_user(world.bot),
        "summary": "",
        "team": None,
    }


def guild_create(world: World, *, intents: int) -> Json:
    """GUILD_CREATE: without the presences intent Discord only lists the bot itself."""
    g = world.guild
    if intents & INTENT_GUILD_PRESENCES:
        members = list(g.members.values())
    else:
        members = [m for m in g.members.values() if m.user.id == world.bot.id]
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "owner_id": str(g.owner_id),
        "unavailable": False,
        "large": False,
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "member_count": len(g.members),
        "roles": [role(r) for r in g.roles.values()],
        "channels": [channel(world, c) for c in g.channels.values()],
        "members": [member(m) for m in members],
        "presences": [],
        "voice_states": [],
        "threads": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "preferred_locale": "en-US",
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_flags": 0,
    }


def ready(world: World, session_id: str, resume_url: str, shard: list[int] | None) -> Json:
    data: Json = {
        "v": 10,
        "user": bot_user(world.bot),
        "guilds": [{"id": str(world.guild.id), "unavailable": True}],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": {"id": str(world.application_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "user_settings": {},
        "geo_ordered_rtc_regions": [],
        "_trace": ["porchlight-standin"],
    }
    if shard is not None:
        data["shard"] = shard
    return data


def error(code: int, message: str, errors: Json | None = None) -> Json:
    data: Json = {"message": message, "code": code}
    if errors:
        data["errors"] = errors
    return data


def members_chunk(world: World, d: Json) -> Json:
    """Answer a REQUEST_GUILD_MEMBERS (op 8): by user ids, by name prefix, or everyone."""
    members = world.guild.members
    wanted = d.get("user_ids")
    not_found: list[str] = []
    if wanted:
        ids = [int(x) for x in (wanted if isinstance(wanted, list) else [wanted])]
        found = [members[i] for i in ids if i in members]
        not_found = [str(i) for i in ids if i not in members]
    else:
        prefix = (d.get("query") or "").lower()
        found = [m for m in members.values() if m.user.username.lower().startswith(prefix)]
        limit = d.get("limit") or 0
        found = found[:limit] if limit else found
    chunk: Json = {
        "guild_id": str(world.guild.id),
        "members": [member(m) for m in found],
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": not_found,
    }
    if d.get("nonce"):
        chunk["nonce"] = d["nonce"]
    return chunk
