"""INTERACTION_CREATE payloads: the common envelope, slash options and modal submissions.

discord.py 2.7.1 indexes ``attachment_size_limit``, ``token``, ``version``,
``application_id`` and (for guilds) ``member.roles``/``member.flags`` directly, so they are
always present; ``app_permissions``, ``entitlements``, ``authorizing_integration_owners``,
``context`` and locales are sent because Discord always sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import payloads as p
from .world import CH_DM, Channel, Role, User, World

OPT_SUB, OPT_GROUP, OPT_STRING, OPT_INT, OPT_BOOL = 1, 2, 3, 4, 5
OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE, OPT_NUMBER = 6, 7, 8, 9, 10
CTX_GUILD, CTX_BOT_DM = 0, 1
COMPONENT_TYPES_WITH_VALUES = {3, 5, 6, 7, 8}  # selects
TEXT_INPUT, LABEL, ACTION_ROW = 4, 18, 1


def _channel_payload(world: World, channel: Channel, perms: int) -> p.Json:
    data = p.channel(world, channel)
    if channel.type != CH_DM:
        data["permissions"] = str(perms)
    return data


def envelope(
    world: World,
    ix_id: int,
    token: str,
    itype: int,
    user: User,
    channel: Channel,
    data: p.Json | None,
) -> p.Json:
    """Fields every interaction carries; guild ones get ``member``, DM ones ``user``."""
    payload: p.Json = {
        "id": str(ix_id),
        "application_id": str(world.application_id),
        "type": itype,
        "token": token,
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": p.ATTACHMENT_SIZE_LIMIT,
        "channel_id": str(channel.id),
    }
    if data is not None:
        payload["data"] = data
    payload.update(
        _dm_fields(world, user, channel)
        if channel.guild_id is None
        else _guild_fields(world, user, channel)
    )
    return payload


def _dm_fields(world: World, user: User, channel: Channel) -> p.Json:
    """A bot DM: ``user`` instead of ``member``; the guild-install owner is "0"."""
    return {
        "user": p.user(user),
        "channel": _channel_payload(world, channel, 0),
        "app_permissions": str(world.guild.roles[world.guild.id].permissions),
        "authorizing_integration_owners": {"0": "0"},
        "context": CTX_BOT_DM,
    }


def _guild_fields(world: World, user: User, channel: Channel) -> p.Json:
    """In a guild: ``member`` with role ids and computed permissions, the guild stub."""
    guild = world.guild
    member, bot_member = world.member(user), world.member(world.bot)
    if member is None or bot_member is None:
        raise ValueError(f"{user.username} is not a member of {guild.name}")
    perms = guild.permissions_of(member)
    return {
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "member": p.member(member, permissions=perms),
        "channel": _channel_payload(world, channel, perms),
        "app_permissions": str(guild.permissions_of(bot_member)),
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": CTX_GUILD,
    }


def _infer_type(value: Any) -> int:
    for kind, opt_type in (
        (bool, OPT_BOOL),
        (int, OPT_INT),
        (float, OPT_NUMBER),
        (User, OPT_USER),
        (Role, OPT_ROLE),
        (Channel, OPT_CHANNEL),
    ):
        if isinstance(value, kind):
            return opt_type
    return OPT_STRING


def _resolve(world: World, opt_type: int, value: Any, resolved: p.Json) -> str:
    """Snowflake options carry an id plus an entry in ``data.resolved``."""
    if isinstance(value, str) and not value.isdigit():
        value = world.lookup(value)
    target: Any = value
    if isinstance(value, int):
        target = (
            world.users.get(value)
            or world.guild.roles.get(value)
            or world.channels.get(value)
            or value
        )
    if isinstance(target, User):
        resolved.setdefault("users", {})[str(target.id)] = p.user(target)
        member = world.member(target)
        if member is not None:
            resolved.setdefault("members", {})[str(target.id)] = p.member(
                member, with_user=False, permissions=world.guild.permissions_of(member)
            )
        return str(target.id)
    if isinstance(target, Role):
        resolved.setdefault("roles", {})[str(target.id)] = p.role(target)
        return str(target.id)
    if isinstance(target, Channel):
        resolved.setdefault("channels", {})[str(target.id)] = _channel_payload(
            world, target, world.guild.roles[world.guild.id].permissions
        )
        return str(target.id)
    return str(target)


def build_options(
    world: World,
    schema: list[p.Json] | None,
    values: Mapping[str, Any],
    resolved: p.Json,
    focused: str | None,
) -> list[p.Json]:
    """Typed options: the synced command's declared types win, else inferred from values."""
    declared = {o["name"]: int(o["type"]) for o in schema or []}
    options = []
    for name, value in values.items():
        opt_type = declared.get(name) or _infer_type(value)
        option: p.Json = {"name": name, "type": opt_type}
        if name == focused:
            option.update(value=str(value), focused=True)
        elif opt_type in (OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE):
            option["value"] = _resolve(world, opt_type, value, resolved)
        else:
            option["value"] = value
        options.append(option)
    return options


