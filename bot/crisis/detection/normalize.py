"""Fold text to plain lowercase ASCII words while remembering where each piece came from.

People in crisis do not type clean text, and people evading a filter type it on purpose:
fullwidth or look-alike letters, zero-width characters, accents, emoji. Everything here maps
one original character to zero or more folded characters, so every match can be reported as
[start, end) offsets into the text exactly as the member wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from typing import NamedTuple

# Emoji that carry meaning for this detector become words; laughing faces become "lol" so that
# a joke reads as a joke. The folded text keeps spaces around them so they are whole tokens.
EMOJI_WORDS: dict[str, str] = {
    "💊": "pills", "💉": "needle", "🔪": "knife", "🗡": "knife", "🔫": "gun", "🪢": "rope",
    "🩸": "blood", "🌉": "bridge", "⚰": "coffin", "🪦": "grave", "☠": "skull", "💀": "lol",
    "😂": "lol", "🤣": "lol", "😆": "lol", "😹": "lol", "😜": "lol", "🙃": "lol", "😝": "lol",
    "🎵": "song", "🎶": "song", "🎤": "song", "🎸": "song", "🎧": "song", "♪": "song",
    "♫": "song", "🎮": "game", "🕹": "game", "👋": "bye", "💔": "heartbroken",
}

_APOSTROPHES = frozenset("'’‘ʼ`´′")
_QUOTES = frozenset("“”„«»‟″")
# Look-alikes that Unicode's confusables data maps to other non-Latin letters.
_EXTRA_LOOKALIKES = {"к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "ᴋ": "k", "ʟ": "l"}
_LATIN_NAME = re.compile(r"^LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])$")


def _skeleton(ch: str) -> str:
    """Return the ASCII letter or digit ``ch`` is visually confusable with, or ``ch`` itself.

    Walks Unicode's confusables graph (TR39 data, via confusable-homoglyphs) a few steps,
    because TR39 maps e.g. Cyrillic ka to Latin kra rather than to k.
    """
    from confusable_homoglyphs import confusables  # deferred: 40 ms, only for rare characters

    seen, queue = {ch}, deque([(ch, 0)])
    while queue:
        cur, depth = queue.popleft()
        if cur in _EXTRA_LOOKALIKES:
            return _EXTRA_LOOKALIKES[cur]
        named = _LATIN_NAME.match(unicodedata.name(cur, "")) if len(cur) == 1 else None
        if cur.isascii() and cur.isalnum():
            return cur.lower()
        if named:
            return named.group(1).lower()
        found = confusables.is_confusable(cur, greedy=True) if depth < 3 else False
        for glyph in found[0]["homoglyphs"] if found else ():
            if glyph["c"] not in seen:
                seen.add(glyph["c"])
                queue.append((glyph["c"], depth + 1))
    return ch


def fold_char(ch: str) -> str:
    """Fold one character: emoji words, case, compatibility forms, accents, look-alikes.
    ASCII folds exactly as ``str.lower`` does, so both tokenisations agree."""
    if ch.isascii():
        return ch.lower()
    if ch in EMOJI_WORDS:
        return f" {EMOJI_WORDS[ch]} "
    if ch in _APOSTROPHES:
        return "'"
    if ch in _QUOTES:
        return '"'
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me"):  # zero-width, joiners, variation selectors, accents
        return ""
    if category in ("Cc", "Cs", "Zs", "Zl", "Zp"):
        return "\n" if ch in "\n\r\u2028\u2029\x0b\x0c\x85" else " "
    folded = unicodedata.normalize("NFKC", ch).casefold()
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", folded) if unicodedata.category(c) != "Mn"
    )
    if stripped.isascii():
        return stripped
    return "".join(c if c.isascii() else _skeleton(c) for c in stripped)


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each code point the first time it is seen."""

    def __missing__(self, code: int) -> str:
        value = fold_char(chr(code))
        self[code] = value
        return value


