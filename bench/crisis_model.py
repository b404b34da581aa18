"""The optional model stage on one core: start-up, memory and messages per second.

    uv run python bench/crisis_model.py [--messages N]

Chat-length messages come from bench/crisis_scan.py's generator. Start-up and memory are
measured in a fresh process (import, load the weights, score one message), as the bot starts.
Rows: every message through the encoder in batches of 32 (the worst case: the stage sees all),
the same one at a time (how the bot calls it: one message per event), and the whole detector
(lexicon, then the stage on what it passes and the speaker gate admits) in batches.
Goals from the issue: >= 200 messages/s on one core, start-up <= 5 s, <= 600 MB RSS.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core, before NumPy loads its BLAS

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crisis_scan import corpus  # noqa: E402

from bot.crisis.detection import Detector  # noqa: E402
from bot.crisis.detection.model_stage import BATCH, ModelStage, speaks_of_self  # noqa: E402

START_UP = """
import json, resource, time
started = time.perf_counter()
from bot.crisis.detection.model_stage import ModelStage
stage = ModelStage.load()
stage.scores(["warming up"])
print(json.dumps({"seconds": time.perf_counter() - started,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def start_up() -> dict[str, float]:
    """Seconds from the import to a first score, and peak RSS, in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", START_UP], cwd=ROOT, env=os.environ,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def per_second(run: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args(argv)
    messages = corpus(args.messages)
    stage, detector = ModelStage.load(), Detector.load()
    encoder = stage.encoder
    encoder.encode_many(messages[:BATCH])  # warm

    batched = per_second(lambda: stage.scores(messages), len(messages))
    single = messages[: max(200, args.messages // 10)]
    latencies = []
    for text in single:
        started = time.perf_counter()
        encoder.encode(text)
        latencies.append((time.perf_counter() - started) * 1000)
    whole = per_second(lambda: stage.review(messages, [detector.classify(m) for m in messages]),
                       len(messages))
    heard = sum(speaks_of_self(m) for m in messages) / len(messages)
    boot = start_up()

    mean_chars = sum(map(len, messages)) / len(messages)
    print(f"{len(messages)} chat-length messages (mean {mean_chars:.0f} characters), one core")
    print("| measure | result | goal |\n| --- | --- | --- |")
    print(f"| encoder, every message, batches of {BATCH} | {batched:,.0f} msg/s | >= 200/s |")
    print(f"| encoder, one message at a time (the bot) | {1000 / statistics.mean(latencies):,.0f}"
          f" msg/s, p50 {statistics.median(latencies):.1f} ms | |")
    print(f"| detector + model stage (speaker gate admits {heard:.0%}) | {whole:,.0f} msg/s "
          f"| >= 200/s |")
    print(f"| start-up: import, load, first score | {boot['seconds']:.2f} s | <= 5 s |")
    print(f"| peak RSS of that process | {boot['rss_mb']:.0f} MB | <= 600 MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