def command_data(
    world: World,
    synced: p.Json | None,
    name: str,
    values: Mapping[str, Any],
    focused: str | None,
    fallback_id: int,
) -> p.Json:
    """``data`` of a slash/autocomplete interaction; "group sub" names become nested options."""
    root, *path = name.split()
    schema = (synced or {}).get("options")
    for part in path:
        sub = next((o for o in schema or [] if o["name"] == part), None)
        schema = sub.get("options") if sub else None
    resolved: p.Json = {}
    options = build_options(world, schema, values, resolved, focused)
    for depth, part in reversed(list(enumerate(path))):
        options = [
            {
                "name": part,
                "type": OPT_SUB if depth == len(path) - 1 else OPT_GROUP,
                "options": options,
            }
        ]
    data: p.Json = {
        "id": synced["id"] if synced else str(fallback_id),
        "name": root,
        "type": 1,
        "options": options,
    }
    if synced and "guild_id" in synced:
        data["guild_id"] = synced["guild_id"]
    if resolved:
        data["resolved"] = resolved
    return data


def _submitted(comp: p.Json, values: Mapping[str, Any]) -> p.Json:
    ctype, custom_id = comp["type"], comp.get("custom_id")
    if ctype == ACTION_ROW:
        return {
            "type": ACTION_ROW,
            "components": [_submitted(c, values) for c in comp.get("components", [])],
        }
    if ctype == LABEL:
        return {
            "type": LABEL,
            "id": comp.get("id", 0),
            "component": _submitted(comp["component"], values),
        }
    if ctype == TEXT_INPUT:
        value = str(values.get(custom_id, comp.get("value") or ""))
        _check_text_input(comp, value)
        return {
            "type": TEXT_INPUT,
            "id": comp.get("id", 0),
            "custom_id": custom_id,
            "value": value,
        }
    if ctype in COMPONENT_TYPES_WITH_VALUES:
        return {
            "type": ctype,
            "id": comp.get("id", 0),
            "custom_id": custom_id,
            "values": list(values.get(custom_id, [])),
        }
    return {"type": ctype, "id": comp.get("id", 0)}


def _check_text_input(comp: p.Json, value: str) -> None:
    """The Discord client refuses to submit invalid input; so does this helper."""
    if comp.get("required", True) and not value:
        raise ValueError(f"text input {comp.get('custom_id')!r} is required")
    if value and len(value) < int(comp.get("min_length") or 0):
        raise ValueError(f"text input {comp.get('custom_id')!r} is shorter than min_length")
    if len(value) > int(comp.get("max_length") or 4000):
        raise ValueError(f"text input {comp.get('custom_id')!r} is longer than max_length")


def modal_submission(shown: p.Json, values: Mapping[str, Any]) -> p.Json:
    """``data`` of a modal submit, mirroring the structure of the modal the bot showed."""
    return {
        "custom_id": shown["custom_id"],
        "components": [_submitted(c, values) for c in shown.get("components", [])],
    }
