"""Platform adapters: each converts its platform's events to the core's neutral ones and back.

Platform libraries are imported only here, and only for the platforms that are configured.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.config import ConfigError, Settings
from bot.ports import Adapter, Clock


def build_adapters(
    settings: Settings, clock: Clock, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> list[Adapter]:
    built: list[Adapter] = []
    for name in settings.bot.adapters:
        if name == "console":
            from adapters.console import ConsoleAdapter

            console = settings.console
            built.append(ConsoleAdapter(
                stdin=stdin, stdout=stdout, clock=clock, start_as=console.start_as,
                rooms=console.rooms, moderator_room=console.moderator_room,
                moderators=console.moderators, alumni=console.alumni,
                demo=console.demo and settings.bot.adapters == ["console"],
                interactive=stdin.isatty(),
            ))
        elif name == "matrix":
            from adapters.matrix import build as build_matrix

            built.append(build_matrix(settings, clock))
        elif name == "discord":
            from adapters.discord import build as build_discord

            built.append(build_discord(settings, clock))
    return built


def check_adapter_config(settings: Settings) -> None:
    """What the configured platforms' sections lack, all at once (for ``check-config``),
    without connecting or touching the disk."""
    problems: list[str] = []
    for name in settings.bot.adapters:
        try:
            if name == "matrix":
                from adapters.matrix import credentials_from

                credentials_from(settings)
            elif name == "discord":
                from adapters.discord import options_from

                options_from(settings)
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
