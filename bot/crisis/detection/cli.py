"""``porchlight classify``: one message per input line, one JSON object per output line.

A stable interface for evaluation: no config, no database, the built-in lexicon only (with
``--model``, also the optional model stage). Each output line is
``{"tier": ..., "categories": [...], "spans": [[start, end], ...]}`` with [start, end)
character offsets into the input line as given (without its line ending).
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from .detector import Detector
from .model_stage import ModelStage, ModelUnavailable


def run_classify(stdin: TextIO, stdout: TextIO, detector: Detector | None = None, *,
                 with_model: bool = False) -> int:
    """Classify stdin line by line, flushing after each answer so pipes can stream."""
    detector = detector if detector is not None else Detector.load()
    try:
        stage = ModelStage.load() if with_model else None
    except ModelUnavailable as exc:
        print(f"porchlight classify --model: {exc}", file=sys.stderr)
        return 2
    for line in iter(stdin.readline, ""):
        text = line[:-1] if line.endswith("\n") else line
        text = text[:-1] if text.endswith("\r") else text
        found = detector.classify(text)
        if stage is not None:
            [found] = stage.review([text], [found])
        stdout.write(json.dumps(found.as_json()) + "\n")
        stdout.flush()
    return 0
