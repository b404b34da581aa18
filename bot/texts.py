"""Every word a member or moderator sees from the core, in one place to be read as a whole.

Voice (see the program's own words): short, warm, plain. No shame, no lecture, no exclamation
floods. Feature packages keep their wording in their own ``texts.py`` in the same voice.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.commands import CommandSpec, ParseError, ParseProblem, Scope

GREETING = (
    "Hi, I'm Porchlight, the community's helper. I can send you a gentle daily check-in, "
    "pair you with a witness, and make sure a person from the community hears you when "
    "things are hard."
)
HELP_FOOTER = "Type help followed by a command to learn more, like: help checkin"
MODERATORS_ONLY = "That one is for moderators."
SOMETHING_WENT_WRONG = (
    "Something went wrong on my side, sorry. Please try again in a moment."
)
EMPTY = "That message was empty. Type help to see what I can do."
TOO_LONG = "That's longer than I can read as a command. Type help to see what I can do."
NOT_A_COMMAND = (
    "I only understand a few commands, so I may have missed what you meant. "
    "Type help to see them."
)


def did_you_mean(name: str) -> str:
    return f"I don't know that one. Did you mean {name}? Type help to see everything."


def needs_verb(group: str, specs: Iterable[CommandSpec]) -> str:
    options = ", ".join(spec.name for spec in specs if not spec.hidden)
    return f"{group} needs one more word. Try one of: {options}."


def parse_error(error: ParseError, group_specs: Iterable[CommandSpec]) -> str:
    match error.problem:
        case ParseProblem.EMPTY:
            return EMPTY
        case ParseProblem.TOO_LONG:
            return TOO_LONG
        case ParseProblem.NEEDS_VERB:
            return needs_verb(error.group or "", group_specs)
        case ParseProblem.UNKNOWN:
            return did_you_mean(error.suggestion) if error.suggestion else NOT_A_COMMAND


def usage_error(message: str, spec: CommandSpec) -> str:
    return f"{message}\nUsage: {spec.usage}"


def help_overview(specs: Iterable[CommandSpec], *, for_moderator: bool) -> str:
    lines = [GREETING, ""]
    lines += [f"• {spec.usage} – {spec.summary}" for spec in specs if not spec.hidden
              and (for_moderator or spec.scope is Scope.MEMBER)]
    lines += ["", HELP_FOOTER]
    return "\n".join(lines)


def help_for(specs: list[CommandSpec]) -> str:
    return "\n".join(f"• {spec.usage} – {spec.summary}" for spec in specs)


def help_unknown(topic: str) -> str:
    return f"I don't have help on “{topic[:30]}”. Type help to see every command."


DMS_CLOSED = (
    "I couldn't send you a private message earlier: your direct messages seem to be closed. "
    "If you'd like check-ins or answers from me, allow direct messages from members of this "
    "community in your privacy settings."
)

# Data rights
MYDATA = (
    "Here is everything Porchlight holds about you, as JSON. Only you received this."
)
FORGET_ASK = (
    "This deletes everything Porchlight holds about you: check-ins, notes, your why, "
    "pairings, all of it. It can't be undone.\n"
    "If you're sure, reply yes within 10 minutes. Anything else leaves everything as it is."
)
FORGET_DONE = (
    "Done. Everything Porchlight held about you has been deleted. "
    "The door stays open if you ever want to come back."
)
