"""The optional model stage: the NumPy encoder gives sentence-transformers' vectors, and the
stage only ever raises ``none`` to ``concern``, for a writer speaking of themselves."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.crisis.detection import Detection, Detector, Tier
from bot.crisis.detection.cli import run_classify
from bot.crisis.detection.model_stage import (
    INSTALL_HINT,
    ConcernHead,
    ModelStage,
    ModelUnavailable,
    speaks_of_self,
)

REFERENCE = Path(__file__).with_name("data") / "minilm_reference.json"
# Scored well above the head's threshold, and passed by the lexicon.
DESPAIR = ["my life is a mess and I dont know why I bother",
           "I keep messing everything up and I am so sick of myself"]
EVERYDAY = ["day 30 sober today, thank you all!", "see you at the meeting tonight",
            "I had a craving but I called my sponsor", "I miss my dad so much today"]


@pytest.fixture(scope="module")
def stage() -> ModelStage:
    try:
        return ModelStage.load()
    except ModelUnavailable as exc:
        pytest.fail(f"{exc} (the dev group includes it: `uv sync`)")


def test_vectors_match_sentence_transformers(stage: ModelStage) -> None:
    """Reference vectors made by sentence-transformers 6.2 on PyTorch: same model, same maths
    (a fullwidth, emoji and a text past the 256-token limit among them)."""
    import numpy as np

    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    vectors = stage.encoder.encode_many(reference["texts"])
    for ours, theirs in zip(vectors, np.asarray(reference["vectors"]), strict=True):
        assert float(ours @ theirs) > 0.99999
        assert float(np.abs(ours - theirs).max()) < 1e-4


def test_a_batch_gives_each_text_its_own_vector(stage: ModelStage) -> None:
    import numpy as np

    texts = DESPAIR + EVERYDAY + [""]
    together = stage.encoder.encode_many(texts)
    alone = np.stack([stage.encoder.encode(text) for text in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(("text", "expected"), [
    ("I dont see a future for myself", True),
    ("I’m so tired of myself", True),
    ("you're not alone, I felt that way too", False),
    ("if you feel like this please reach out, we care about you", False),
    ("what a day", False),
])
def test_speaks_of_self(text: str, expected: bool) -> None:
    assert speaks_of_self(text) is expected


def test_the_real_head_lifts_despair_and_lets_everyday_chat_pass(
    stage: ModelStage, detector: Detector,
) -> None:
    texts = DESPAIR + EVERYDAY
    found = [detector.classify(text) for text in texts]
    assert all(d.tier is Tier.NONE for d in found)  # else this tests the lexicon
    reviewed = stage.review(texts, found)
    assert reviewed[:2] == [Detection(Tier.CONCERN, ("model",))] * 2
    assert all(d.tier is Tier.NONE for d in reviewed[2:])


def test_it_never_pages_never_overrules_the_lexicon_and_hears_only_the_writer(
    stage: ModelStage,
) -> None:
    eager = ModelStage(stage.encoder, ConcernHead((0.0,) * 384, bias=30.0, threshold=0.5))
    texts = ["I want to die", "I feel hopeless", "I lost my keys", "you lost your keys"]
    found = [Detection(Tier.CRISIS, ("suicide",), ((2, 13),)),
             Detection(Tier.CONCERN, ("hopelessness",), ((2, 15),)),
             Detection(Tier.NONE), Detection(Tier.NONE)]
    assert eager.review(texts, found) == [found[0], found[1],
                                          Detection(Tier.CONCERN, ("model",)), found[3]]
    shy = ModelStage(stage.encoder, ConcernHead((0.0,) * 384, bias=-30.0, threshold=0.5))
    assert shy.review(texts, found) == found


def test_classify_with_model(detector: Detector) -> None:
    out = io.StringIO()
    lines = "\n".join([DESPAIR[0], EVERYDAY[0], "I want to die"]) + "\n"
    assert run_classify(io.StringIO(lines), out, detector, with_model=True) == 0
    tiers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert tiers[0] == {"tier": "concern", "categories": ["model"], "spans": []}
    assert tiers[1]["tier"] == "none" and tiers[2]["tier"] == "crisis"


def test_classify_with_model_missing_says_what_to_install(
    detector: Detector, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    def missing() -> ModelStage:
        raise ModelUnavailable(f"{INSTALL_HINT}; missing: tokenizers")

    monkeypatch.setattr(ModelStage, "load", staticmethod(missing))
    out = io.StringIO()
    assert run_classify(io.StringIO("hello\n"), out, detector, with_model=True) == 2
    assert out.getvalue() == ""
    assert "uv sync --extra model" in capsys.readouterr().err


def test_missing_model_files_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.crisis.detection import encoder

    monkeypatch.setattr(encoder, "bundled_model_dir", lambda: tmp_path)
    with pytest.raises(ModelUnavailable, match=r"could not read the model: .*tokenizer\.json"):
        ModelStage.load()
