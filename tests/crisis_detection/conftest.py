from __future__ import annotations

import pytest

from bot.crisis.detection import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    """The built-in lexicon, loaded once: loading is pure and the detector is immutable."""
    return Detector.load()
