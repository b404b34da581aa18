"""Properties over arbitrary text: never raises, spans inside the text, stable answers."""

from __future__ import annotations

import threading

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.crisis.detection import Detector, Tier
from bot.crisis.detection.context import build_tokens
from bot.crisis.detection.normalize import TOKEN_RE, fold, raw_tokens

# Text biased towards the detector's vocabulary, evasions and awkward characters.
WORDS = st.sampled_from(
    ["i", "want", "to", "die", "kill", "myself", "not", "lol", "pills", "all", "take", "💊",
     "k.i.l.l", "d13", "ｄｉｅ", "\u200b", "é", "\ufffd", "\x00", ".", ",", "!", "'", "\n",
     "goodbye", "gonna", "tonight", "suicidal", "🎵", "you", "never", "800mg", "i'm",
     "tired.i", "2.5mg", "hope.Gone", "o.d"])
CHATTY = st.lists(WORDS | st.text(max_size=6), max_size=30).map(" ".join)
TEXT = st.one_of(st.text(), CHATTY)
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=TEXT)
def test_never_raises_and_spans_are_within_bounds(detector: Detector, text: str) -> None:
    found = detector.classify(text)
    assert found.tier in Tier
    assert (found.tier is Tier.NONE) == (not found.categories)
    for start, end in found.spans:
        assert 0 <= start < end <= len(text)
    assert list(found.spans) == sorted(found.spans)


@SETTINGS
@given(text=TEXT)
def test_answer_is_deterministic(detector: Detector, text: str) -> None:
    assert detector.classify(text) == detector.classify(text)


@SETTINGS
@given(text=TEXT)
@example(text="0 0' 0 0")  # an apostrophe inside spaced-out letters, found by hypothesis
def test_fast_and_located_tokenisations_agree(detector: Detector, text: str) -> None:
    """The pre-filter tokenises folded text without offsets; the reporting path with them.
    They must produce the same canonical words or spans would be wrong."""
    vocab = detector._vocab
    fast = build_tokens(TOKEN_RE.findall(fold(text)), vocab, frozenset()).words
    located = build_tokens([t.text for t in raw_tokens(text)], vocab, frozenset()).words
    assert fast == located
    assert vocab.token_text(TOKEN_RE.findall(fold(text))) == " " + " ".join(fast) + " "


def test_thread_safe_under_concurrent_use(detector: Detector) -> None:
    texts = ["i want to die", "killing it today", "going to take all these pills tonight",
             "my boyfriend hit me again", "good morning"] * 40
    expected = [detector.classify(text) for text in texts]
    fresh = Detector.load()
    results: dict[int, list[object]] = {}

    def work(number: int) -> None:
        results[number] = [fresh.classify(text) for text in texts]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in results.values())
