"""Read and check the lexicon: the built-in data file plus an optional community file.

Both files have the same shape (see lexicon.toml): ``[[entry]]`` tables with a stable id, a
tier, a category and a phrase or pattern; ``[classes]`` of words and phrases patterns refer
to; ``[aliases]`` for slang that stands for several words; ``[cues]`` for the context words
(negation, jokes, past tense...) that lower a match's tier. A community file adds entries and
extends classes, aliases and cues; ``disabled`` removes built-in entries by id.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .model import Tier

CUE_KINDS = ("negation", "first_person", "other_person", "distant", "resolved", "recent",
             "hypothetical", "joke", "game", "music", "clause")
SINGLE_WORD_CUES = ("first_person", "other_person", "clause")
_ENTRY_KEYS = {"id", "tier", "category", "phrase", "pattern", "negatable", "person", "when",
               "near", "suppress", "note"}
_TOP_KEYS = {"version", "entry", "classes", "aliases", "cues"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_CATEGORY = re.compile(r"^[a-z][a-z_]*$")
_WORD = re.compile(r"^[a-z0-9]+$")
BUILTIN_NAME = "lexicon.toml"


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file, entry and problem."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase or pattern and what a match of it means."""

    id: str
    tier: Tier
    category: str
    pattern: str
    source: str
    negatable: bool = True
    person: str = "first"  # "first": lowered when someone else is the subject; "any": never
    when: str = "now"  # "now": lowered by past-time cues; "any": a history, told as past
    near: str | None = None  # a pattern that must also match within a few sentences
    suppress: bool = False  # matches of other entries inside this one's span are dropped


@dataclass(slots=True)
class Lexicon:
    """Everything the detector compiles; classes, aliases and cues merged across files."""

    entries: list[Entry] = field(default_factory=list)
    classes: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)


def load_lexicon(extra: Path | None = None, disabled: Iterable[str] = ()) -> Lexicon:
    """The built-in lexicon, extended by ``extra`` and trimmed by ``disabled`` ids."""
    lexicon = Lexicon(cues={kind: [] for kind in CUE_KINDS})
    builtin = resources.files(__package__).joinpath(BUILTIN_NAME).read_bytes()
    _merge(lexicon, _parse(builtin, BUILTIN_NAME), BUILTIN_NAME)
    if extra is not None:
        try:
            data = extra.read_bytes()
        except OSError as exc:
            raise LexiconError(f"{extra}: cannot read the file: {exc.strerror}") from None
        _merge(lexicon, _parse(data, str(extra)), str(extra))
    drop = set(disabled)
    unknown = drop - {entry.id for entry in lexicon.entries}
    if unknown:
        raise LexiconError(f"disabled: no entry with id {', '.join(sorted(unknown))}")
    lexicon.entries = [entry for entry in lexicon.entries if entry.id not in drop]
    return lexicon


def _parse(data: bytes, source: str) -> dict[str, object]:
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise LexiconError(f"{source}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(parsed) - _TOP_KEYS
    if unknown:
        raise LexiconError(f"{source}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    return parsed


def _merge(lexicon: Lexicon, data: Mapping[str, object], source: str) -> None:
    for name, items in _table(data, "classes", source).items():
        lexicon.classes.setdefault(name, []).extend(_strings(items, source, f"class {name}"))
    for word, expansion in _table(data, "aliases", source).items():
        lexicon.aliases[word] = _alias(word, expansion, source)
    for kind, items in _table(data, "cues", source).items():
        if kind not in lexicon.cues:
            raise LexiconError(f"{source}: cues: unknown kind {kind!r} "
                               f"(known: {', '.join(CUE_KINDS)})")
        words = _strings(items, source, f"cues.{kind}")
        if kind in SINGLE_WORD_CUES and any(not _WORD.match(w) for w in words):
            raise LexiconError(f"{source}: cues.{kind}: items must be single words")
        lexicon.cues[kind].extend(words)
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise LexiconError(f"{source}: 'entry' must be an array of tables ([[entry]])")
    seen = {entry.id for entry in lexicon.entries}
    for position, raw in enumerate(raw_entries, start=1):
        entry = _entry(raw, source, position)
        if entry.id in seen:
            raise LexiconError(f"{source}: entry {entry.id!r}: duplicate id")
        seen.add(entry.id)
        lexicon.entries.append(entry)


def _entry(raw: object, source: str, position: int) -> Entry:
    where = f"{source}: entry #{position}"
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: must be a table")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        raise LexiconError(f"{where}: 'id' must be lowercase letters, digits, '.', '-' or '_'")
    where = f"{source}: entry {entry_id!r}"
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    try:
        tier = Tier(raw.get("tier"))
    except ValueError:
        raise LexiconError(f"{where}: 'tier' must be crisis, concern or none") from None
    category = raw.get("category")
    if not isinstance(category, str) or not _CATEGORY.match(category):
        raise LexiconError(f"{where}: 'category' must be a lowercase name such as 'suicide'")
    pattern = _pattern(raw, where)
    person = raw.get("person", "first")
    if person not in ("first", "any"):
        raise LexiconError(f"{where}: 'person' must be 'first' or 'any'")
    when = raw.get("when", "now")
    if when not in ("now", "any"):
        raise LexiconError(f"{where}: 'when' must be 'now' or 'any'")
    near = raw.get("near")
    if near is not None and (not isinstance(near, str) or not near.strip()):
        raise LexiconError(f"{where}: 'near' must be a non-empty pattern")
    flags = {key: raw.get(key, default) for key, default in
             (("negatable", True), ("suppress", tier is Tier.NONE))}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise LexiconError(f"{where}: {key!r} must be true or false")
    return Entry(entry_id, tier, category, pattern, source, person=person, when=when, near=near,
                 **flags)


def _pattern(raw: Mapping[str, object], where: str) -> str:
    phrase, pattern = raw.get("phrase"), raw.get("pattern")
    if (phrase is None) == (pattern is None):
        raise LexiconError(f"{where}: give exactly one of 'phrase' or 'pattern'")
    text = phrase if phrase is not None else pattern
    if not isinstance(text, str) or not text.strip():
        raise LexiconError(f"{where}: the phrase or pattern must be a non-empty string")
    if phrase is not None and not all(_WORD.match(w) for w in text.lower().replace("'", "")
                                      .split()):
        raise LexiconError(f"{where}: a phrase is plain words; use 'pattern' for syntax")
    return text


def _table(data: Mapping[str, object], key: str, source: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise LexiconError(f"{source}: [{key}] must be a table")
    return value


def _strings(items: object, source: str, what: str) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise LexiconError(f"{source}: {what}: must be a list of non-empty strings")
    return list(items)


def _alias(word: str, expansion: object, source: str) -> tuple[str, ...]:
    words = expansion.lower().replace("'", "").split() if isinstance(expansion, str) else []
    if not _WORD.match(word) or not words or not all(_WORD.match(w) for w in words):
        raise LexiconError(f"{source}: aliases.{word}: must map a word to plain words")
    return tuple(words)
