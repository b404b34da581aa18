"""The command grammar every platform shares: ``checkin start 09:00 Europe/Helsinki``.

Commands are one or two words (a group and a verb) followed by arguments. Matching is forgiving
about case, look-alike characters, stray accents and invisible characters; arguments are kept as
the member wrote them (minus control characters).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import CommandContext

MAX_COMMAND_LENGTH = 4000

Handler = Callable[["CommandContext"], Awaitable[None]]


class Scope(Enum):
    MEMBER = "member"  # personal: answered privately
    MODERATOR = "moderator"  # checked against the platform's roles at the moment of use


class ParamKind(Enum):
    """What an argument is, so platforms with forms can offer the right input."""

    WORD = "word"
    TEXT = "text"  # the rest of the line
    TIME = "time"  # HH:MM
    ZONE = "zone"  # an IANA time zone, offered with autocomplete where possible
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Param:
    """One argument, in order. The core still parses the text; this only describes it."""

    name: str
    kind: ParamKind = ParamKind.WORD
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()


class UsageError(Exception):
    """Raised by a handler for input it can't use; the member sees the message and usage."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str  # one or two words, lowercase: "help", "checkin start", "forget me"
    usage: str  # "checkin start [HH:MM] [Area/City]"
    summary: str  # one line for `help`
    handler: Handler
    scope: Scope = Scope.MEMBER
    hidden: bool = False  # reached by buttons, not listed in help
    params: tuple[Param, ...] = ()

    @property
    def group(self) -> str:
        return self.name.split(" ", 1)[0]


@dataclass(frozen=True, slots=True)
class Invocation:
    spec: CommandSpec
    args: tuple[str, ...]
    rest: str  # everything after the command name, as written (cleaned)


class ParseProblem(Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NEEDS_VERB = "needs_verb"  # a group name alone, or with a verb it doesn't have
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ParseError:
    """Why a text is not a command; ``bot.texts`` words it for the member."""

    problem: ParseProblem
    group: str | None = None  # for NEEDS_VERB
    suggestion: str | None = None  # a close command name, for UNKNOWN


_DROP = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean(text: str) -> str:
    """Remove control, format (zero-width) and unassigned characters; keep line breaks."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _DROP
    ).strip()


def fold(word: str) -> str:
    """The form a command word is matched in: compatibility-normalised, no accents, lowercase."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(
        ch for ch in decomposed if not unicodedata.category(ch).startswith("M")
    ).casefold()


class CommandRegistry:
    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"command {spec.name!r} registered twice")
        self._specs[spec.name] = spec

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(self._specs.values())

    def get(self, name: str) -> CommandSpec | None:
        return self._specs.get(name)

    def groups(self) -> set[str]:
        return {spec.group for spec in self._specs.values()}

    def in_group(self, group: str) -> list[CommandSpec]:
        return [spec for spec in self._specs.values() if spec.group == group]

    def parse(self, text: str) -> Invocation | ParseError:
        text = clean(text)
        if not text:
            return ParseError(ParseProblem.EMPTY)
        if len(text) > MAX_COMMAND_LENGTH:
            return ParseError(ParseProblem.TOO_LONG)
        words = text.split(maxsplit=2)
        folded = [fold(w) for w in words[:2]]
        if len(folded) == 2 and (spec := self._specs.get(" ".join(folded))):
            rest = words[2] if len(words) > 2 else ""
            return Invocation(spec, tuple(rest.split()), rest)
        if spec := self._specs.get(folded[0]):
            rest = text[len(words[0]):].strip()
            return Invocation(spec, tuple(rest.split()), rest)
        if folded[0] in self.groups():
            return ParseError(ParseProblem.NEEDS_VERB, group=folded[0])
        return ParseError(ParseProblem.UNKNOWN, suggestion=self._closest(folded[0]))

    def _closest(self, word: str) -> str | None:
        names = sorted(self.groups())
        match = difflib.get_close_matches(word, names, n=1, cutoff=0.75)
        return match[0] if match else None
