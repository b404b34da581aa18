"""What moderators (and, once, the member) read about escalations.

Pages are plain and scannable: who, where, how to claim. They never describe methods and never
assess; the member's own words sit behind a content warning.
"""

from __future__ import annotations

from datetime import timedelta

CONTENT_WARNING = "Content warning: the member's words"
FORGET_KEPT = (
    "One thing stays for now: what a moderator is following up on with you. It will be "
    "deleted as soon as they close it."
)
OUTCOME_USAGE = "The outcome is one of: reached-out, emergency-services, no-action-needed, " \
    "false-alarm."
NEED_ID = "Which one? Give its number, like: mod claim 12"
NOTHING_OPEN = "Nothing is open right now. Thank you for being here."
ALL_DELIVERED = "Every message was delivered."
ON_CALL = ("You're on call: if nobody claims a crisis in time, I'll page you privately too. "
           "mod oncall off to stop.")
OFF_CALL = "You're off call."

SOURCES = {
    "direct": "in a private message to Porchlight",
    "room": "in a shared room (nothing was said there)",
    "space": "in a private space Porchlight made (a witness pairing)",
    "missed_checkins": "has missed a few check-ins and asked that a moderator say hello",
}


def minutes(delta: timedelta | float) -> str:
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else delta
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def page(
    escalation_id: int, handle: str, source: str, link: str | None, level: int,
    waited: timedelta, reopened: bool,
) -> str:
    if reopened and level == 0:
        head = f"🔴 Crisis #{escalation_id} is back in the queue and needs a person"
    elif level == 0:
        head = f"🔴 Crisis #{escalation_id} · needs a person now"
    elif level == 1:
        head = f"🔴 Still unclaimed after {minutes(waited)} · Crisis #{escalation_id}"
    else:
        head = f"🔴 Backup page · Crisis #{escalation_id} unclaimed for {minutes(waited)}"
    lines = [head, f"Member: {handle}, {SOURCES.get(source, source)}"]
    if link:
        lines.append(f"Message: {link}")
    lines.append(f"Press Claim, or type: mod claim {escalation_id}")
    return "\n".join(lines)


def concern(escalation_id: int, handle: str, source: str, link: str | None, *,
            by_model: bool = False) -> str:
    lines = [f"🟡 Concern #{escalation_id} · not urgent, no page",
             f"Member: {handle}, {SOURCES.get(source, source)}"]
    if by_model:
        lines.append("Noticed by the model stage, not by a phrase: it reads the mood, so it may "
                     "be wrong.")
    if link:
        lines.append(f"Message: {link}")
    lines.append(f"If you can look in: mod claim {escalation_id}")
    return "\n".join(lines)


def claimed_by_you(escalation_id: int, handle: str) -> str:
    return (f"You have #{escalation_id}. Reach out to {handle} privately, as yourself.\n"
            f"When you're done: mod resolve {escalation_id} reached-out (or emergency-services, "
            "no-action-needed, false-alarm). mod release "
            f"{escalation_id} puts it back in the queue.")


def claimed_notice(escalation_id: int, moderator: str) -> str:
    return f"#{escalation_id} is claimed by {moderator}."


def already_claimed(escalation_id: int, moderator: str) -> str:
    return f"#{escalation_id} is already claimed by {moderator}."


def already_resolved(escalation_id: int) -> str:
    return f"#{escalation_id} is already resolved."


def not_found(escalation_id: int) -> str:
    return f"There's no open escalation #{escalation_id}."


def released(escalation_id: int) -> str:
    return f"#{escalation_id} is back in the queue; moderators are being paged again."


def resolved(escalation_id: int, outcome: str, moderator: str) -> str:
    return f"#{escalation_id} resolved ({outcome}) by {moderator}. Thank you."


def claim_expired(escalation_id: int, waited: timedelta) -> str:
    return (f"#{escalation_id} went back to the queue: it was claimed for {minutes(waited)} "
            "without being resolved. If you're still with them, claim it again.")


def queue_line(escalation_id: int, tier: str, state: str, age: timedelta) -> str:
    return f"• #{escalation_id} {tier} · {state} · opened {minutes(age)} ago"


def stats(count: int, to_claim: tuple[str, str], to_resolve: tuple[str, str]) -> str:
    return (f"Last 30 days: {count} escalations.\n"
            f"Time to claim: p50 {to_claim[0]}, p90 {to_claim[1]}.\n"
            f"Time to resolve: p50 {to_resolve[0]}, p90 {to_resolve[1]}.")


def delivery_failure(item_id: int, kind: str, platform: str, error: str, at: str) -> str:
    return f"• message {item_id} ({kind}) on {platform} at {at}: {error}"


def resource_undelivered(escalation_id: int, error: str) -> str:
    reason = ("their private messages are closed" if error == "dm_closed"
              else f"the platform refused it ({error})")
    return (f"#{escalation_id}: the resource message could not reach the member: {reason}. "
            "Please reach them another way.")
