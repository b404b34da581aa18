"""Map typed tokens to the lexicon's canonical words: leetspeak, elongation, separators, slang.

Only tokens that can become a lexicon word are rewritten; everything else passes through. The
answers are memoised per typed token, so ordinary chat costs a set lookup per word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import chain

_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                         "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "8": "b"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t",
                         "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "8": "b"})
_LEET_CHARS = frozenset("0134578@$!|+")
_RUN_SHAPE = re.compile(r"^[a-z0-9$@](?:[ ]?[.\-_*~/|•· ][ ]?[a-z0-9$@])+$")
_RUN_SEPARATORS = re.compile(r"[ .\-_*~/|•·]")
_REPEATS = re.compile(r"(.)\1+")
_ELONGATED = re.compile(r"(.)\1\1")
_DOSE = re.compile(r"^(\d+)(mg|mcg|ml|g|gs)$")
_CACHE_LIMIT = 200_000


def squeeze(word: str) -> str:
    """Collapse repeated characters ("sooo" -> "so", "kill" -> "kil") for elongation lookups."""
    return _REPEATS.sub(r"\1", word)


class _Memo(dict[str, tuple[str, ...]]):
    """Canonical words per typed token, computed on first lookup; forgets all when full."""

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, raw: str) -> tuple[str, ...]:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        found = self[raw] = self._compute(raw)
        return found


class Vocabulary:
    """Canonicalises typed tokens against the words the lexicon mentions."""

    def __init__(self, words: Iterable[str], aliases: Mapping[str, tuple[str, ...]],
                 anchors: Iterable[str], relevant: Iterable[str], prefixes: Iterable[str]
                 ) -> None:
        self._words = frozenset(words) | frozenset(aliases)
        self._aliases = dict(aliases)
        self._relevant = frozenset(relevant)
        self._plain = self._relevant - frozenset(aliases)  # typed as is = canonical as is
        self._known: set[str] = set(self._plain)  # plain words and tokens that lead nowhere
        self._anchors = frozenset(anchors)
        self._anchor_raws: set[str] = set(self._anchors - frozenset(aliases))
        self._no_anchor_raws: set[str] = set()
        self._prefixes = tuple(sorted(set(prefixes)))
        self._squeezed: dict[str, str] = {}
        for word in sorted(self._words, key=len):
            self._squeezed.setdefault(squeeze(word), word)
        self._by_length: dict[int, list[str]] = {}
        for word in self._words:
            self._by_length.setdefault(len(word), []).append(word)
        # Canonical words for one typed token (aliases may expand to several): once a token
        # has been seen, one dict lookup in C, with no Python call around it.
        self.canonical: Callable[[str], tuple[str, ...]] = _Memo(self._compute).__getitem__

    def is_relevant(self, word: str) -> bool:
        """Whether the candidate check looks at this canonical word (anchor or required)."""
        return word in self._relevant or any(word.startswith(p) for p in self._prefixes)

    def any_anchor(self, raws: list[str]) -> bool:
        """Fast pre-filter: can any typed token start a lexicon match? Answers from two sets
        of typed tokens seen before, so ordinary chat costs two set operations."""
        if not self._anchor_raws.isdisjoint(raws):
            return True
        if self._no_anchor_raws.issuperset(raws):
            return False
        found = False
        for raw in set(raws).difference(self._no_anchor_raws):
            if any(self.is_anchor(word) for word in self.canonical(raw)):
                self._anchor_raws.add(raw)
                found = True
            else:
                if len(self._no_anchor_raws) > _CACHE_LIMIT:
                    self._no_anchor_raws.clear()
                self._no_anchor_raws.add(raw)
        return found

    def is_anchor(self, word: str) -> bool:
        return word in self._anchors or any(word.startswith(p) for p in self._prefixes)

    def relevant_words(self, raws: list[str]) -> frozenset[str]:
        """Canonical words of a message that the candidate check looks at, frozen: they are
        the key of the detector's candidate cache.

        Typed tokens that are lexicon words as typed are found by one set intersection;
        tokens known to lead nowhere are dropped by one set difference; only the rest (slang,
        leetspeak, tokens never seen before) are looked at one by one."""
        words = self._plain.intersection(raws)
        if self._known.issuperset(raws):
            return words
        more: set[str] = set()
        for raw in set(raws).difference(self._known):
            canonical = self.canonical(raw)
            if any(self.is_relevant(word) for word in canonical):
                more.update(canonical)
            else:
                if len(self._known) > _CACHE_LIMIT:
                    self._known = set(self._plain)
                self._known.add(raw)
        return words.union(more)

    def token_text(self, raws: list[str]) -> str:
        """The token string patterns run on (see context.build_tokens), without offsets:
        enough to learn cheaply whether any pattern matches at all."""
        parts = ["."]
        for word in chain.from_iterable(map(self.canonical, raws)):
            if word != "," and not (word == "." == parts[-1]):
                parts.append(word)
        if parts[-1] != ".":
            parts.append(".")
        return " " + " ".join(parts) + " "

    def _compute(self, raw: str) -> tuple[str, ...]:
        if raw in (".", ","):
            return (raw,)
        if raw[0] in ".!?;\n\r":
            return (".",)
        word = raw.replace("'", "")
        dose = _DOSE.match(word)
        if dose:
            return dose.group(1), dose.group(2)
        is_run = bool(_RUN_SHAPE.match(word))
        if is_run:
            word = _RUN_SEPARATORS.sub("", word)
        known = self._known_variant(word)
        if known is not None:
            return self._aliases.get(known, (known,))
        if is_run:
            split = self._split(word)
            if split:
                return split
        return (word,) if word else (raw,)

    def _known_variant(self, word: str) -> str | None:
        candidates = [word]
        if _LEET_CHARS.intersection(word) and not word.isdigit():
            candidates += [word.translate(_LEET_I), word.translate(_LEET_L)]
        for candidate in candidates:
            if candidate in self._words:
                return candidate
            if _ELONGATED.search(candidate):  # only "sooo", never "nose" -> "noose"
                squeezed = self._squeezed.get(squeeze(candidate))
                if squeezed is not None:
                    return squeezed
            if "*" in candidate:
                wild = self._wildcard(candidate)
                if wild is not None:
                    return wild
        return None

    def _wildcard(self, word: str) -> str | None:
        """A censored word ("k*ll", "s*icide"): each "*" stands for one letter."""
        pattern = re.compile(re.escape(word).replace(r"\*", "[a-z]"))
        matches = [w for w in self._by_length.get(len(word), ()) if pattern.fullmatch(w)]
        return matches[0] if len(matches) == 1 else None

    def _split(self, word: str) -> tuple[str, ...] | None:
        """Letters typed apart and run together ("k i l l m y s e l f") into two words."""
        for cut in range(1, len(word)):
            left, right = self._known_variant(word[:cut]), self._known_variant(word[cut:])
            if left is not None and right is not None:
                return self._aliases.get(left, (left,)) + self._aliases.get(right, (right,))
        return None
