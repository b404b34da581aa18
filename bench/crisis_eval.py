"""Measure the crisis detector: recall and false alarms, per data set and label group.

    uv run python bench/crisis_eval.py [--data DIR] [--split A|B] [--show-flagged]
                                       [--show-missed] [--model]

Reads the project's chat suite (bench/data/crisis_chat_suite.csv) and, when present, the
shared development data (default ../shared/data/crisis relative to the repo root). Prints,
for every group, n, the share classified ``crisis`` and the share at least ``concern``, each
with a Wilson 95% interval, then the goals. Member text is printed only on request.

The shared data is split in two halves by a hash of the C-SSRS user id (of the row id for the
unlabelled recovery posts), so that no author is in both. Half A is for development: read its
misses and false alarms, tune against it. Half B is the test set: its figures are printed
next to A's, and its text is shown only with ``--split B``, to describe what is left at the
end, never to tune. The gap between A and B is a rough forecast of the held-back check.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.crisis.detection import Detection, Detector, Tier  # noqa: E402
from bot.crisis.detection.model_stage import ModelStage  # noqa: E402

SUITE = ROOT / "bench" / "data" / "crisis_chat_suite.csv"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "crisis"
CRISIS_LABELS = ("attempt", "behavior", "ideation")
SUITE_CRISIS = ("crisis_plain", "crisis_means", "plan_goodbye", "self_harm", "overdose", "danger",
                "evasion", "attempt_report")
SUITE_CONCERN = ("distress", "history")
HALVES = ("A", "B")
csv.field_size_limit(10_000_000)


def half_of(key: str) -> str:
    """The half (A or B) of an author or post: stable across runs, machines and Pythons."""
    return HALVES[hashlib.sha256(key.encode("utf-8")).digest()[0] & 1]


@dataclass
class Group:
    """Counts for one data set and label group."""

    n: int = 0
    crisis: int = 0
    concern: int = 0  # at least concern
    flagged: list[tuple[str, Detection]] = field(default_factory=list)
    missed: list[tuple[str, Detection]] = field(default_factory=list)

    def add(self, text: str, found: Detection, *, wants_crisis: bool) -> None:
        self.n += 1
        self.crisis += found.tier is Tier.CRISIS
        self.concern += found.tier is not Tier.NONE
        if found.tier is Tier.CRISIS and not wants_crisis:
            self.flagged.append((text, found))
        if found.tier is Tier.NONE and wants_crisis:
            self.missed.append((text, found))


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval: honest at small n and at rates near 0 or 1."""
    if n == 0:
        return (0.0, 0.0)
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(hits: int, n: int) -> str:
    low, high = wilson(hits, n)
    return f"{hits / n if n else 0:6.3f} [{low:.3f}, {high:.3f}]"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def evaluate(detector: Detector, rows: list[tuple[str, str, str]], wants_crisis: Iterable[str],
             stage: ModelStage | None = None) -> dict[tuple[str, str], Group]:
    """rows: (dataset, group, text) -> counts per (dataset, group)."""
    crisis_groups = set(wants_crisis)
    texts = [text for _, _, text in rows]
    found = [detector.classify(text) for text in texts]
    if stage is not None:
        found = stage.review(texts, found)
    groups: dict[tuple[str, str], Group] = defaultdict(Group)
    for (dataset, group, text), detection in zip(rows, found, strict=True):
        groups[(dataset, group)].add(text, detection, wants_crisis=group in crisis_groups)
    return groups


def merge(groups: dict[tuple[str, str], Group], dataset: str, names: Iterable[str]) -> Group:
    total = Group()
    for name in names:
        part = groups.get((dataset, name), Group())
        total.n += part.n
        total.crisis += part.crisis
        total.concern += part.concern
    return total


