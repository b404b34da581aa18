"""Communities extend and trim the lexicon; a bad community file fails loudly and clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.crisis.detection import Detector, LexiconError, Tier
from bot.crisis.detection.lexicon import load_lexicon

COMMUNITY = """
[classes]
pills = ["kpins"]

[aliases]
unaliving = "killing"

[[entry]]
id = "community.boat"
tier = "crisis"
category = "plan"
phrase = "take the boat out for the last time"

[[entry]]
id = "community.rough-patch"
tier = "concern"
category = "hopelessness"
pattern = "(in|through) a (really|very)? rough patch"
"""
ENTRY = "[[entry]]\nid = 'x'\ntier = 'crisis'\ncategory = 'plan'\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "community.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_lexicon_is_large_and_ids_are_unique() -> None:
    entries = load_lexicon().entries
    assert len(entries) >= 300
    assert len({entry.id for entry in entries}) == len(entries)


def test_community_file_adds_entries_classes_and_aliases(tmp_path: Path) -> None:
    detector = Detector.load(extra_lexicon=write(tmp_path, COMMUNITY))
    assert detector.classify("gonna take the boat out for the last time").tier is Tier.CRISIS
    assert detector.classify("going through a really rough patch").tier is Tier.CONCERN
    assert detector.classify("i swallowed 30 kpins").tier is Tier.CRISIS
    assert Detector.load().classify("going through a really rough patch").tier is Tier.NONE
    assert Detector.load().classify("i swallowed 30 kpins").tier is Tier.NONE


def test_disabled_ids_trim_builtin_entries() -> None:
    text = "giving my stuff away this week"
    assert Detector.load().classify(text).tier is Tier.CRISIS
    assert Detector.load(disabled=["plan.giving-away"]).classify(text).tier is Tier.NONE


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (ENTRY.replace("'crisis'", "'urgent'") + "phrase = 'a b'\n",
         "entry 'x': 'tier' must be crisis, concern or none"),
        (ENTRY, "entry 'x': give exactly one of 'phrase' or 'pattern'"),
        (ENTRY + "pattern = '(a|b'\n", "entry 'x': unclosed '('"),
        (ENTRY + "pattern = '<nope> a'\n", "entry 'x': unknown class <nope>"),
        (ENTRY + "pattern = 'a?'\n", "entry 'x': the pattern needs at least one required word"),
        (ENTRY + "phrase = 'a (b)'\n", "entry 'x': a phrase is plain words"),
        (ENTRY + "phrase = 'a'\ncolour = 1\n", "entry 'x': unknown key(s) colour"),
        (ENTRY.replace("'x'", "'suicide.want'") + "phrase = 'a'\n",
         "entry 'suicide.want': duplicate id"),
        (ENTRY.replace("'plan'", "'Plan!'") + "phrase = 'a'\n",
         "entry 'x': 'category' must be a lowercase name"),
        ("[cues]\nsarcasm = ['as if']\n", "cues: unknown kind 'sarcasm'"),
        ("[classes]\npills = 'kpins'\n", "class pills: must be a list of non-empty strings"),
        ("this is = not toml", "not valid TOML"),
        (ENTRY + "phrase = 'a'\nwhen = 'later'\n", "entry 'x': 'when' must be 'now' or 'any'"),
        (ENTRY + "phrase = 'a'\nnear = ''\n", "entry 'x': 'near' must be a non-empty pattern"),
        (ENTRY + "phrase = 'a'\nnear = '(b'\n", "entry 'x' near: unclosed '('"),
    ],
)
def test_malformed_community_file_names_file_entry_and_problem(
    tmp_path: Path, body: str, problem: str
) -> None:
    path = write(tmp_path, body)
    with pytest.raises(LexiconError) as caught:
        Detector.load(extra_lexicon=path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_unknown_disabled_id_is_an_error() -> None:
    with pytest.raises(LexiconError, match=r"no entry with id nope\.nothing"):
        Detector.load(disabled=["nope.nothing"])


def test_missing_community_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read the file"):
        Detector.load(extra_lexicon=tmp_path / "absent.toml")


def test_community_entries_can_tell_a_history_and_need_context_nearby(tmp_path: Path) -> None:
    """``when = "any"``: a past-time cue does not lower it; ``near``: it counts only when the
    near pattern matches within a few sentences."""
    text = """
[[entry]]
id = "community.old-boat"
tier = "concern"
category = "history"
phrase = "i sank the boat"
when = "any"
near = "(on purpose|to drown)"
"""
    detector = Detector.load(extra_lexicon=write(tmp_path, text))
    assert detector.classify("years ago i sank the boat on purpose").tier is Tier.CONCERN
    assert detector.classify("years ago i sank the boat in a storm").tier is Tier.NONE
    far = "i sank the boat. one. two. three. four. on purpose"
    assert detector.classify(far).tier is Tier.NONE
