"""Shared fixtures. Feature packages add their own next to their tests."""

from __future__ import annotations

import logging

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so CI is reproducible; to explore new
# ones: uv run pytest --hypothesis-profile=explore
settings.register_profile("porchlight", derandomize=True)
settings.register_profile("explore", max_examples=2_000)
settings.load_profile("porchlight")

# The real Synapse homeserver (session-scoped) for the Matrix tests.
pytest_plugins = ["tests.matrix_harness.fixtures"]


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every log record, so tests can check nothing a member wrote is logged."""
    caplog.set_level(logging.DEBUG)