def print_table(groups: dict[tuple[str, str], Group]) -> None:
    print(f"{'dataset':<11} {'group':<22} {'n':>5}  {'crisis rate [95% CI]':<24} "
          f"{'>= concern rate [95% CI]':<24}")
    for (dataset, name), group in sorted(groups.items()):
        print(f"{dataset:<11} {name:<22} {group.n:>5}  {rate(group.crisis, group.n):<24} "
              f"{rate(group.concern, group.n):<24}")


# label, dataset, groups, tier, target (None: a figure to watch, no target), at least?
Check = tuple[str, str, list[str], str, float | None, bool]


SHARED_CHECKS: list[Check] = [
    ("C-SSRS behavior+attempt: crisis recall", "cssrs", ["behavior", "attempt"], "crisis",
     0.90, True),
    ("C-SSRS ideation: crisis recall", "cssrs", ["ideation"], "crisis", 0.80, True),
    ("C-SSRS crisis labels: >= concern recall", "cssrs", list(CRISIS_LABELS), "concern", 0.98,
     True),
    ("C-SSRS indicator: >= concern (watch)", "cssrs", ["indicator"], "concern", None, True),
    ("C-SSRS supportive: >= concern (watch)", "cssrs", ["supportive"], "concern", None, False),
    ("C-SSRS supportive: crisis false alarms", "cssrs", ["supportive"], "crisis", 0.03, False),
    ("C-SSRS supportive: crisis, our margin*", "cssrs", ["supportive"], "crisis", 0.025, False),
    ("recovery posts: crisis false alarms", "recovery", ["all"], "crisis", 0.02, False),
    ("recovery posts: crisis, our margin*", "recovery", ["all"], "crisis", 0.016, False),
    ("recovery posts: >= concern (watch)", "recovery", ["all"], "concern", None, False),
]
SUITE_ORDINARY = ["ordinary", "idiom", "game", "lyrics", "negation", "relapse_craving",
                  "supportive_reply"]
SUITE_CHECKS: list[Check] = [
    ("suite crisis groups: crisis recall", "suite", list(SUITE_CRISIS), "crisis", 0.90, True),
    ("suite crisis groups: >= concern recall", "suite", list(SUITE_CRISIS), "concern", 0.98,
     True),
    ("suite distress and history: >= concern*", "suite", list(SUITE_CONCERN), "concern", 0.98,
     True),
    ("suite supportive replies: crisis false alarms", "suite", ["supportive_reply"], "crisis",
     0.03, False),
    ("suite non-crisis chat: crisis false alarms*", "suite", SUITE_ORDINARY, "crisis", 0.02,
     False),
    ("suite ordinary chat: >= concern", "suite", SUITE_ORDINARY, "concern", 0.10, False),
]


def _judge(group: Group, tier: str, target: float | None, at_least: bool) -> tuple[str, str]:
    """The rate with its interval, and "yes", "NO" or "-" (no target)."""
    hits = group.crisis if tier == "crisis" else group.concern
    value = hits / group.n if group.n else 0.0
    if target is None:
        return rate(hits, group.n), "-"
    met = value >= target if at_least else value <= target
    return rate(hits, group.n), "yes" if met else "NO"


def _target(target: float | None, at_least: bool) -> str:
    return "watch" if target is None else f"{'>=' if at_least else '<='} {target:.3f}"


