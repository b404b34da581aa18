"""The features a running Porchlight has, in the order they are installed."""

from __future__ import annotations

from bot.app import Feature, install_foundation

ALL_FEATURES: tuple[Feature, ...] = (install_foundation,)
