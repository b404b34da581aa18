from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import (
    MAX_COMMAND_LENGTH,
    CommandRegistry,
    CommandSpec,
    Invocation,
    ParseError,
    ParseProblem,
    clean,
)


async def _noop(ctx: object) -> None:
    return None


def _registry() -> CommandRegistry:
    return CommandRegistry([
        CommandSpec("help", "help [command]", "help", _noop),
        CommandSpec("checkin start", "checkin start [HH:MM]", "start", _noop),
        CommandSpec("checkin stop", "checkin stop", "stop", _noop),
        CommandSpec("forget me", "forget me", "forget", _noop),
        CommandSpec("why", "why [text]", "why", _noop),
    ])


def _parse(text: str) -> Invocation:
    parsed = _registry().parse(text)
    assert isinstance(parsed, Invocation), parsed
    return parsed


def test_two_word_commands_with_arguments() -> None:
    parsed = _parse("checkin start 09:30 Europe/Helsinki")
    assert parsed.spec.name == "checkin start"
    assert parsed.args == ("09:30", "Europe/Helsinki")


def test_free_text_is_kept_as_written() -> None:
    parsed = _parse("why   For my daughter.  And me ")
    assert parsed.rest == "For my daughter.  And me"


@pytest.mark.parametrize("text", ["CHECKIN Start", "ｃｈｅｃｋｉｎ ｓｔａｒｔ", "chéckin start",
                                  "check\u200bin start", "c\u0301h\u0301eckin start"])
def test_command_words_are_matched_forgivingly(text: str) -> None:
    assert _parse(text).spec.name == "checkin start"


def test_zalgo_command_words_still_match() -> None:
    zalgo = "".join(ch + "\u0336\u0337\u0338\u0489" for ch in "help")
    assert _parse(zalgo).spec.name == "help"


def test_unknown_word_gets_a_close_suggestion() -> None:
    parsed = _registry().parse("chekin start")
    assert parsed == ParseError(ParseProblem.UNKNOWN, suggestion="checkin")


def test_nothing_close_gets_no_suggestion() -> None:
    assert _registry().parse("zzzz") == ParseError(ParseProblem.UNKNOWN)


def test_a_group_alone_asks_for_its_verb() -> None:
    assert _registry().parse("checkin") == ParseError(ParseProblem.NEEDS_VERB, group="checkin")
    assert _registry().parse("forget you") == ParseError(ParseProblem.NEEDS_VERB, group="forget")


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x07\x1b", "\u200b\u200d\ufeff"])
def test_empty_and_invisible_input(text: str) -> None:
    assert _registry().parse(text) == ParseError(ParseProblem.EMPTY)


def test_ten_kilobytes_is_refused_politely() -> None:
    assert _registry().parse("help " + "a" * 10_240) == ParseError(ParseProblem.TOO_LONG)
    assert MAX_COMMAND_LENGTH < 10_240


def test_sql_looking_text_is_just_text() -> None:
    parsed = _parse("why '); DROP TABLE members; --")
    assert parsed.rest == "'); DROP TABLE members; --"


def test_control_characters_are_removed_but_line_breaks_kept() -> None:
    assert clean("a\x00b\x1b[31mc\nd\u202ee") == "ab[31mc\nde"


def test_registering_a_name_twice_is_a_bug() -> None:
    with pytest.raises(ValueError, match="twice"):
        CommandRegistry([CommandSpec("help", "", "", _noop), CommandSpec("help", "", "", _noop)])


@given(st.text(max_size=300))
def test_parsing_never_raises(text: str) -> None:
    result = _registry().parse(text)
    assert isinstance(result, Invocation | ParseError)
