"""The pattern language: whole-word matching, optional parts, gaps, and anchor selection."""

from __future__ import annotations

import re

import pytest

from bot.crisis.detection.detector import _LazyFinder
from bot.crisis.detection.patterns import PatternCompiler, PatternError
from bot.crisis.detection.words import word_cost

CLASSES = {"pills": ["pills", "meds", "#num mg"], "many": ["all", "a handful of"]}


def compiler() -> PatternCompiler:
    return PatternCompiler(CLASSES, word_cost)


def matches(pattern: str, tokens: str) -> bool:
    regex = compiler().compile(pattern).regex
    return re.search(f"(?<= )(?:{regex})", f" . {tokens} . ") is not None


@pytest.mark.parametrize(
    ("pattern", "tokens", "expected"),
    [
        ("take <many> <pills>", "i will take all pills", True),
        ("take <many> <pills>", "i will take a handful of meds", True),
        ("take <many> <pills>", "i will take all 800 mg", True),
        ("take <many> <pills>", "i will retake all pills", False),  # whole words only
        ("take (my)? <pills>", "take pills", True),
        ("take ~2 pills", "take those blue pills", True),
        ("take ~1 pills", "take those blue pills", False),
        ("take ~2 pills", "take those . pills", False),  # ~N stays in the sentence
        ("take ~~2 pills", "take those . pills", True),
        ("done .", "im done", True),
        ("done .", "im done with work", False),
        ("die !(laughing)", "i could die laughing", False),
        ("suicid*", "suicidal", True),
        ("take #many pills", "take 40 pills", True),
        ("take #many pills", "take 4 pills", False),
    ],
)
def test_pattern_semantics(pattern: str, tokens: str, expected: bool) -> None:
    assert matches(pattern, tokens) is expected


def test_anchor_is_the_rarest_required_element() -> None:
    compiled = compiler().compile("i want to take <many> <pills>")
    assert compiled.anchors == frozenset({"pills", "meds", "mg"})
    assert frozenset({"take"}) in compiled.requires


def test_top_level_alternatives_are_indexed_separately() -> None:
    parts = compiler().compile_alternatives("(noose|take <pills>)")
    assert [part.anchors for part in parts] == [frozenset({"noose"}),
                                                frozenset({"pills", "meds", "mg"})]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("(a|b", "unclosed"), ("a )", "unexpected"), ("<x>", "unknown class"),
     ("a #weird", "unknown special"), ("a & b", "cannot read"), ("!", "must be followed")],
)
def test_bad_patterns_say_why(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=problem):
        compiler().compile(pattern)


def test_self_referencing_class_is_rejected() -> None:
    with pytest.raises(PatternError, match="refers to itself"):
        PatternCompiler({"loop": ["a <loop>"]}, word_cost).compile("<loop>")


@pytest.mark.parametrize(
    ("pattern", "tokens"),
    [
        ("want to die", "i want to die . want to die want to die"),
        ("(die|die die)", "die die die ."),  # the next match starts at the space ending one
        ("i ~~3 die", "i i i die . i die"),
        ("(so)? (very)?", "so very tired so . very"),  # can match nothing: finditer's rules
        ("~2", "a b c"),
        ("(not)? (so)?", "nothing here"),
    ],
)
def test_finder_spans_are_those_of_a_lookbehind_regex(pattern: str, tokens: str) -> None:
    """The detector's finder takes the space before a match into its regex for speed; its
    spans must still be exactly what finditer gives for the pattern after a lookbehind."""
    regex = compiler().compile(pattern).regex
    text = f" . {tokens} . "
    expected = [m.span() for m in re.finditer(f"(?<= )(?:{regex})", text)]
    assert list(_LazyFinder(regex)(text)) == expected
    assert _LazyFinder(regex).occurs_in(text) == bool(expected)
