"""Who says it and how: compositional patterns, idioms, jokes, game talk, lyrics, negation."""

from __future__ import annotations

import pytest

from bot.crisis.detection import Detector, Tier

CRISIS = [
    "I'm going to take all these pills tonight",
    "been saving up my meds for when i'm ready",
    "i've got 40 800mg ibuprofen lined up on my desk",
    "thinking of drinking antifreeze",
    "won't be here tomorrow",
    "giving my stuff away this week",
    "I gave away my cat and most of my things",
    "wrote letters to my kids, they'll understand when I'm gone",  # two signs add up
    "by the time you read this i'll be gone",
    "everyone would be better off without me",
    "my boyfriend hit me again",
    "my roommate isn't breathing, i think he od'd",
    "I have the urge to cut so bad right now",
]
NOT_CRISIS_NONE = [
    "you're killing it with these workouts",
    "I'm dying to see you this weekend",
    "this traffic is killing me",
    "that cheesecake is to die for",
    "i'll sleep when i'm dead",
    "I cut myself shaving again lol",
    "that boss killed me like 12 times",
    "🎵 hello darkness my old friend 🎵",
    "can't stop singing \"i don't want to live forever\" lol",
    "I'm giving away my old clothes to goodwill",
    "I won't be here tomorrow, I've got a dentist appointment",
    "if you're feeling suicidal please call or text 988",
    "please don't kill yourself, we're here for you",
    "I took all my meds this morning like a good boy",
    "i take 3 pills every morning for my blood pressure",
]


@pytest.mark.parametrize("text", CRISIS)
def test_compositional_crisis(detector: Detector, text: str) -> None:
    assert detector.classify(text).tier is Tier.CRISIS


@pytest.mark.parametrize("text", NOT_CRISIS_NONE)
def test_idioms_jokes_games_lyrics_and_support_are_none(detector: Detector, text: str) -> None:
    assert detector.classify(text).tier is Tier.NONE


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal anymore",
        "i would never kill myself, don't worry",
        "I'm not going to kill myself, I promise",
        "i don't have any plans to hurt myself",
        "I didn't take all the pills, I flushed most of them",
        "I don't want to die, I just want the pain to stop",
    ],
)
def test_negation_is_at_most_concern(detector: Detector, text: str) -> None:
    assert detector.classify(text).tier is not Tier.CRISIS


def test_negation_lowers_exactly_one_tier(detector: Detector) -> None:
    assert detector.classify("I'm going to kill myself").tier is Tier.CRISIS
    assert detector.classify("I'm not going to kill myself").tier is Tier.CONCERN


def test_someone_else_as_subject_is_not_the_writer(detector: Detector) -> None:
    assert detector.classify("i want to die").tier is Tier.CRISIS
    assert detector.classify("do you want to die?").tier is Tier.NONE
    assert detector.classify("my friend said she wants to kill herself").tier is Tier.CONCERN


def test_distant_past_lowers_and_recent_past_does_not(detector: Detector) -> None:
    assert detector.classify("i tried to kill myself last night").tier is Tier.CRISIS
    assert detector.classify("i tried to kill myself when i was 16").tier is Tier.CONCERN


def test_categories_and_spans_describe_the_match(detector: Detector) -> None:
    text = "I'm going to take all these pills tonight"
    found = detector.classify(text)
    assert found.categories == ("means",)
    assert [text[a:b] for a, b in found.spans] == ["take all these pills"]


def test_concern_can_be_switched_off() -> None:
    quiet = Detector.load(concern_enabled=False)
    assert quiet.classify("I feel so hopeless lately").tier is Tier.NONE
    assert quiet.classify("i want to die").tier is Tier.CRISIS
    assert Detector.load().classify("I feel so hopeless lately").tier is Tier.CONCERN


def test_never_raises_on_wrong_input_and_asks_for_a_human(detector: Detector) -> None:
    found = detector.classify(None)  # type: ignore[arg-type]
    assert found.tier is Tier.CONCERN
    assert found.categories == ("detector_error",)


def test_quoted_words_are_reported_not_said(detector: Detector) -> None:
    assert detector.classify('he said "i want to die" and left').tier is Tier.CONCERN
    assert detector.classify('You don\'t have to say "I\'m suicidal."').tier is not Tier.CRISIS
    assert detector.classify('"i want to die"').tier is Tier.CRISIS  # only a quote: said
