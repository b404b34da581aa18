"""Witness pairing, in the program's own voice: "Tell one person the truth... Not rescue, just
witness." Short, warm, no pressure; either side can end it without explaining."""

from __future__ import annotations

VOLUNTEER_USAGE = ("Try: witness volunteer, or with details: witness volunteer 2 "
                   "Europe/Helsinki lang=en,fi group=spring-2024")
NOT_ALUMNUS = ("Witnesses are alumni of the program, so this one needs the alumni role. "
               "An organiser can give it to you.")
PAUSED = "You're paused as a witness: no new offers until you say witness resume. " \
    "Anyone you're already with stays with you."
RESUMED = "You're available as a witness again. Thank you."
NOT_VOLUNTEER = "You're not signed up as a witness. witness volunteer if you'd like to be."
STOPPED = ("You're no longer a witness volunteer. Thank you for the time you gave. Anyone "
           "you're with now stays paired until one of you says witness end.")
REQUEST_SENT = ("I'm asking someone now. They have up to a day to answer, and I'll tell you "
                "as soon as someone says yes. You don't need to do anything in the meantime.")
ALREADY_ASKING = "I'm already looking for someone for you. witness status shows where it is."
ALREADY_PAIRED = ("You already have a witness: {other}. If you'd like someone else, "
                  "witness end first; no reason needed.")
NOBODY_FREE = ("There's nobody free to be a witness right now. I'll keep looking and tell you "
               "when someone is. You're not forgotten.")
SEARCH_AGAIN = "Okay. I'll ask someone else."
NOTHING_TO_END = "You don't have a witness pairing right now."
WHICH_ONE = "You're in more than one pairing. Say which: {choices}"
ALREADY_ENDED = "That pairing has already ended."
OFFER_GONE = "That offer isn't open any more. Thank you all the same."
OFFER_DECLINED = "No problem at all. Thank you for saying."
NO_REQUEST = "There's no request waiting for your answer."
WITNESS_HELP = ("Witness pairing: one person to tell the truth to. Not rescue, just witness. "
                "witness request to ask for one; witness volunteer if you're an alumnus who'd "
                "like to be one.")

REQUEST_STATES = {
    "searching": "I've asked someone to be your witness and I'm waiting for their answer.",
    "waiting": "Nobody is free to be a witness right now; I'm still looking.",
    "confirming": "Someone said yes: your answer is waiting in the message I sent you.",
}

SHARING_USAGE = ("Try: witness sharing mood daily (or weekly, off), witness sharing nudge 3 "
                 "(or off), witness sharing moderators on (or off)")


def volunteered(capacity: int, details: str) -> str:
    return (f"Thank you. You're a witness volunteer, with room for {capacity}"
            f"{details}. I'll always ask you first; you can say no without a reason.\n"
            "witness pause to take a break, witness stop to stop.")


def offer(handle: str, group: str | None, zone: str | None) -> str:
    lines = ["Someone who's coming back has asked for a witness: one person to tell the truth "
             "to. Not rescue, just witness.", f"Who: {handle}"]
    if group:
        lines.append(f"Group: {group}")
    if zone:
        lines.append(f"Time zone: {zone}")
    lines.append("Would you be their witness? There's no wrong answer, and no reason needed.")
    return "\n".join(lines)


def offer_accepted_to_volunteer(handle: str) -> str:
    return f"Thank you. I've asked {handle} to confirm; I'll introduce you both when they do."


def confirm_with_member(handle: str) -> str:
    return (f"{handle} said yes to being your witness. Would you like them as your witness? "
            "If not, that's fine: I'll ask someone else.")


def unconfirmed_to_volunteer(handle: str) -> str:
    return (f"{handle} hasn't confirmed, so I've let this one go and nobody is left waiting. "
            "Nothing you need to do. Thank you for saying yes.")


UNCONFIRMED_TO_MEMBER = ("I've let the witness offer go for now, so nobody is left waiting. "
                         "That's okay. Whenever you're ready: witness request.")


def member_chose_other() -> str:
    return "They've decided to go another way this time. Thank you for saying yes."


def introduction(member: str, witness: str) -> str:
    return (f"{member}, meet {witness}: your witness. {witness}, thank you for saying yes.\n"
            "Three things to keep in mind:\n"
            "1. Not rescue, just witness. Listening is enough; nobody has to fix anything.\n"
            "2. Small and steady. A short hello is plenty. Lower the bar: just be present.\n"
            "3. Either of you can end this any time, without explaining: witness end. If "
            "someone is in danger, you're not alone with it: Porchlight tells the moderators, "
            "and so can you.")


def introduction_to_member(witness: str) -> str:
    return f"You're paired: {witness} is your witness.\n" + introduction_rules()


def introduction_to_witness(member: str) -> str:
    return f"You're paired: you're {member}'s witness. Thank you.\n" + introduction_rules()


def introduction_rules() -> str:
    return ("Not rescue, just witness. Small and steady: a short hello is plenty. Either of you "
            "can end it any time, without explaining: witness end.")


def ended_for_other(handle: str) -> str:
    return (f"Your witness pairing with {handle} has ended. Nothing you need to do, and it's "
            "nobody's fault. Thank you for the time you shared.")


def ended_for_member_side(handle: str) -> str:
    return (f"Your witness pairing with {handle} has ended. It's nobody's fault. You can ask "
            "for a new witness whenever you like: witness request.")


def ended_by_you(handle: str) -> str:
    return f"Done. Your pairing with {handle} has ended. No reason needed."


def blocked_by_you(handle: str) -> str:
    return f"Done. Your pairing with {handle} has ended, and you won't be matched again."


def left_community(handle: str) -> str:
    return (f"{handle} is no longer in the community, so your witness pairing has ended. "
            "You can ask for a new witness whenever you like: witness request.")


def status_member(witness: str | None, request: str | None) -> str:
    if witness:
        return f"Your witness is {witness}. witness end if you'd like to stop; no reason needed."
    if request:
        return request
    return "You don't have a witness. witness request if you'd like one."


def status_volunteer(state: str, capacity: int, pairs: int) -> str:
    return (f"You're a witness volunteer ({state}), with {pairs} of {capacity} places taken. "
            "witness pause, witness resume or witness stop.")


def sharing_status(witness: str | None, mood: str, nudge: int | None, moderators: bool) -> str:
    who = witness or "your witness, when you have one"
    lines = [
        f"Your check-in mood (never your notes) is shared with {who}: {mood}.",
        (f"A gentle nudge to {who} after {nudge} missed check-ins: on." if nudge
         else f"A gentle nudge to {who} after missed check-ins: off."),
        ("Without a witness, a moderator may say hello after missed check-ins: "
         + ("on." if moderators else "off.")),
        SHARING_USAGE,
    ]
    return "\n".join(lines)


def mood_digest(handle: str, moods: list[tuple[str, int]]) -> str:
    shown = ", ".join(f"{day} {mood}/5" for day, mood in moods)
    return f"{handle} chose to share their check-in moods with you: {shown}. Just so you know."


def nudge(handle: str, missed: int) -> str:
    return (f"{handle} hasn't checked in for {missed} days and asked that you hear about it. "
            "A hello without questions can help.")
