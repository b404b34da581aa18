"""Evasions are folded away: the same crisis phrase typed in disguise still matches, and the
spans point at the disguised characters in the original text."""

from __future__ import annotations

import pytest

from bot.crisis.detection import Detector, Tier
from bot.crisis.detection.normalize import TOKEN_RE, fold, fold_char, raw_tokens

PLAIN = "i want to die"


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO DIE",  # case
        "i wаnt tо diе",  # Cyrillic a, o, e
        "ｉ ｗａｎｔ ｔｏ ｄｉｅ",  # fullwidth
        "I ᴡᴀɴᴛ ᴛᴏ ᴅɪᴇ",  # small capitals
        "𝐢 𝐰𝐚𝐧𝐭 𝐭𝐨 𝐝𝐢𝐞",  # mathematical bold
        "i want to d\u200bi\u200de",  # zero-width space and joiner inside the word
        "i wänt tö dïé",  # diacritics
        "i w4nt t0 d13",  # leetspeak
        "i waaaant tooo dieeeee",  # elongation
        "i want to d.i.e",  # separators
        "i want to d-i-e",
        "i w a n t to die",  # letters spaced out
        "i want to k*ll myself",  # censored letter
    ],
)
def test_disguised_crisis_phrase_is_crisis(detector: Detector, text: str) -> None:
    assert detector.classify(text).tier is Tier.CRISIS


def test_plain_phrase_is_the_baseline(detector: Detector) -> None:
    assert detector.classify(PLAIN).tier is Tier.CRISIS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gonna take all these 💊 tonight", Tier.CRISIS),  # emoji for means
        ("💊💊💊 gonna take them all tonight", Tier.CRISIS),
        ("i want to die 😂", Tier.CONCERN),  # laughing face reads as a joke
        ("💀💀💀", Tier.NONE),
    ],
)
def test_emoji_carry_meaning(detector: Detector, text: str, expected: Tier) -> None:
    assert detector.classify(text).tier is expected


def test_spans_point_into_the_original_text(detector: Detector) -> None:
    text = "ok so… ｉ ｗａｎｔ ｔｏ ｄｉｅ tbh"
    found = detector.classify(text)
    assert [text[a:b] for a, b in found.spans] == ["ｗａｎｔ ｔｏ ｄｉｅ"]


def test_spans_cover_zero_width_characters_inside_a_word(detector: Detector) -> None:
    text = "i want to d\u200bie"
    (start, end), = detector.classify(text).spans
    assert text[start:end] == "want to d\u200bie"


def test_fold_char_maps_lookalikes_and_drops_invisible_characters() -> None:
    assert fold_char("К") == "k"  # Cyrillic capital ka, via TR39 data and its small capital
    assert fold_char("ｋ") == "k"
    assert fold_char("é") == "e"
    assert fold_char("\u200b") == ""
    assert fold_char("\ufe0f") == ""
    assert fold_char("’") == "'"


def test_fold_agrees_with_offset_tokenisation() -> None:
    text = "I’m ＧＯＮＮＡ e\u0301nd it 💊!"
    assert fold(text) == "im gonna end it  pills !"
    tokens = raw_tokens(text)
    assert [t.text for t in tokens] == ["i'm", "gonna", "end", "it", "pills", "."]
    assert text[tokens[2].start:tokens[2].end] == "e\u0301nd"
    assert text[tokens[4].start:tokens[4].end] == "💊"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so tired.i give up", ["so", "tired", ".", "i", "give", "up"]),
        ("no hope left.What now", ["no", "hope", "left", ".", "what", "now"]),
        ("took 2.5mg", ["took", "2", "5mg"]),  # a decimal point is not a sentence end
        ("k.i.l.l myself", ["k.i.l.l", "myself"]),  # letters split by dots stay one word
    ],
)
def test_full_stop_typed_into_the_next_word_ends_the_sentence(
    text: str, expected: list[str]
) -> None:
    assert [t.text for t in raw_tokens(text)] == expected
    assert TOKEN_RE.findall(fold(text)) == [
        "." if t == "." else t for t in expected]


def test_sentence_typed_without_a_space_gets_its_own_context(detector: Detector) -> None:
    """A past-time cue in the previous sentence must not lower a present one, even when the
    writer left no space after the full stop."""
    assert detector.classify("in college I never stopped trying.my hope is gone"
                             ).tier is Tier.CONCERN
