"""The adapter's pure parts: rendering, converting, power levels, the state file, the gate."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nio import Event as NioEvent
from nio import RoomSendError, SyncError

from adapters.matrix import power
from adapters.matrix import sync as sync_module
from adapters.matrix.calls import Calls
from adapters.matrix.convert import Kind, Place, convert, message_text, strip_reply_fallback
from adapters.matrix.ratelimit import RateLimited, SendGate
from adapters.matrix.render import Mentions, keycap_index, render
from adapters.matrix.session import Credentials, LoginFailed, make_client
from adapters.matrix.state import AdapterState
from adapters.matrix.sync import SyncLoop
from bot.events import (
    Button,
    ButtonPressed,
    IncomingMessage,
    MemberLeft,
    OutgoingMessage,
    Priority,
)
from bot.identity import UserRef
from bot.ports import PermanentDeliveryError, TransientDeliveryError

ME = "@porchlight:hs"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE = UserRef("matrix", "@alice:hs")
MOOD = tuple(Button(f"{n}", f"checkin mood 2026-03-02 {n}") for n in range(1, 6))


def nio_event(kind: str, content: dict[str, Any], sender: str = "@alice:hs",
              **extra: Any) -> NioEvent:
    return NioEvent.parse_event({"type": kind, "content": content, "sender": sender,
                                 "event_id": "$e1", "origin_server_ts": 1, **extra})


# Rendering.

def test_choices_are_a_numbered_list_with_keycaps_and_a_hint() -> None:
    content = render(OutgoingMessage(ALICE, "How are you?", buttons=MOOD), direct=True)
    assert content["body"] == ("How are you?\n\n1️⃣ 1\n2️⃣ 2\n3️⃣ 3\n4️⃣ 4\n5️⃣ 5\n"
                               "React 1️⃣-5️⃣ or reply with the number.")
    assert content["m.mentions"] == {}
    assert "formatted_body" not in content


def test_in_a_room_the_hint_asks_for_a_reaction_only() -> None:
    claim = (Button("Claim", "mod claim 1"),)
    content = render(OutgoingMessage(ALICE, "Page", buttons=claim), direct=False)
    assert content["body"].endswith("1️⃣ Claim\nReact 1️⃣.")


def test_hidden_text_is_a_spoiler_kept_out_of_the_plain_body() -> None:
    content = render(OutgoingMessage(ALICE, "Page", hidden_text="<b>words</b> & more"),
                     direct=False, mentions=Mentions(room=True))
    assert "words" not in content["body"]
    assert content["body"].startswith("@room\n\nPage\n\n[content warning:")
    assert content["formatted_body"].endswith(
        '<span data-mx-spoiler="content warning">&lt;b&gt;words&lt;/b&gt; &amp; more</span>')
    assert content["m.mentions"] == {"room": True}


def test_an_inline_attachment_is_an_escaped_code_block() -> None:
    content = render(OutgoingMessage(ALICE, "Your data"), direct=True, code='{"a": "<x>"}')
    assert content["body"] == 'Your data\n\n{"a": "<x>"}'
    assert content["formatted_body"] == (
        "Your data<br><br><pre><code>{&quot;a&quot;: &quot;&lt;x&gt;&quot;}</code></pre>")


def test_keycaps_with_and_without_the_variation_selector() -> None:
    assert [keycap_index(k) for k in ("1️⃣", "1\u20e3", "5️⃣", "🔟", "👍", "11")] == [
        0, 0, 4, 9, None, None]


# Converting.

def test_text_in_a_dm_a_space_and_a_shared_room() -> None:
    text = nio_event("m.room.message", {"msgtype": "m.text", "body": "hi"})
    dm = convert(text, Place("!dm", Kind.DIRECT), me=ME, now=NOW)
    assert dm == IncomingMessage(user=ALICE, room=dm.room, text="hi", is_direct=True,  # type: ignore[union-attr]
                                 message_id="$e1", sent_at=NOW)
    space = convert(text, Place("!sp", Kind.SPACE, space="witness-1"), me=ME, now=NOW)
    assert isinstance(space, IncomingMessage) and (space.is_direct, space.space) == (
        False, "witness-1")
    shared = convert(text, Place("!r", Kind.SHARED), me=ME, now=NOW)
    assert isinstance(shared, IncomingMessage)
    assert shared.link == "https://matrix.to/#/%21r/%24e1?via=hs"
    assert convert(nio_event("m.room.message", {"msgtype": "m.text", "body": "x"}, sender=ME),
                   Place("!dm", Kind.DIRECT), me=ME, now=NOW) is None


def test_a_keycap_reaction_is_a_button_press_on_the_message_it_reacts_to() -> None:
    relates = {"rel_type": "m.annotation", "event_id": "$prompt", "key": "3️⃣"}
    pressed = convert(nio_event("m.reaction", {"m.relates_to": relates}),
                      Place("!dm", Kind.DIRECT), me=ME, now=NOW)
    assert pressed == ButtonPressed(user=ALICE, room=pressed.room, message_id="$prompt",  # type: ignore[union-attr]
                                    is_direct=True, sent_at=NOW, choice=2, event_id="$e1")
    other = {"m.relates_to": {**relates, "key": "👍"}}
    assert convert(nio_event("m.reaction", other), Place("!dm", Kind.DIRECT), me=ME,
                   now=NOW) is None


def test_leaving_the_community_room_is_member_left() -> None:
    left = nio_event("m.room.member", {"membership": "leave"}, state_key="@alice:hs",
                     unsigned={"prev_content": {"membership": "join"}})
    place = Place("!c", Kind.SHARED, community=True)
    assert convert(left, place, me=ME, now=NOW) == MemberLeft(ALICE, NOW)
    renamed = nio_event("m.room.member", {"membership": "join", "displayname": "A"},
                        state_key="@alice:hs", unsigned={"prev_content": {"membership": "join"}})
    assert convert(renamed, place, me=ME, now=NOW) is None


def test_replies_lose_their_fallback_and_edits_count_as_their_new_text() -> None:
    reply = {"body": "> <@porchlight:hs> How are you?\n> Pick a number\n\n3",
             "m.relates_to": {"m.in_reply_to": {"event_id": "$p"}}}
    assert message_text(reply) == "3"
    assert message_text({"body": "> not a reply"}) == "> not a reply"
    edit = {"body": "* fine now", "m.new_content": {"body": "I want to die"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$x"}}
    assert message_text(edit) == "I want to die"
    assert strip_reply_fallback("> only quote") == ""


# Power levels.

def state(version: str, users: dict[str, int] | None, creator: str = "@owner:hs",
          extra: tuple[str, ...] = (), joined: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{
        "type": "m.room.create", "state_key": "", "sender": creator,
        "content": {"room_version": version, "additional_creators": list(extra)}}]
    if users is not None:
        events.append({"type": "m.room.power_levels", "state_key": "",
                       "content": {"users": users, "users_default": 0}})
    for user in (creator, *extra, *joined):
        events.append({"type": "m.room.member", "state_key": user,
                       "content": {"membership": "join", "displayname": "Moderator"}})
    return events


def test_v12_creators_outrank_everyone_without_being_listed() -> None:
    events = state("12", {"@mod:hs": 50}, extra=("@co:hs",), joined=("@mod:hs", "@name:hs"))
    assert power.power_level(events, "@owner:hs") == math.inf
    assert power.power_level(events, "@co:hs") == math.inf
    assert power.is_moderator(events, "@mod:hs", 50)
    assert not power.is_moderator(events, "@name:hs", 50)  # "Moderator" by name only
    assert power.moderators(events, 50, exclude="@co:hs") == ["@mod:hs", "@owner:hs"]


def test_before_v12_only_the_power_levels_count() -> None:
    events = state("10", {"@mod:hs": 50}, joined=("@mod:hs",))
    assert power.power_level(events, "@owner:hs") == 0  # not listed: the default
    assert power.is_moderator(events, "@mod:hs", 50)
    assert not power.is_moderator(events, "@mod:hs", 75)
    assert power.power_level(state("10", None), "@owner:hs") == 100
    assert not power.is_moderator(state("12", {}, joined=()), "@gone:hs", 0)
    assert power.creators_have_power("13") and not power.creators_have_power("11")


# The state file.

def test_state_survives_a_reload_and_is_written_atomically(tmp_path: Path) -> None:
    kept = AdapterState.load(tmp_path)
    kept.sync_token, kept.device_id = "s72_1", "DEV"
    kept.dms["@alice:hs"] = "!dm"
    kept.spaces["witness-1"] = "!sp"
    kept.closed.add("@bob:hs")
    kept.save()
    again = AdapterState.load(tmp_path)
    assert (again.sync_token, again.device_id, again.dms, again.spaces, again.closed) == (
        "s72_1", "DEV", {"@alice:hs": "!dm"}, {"witness-1": "!sp"}, {"@bob:hs"})
    assert again.room_kind_of("!sp") == ("space", "witness-1")
    assert [p.name for p in tmp_path.iterdir()] == ["porchlight-state.json"]


# The rate-limit gate.

async def test_after_a_429_waiting_sends_go_one_at_a_time_most_urgent_first() -> None:
    gate = SendGate(max_wait=5)
    answers: asyncio.Queue[str] = asyncio.Queue()
    retrying = asyncio.Event()
    tries: list[int] = []
    order: list[str] = []

    async def first() -> str:
        tries.append(1)
        if len(tries) == 2:
            retrying.set()
        return await answers.get()

    async def send(name: str) -> str:
        order.append(name)
        return "ok"

    def limited(answer: str) -> float | None:
        return 0.0 if answer == "429" else None

    holder = asyncio.create_task(gate.run(Priority.ROUTINE, first, limited))
    await answers.put("429")  # refused: from now on one request at a time
    await retrying.wait()  # the holder's second try has the one slot
    waiting = [asyncio.create_task(gate.run(lane, lambda n=name: send(n), lambda r: None))
               for name, lane in (("r1", Priority.ROUTINE), ("r2", Priority.ROUTINE),
                                  ("a1", Priority.REPLY), ("u1", Priority.CRISIS))]
    for _ in range(3):
        await asyncio.sleep(0)  # all four are in line
    await answers.put("ok")
    await asyncio.gather(holder, *waiting)
    assert order == ["u1", "a1", "r1", "r2"]
    assert not gate.limited  # the line emptied after a success


async def test_a_send_that_would_wait_too_long_raises_rate_limited() -> None:
    gate = SendGate(max_wait=0.5)

    async def refused() -> str:
        return "429"

    with pytest.raises(RateLimited) as raised:
        await gate.run(Priority.CRISIS, refused, lambda r: 30.0)
    assert raised.value.retry_after == 30.0
    assert gate.limited


async def test_nio_never_retries_429s_itself_and_errors_map_for_the_outbox(
    tmp_path: Path,
) -> None:
    creds = Credentials("http://127.0.0.1:9", "@bot:hs", "token", None, "")
    client = make_client(creds, tmp_path, AdapterState.load(tmp_path))
    assert (client.config.max_limit_exceeded, client.config.max_timeouts) == (0, 2)
    await client.close()

    calls = Calls(max_wait=1)

    async def answer(errcode: str, **extra: object) -> RoomSendError:
        return RoomSendError.from_dict({"errcode": errcode, "error": "no", **extra}, "!r")

    with pytest.raises(TransientDeliveryError) as limited:
        await calls.run(calls.messages, Priority.REPLY, lambda: answer("M_LIMIT_EXCEEDED",
                                                       retry_after_ms=30_000), "send")
    assert (limited.value.code, limited.value.retry_after) == ("rate_limited", 30.0)
    with pytest.raises(PermanentDeliveryError) as forbidden:
        await calls.run(calls.rooms, Priority.REPLY, lambda: answer("M_FORBIDDEN"), "send")
    assert forbidden.value.code == "forbidden"
    with pytest.raises(TransientDeliveryError) as other:
        await calls.run(calls.rooms, Priority.REPLY, lambda: answer("M_UNKNOWN"), "send")
    assert other.value.code == "m_unknown"


# The sync loop.


async def test_a_failed_login_after_a_revoked_token_does_not_stop_the_sync_loop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setattr(sync_module, "BACKOFF_FIRST", 0.0)
    revoked, fourth = SyncError("token revoked", "M_UNKNOWN_TOKEN"), asyncio.Event()
    calls: list[str] = []

    class Homeserver:
        async def sync(self, **_: object) -> SyncError:
            calls.append("sync")
            if calls.count("sync") > 3:
                fourth.set()
                await asyncio.Event().wait()
            return revoked

    async def relogin() -> None:
        calls.append("login")
        raise LoginFailed("password", "the homeserver refused it (M_FORBIDDEN)")

    loop = SyncLoop(Homeserver(), AdapterState(tmp_path / "state.json"),  # type: ignore[arg-type]
                    None, None, None, timeout_ms=0, relogin=relogin)  # type: ignore[arg-type]
    task = asyncio.create_task(loop.run())
    async with asyncio.timeout(5):
        await fourth.wait()
    assert not task.done()  # still syncing, logging in again after each refusal
    task.cancel()
    assert calls[:6] == ["sync", "login", "sync", "login", "sync", "login"]
