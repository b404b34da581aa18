"""The features a running Porchlight has, in the order they are installed."""

from __future__ import annotations

from bot import checkins, crisis, witness
from bot.app import Feature, install_foundation

ALL_FEATURES: tuple[Feature, ...] = (
    install_foundation, crisis.install, checkins.install, witness.install,
)
