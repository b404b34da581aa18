"""The adapter's pure parts: custom ids, rendering, urgency, errors, options, state, logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

from adapters.discord import options_from
from adapters.discord.client import intents_for, quiet_library_logs
from adapters.discord.commands import zone_matches
from adapters.discord.convert import (
    MAX_CONTENT,
    MAX_CUSTOM_ID,
    button_custom_id,
    chunks,
    command_text,
    render,
    role_mentions,
)
from adapters.discord.outbound import _delivery_error
from adapters.discord.state import AdapterState
from bot.commands import Param, ParamKind
from bot.config import ConfigError, Settings
from bot.events import Button, Capability, Mention, OutgoingMessage
from bot.identity import RoomRef, UserRef
from bot.ports import PermanentDeliveryError, TransientDeliveryError

MODS = RoomRef("discord", "10")
ALICE = UserRef("discord", "20")


def test_custom_ids_carry_the_command_and_the_form_label() -> None:
    assert button_custom_id(Button("4 · good", "checkin mood 2026-03-02 4")) == (
        "pl:checkin mood 2026-03-02 4")
    note = Button("add a note", "checkin note 2026-03-02", input_label="A few words")
    assert button_custom_id(note) == "pf:checkin note 2026-03-02|A few words"
    long_label = Button("x", "why", input_label="w" * 80)
    assert len(button_custom_id(long_label) or "") == len("pf:why|") + 45
    assert button_custom_id(Button("x", "c" * (MAX_CUSTOM_ID - 3))) is not None
    assert button_custom_id(Button("x", "c" * (MAX_CUSTOM_ID - 2))) is None
    squeezed = Button("x", "c" * 95, input_label="label")  # no room for a label: plain button
    assert (button_custom_id(squeezed) or "").startswith("pl:")


def test_slash_values_become_the_core_grammar_in_param_order() -> None:
    params = (Param("time", ParamKind.TIME), Param("zone", ParamKind.ZONE))
    assert command_text("checkin start", params, {"zone": "Europe/Oslo", "time": "09:00"}) == (
        "checkin start 09:00 Europe/Oslo")
    assert command_text("checkin start", params, {"time": None, "zone": ""}) == "checkin start"


def test_only_pages_in_a_room_mention_and_only_the_configured_roles() -> None:
    assert role_mentions(Mention.MODERATORS, MODS, (1, 2), (3,)) == (1, 2)
    assert role_mentions(Mention.BACKUP, MODS, (1,), (3,)) == (3,)
    assert role_mentions(Mention.BACKUP, MODS, (1,), ()) == (1,)
    assert role_mentions(Mention.MODERATORS, ALICE, (1,), ()) == ()  # a DM notifies anyway
    assert role_mentions(Mention.NONE, MODS, (1,), ()) == ()


def test_hidden_text_stays_behind_its_spoiler() -> None:
    page = OutgoingMessage(MODS, "Crisis #1", hidden_text="a || b", mention=Mention.MODERATORS)
    assert render(page, (7,)) == "<@&7>\nCrisis #1\nContent warning:\n||a |\u200b| b||"


def test_long_text_is_split_on_lines_and_nothing_is_lost() -> None:
    text = "\n".join(f"line {i} " + "x" * 80 for i in range(60))
    pieces = chunks(text)
    assert len(pieces) == 3 and all(len(p) <= MAX_CONTENT for p in pieces)
    assert "\n".join(pieces) == text
    assert chunks("y" * 4500) == ["y" * 2000, "y" * 2000, "y" * 500]


def _http_error(cls: type[discord.HTTPException], status: int, code: int,
                **headers: str) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="x", headers=headers)
    return cls(response, {"code": code, "message": "x"})  # type: ignore[arg-type]


def test_discord_errors_become_the_cores_two_kinds() -> None:
    closed = _delivery_error(_http_error(discord.Forbidden, 403, 50007))
    assert isinstance(closed, PermanentDeliveryError) and closed.code == "dm_closed"
    forbidden = _delivery_error(_http_error(discord.Forbidden, 403, 50001))
    assert isinstance(forbidden, PermanentDeliveryError) and forbidden.code == "forbidden"
    limited = _delivery_error(_http_error(discord.HTTPException, 429, 0, **{"Retry-After": "3"}))
    assert isinstance(limited, TransientDeliveryError) and limited.retry_after == 3.0
    down = _delivery_error(_http_error(discord.DiscordServerError, 503, 0))
    assert isinstance(down, TransientDeliveryError)
    gone = _delivery_error(_http_error(discord.NotFound, 404, 10003))
    assert isinstance(gone, PermanentDeliveryError) and gone.code == "not_found"
    bad = _delivery_error(_http_error(discord.HTTPException, 400, 50035))
    assert isinstance(bad, PermanentDeliveryError) and bad.code == "rejected"


def test_zone_autocomplete_prefers_prefixes_then_cities() -> None:
    assert zone_matches("europe/hel") == ["Europe/Helsinki"]
    assert zone_matches("oslo") == ["Europe/Oslo"]
    assert zone_matches("new york")[0] == "America/New_York"
    assert len(zone_matches("")) == 25
    assert "Etc/GMT+5" not in zone_matches("gmt")


def test_intents_are_minimal_without_scanned_channels() -> None:
    plain = intents_for(())
    assert plain.guilds and plain.dm_messages
    assert not (plain.message_content or plain.members or plain.presences
                or plain.guild_messages)
    scanning = intents_for((5,))
    assert scanning.message_content and scanning.guild_messages and not scanning.members


def test_options_need_a_token_a_server_and_moderator_roles(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        options_from(Settings())
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "discord.token", "discord.guild_id", "discord.moderator_role_ids"]
    token_file = tmp_path / "token"
    token_file.write_text("secret.token\n", encoding="utf-8")
    options = options_from(Settings(discord={
        "token_file": str(token_file), "guild_id": 1, "moderator_role_ids": [2],
        "state_file": ""}))
    assert options.token == "secret.token" and options.state_file is None
    assert options.requests_per_second == 48.0


def test_build_adapters_makes_the_discord_adapter() -> None:
    from adapters import build_adapters
    from bot.ports import SystemClock

    settings = Settings(bot={"adapters": ["discord"]}, discord={
        "token": "t", "guild_id": 1, "moderator_role_ids": [2], "moderator_channel_id": 3})
    (adapter,) = build_adapters(settings, SystemClock())
    assert adapter.platform == "discord" and adapter.moderator_room == RoomRef("discord", "3")
    assert adapter.handle(ALICE) == "<@20>"
    assert Capability.PRIVATE_ROOMS not in adapter.capabilities


async def test_state_is_written_atomically_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state" / "discord.json"
    state = AdapterState(path, flush_delay=3600)
    state.remember_dm(1, 100)
    state.set_commands_hash("abc")
    await state.close()
    assert json.loads(path.read_text(encoding="utf-8")) == {"dm": {"1": 100},
                                                              "commands": "abc"}
    assert [p.name for p in path.parent.iterdir()] == ["discord.json"]  # no temp file left
    again = AdapterState(path)
    again.load()
    assert again.dm_channel(1) == 100 and again.commands_hash == "abc"
    path.write_text("{not json", encoding="utf-8")
    broken = AdapterState(path)
    broken.load()
    assert broken.dm_channel(1) is None


def test_library_logs_hold_no_payloads_and_no_interaction_tokens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_library_logs()
    http = logging.getLogger("discord.http")
    http.debug("%s %s with %s has returned %s", "POST", "/channels/1/messages",
               '{"content": "member words"}', 200)
    http.warning("We are being rate limited. %s %s responded with 429.", "POST",
                 "https://discord.com/api/v10/webhooks/123/aW50ZXJhY3Rpb24secret/messages")
    logged = [r.getMessage() for r in caplog.records if r.name == "discord.http"]
    assert logged == ["We are being rate limited. POST "
                      "https://discord.com/api/v10/webhooks/123/<token>/messages responded "
                      "with 429."]


async def test_a_members_dm_channel_is_in_mydata_and_gone_after_forget_me() -> None:
    from adapters import build_adapters
    from bot.identity import UserRef
    from bot.ports import SystemClock
    from bot.privacy import PersonalData

    settings = Settings(bot={"adapters": ["discord"]}, discord={
        "token": "t", "guild_id": 1, "moderator_role_ids": [2], "state_file": ""})
    (adapter,) = build_adapters(settings, SystemClock())
    adapter._state.remember_dm(42, 4200)  # type: ignore[attr-defined]
    assert isinstance(adapter, PersonalData)
    member = UserRef("discord", "42")
    assert await adapter.export_user(None, member) == {"dm_channel_id": "4200"}  # type: ignore[arg-type]
    assert await adapter.export_user(None, UserRef("matrix", "@x:hs")) is None  # type: ignore[arg-type]
    assert await adapter.delete_user(None, member) == 1  # type: ignore[arg-type]
    assert await adapter.export_user(None, member) is None  # type: ignore[arg-type]
