"""Measure the crisis detector: recall and false alarms, per data set and label group.

    uv run python bench/crisis_eval.py [--data DIR] [--show-flagged] [--show-missed]

Reads the project's chat suite (bench/data/crisis_chat_suite.csv) and, when present, the
shared development data (default ../shared/data/crisis relative to the repo root). Prints,
for every group, n, the share classified ``crisis`` and the share at least ``concern``, each
with a Wilson 95% interval, then the goals. Member text is printed only on request.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.crisis.detection import Detection, Detector, Tier  # noqa: E402

SUITE = ROOT / "bench" / "data" / "crisis_chat_suite.csv"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "crisis"
CRISIS_LABELS = ("attempt", "behavior", "ideation")
SUITE_CRISIS = ("crisis_plain", "crisis_means", "plan_goodbye", "self_harm", "overdose", "danger",
                "evasion")
csv.field_size_limit(10_000_000)


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


def evaluate(detector: Detector, rows: Iterable[tuple[str, str, str]],
             wants_crisis: Iterable[str]) -> dict[tuple[str, str], Group]:
    """rows: (dataset, group, text) -> counts per (dataset, group)."""
    crisis_groups = set(wants_crisis)
    groups: dict[tuple[str, str], Group] = defaultdict(Group)
    for dataset, group, text in rows:
        groups[(dataset, group)].add(text, detector.classify(text),
                                     wants_crisis=group in crisis_groups)
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
    print(f"{'dataset':<10} {'group':<22} {'n':>5}  {'crisis rate [95% CI]':<24} "
          f"{'>= concern rate [95% CI]':<24}")
    for (dataset, name), group in sorted(groups.items()):
        print(f"{dataset:<10} {name:<22} {group.n:>5}  {rate(group.crisis, group.n):<24} "
              f"{rate(group.concern, group.n):<24}")


def print_goals(groups: dict[tuple[str, str], Group], have_shared: bool) -> None:
    checks: list[tuple[str, Group, str, float, bool]] = []
    if have_shared:
        checks += [
            ("C-SSRS behavior+attempt: crisis recall", merge(groups, "cssrs",
             ["behavior", "attempt"]), "crisis", 0.90, True),
            ("C-SSRS ideation: crisis recall", merge(groups, "cssrs", ["ideation"]),
             "crisis", 0.80, True),
            ("C-SSRS crisis labels: >= concern recall", merge(groups, "cssrs", CRISIS_LABELS),
             "concern", 0.98, True),
            ("C-SSRS supportive: crisis false alarms", merge(groups, "cssrs", ["supportive"]),
             "crisis", 0.03, False),
            ("recovery posts: crisis false alarms", merge(groups, "recovery", ["all"]),
             "crisis", 0.02, False),
        ]
    ordinary = ["ordinary", "idiom", "game", "lyrics", "negation", "relapse_craving",
                "supportive_reply"]
    checks += [
        ("suite crisis groups: crisis recall", merge(groups, "suite", SUITE_CRISIS), "crisis",
         0.90, True),
        ("suite crisis groups: >= concern recall", merge(groups, "suite", SUITE_CRISIS),
         "concern", 0.98, True),
        ("suite supportive replies: crisis false alarms",
         merge(groups, "suite", ["supportive_reply"]), "crisis", 0.03, False),
        ("suite non-crisis chat: crisis false alarms*", merge(groups, "suite", ordinary), "crisis",
         0.02, False),
        ("suite ordinary chat: >= concern", merge(groups, "suite", ordinary), "concern", 0.10,
         False),
    ]
    print(f"\n{'goal':<46} {'n':>5}  {'rate [95% CI]':<24} {'target':<9} met")
    for label, group, tier, target, at_least in checks:
        hits = group.crisis if tier == "crisis" else group.concern
        value = hits / group.n if group.n else 0.0
        met = value >= target if at_least else value <= target
        sign = ">=" if at_least else "<="
        print(f"{label:<46} {group.n:>5}  {rate(hits, group.n):<24} {sign} {target:<6.2f} "
              f"{'yes' if met else 'NO'}")
    print("* our own target; the others are the issue's goals. Rates are point estimates; "
          "the Wilson 95% interval is in brackets.")


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
    args = parser.parse_args(argv)
    detector = Detector.load()
    rows = [("suite", r["group"], r["text"]) for r in read_csv(SUITE)]
    crisis_groups = {r["group"] for r in read_csv(SUITE) if r["expected_tier"] == "crisis"}
    have_shared = (args.data / "cssrs_dev.csv").exists()
    if have_shared:
        rows += [("cssrs", r["label"], r["text"]) for r in read_csv(args.data / "cssrs_dev.csv")]
        recovery = args.data / "recovery_posts_unlabeled.csv"
        if recovery.exists():
            rows += [("recovery", "all", r["text"]) for r in read_csv(recovery)]
    else:
        print(f"shared data not found in {args.data}: measuring the chat suite only\n")
    groups = evaluate(detector, rows, crisis_groups | set(CRISIS_LABELS))
    print_table(groups)
    print_goals(groups, have_shared)
    if args.show_flagged:
        for key in (("cssrs", "supportive"), ("recovery", "all"), ("suite", "supportive_reply")):
            show(f"flagged crisis in {key[0]} {key[1]}", groups.get(key, Group()).flagged)
    if args.show_missed:
        for key, group in sorted(groups.items()):
            if group.missed:
                show(f"no tier for {key[0]} {key[1]}", group.missed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
