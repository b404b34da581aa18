"""Discord, on discord.py 2.x: slash commands, persistent buttons, forms, DMs and pages.

``build(settings, clock)`` is what ``adapters.build_adapters`` calls; discord types stay inside
this package. See docs/discord.md for setting up the application.
"""

from __future__ import annotations

from bot.config import ConfigError, Settings, read_secret
from bot.ports import Clock

from .adapter import DiscordAdapter, DiscordOptions

__all__ = ["DiscordAdapter", "DiscordOptions", "build", "options_from"]


def build(settings: Settings, clock: Clock) -> DiscordAdapter:
    return DiscordAdapter(options_from(settings), clock)


def options_from(settings: Settings) -> DiscordOptions:
    """The adapter's options from ``[discord]``, or every problem with them at once."""
    section = settings.discord
    token = read_secret(section.token, section.token_file, "discord.token")
    problems = []
    if token is None or not token.get_secret_value():
        problems.append("discord.token: set PORCHLIGHT__DISCORD__TOKEN or discord.token_file")
    if not section.guild_id:
        problems.append("discord.guild_id: the server's id is needed (Developer Mode, "
                        "right-click the server, Copy Server ID)")
    if not section.moderator_role_ids:
        problems.append("discord.moderator_role_ids: at least one role id, or nobody can "
                        "claim a crisis")
    if problems:
        raise ConfigError(problems)
    assert token is not None
    return DiscordOptions(
        token=token.get_secret_value(),
        guild_id=section.guild_id,
        moderator_role_ids=tuple(section.moderator_role_ids),
        backup_role_ids=tuple(section.backup_role_ids),
        moderator_channel_id=section.moderator_channel_id,
        scan_channel_ids=tuple(section.scan_channel_ids),
        state_file=section.state_file,
        requests_per_second=section.requests_per_second,
    )
