"""Risk said in everyday words: one's own history, attempt reports, intent without the word
"suicide", means at hand; and the near-miss twins (recovery talk, supportive replies, chores)
that must stay quiet. Each test pins one context rule, not a lexicon row."""

from __future__ import annotations

import pytest

from bot.crisis.detection import Detector, Tier


def tier(detector: Detector, text: str) -> Tier:
    return detector.classify(text).tier


# --- One's own history: past tense keeps it at concern, a survivor's ending lowers it. -------


@pytest.mark.parametrize(
    "text",
    [
        "i was suicidal for most of my twenties",
        "i used to self harm in high school",
        "i tried to kill myself when i was 19",
        "i attempted twice, years ago.",
        "i've been in a psych ward twice",
    ],
)
def test_own_history_told_in_the_past_still_reaches_a_moderator(
    detector: Detector, text: str
) -> None:
    assert tier(detector, text) is Tier.CONCERN


@pytest.mark.parametrize(
    "text",
    [
        "I was suicidal for years and I'm glad I stayed",
        "i used to self harm too and it got better",
        "i attempted once, years ago. today i'm happy i'm here",
    ],
)
def test_history_told_as_over_is_not_flagged(detector: Detector, text: str) -> None:
    """A survivor's ending in the same or the next sentence ("glad I stayed") lowers a
    history the way a past-time cue lowers a present statement."""
    assert tier(detector, text) is Tier.NONE


def test_history_with_present_hopelessness_adds_up_to_a_crisis(detector: Detector) -> None:
    assert tier(detector, "i tried to kill myself when i was 19.") is Tier.CONCERN
    assert tier(detector, "i feel hopeless again") is Tier.CONCERN
    both = "i tried to kill myself when i was 19. today i feel hopeless again"
    assert tier(detector, both) is Tier.CRISIS


def test_history_adds_up_only_with_hopelessness_and_only_close_by(detector: Detector) -> None:
    story = "i was suicidal for years. suicide took my uncle too"
    assert tier(detector, story) is Tier.CONCERN  # history and the topic: still a story
    far = ("i tried to kill myself when i was 19. then i moved. i got a dog. "
           "i started a job. i feel hopeless again")
    assert tier(detector, far) is Tier.CONCERN


# --- "near": a story about dying, not about quitting. ----------------------------------------


def test_tried_and_failed_counts_only_near_words_about_dying(detector: Detector) -> None:
    assert tier(detector, "i tried in college and failed. i wanted to die") is Tier.CONCERN
    assert tier(detector, "i tried and failed to quit so many times") is Tier.NONE
    assert tier(detector, "i've tried and failed before, this time is different") is Tier.NONE


def test_a_near_word_inside_an_idiom_does_not_count(detector: Detector) -> None:
    assert tier(detector, "i tried and failed. i'm dying to see you though") is Tier.NONE


def test_my_last_attempt_is_about_dying_only_near_words_about_dying(detector: Detector) -> None:
    assert tier(detector, "my last attempt at sobriety lasted 9 days") is Tier.NONE
    assert tier(detector, "my first attempt was in college, i wanted to die back then"
                ) is Tier.CONCERN


# --- Attempt reports: means taken, then waking up or failing. --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "failed again. took the pills and just woke up sick",
        "woke up in the er after taking all my pills",
        "i tried again with a rope this morning",
        "i reattempted on sunday and nobody knows",
    ],
)
def test_attempt_reports_page(detector: Detector, text: str) -> None:
    assert tier(detector, text) is Tier.CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "failed again. drank last night after 20 days",  # a relapse, not an attempt
        "took my antibiotics and woke up feeling better",
        "i tried the new sleeping pills and they didn't work",
        "woke up in the hospital after my knee surgery, feeling ok",
    ],
)
def test_relapse_and_medicine_talk_is_not_an_attempt(detector: Detector, text: str) -> None:
    assert tier(detector, text) is Tier.NONE


