"""Shared fixtures. Feature packages add their own next to their tests."""

from __future__ import annotations

import logging

import pytest

# The real Synapse homeserver (session-scoped) for the Matrix tests.
pytest_plugins = ["tests.matrix_harness.fixtures"]


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every log record, so tests can check nothing a member wrote is logged."""
    caplog.set_level(logging.DEBUG)
