"""Load the harness fixtures when this package runs without a root conftest doing it."""

from __future__ import annotations

import pytest

PLUGIN = "tests.matrix_harness.fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin once; a root `pytest_plugins = [PLUGIN]` makes this a no-op."""
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
