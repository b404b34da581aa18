"""A small pattern language over canonical tokens, compiled to regular expressions.

Organisers write patterns as words, not regex: ``<i> <adv>* (want|need) to <die>``. Matching
runs on the token string " . i want to die . " (each token followed by one space; "." marks a
sentence boundary, "," a clause boundary), so a pattern can only match whole words. Each
pattern also yields its *anchors*: a set of words of which every match must contain one. The
detector indexes entries by anchor and never runs a pattern on a message without its anchor.

Syntax: ``word``; ``pref*`` (any word starting with pref); ``<class>``; ``(a b|c|<d>)``;
any element followed by ``?`` (optional); a class or group followed by ``*`` (zero to three
times); ``~N`` (up to N words, within the sentence); ``~~N`` (up to N words, across
sentences); ``.`` (sentence boundary or start/end); ``#num`` (a number); ``#many`` (10 or
more); ``#few`` (1 to 9); ``!x`` (the next word is not x).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_LEXER = re.compile(
    r"\s*(~~\d+|~\d+|<[a-z_][a-z0-9_]*>[?*]?|#[a-z]+|\)[?*]|[()|!.]|[a-z0-9']+\*?\??)"
)
_WORD = re.compile(r"^[a-z0-9']+$")
_GAP_TOKEN = r"[^ .][^ ]* "
_ANY_TOKEN = r"[^ ]+ "
_NUM = r"\d+ "
_SPECIAL = {"#num": r"\d+ ", "#many": r"[1-9]\d+ ", "#few": r"[1-9] "}


class PatternError(ValueError):
    """A pattern or class that cannot be compiled; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled element: regex source, anchor words (None: cannot anchor) and their cost.

    ``requires``: for a sequence, the anchor words of each other required element; a message
    needs one word of every set as well as an anchor before the regex is worth running."""

    regex: str
    anchors: frozenset[str] | None
    cost: int
    consumes: bool = True
    requires: tuple[frozenset[str], ...] = ()


class PatternCompiler:
    """Compiles patterns against a set of named classes (each a list of patterns)."""

    def __init__(self, classes: Mapping[str, list[str]], cost: Callable[[str], int]) -> None:
        self._classes = classes
        self._cost = cost
        self._done: dict[str, Compiled] = {}
        self._busy: set[str] = set()
        self.words: set[str] = set()  # every literal word seen, for canonicalisation
        self.prefixes: set[str] = set()

    def compile(self, pattern: str) -> Compiled:
        """Compile one pattern; raises PatternError with a readable reason."""
        tokens = _lex(pattern)
        result, rest = self._sequence(tokens)
        if rest:
            raise PatternError(f"unexpected {rest[0]!r}")
        if not result.regex:
            raise PatternError("pattern is empty")
        return result

    def compile_alternatives(self, pattern: str) -> list[Compiled]:
        """Like compile, but a pattern that is one group "(a|b|c)" comes back as one compiled
        sequence per alternative, so each can be indexed by its own rare words."""
        whole = self.compile(pattern)
        tokens = _lex(pattern)
        if tokens[0] != "(" or _closing(tokens) != len(tokens) - 1:
            return [whole]
        alternatives, rest = [], tokens[1:]
        while rest:
            alternative, rest = self._sequence(rest)
            alternatives.append(alternative)
            rest = rest[1:]
        return alternatives

    def _sequence(self, tokens: list[str]) -> tuple[Compiled, list[str]]:
        parts: list[Compiled] = []
        while tokens and tokens[0] not in ("|", ")", ")?", ")*"):
            element, tokens = self._element(tokens)
            parts.append(element)
        required = sorted((p for p in parts if p.consumes and p.anchors is not None),
                          key=lambda p: p.cost)
        regex = "".join(p.regex for p in parts)
        if not required:
            return Compiled(regex, None, 10**9), tokens
        requires = tuple(p.anchors for p in required[1:] if p.anchors is not None)
        return Compiled(regex, required[0].anchors, required[0].cost, requires=requires), tokens

    def _element(self, tokens: list[str]) -> tuple[Compiled, list[str]]:
        head, tokens = tokens[0], tokens[1:]
        if head == "!":
            if not tokens:
                raise PatternError("'!' must be followed by a word, class or group")
            inner, tokens = self._element(tokens)
            return Compiled(f"(?!{inner.regex})", None, 0, consumes=False), tokens
        if head == "(":
            return self._group(tokens)
        return self._atom(head), tokens

    def _group(self, tokens: list[str]) -> tuple[Compiled, list[str]]:
        alternatives: list[Compiled] = []
        while True:
            alternative, tokens = self._sequence(tokens)
            alternatives.append(alternative)
            if not tokens:
                raise PatternError("unclosed '('")
            head, tokens = tokens[0], tokens[1:]
            if head != "|":
                break
        union = _union(alternatives)
        if head == ")*":
            return _repeat(union), tokens
        return (_optional(union) if head == ")?" else union), tokens

    def _atom(self, token: str) -> Compiled:
        if token.startswith("~"):
            gap = _ANY_TOKEN if token.startswith("~~") else _GAP_TOKEN
            count = int(token.lstrip("~"))
            return Compiled(f"(?:{gap}){{0,{count}}}", None, 0, consumes=False)
        if token == ".":
            return Compiled(r"[.] ", None, 0, consumes=False)
        if token in _SPECIAL:
            return Compiled(_SPECIAL[token], None, 10**9)
        if token.startswith("#"):
            raise PatternError(f"unknown special {token!r} (known: #num, #many, #few)")
        if token.startswith("<"):
            name = token[1:token.index(">")]
            compiled = self._class(name)
            if token.endswith("*"):
                return _repeat(compiled)
            return _optional(compiled) if token.endswith("?") else compiled
        optional = token.endswith("?")
        word = token.rstrip("?").replace("'", "")
        if word.endswith("*"):
            stem = word[:-1]
            self.prefixes.add(stem)
            compiled = Compiled(f"{re.escape(stem)}[^ ]* ", frozenset({stem + "*"}), 1)
        else:
            self.words.add(word)
            compiled = Compiled(f"{re.escape(word)} ", frozenset({word}), self._cost(word))
        return _optional(compiled) if optional else compiled

    def _class(self, name: str) -> Compiled:
        if name in self._done:
            return self._done[name]
        if name not in self._classes:
            raise PatternError(f"unknown class <{name}>")
        if name in self._busy:
            raise PatternError(f"class <{name}> refers to itself")
        self._busy.add(name)
        try:
            items = [self._item(name, item) for item in self._classes[name]]
        finally:
            self._busy.discard(name)
        if not items:
            raise PatternError(f"class <{name}> is empty")
        self._done[name] = _union(items)
        return self._done[name]

    def _item(self, name: str, item: str) -> Compiled:
        try:
            return self.compile(item)
        except PatternError as exc:
            raise PatternError(f"in class <{name}>, item {item!r}: {exc}") from None


def _lex(pattern: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = pattern.strip().lower()
    while position < len(text):
        match = _LEXER.match(text, position)
        if not match or match.end() == position:
            raise PatternError(f"cannot read {text[position:position + 12]!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _closing(tokens: list[str]) -> int:
    """Index of the token that closes the group opened by ``tokens[0]``."""
    depth = 0
    for index, token in enumerate(tokens):
        depth += token == "("
        depth -= token.startswith(")")
        if depth == 0:
            return index if token == ")" else -1
    return -1


def _union(items: list[Compiled]) -> Compiled:
    """Alternatives: anchored only if every alternative is."""
    regex = "(?:" + "|".join(i.regex for i in items) + ")"
    if any(i.anchors is None for i in items):
        return Compiled(regex, None, 10**9)
    anchors = frozenset().union(*(i.anchors or () for i in items))
    return Compiled(regex, anchors, sum(i.cost for i in items))


def _repeat(item: Compiled) -> Compiled:
    return Compiled(f"(?:{item.regex}){{0,3}}", None, 0, consumes=False)


def _optional(item: Compiled) -> Compiled:
    return Compiled(f"(?:{item.regex})?", None, 0, consumes=False)
