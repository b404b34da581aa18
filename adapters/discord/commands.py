"""Slash commands built from the core's CommandSpecs: one grammar, two ways to type it.

``checkin start`` becomes ``/checkin start`` (a group and a subcommand), each Param an option
(NUMBER an integer, CHOICE a fixed list, ZONE a string with autocomplete from the IANA zones).
Hidden commands are what buttons run; they are not listed. The callback only hands the values
to ``run``, which turns them back into the core's text (``checkin start 09:00 Europe/Oslo``).
No ``default_member_permissions``: server admins can change those, so moderator rights are
checked by role id at the moment of each command instead.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.commands import CommandSpec, Param, ParamKind

log = logging.getLogger(__name__)

Run = Callable[[discord.Interaction, CommandSpec, dict[str, object]], Awaitable[None]]
MAX_DESCRIPTION = 100
MAX_CHOICES = 25
_SKIPPED_ZONE_PREFIXES = ("Etc/", "SystemV/", "posix/", "right/")


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Area/City names (and UTC), sorted: what a member would pick from."""
    return tuple(sorted(
        name for name in available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith(_SKIPPED_ZONE_PREFIXES))
    ))


def zone_matches(current: str, zones: Sequence[str] | None = None) -> list[str]:
    """Up to 25 zones for what was typed: whole-name prefix, then city prefix, then anywhere."""
    zones = zone_names() if zones is None else zones
    needle = current.strip().lower().replace(" ", "_")
    if not needle:
        return list(zones[:MAX_CHOICES])
    ranked: list[tuple[int, str]] = []
    for zone in zones:
        lowered = zone.lower()
        if lowered.startswith(needle):
            ranked.append((0, zone))
        elif lowered.rsplit("/", 1)[-1].startswith(needle):
            ranked.append((1, zone))
        elif needle in lowered:
            ranked.append((2, zone))
    return [zone for _, zone in sorted(ranked)[:MAX_CHOICES]]


async def _zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in zone_matches(current)]


def build_tree(client: discord.Client, specs: Sequence[CommandSpec], run: Run
               ) -> app_commands.CommandTree[discord.Client]:
    """Every listed command, usable in the server and in a DM with the bot."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
        client,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )
    groups: dict[str, list[CommandSpec]] = {}
    singles: list[CommandSpec] = []
    for spec in specs:
        if not spec.hidden:
            (groups.setdefault(spec.group, []) if " " in spec.name else singles).append(spec)
    for spec in singles:
        if spec.name in groups:
            log.warning("command %s is also a group; only the group is a slash command",
                        spec.name)
            continue
        _add(tree.add_command, spec.name, spec, run)
    for name, members in groups.items():
        verbs = [spec.name.split()[1] for spec in members]
        group = app_commands.Group(name=name, description=_cut(", ".join(verbs)))
        for spec, verb in zip(members, verbs, strict=True):
            _add(group.add_command, verb, spec, run)
        tree.add_command(group)
    return tree


def payload_hash(tree: app_commands.CommandTree[discord.Client]) -> str:
    """What a sync would send, hashed: sync only when it changed (syncs are rate limited)."""
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _add(add: Callable[[Any], None], name: str, spec: CommandSpec, run: Run) -> None:
    try:
        add(_command(name, spec, run))
    except (ValueError, TypeError, app_commands.AppCommandError) as exc:
        log.warning("command %s is not a valid slash command (%s); typed text still works",
                    spec.name, type(exc).__name__)


def _command(name: str, spec: CommandSpec, run: Run) -> app_commands.Command[Any, ..., None]:
    """A command whose options are the spec's params, built from a generated signature."""

    async def callback(interaction: discord.Interaction, **values: object) -> None:
        named = {param.name: values.get(f"p{i}") for i, param in enumerate(spec.params)}
        await run(interaction, spec, named)

    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    annotation=discord.Interaction)]
    parameters += [_parameter(i, param) for i, param in enumerate(spec.params)]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    keys = {f"p{i}": param for i, param in enumerate(spec.params)}
    callback.__discord_app_commands_param_rename__ = {  # type: ignore[attr-defined]
        key: param.name for key, param in keys.items()}
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        key: _cut(param.description or param.name) for key, param in keys.items()}
    callback.__discord_app_commands_param_choices__ = {  # type: ignore[attr-defined]
        key: [app_commands.Choice(name=c, value=c) for c in param.choices[:MAX_CHOICES]]
        for key, param in keys.items() if param.kind is ParamKind.CHOICE and param.choices}
    callback.__discord_app_commands_param_autocomplete__ = {  # type: ignore[attr-defined]
        key: _zone_autocomplete for key, param in keys.items() if param.kind is ParamKind.ZONE}
    return app_commands.Command(name=name, description=_cut(spec.summary or spec.name),
                                callback=callback)


def _parameter(index: int, param: Param) -> inspect.Parameter:
    kind: type = int if param.kind is ParamKind.NUMBER else str
    return inspect.Parameter(
        f"p{index}", inspect.Parameter.KEYWORD_ONLY,
        annotation=kind if param.required else kind | None,
        default=inspect.Parameter.empty if param.required else None,
    )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 1] + "…"
