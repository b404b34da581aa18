"""Fixtures: the stand-in with discord.py pointed at it, and the bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discord_standin import DiscordStandIn

from .harness import Bot, running_bot


@pytest.fixture
async def d() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as standin:
        with standin.point_discord_py_here():
            yield standin
        assert standin.state.internal_errors == []
        assert standin.unknown_calls.items == []


@pytest.fixture
async def bot(d: DiscordStandIn, tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(d, tmp_path) as running:
        yield running
