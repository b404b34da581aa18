"""``porchlight classify``: one message per input line, one JSON object per output line.

A stable interface for evaluation: no config, no database, the built-in lexicon only. Each
output line is ``{"tier": ..., "categories": [...], "spans": [[start, end], ...]}`` with
[start, end) character offsets into the input line as given (without its line ending).
"""

from __future__ import annotations

import json
from typing import TextIO

from .detector import Detector


def run_classify(stdin: TextIO, stdout: TextIO, detector: Detector | None = None) -> int:
    """Classify stdin line by line, flushing after each answer so pipes can stream."""
    detector = detector if detector is not None else Detector.load()
    for line in iter(stdin.readline, ""):
        text = line[:-1] if line.endswith("\n") else line
        text = text[:-1] if text.endswith("\r") else text
        stdout.write(json.dumps(detector.classify(text).as_json()) + "\n")
        stdout.flush()
    return 0
