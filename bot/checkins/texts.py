"""Every word of the check-ins, the welcome back and the "why", to be read as a whole.

Voice: the program's own. Short, warm, plain. No streaks, no "you missed", no shame, no
lecture. Skipping is always fine and we say so. "Welcome back. You don't need to explain."
"""

from __future__ import annotations

from datetime import date, datetime

from bot.checkins.schedule import EVERY_DAY, Rhythm, day_numbers

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = (0, 1, 2, 3, 4)

MOOD_LABELS = ("1 · heavy", "2 · low", "3 · okay", "4 · good", "5 · steady")
SKIP_LABEL = "skip"
NOTE_LABEL = "add a note"
NOTE_INPUT = "A few words, just for you"
WHY_LABEL = "read my why"
START_LABEL = "start check-ins"

# The prompt.
PROMPT = (
    "Checking in. How are you today?\n"
    "Pick a number: 1 is a heavy day, 5 is a steady one. A few words are welcome too, "
    "and skip is always fine."
)

# Answers to the prompt.
THANKS = "Thank you for checking in."
THANKS_LOW = "Thank you for checking in. Hard days count too, and you showed up for this one."
NOTE_INVITE = "If you'd like to add a few words, write them here. Or don't: being here is enough."
WHY_OFFER = "You once wrote down why you came back. If it would help to read it, type why."
NOTE_ASK = "Write it in your next message. It stays with today's check-in, just for you."
NOTE_KEPT = "Kept with today's check-in, just for you."
SKIPPED = "Skipped, and that's fine. Nothing more is needed today."
SKIP_AFTER_ANSWER = "That's fine. Your check-in stays as it is."
NOTHING_WAITING = "That's fine. Nothing is waiting for an answer right now."
NOT_OPEN = "There's no check-in open for that day, so there's nothing to answer."

# Bad input: each says what would work, with an example.
TIME_NEEDED = "Which time? For example: checkin time 20:00"
ZONE_NEEDED = "Which time zone? For example: checkin zone Europe/Helsinki"
DAYS_NEEDED = "Which days? For example: checkin days mon-fri, or checkin days every day"
PAUSE_BAD = "A pause is a number of days, up to 365. For example: checkin pause 3 days"
MOOD_BAD = "A mood is a number from 1 to 5."
DAY_BAD = "That doesn't look like a check-in day."
START_EXTRA = "I can use a time and a time zone here, nothing more."

# Settings.
NOT_STARTED = (
    "Check-ins aren't on for you. If you'd like a short daily message, type checkin start. "
    "It's entirely up to you."
)
ALREADY_OFF = (
    "Check-ins are already off. Nothing will come. checkin start turns them on whenever you like."
)
STOPPED = (
    "Check-ins are off, from now. No more messages about them.\n"
    "What you wrote stays yours: mydata shows it, forget me deletes it. "
    "checkin start brings them back whenever you like."
)
PAUSED = "Paused. Nothing more until you type checkin resume. Take the time you need."
STATUS_NONE = "Check-ins are off. If you'd like a short daily message, type checkin start."
STATUS_PAUSED = "Check-ins are paused. checkin resume brings them back whenever you like."
STATS_NONE = "No check-ins answered yet, and that's fine. They're here when you want them."

# The welcome back and the "why".
WELCOME = "Welcome back. You don't need to explain.\nLower the bar: just be present."
WELCOME_OFFER = (
    "If it would help, I can send you a gentle check-in each day: press the button or type "
    "checkin start. Or don't. You're welcome here either way."
)
WELCOME_CHECKINS_ON = (
    "Your check-ins are still on. Answer when you like, skip when you like, or take a break "
    "with checkin pause."
)
WELCOME_WHY = (
    "If you want, write down why you came back: why, followed by a few words. "
    "Only you will see it, and I can show it to you on a hard day."
)
WHY_NONE = (
    "You haven't written a why yet. If you'd like to, type why followed by a few words, "
    "like: why for my kids. Only you will see it."
)
WHY_KEPT = "Kept, just for you. Type why any time to read it again."
KEEP_PRIVATE = (
    "Let's keep that private: send it to me in a direct message instead. "
    "I didn't keep what you wrote there."
)


def day(d: date) -> str:
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"


def moment(local: datetime) -> str:
    return f"{day(local.date())} at {local:%H:%M}"


def rhythm(r: Rhythm) -> str:
    """``every day at 09:00 (Europe/Helsinki)``, ``Monday to Friday at ...``."""
    numbers = day_numbers(r.days)
    if r.days == EVERY_DAY:
        which = "every day"
    elif numbers == _WEEKDAYS:
        which = "Monday to Friday"
    else:
        which = "on " + _and([_DAYS[n] for n in numbers])
    return f"{which} at {r.at:%H:%M} ({r.zone.key})"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def started(r: Rhythm, first: datetime) -> str:
    return (
        f"Check-ins are on: {rhythm(r)}. Each one is a short message asking how you are, "
        "1 to 5. Answer, add a few words, or skip. All of it is fine.\n"
        f"The first one comes {moment(first)}.\n"
        "Change it any time: checkin time 20:00, checkin zone Europe/Helsinki, "
        "checkin days mon-fri. A break: checkin pause 3 days. "
        "To stop: checkin stop, and they stop at once."
    )


def changed(r: Rhythm, nxt: datetime | None) -> str:
    if nxt is None:
        return f"Saved: {rhythm(r)}. Check-ins are off or paused, so nothing comes for now."
    return f"Done: {rhythm(r)}. The next one comes {moment(nxt)}."


def paused_until(nxt: datetime) -> str:
    return (
        f"Paused. Check-ins come back on their own {moment(nxt)}, "
        "or sooner with checkin resume."
    )


def resumed(nxt: datetime) -> str:
    return f"Check-ins are back on. The next one comes {moment(nxt)}."


def not_paused(nxt: datetime) -> str:
    return f"Check-ins aren't paused. The next one comes {moment(nxt)}."


def status_on(r: Rhythm, nxt: datetime) -> str:
    return f"Your check-ins are on: {rhythm(r)}. The next one comes {moment(nxt)}."


def status_off(r: Rhythm) -> str:
    return f"Check-ins are off. checkin start turns them on again: {rhythm(r)}."


def status_paused_until(nxt: datetime) -> str:
    return (
        f"Check-ins are paused. They come back on their own {moment(nxt)}, "
        "or sooner with checkin resume."
    )


def last_answer(on: date, mood: int | None, with_note: bool) -> str:
    parts = [day(on)]
    if mood is not None:
        parts.append(MOOD_LABELS[mood - 1])
    if with_note:
        parts.append("with a note")
    return "Your last check-in: " + ", ".join(parts) + "."


def stats(days: int, since: date) -> str:
    plural = "day" if days == 1 else "days"
    return f"You've checked in on {days} {plural} since {day(since)}. Only you see this."


def other_day(on: date) -> str:
    return (
        f"That check-in was for {day(on)}. It's a new day now, so I left it as it was. "
        "There's nothing to catch up on."
    )


def note_trimmed(limit: int) -> str:
    return f"Kept the first {limit} characters with today's check-in, just for you."


def why_shown(text: str) -> str:
    return f"Your why, in your own words:\n{text}"


def why_trimmed(limit: int) -> str:
    return f"Kept the first {limit} characters, just for you. Type why any time to read it."


def correction(problem: str) -> str:
    """A parser's lower-case problem as a sentence of its own."""
    return problem[:1].upper() + problem[1:].rstrip(".") + "."
