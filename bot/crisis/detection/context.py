"""Tokens of one message with their positions, and the context that lowers a match's tier.

A crisis phrase means different things depending on who says it and how: "I want to die" is
not "do you want to die?", not "I used to want to die", not "I don't want to die", and not
"this boss fight makes me want to die lol". Each of those contexts lowers a match by one tier
(someone else as the subject by two), so they reach at most the moderator queue, never a page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate

from .vocab import Vocabulary

Finder = Callable[[str], Iterator[tuple[int, int]]]  # [start, end) of each match
_BE_NOT_I = frozenset({"is", "isnt"})  # never after "I"
_BE_PAST = frozenset({"was", "wasnt"})  # "I was", "she was": the word before tells
Cue = tuple[Finder, frozenset[str] | None]  # finder, and words it needs (None: always run)


@dataclass(slots=True)
class Tokens:
    """Canonical words of a message; index 0 and the last index are sentence sentinels.

    ``source`` is, for each word, the index of the typed token it came from (-1 for the
    sentinels), so spans can be mapped back to the original text only when needed."""

    words: list[str]
    source: list[int]
    sentence: list[int]
    clause: list[int]
    text: str
    offsets: tuple[int, ...]

    def index_at(self, position: int) -> int:
        """The token a character of ``text`` belongs to (a token owns its trailing space)."""
        return bisect_right(self.offsets, position) - 1


def build_tokens(raws: list[str], vocab: Vocabulary, clause_words: frozenset[str]) -> Tokens:
    """Canonical words of the typed tokens ``raws``, with sentences and clauses."""
    rows = [(".", -1, 0, 0)]  # word, source, sentence, clause
    last = "."
    sentence = clause = 0
    canonical = vocab.canonical
    for index, raw in enumerate(raws):
        for word in canonical(raw):
            if word == ",":
                clause += 1
                continue
            if word == ".":
                if last == ".":
                    continue
                sentence += 1
                clause += 1
            elif word in clause_words:
                clause += 1
            rows.append((word, index, sentence, clause))
            last = word
    if last != ".":
        rows.append((".", -1, sentence + 1, clause + 1))
    words, source, sentences, clauses = map(list, zip(*rows, strict=True))
    offsets = accumulate([len(word) + 1 for word in words[:-1]], initial=1)
    return Tokens(words, source, sentences, clauses, " " + " ".join(words) + " ", tuple(offsets))


class Context:
    """Where each kind of cue occurs in one message, and the tier shift they imply. Each kind
    is looked for on first use: most matches are settled without running every cue's regex."""

    def __init__(self, tokens: Tokens, cues: Mapping[str, Cue],
                 first: frozenset[str], other: frozenset[str]) -> None:
        self._t = tokens
        self._cues = cues
        self._first, self._other = first, other
        self._words = set(tokens.words)
        self._quotes = [i for i, word in enumerate(tokens.words) if word == '"']
        self._found: dict[str, list[tuple[int, int]]] = {}

    def _at(self, kind: str) -> list[tuple[int, int]]:
        """First and last token of each cue of one kind in the message."""
        found = self._found.get(kind)
        if found is None:
            find, anchors = self._cues[kind]
            if anchors is not None and anchors.isdisjoint(self._words):
                found = []  # none of the words this cue needs: skip its regex
            else:
                index_at = self._t.index_at
                found = [(index_at(start), index_at(end - 1)) for start, end in find(self._t.text)]
            self._found[kind] = found
        return found

    def shift(self, first: int, *, negatable: bool, person: str, when: str = "now") -> int:
        """Tiers to subtract from a match starting at token ``first``. A match that tells a
        history by design (``when="any"``: "I tried when I was 16") keeps its tier in the
        past tense, unless the story is told as over ("glad I stayed") there or just after."""
        sentence = self._t.sentence[first]
        shift = 0
        if negatable and any(first - 3 <= end < first and self._same_clause(start, first)
                             for start, end in self._at("negation")):
            shift += 1
        if person == "first" and self._other_subject(first):
            shift += 2
        if when == "now":
            past = self._in_sentence("distant", sentence) or self._in_sentence("resolved",
                                                                                sentence)
            shift += past and not self._in_sentence("recent", sentence)
        elif self._in_sentence("resolved", sentence) or self._in_sentence("resolved",
                                                                          sentence + 1):
            shift += 1
        if any(first - 4 <= start and end < first and self._same_clause(start, first)
               for start, end in self._at("hypothetical")):
            shift += 1
        if self._in_sentence("joke", sentence) or self._in_sentence("joke", sentence + 1):
            shift += 1
        if self._quoted(first):
            shift += 1
        shift += self._in_sentence("game", sentence)
        shift += self._in_sentence("music", sentence)
        return shift

    def _quoted(self, first: int) -> bool:
        """Inside double quotes, with the writer's own words around them: someone's words
        reported or sung, not said. A message that is only a quote is taken as said."""
        quotes = self._quotes
        if len(quotes) < 2 or sum(1 for index in quotes if index < first) % 2 == 0:
            return False
        inside = set()
        for opening, closing in zip(quotes[::2], quotes[1::2], strict=False):
            inside.update(range(opening, closing + 1))
        return any(i not in inside and word != "." for i, word in enumerate(self._t.words))

    def _in_sentence(self, kind: str, sentence: int) -> bool:
        return any(self._t.sentence[start] == sentence for start, _ in self._at(kind))

    def _same_clause(self, index: int, first: int) -> bool:
        return self._t.clause[index] == self._t.clause[first]

    def _other_subject(self, first: int) -> bool:
        """Is the nearest person word before the match someone other than the writer? A match
        that opens with a progressive after "is", or "was" not after "I" ("my friend, whom I
        love, is contemplating suicide"), has someone else as its subject, whoever is named in
        between, unless it is reflexive ("all I keep doing is hurting myself")."""
        t = self._t
        be = t.words[first - 1]
        if (be in _BE_NOT_I or (be in _BE_PAST and t.words[first - 2] not in self._first)) and (
                t.words[first].endswith("ing") and "myself" not in t.words[first:first + 4]):
            return True
        for index in range(first, max(first - 8, 0), -1):
            if t.sentence[index] != t.sentence[first] or t.words[index] == ".":
                break
            if t.words[index] in self._first:
                return False
            if t.words[index] in self._other:
                return True
        return False