FOLD_TABLE = _FoldTable()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(match: re.Match[str]) -> str:
    return FOLD_TABLE[ord(match.group())]


def fold(text: str) -> str:
    """Folded text without offsets or apostrophes ("i'm" -> "im", as canonical words are):
    the fast path for deciding whether to look closer. Lowercasing first is safe because
    folding a character and its lowercase gives the same letters."""
    folded = text.lower()
    if not folded.isascii():
        folded = _NON_ASCII.sub(_fold_match, folded)
    return folded.replace("'", "")


# Characters that may fold to more or fewer than one: all but ASCII, and apostrophes.
_RESIZING = re.compile(r"[^\x00-\x26\x28-\x7f]")


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """Folded text and, unless folding kept every index, the original index of each char.
    Apostrophes go, as in ``fold``: "0 0' 0 0" must split into the same tokens on both paths.
    Only the characters between ASCII stretches are looked at one by one."""
    if text.isascii() and "'" not in text:
        return text.lower(), None
    pieces: list[str] = []
    origin: list[int] = []
    done = 0
    for match in _RESIZING.finditer(text):
        index = match.start()
        piece = FOLD_TABLE[ord(match.group())] if match.group() != "'" else ""
        pieces += (text[done:index].lower(), piece)
        origin += range(done, index)
        origin += [index] * len(piece)
        done = index + 1
    pieces.append(text[done:].lower())
    origin += range(done, len(text))
    return "".join(pieces), origin


# Word-ish tokens of folded text. Alternatives, in order: words of two or more characters
# with leetspeak symbols inside ("k!ll", "$uicide", "pill$"; first because most tokens are
# these), letters split by punctuation ("k.i.l.l", "o.d"), four or more single letters split
# by spaces ("k i l l"), single characters, boundaries (sentence, comma) and double quotes.
# A full stop typed straight into the next word ("so tired.i give up", as phones and copied
# text often have it) still ends the sentence; one between digits ("2.5mg") does not.
# The regex opens with the first character of every token and each alternative goes on after
# it (a lookbehind tells which kind it was): a regex that starts with a character class lets
# the engine skip spaces and other punctuation in C instead of trying every alternative at
# every position, which makes tokenising a third faster. "(?<![\w$@].)" after the first
# character says what "(?<![\w$@])" says before it. The repeats that end a word are possessive
# ("*+"): nothing after them could make them give back, and they spare the engine the
# bookkeeping for backtracking.
TOKEN_RE = re.compile(
    r"[a-z0-9$@.!?;\n\r,\"]"  # the first character of any token; after a letter or digit:
    r"(?:(?<=[a-z0-9$@])(?:[a-z0-9$@]+(?:['*!|+]+[a-z0-9$@]+)*+"  # a word,
    r"|(?<![\w$@].)(?:[ ]?[.\-_*~/|•·][ ]?[a-z0-9$@](?![\w]))+"  # letters split by punctuation,
    r"|(?<![\w$@].)(?: [a-z0-9$@]){3,}(?![\w$@])"  # by spaces,
    r"|(?:['*!|+]+[a-z0-9$@]+)*+)"  # or a single character
    r"|(?<=[.!?;])[.!?;]*(?=\s|$|[a-z])"  # a sentence boundary
    r"|(?<=[\n\r,\"]))"  # a line break, comma or double quote
)


class RawToken(NamedTuple):
    """One token as typed (folded) and its [start, end) offsets in the original text."""

    text: str
    start: int
    end: int


def raw_tokens(text: str) -> list[RawToken]:
    """Tokenise ``text`` keeping original offsets; boundaries come out as ".", "," or '"'."""
    folded, origin = fold_with_offsets(text)
    out: list[RawToken] = []
    for match in TOKEN_RE.finditer(folded):
        start, end = match.span()
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        token = match.group()
        if token[0] in ".!?;\n\r":
            token = "."
        out.append(RawToken(token, start, end))
    return out
