"""Platform-neutral crisis-language detection: ``Detector.load().classify(text)``."""

from __future__ import annotations

from .detector import Detector
from .lexicon import LexiconError
from .model import Detection, Tier

__all__ = ["Detection", "Detector", "LexiconError", "Tier"]