def print_goals(groups: dict[tuple[str, str], Group], have_shared: bool) -> None:
    """Goals on the shared data for half A, half B and both; then the chat suite's goals."""
    if have_shared:
        print(f"\n{'goal (shared data)':<42} {'target':<9} "
              + "  ".join(f"{'half ' + h + ' rate [95% CI]':<24} {'n':>4} met" for h in HALVES)
              + f"  {'all':>6}")
        for label, dataset, names, tier, target, at_least in SHARED_CHECKS:
            cells = []
            for half in HALVES:
                group = merge(groups, f"{dataset} {half}", names)
                shown, met = _judge(group, tier, target, at_least)
                cells.append(f"{shown:<24} {group.n:>4} {met:<3}")
            both = merge(groups, f"{dataset} A", names)
            other = merge(groups, f"{dataset} B", names)
            hits = (both.crisis + other.crisis) if tier == "crisis" else (both.concern
                                                                         + other.concern)
            total = both.n + other.n
            print(f"{label:<42} {_target(target, at_least):<9} " + "  ".join(cells)
                  + f"  {hits / total if total else 0:6.3f}")
    print(f"\n{'goal (chat suite)':<46} {'n':>5}  {'rate [95% CI]':<24} {'target':<9} met")
    for label, dataset, names, tier, target, at_least in SUITE_CHECKS:
        group = merge(groups, dataset, names)
        shown, met = _judge(group, tier, target, at_least)
        print(f"{label:<46} {group.n:>5}  {shown:<24} {_target(target, at_least):<9} {met}")
    print("* our own target (a margin below the issue's limit, or a suite figure); the others "
          "are the issue's goals; watch: no target, reported to see it does not drift. Rates "
          "are point estimates; the Wilson 95% interval is in brackets.")


def show(title: str, items: list[tuple[str, Detection]], limit: int = 400) -> None:
    print(f"\n--- {title}: {len(items)} ---")
    for text, found in items:
        marked = "".join(f"[{text[a:b]}]" for a, b in found.spans)
        print(f"* {found.tier.value} {','.join(found.categories)} {marked}\n  "
              f"{' '.join(text.split())[:limit]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="directory with cssrs_dev.csv and recovery_posts_unlabeled.csv")
    parser.add_argument("--show-flagged", action="store_true",
                        help="print recovery posts and supportive replies classified crisis")
    parser.add_argument("--show-missed", action="store_true",
                        help="print crisis-labelled messages that got no tier at all")
    parser.add_argument("--split", choices=HALVES, default="A",
                        help="whose text --show-* prints from the shared data: A (development, "
                             "the default) or B (the test half: read only to describe, not "
                             "to tune)")
    parser.add_argument("--model", action="store_true",
                        help="add the optional model stage (porchlight[model]); its head was "
                             "trained on half A and on the suite, so half B is the test")
    args = parser.parse_args(argv)
    detector = Detector.load()
    stage = ModelStage.load() if args.model else None
    rows = [("suite", r["group"], r["text"]) for r in read_csv(SUITE)]
    crisis_groups = {r["group"] for r in read_csv(SUITE) if r["expected_tier"] == "crisis"}
    have_shared = (args.data / "cssrs_dev.csv").exists()
    if have_shared:
        rows += [(f"cssrs {half_of(r['user'])}", r["label"], r["text"])
                 for r in read_csv(args.data / "cssrs_dev.csv")]
        recovery = args.data / "recovery_posts_unlabeled.csv"
        if recovery.exists():
            rows += [(f"recovery {half_of(r['row_id'])}", "all", r["text"])
                     for r in read_csv(recovery)]
    else:
        print(f"shared data not found in {args.data}: measuring the chat suite only\n")
    groups = evaluate(detector, rows, crisis_groups | set(CRISIS_LABELS), stage)
    print_table(groups)
    print_goals(groups, have_shared)
    if stage is not None:
        print("model stage on: the suite and half A are its training data; read half B, and "
              "bench/train_concern_head.py for the suite scored by heads that did not see it.")
    shown = ("suite", f"cssrs {args.split}", f"recovery {args.split}")
    if args.show_flagged:
        for key in ((f"cssrs {args.split}", "supportive"), (f"recovery {args.split}", "all"),
                    ("suite", "supportive_reply")):
            show(f"flagged crisis in {key[0]} {key[1]}", groups.get(key, Group()).flagged)
    if args.show_missed:
        for key, group in sorted(groups.items()):
            if group.missed and key[0] in shown:
                show(f"no tier for {key[0]} {key[1]}", group.missed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
