"""The crisis-language detector: lexicon entries indexed by anchor word, then context.

Stage 1 (every message): fold, tokenise, and check the typed tokens against the anchor index;
most chat stops here after a few set operations. Stage 2 (messages with an anchor): build the
canonical token string, run only the entries indexed by the anchors present, drop matches
inside idioms, and lower each remaining match by its context (see context.py).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .context import Context, Cue, Tokens, build_tokens
from .lexicon import CUE_KINDS, Entry, Lexicon, LexiconError, load_lexicon
from .model import NOTHING, Detection, Tier
from .normalize import TOKEN_RE, fold, raw_tokens
from .patterns import Compiled, PatternCompiler, PatternError
from .vocab import Vocabulary
from .words import word_cost

log = logging.getLogger(__name__)
# Concern-level signs add up to a crisis when two kinds occur together, one of them concrete.
ACCUMULATING = frozenset({"suicide", "hopelessness", "means", "plan", "goodbye", "self_harm",
                          "overdose", "history"})
CONCRETE = frozenset({"means", "plan", "goodbye", "self_harm", "overdose", "history"})
# A past attempt or past self-harm told as one's own ("history") adds up only with present
# hopelessness: the combination that predicts risk best. With anything else it stays a story.
ONLY_WITH = {"history": frozenset({"hopelessness"})}


def _adds_up(one: str, other: str) -> bool:
    """Two kinds of sign add up when they differ, one is concrete, and a kind that adds up
    only with certain partners (ONLY_WITH) has the other as one of them."""
    if one == other or not CONCRETE.intersection((one, other)):
        return False
    return all(b in ONLY_WITH[a] for a, b in ((one, other), (other, one)) if a in ONLY_WITH)


class _LazyFinder:
    """Finds one pattern's matches in a token string, compiling its regex on first use:
    loading stays fast however large the lexicon.

    A match starts a token, right after a space. The regex takes that space in rather than
    looking behind for it, so that the engine jumps from space to space in C instead of trying
    the pattern at every character."""

    __slots__ = ("_regex", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._regex: re.Pattern[str] | None = None

    def _compiled(self) -> re.Pattern[str]:
        regex = self._regex
        if regex is None:
            regex = self._regex = re.compile(f" (?:{self._source})")
        return regex

    def __call__(self, text: str) -> Iterator[tuple[int, int]]:
        """[start, end) of each match, as finditer gives them for "(?<= )(?:pattern)": the
        next match may start right after the space that ends one."""
        search = self._compiled().search
        match = search(text)
        while match is not None:
            start, end = match.start() + 1, match.end()
            if start == end:  # only optional parts matched: finditer's rules for empty matches
                behind = re.compile(f"(?<= )(?:{self._source})")
                yield from (found.span() for found in behind.finditer(text, start))
                return
            yield start, end
            match = search(text, end - 1)

    def occurs_in(self, text: str) -> bool:
        return self._compiled().search(text) is not None


CANDIDATE_CACHE_LIMIT = 100_000
NEAR_SENTENCES = 3  # an entry's "near" pattern counts this many sentences either side


@dataclass(frozen=True, slots=True)
class _Rule:
    entry: Entry
    find: _LazyFinder
    requires: tuple[frozenset[str], ...]  # a message needs a word of each set as well
    near: _LazyFinder | None = None  # and, close to each match, a match of this


_Decision = tuple[int, list["_Hit"], Tokens]  # level, matches that reach it, tokens


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: _Rule
    first: int
    last: int


class Detector:
    """Classifies one message at a time; pure, thread-safe, never raises."""

    def __init__(self, lexicon: Lexicon, *, concern_enabled: bool = True) -> None:
        compiler = PatternCompiler(lexicon.classes, word_cost)
        for name in lexicon.classes:
            _compile(compiler, f"<{name}>", f"lexicon class <{name}>")
        self._rules: list[_Rule] = []
        self._index: dict[str, list[int]] = {}
        for entry in lexicon.entries:
            near = None
            if entry.near is not None:
                near = _compile(compiler, entry.near, f"{entry.source}: entry {entry.id!r} near")
            for compiled in _compile_entry(compiler, entry):
                for anchor in compiled.anchors or ():
                    self._index.setdefault(anchor, []).append(len(self._rules))
                needs = compiled.requires
                if near is not None and near.anchors is not None:
                    needs += (near.anchors,)
                requires = tuple(words for words in needs
                                 if not any(word.endswith("*") for word in words))
                self._rules.append(_Rule(entry, _finder(compiled.regex), requires,
                                         near and _finder(near.regex)))
        self._cues = {kind: _compile_cue(compiler, kind, lexicon.cues[kind])
                      for kind in CUE_KINDS}
        self._first = frozenset(lexicon.cues["first_person"])
        self._other = frozenset(lexicon.cues["other_person"])
        self._clause = frozenset(lexicon.cues["clause"])
        words = compiler.words | {w for ws in lexicon.aliases.values() for w in ws}
        self._stems = tuple(a[:-1] for a in self._index if a.endswith("*"))
        self._anchor_words = frozenset(a for a in self._index if not a.endswith("*"))
        relevant = self._anchor_words.union(*(need for r in self._rules for need in r.requires))
        self._vocab = Vocabulary(words, lexicon.aliases, self._anchor_words, relevant,
                                 self._stems)
        self._concern = concern_enabled
        # Chat repeats the same few lexicon words ("today", "going", "tonight") in endless
        # combinations; the entries a combination can start are worked out once.
        self._candidate_cache: dict[frozenset[str], list[_Rule]] = {}

    @classmethod
    def load(cls, *, extra_lexicon: Path | None = None, disabled: Iterable[str] = (),
             concern_enabled: bool = True) -> Detector:
        """The built-in lexicon plus a community file; raises LexiconError if either is bad."""
        return cls(load_lexicon(extra_lexicon, disabled), concern_enabled=concern_enabled)

    @property
    def rule_count(self) -> int:
        return len(self._rules)

    def classify(self, text: str) -> Detection:
        """Tier, categories and spans for one message. An internal failure is logged (where
        and what kind, never the text or the error's message, which may quote it) and
        answered with ``concern`` so that a person still looks."""
        try:
            return self._classify(text)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("crisis detector failed: %s at %s:%s", type(exc).__name__,
                      Path(where.filename).name, where.lineno)
            return Detection(Tier.CONCERN, ("detector_error",)) if self._concern else NOTHING

    def _classify(self, text: str) -> Detection:
        raws = TOKEN_RE.findall(fold(text))
        if not self._vocab.any_anchor(raws):
            return NOTHING
        rules = self._candidates(self._vocab.relevant_words(raws))
        if not rules:
            return NOTHING
        quick = self._vocab.token_text(raws)
        if not any(rule.find.occurs_in(quick) for rule in rules):
            return NOTHING
        decided = self._decide(raws, rules)
        if decided is None:
            return NOTHING
        located = raw_tokens(text)  # offsets only now that something will be reported
        if len(located) != len(raws):  # folding differed: decide again on the located tokens
            raws = [raw.text for raw in located]
            decided = self._decide(raws, self._candidates(self._vocab.relevant_words(raws)))
            if decided is None:
                return NOTHING
        level, kept, tokens = decided
        categories = tuple(sorted({hit.rule.entry.category for hit in kept}))
        spans = _merge_spans((located[tokens.source[h.first]].start,
                              located[tokens.source[h.last]].end) for h in kept)
        return Detection(Tier.from_level(level), categories, spans)

    def _decide(self, raws: list[str], rules: list[_Rule]) -> _Decision | None:
        """The tier level and the matches that reach it, or None for no tier."""
        tokens = build_tokens(raws, self._vocab, self._clause)
        found = self._match(tokens, rules)
        blocks = [(h.first, h.last) for h in found if h.rule.entry.suppress]
        hits = _with_context(tokens, self._suppress(found), blocks)
        if not hits:
            return None
        context = Context(tokens, self._cues, self._first, self._other)
        scored = []
        for hit in hits:
            entry = hit.rule.entry
            level = entry.tier.level - context.shift(hit.first, negatable=entry.negatable,
                                                     person=entry.person, when=entry.when)
            if level > 0:
                scored.append((level, hit))
        level = max((level for level, _ in scored), default=0)
        plain = [hit for lvl, hit in scored if lvl == hit.rule.entry.tier.level == 1]
        if level == 1 and _independent_signs(tokens, plain):
            level = 2
        floor = 1 if self._concern else 2
        if level < floor:
            return None
        return level, [hit for lvl, hit in scored if lvl >= floor], tokens

    def _candidates(self, words: frozenset[str]) -> list[_Rule]:
        """Entries whose anchor and every other required element have a word in the message,
        remembered per set of words (the answer depends on nothing else)."""
        found = self._candidate_cache.get(words)
        if found is None:
            if len(self._candidate_cache) > CANDIDATE_CACHE_LIMIT:
                self._candidate_cache.clear()
            found = self._candidate_cache[words] = self._find_candidates(words)
        return found

    def _find_candidates(self, words: frozenset[str]) -> list[_Rule]:
        numbers: set[int] = set()
        for word in self._anchor_words.intersection(words):
            numbers.update(self._index[word])
        for stem in self._stems:
            if any(word.startswith(stem) for word in words):
                numbers.update(self._index[stem + "*"])
        found = []
        for number in numbers:
            rule = self._rules[number]
            for need in rule.requires:
                if need.isdisjoint(words):
                    break
            else:
                found.append(rule)
        # Idioms only ever remove matches: alone, they cannot make a detection.
        return found if any(rule.entry.tier is not Tier.NONE for rule in found) else []

    def _match(self, tokens: Tokens, rules: list[_Rule]) -> list[_Hit]:
        hits = []
        for rule in rules:
            for start, end in rule.find(tokens.text):
                first, last = tokens.index_at(start), tokens.index_at(end - 1)
                while first < last and tokens.words[first] == ".":
                    first += 1
                while last > first and tokens.words[last] == ".":
                    last -= 1
                if tokens.words[first] != ".":
                    hits.append(_Hit(rule, first, last))
        return hits

    @staticmethod
    def _suppress(hits: list[_Hit]) -> list[_Hit]:
        """Drop matches that overlap an idiom ("killing it") or another suppressing entry."""
        blocks = [(h.first, h.last) for h in hits if h.rule.entry.suppress]
        return [
            h for h in hits
            if h.rule.entry.tier is not Tier.NONE
            and (h.rule.entry.suppress or not any(a <= h.last and h.first <= b
                                                  for a, b in blocks))
        ]


def _with_context(tokens: Tokens, hits: list[_Hit],
                  blocks: list[tuple[int, int]]) -> list[_Hit]:
    """Drop matches of entries with a ``near`` pattern that does not match close by ("I tried
    and failed" is a story about dying only next to words about dying, not about quitting).
    A near match inside an idiom or other suppressing entry (``blocks``) does not count."""
    if all(hit.rule.near is None for hit in hits):
        return hits
    kept = []
    for hit in hits:
        near = hit.rule.near
        if near is None:
            kept.append(hit)
            continue
        sentence = tokens.sentence[hit.first]
        for start, end in near(tokens.text):
            first, last = tokens.index_at(start), tokens.index_at(end - 1)
            if (abs(tokens.sentence[first] - sentence) <= NEAR_SENTENCES
                    and not any(a <= last and first <= b for a, b in blocks)):
                kept.append(hit)
                break
    return kept


def _independent_signs(tokens: Tokens, hits: list[_Hit]) -> bool:
    """Two different kinds of warning sign close together (a noose and a goodbye, letters to
    family and "when I'm gone") add up to a crisis even when neither does alone. Only signs
    that no context lowered count: a negated or past sign adds nothing."""
    seen: dict[str, int] = {}
    for hit in hits:
        category = hit.rule.entry.category
        if category not in ACCUMULATING:
            continue
        sentence = tokens.sentence[hit.first]
        if any(abs(sentence - where) <= 2 and _adds_up(category, other)
               for other, where in seen.items()):
            return True
        seen[category] = sentence
    return False


def _merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _compile_entry(compiler: PatternCompiler, entry: Entry) -> list[Compiled]:
    where = f"{entry.source}: entry {entry.id!r}"
    try:
        alternatives = compiler.compile_alternatives(entry.pattern)
    except PatternError as exc:
        raise LexiconError(f"{where}: {exc}") from None
    if any(alternative.anchors is None for alternative in alternatives):
        raise LexiconError(f"{where}: the pattern needs at least one required word in every "
                           "alternative (not only optional parts, gaps or numbers)")
    return alternatives


def _compile_cue(compiler: PatternCompiler, kind: str, items: list[str]) -> Cue:
    """One regex for a kind of cue, longest items first, and the words it needs."""
    items = items or ["#num #num #num #num #num #num"]  # an empty kind never matches
    pattern = "(" + "|".join(sorted(items, key=len, reverse=True)) + ")"
    compiled = _compile(compiler, pattern, f"cues.{kind}")
    anchors = compiled.anchors
    if anchors is not None and any(word.endswith("*") for word in anchors):
        anchors = None  # prefixes ("lol*") cannot be checked against the word set
    return _finder(compiled.regex), anchors


def _compile(compiler: PatternCompiler, pattern: str, where: str) -> Compiled:
    try:
        return compiler.compile(pattern)
    except PatternError as exc:
        raise LexiconError(f"{where}: {exc}") from None


def _finder(regex: str) -> _LazyFinder:
    return _LazyFinder(regex)
