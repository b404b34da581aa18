"""``porchlight classify``: one JSON object per input line, whatever the line holds."""

from __future__ import annotations

import io
import json

from bot.crisis.detection import Detector
from bot.crisis.detection.cli import run_classify


def classify_lines(data: str, detector: Detector) -> list[dict[str, object]]:
    out = io.StringIO()
    assert run_classify(io.StringIO(data), out, detector) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_object_per_line_with_spans_into_the_line(detector: Detector) -> None:
    lines = ["I'm going to take all these pills tonight", "good morning all", ""]
    results = classify_lines("\n".join(lines) + "\n", detector)
    assert [r["tier"] for r in results] == ["crisis", "none", "none"]
    assert results[0]["categories"] == ["means"]
    (start, end), = results[0]["spans"]
    assert lines[0][start:end] == "take all these pills"
    assert results[1] == {"tier": "none", "categories": [], "spans": []}


def test_crlf_and_missing_final_newline(detector: Detector) -> None:
    results = classify_lines("i want to die\r\ni want to die", detector)
    assert [r["tier"] for r in results] == ["crisis", "crisis"]
    assert results[0]["spans"] == results[1]["spans"] == [[2, 13]]


def test_long_line_garbage_and_only_emoji(detector: Detector) -> None:
    long_line = ("chatting about the weather " * 4000) + "i want to die"
    garbage = "\x00\x01\ufffd\ufffd \udcff\x7f ÿþ" + "\u200b" * 50 + "\U0010ffff"
    lines = [long_line, garbage, "😂😂😂💊", "🔫"]
    results = classify_lines("\n".join(lines) + "\n", detector)
    assert len(long_line) > 100_000
    assert [r["tier"] for r in results] == ["crisis", "none", "none", "none"]
    (start, end), = results[0]["spans"]
    assert long_line[start:end] == "want to die"


def test_invalid_utf8_decoded_with_replacement(detector: Detector) -> None:
    raw = b"i w\xffant to die\n\xc3\x28 k\xe2\x82\n"
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace")
    out = io.StringIO()
    assert run_classify(stream, out, detector) == 0
    assert len(out.getvalue().splitlines()) == 2


def test_flushes_after_every_line(detector: Detector) -> None:
    class Recorder(io.StringIO):
        flushed_lines: list[int]

        def flush(self) -> None:
            self.flushed_lines.append(self.getvalue().count("\n"))

    out = Recorder()
    out.flushed_lines = []
    run_classify(io.StringIO("a\nb\nc\n"), out, detector)
    assert out.flushed_lines == [1, 2, 3]


def test_needs_no_detector_argument() -> None:
    out = io.StringIO()
    assert run_classify(io.StringIO("killing it today\n"), out) == 0
    assert json.loads(out.getvalue())["tier"] == "none"
