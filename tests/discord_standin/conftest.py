"""Fixtures: a running stand-in with discord.py pointed at it, and a probe bot on top."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .probe_bot import Probe, running_probe
from .server import DiscordStandIn


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandIn]:
    async with DiscordStandIn() as d:
        with d.point_discord_py_here():
            yield d
        assert d.state.internal_errors == []


@pytest.fixture
async def probe(standin: DiscordStandIn) -> AsyncIterator[Probe]:
    """The probe bot, connected and ready; after the test its connect task must be alive."""
    async with running_probe(standin.token, standin.world.moderator_role_id) as running:
        yield running
        running.assert_alive()
