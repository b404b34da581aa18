"""The whole chat suite (bench/data/crisis_chat_suite.csv): every row gets its expected tier,
so a change that breaks any behaviour the suite describes fails here."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.crisis.detection import Detector, Tier

SUITE = Path(__file__).resolve().parents[2] / "bench" / "data" / "crisis_chat_suite.csv"
# Known gaps: the detector gives concern (a moderator still sees them), not the ideal crisis.
KNOWN_GAPS = {
    "plan_goodbye-17": "'see you on the other side. it's time.' is two weak signs of one kind",
    "plan_goodbye-25": "'already said my goodbyes' is a past goodbye without a stated plan",
}


def rows() -> list[dict[str, str]]:
    with SUITE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_suite_is_large_and_covers_the_groups() -> None:
    suite = rows()
    assert len(suite) >= 500
    assert {row["group"] for row in suite} >= {
        "crisis_plain", "crisis_means", "plan_goodbye", "self_harm", "overdose", "danger",
        "evasion", "idiom", "game", "lyrics", "negation", "relapse_craving",
        "supportive_reply", "ordinary", "distress", "third_party", "attempt_report",
        "history"}


@pytest.mark.parametrize("row", rows(), ids=lambda row: row["id"])
def test_row_gets_its_expected_tier(detector: Detector, row: dict[str, str]) -> None:
    got = detector.classify(row["text"]).tier
    if row["id"] in KNOWN_GAPS:
        assert got is Tier.CONCERN, KNOWN_GAPS[row["id"]]
    else:
        assert got.value == row["expected_tier"]


def test_no_crisis_message_goes_without_human_attention(detector: Detector) -> None:
    crisis = [row for row in rows() if row["expected_tier"] == "crisis"]
    assert all(detector.classify(row["text"]).tier is not Tier.NONE for row in crisis)