# --- Intent and means in everyday words. -----------------------------------------------------


def test_the_writer_inside_the_match_is_the_subject(detector: Detector) -> None:
    """"you" before "how suicidal I feel" is not the subject: the pattern names the writer."""
    assert tier(detector, "you don't know how suicidal i feel right now") is Tier.CRISIS
    assert tier(detector, "i know how suicidal you feel right now") is not Tier.CRISIS


def test_checking_out_for_good_is_not_checking_out_of_a_hotel(detector: Detector) -> None:
    assert tier(detector, "i should just check out for good") is Tier.CRISIS
    assert tier(detector, "we check out of the hotel tomorrow morning") is Tier.NONE
    assert tier(detector, "i'm ready to check out for the weekend lol") is Tier.NONE


def test_means_at_hand_pages_and_means_elsewhere_does_not(detector: Detector) -> None:
    assert tier(detector, "i have my 9mm in my lap") is Tier.CRISIS
    assert tier(detector, "my 9mm is at the range this weekend") is Tier.NONE
    assert tier(detector, "i have the pills in my hand right now") is Tier.CRISIS
    assert tier(detector, "if you have the pills in your hand right now, please put them down"
                ) is Tier.NONE


def test_weak_means_and_present_hopelessness_add_up(detector: Detector) -> None:
    assert tier(detector, "bought a rope today") is Tier.CONCERN
    assert tier(detector, "bought rope for the tent this weekend") is Tier.NONE
    assert tier(detector, "my hope is gone. bought a rope today") is Tier.CRISIS


def test_a_reason_for_living_that_only_just_holds(detector: Detector) -> None:
    assert tier(detector, "if it weren't for my kids i'd have killed myself already"
                ) is Tier.CRISIS
    assert tier(detector, "if it wasn't for my sponsor i'd be drinking again") is Tier.NONE
    assert tier(detector, "the only thing keeping me sober is this group") is Tier.NONE


# --- Hopelessness and wound care: concern, and their everyday twins: none. -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my hope is gone", Tier.CONCERN),
        ("my hope is that we all make it to the picnic", Tier.NONE),
        ("don't lose hope, it gets better", Tier.NONE),
        ("i feel so trapped in my own life", Tier.CONCERN),
        ("this song is stuck in my head all day", Tier.NONE),
        ("there's no point anymore", Tier.CONCERN),
        ("there's no point arguing with my brother", Tier.NONE),
        ("i'm so tired of everything.", Tier.CONCERN),
        ("tired of everything being so expensive", Tier.NONE),
        ("my cuts keep opening up at night", Tier.CONCERN),
        ("budget cuts at work again ugh", Tier.NONE),
        ("hang on dude, tomorrow might be it", Tier.CONCERN),  # "dude" calls, is no subject
    ],
)
def test_everyday_distress_and_its_twins(detector: Detector, text: str, expected: Tier) -> None:
    assert tier(detector, text) is expected


# --- Supportive replies about someone else stay off the pager. --------------------------------


def test_a_progressive_after_is_has_someone_else_as_its_subject(detector: Detector) -> None:
    """"X, whom I love, is contemplating suicide": the "I" of the relative clause is not the
    subject; "I was contemplating suicide" still is."""
    assert tier(detector, "my roommate, who i love, is contemplating suicide") is Tier.CONCERN
    assert tier(detector, "i was contemplating suicide last night") is Tier.CRISIS
    assert tier(detector, "all i think about is killing myself") is Tier.CRISIS


def test_comforting_words_are_not_final_words(detector: Detector) -> None:
    assert tier(detector, "feeling hopeless is part of depression. it's not your fault"
                ) is Tier.NONE
    assert tier(detector, "love you all, see you at the meeting") is Tier.NONE
    assert tier(detector, "goodbye everyone. i love you all") is Tier.CRISIS
    assert tier(detector, "there is no easy way to die, please stay with us") is Tier.NONE
