"""What is wrong with ``[matrix]`` is said at start, one line per problem, exit status 2."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from adapters.matrix import credentials_from
from bot.config import ConfigError, Settings
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.synapse import SynapseServer


def test_every_problem_with_the_section_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        credentials_from(Settings(matrix={  # type: ignore[arg-type]
            "homeserver": "matrix.example.org", "user_id": "porchlight",
            "community_room_id": "#community:example.org"}))
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "matrix.homeserver", "matrix.user_id", "matrix.access_token",
        "matrix.moderator_room_id", "matrix.community_room_id"]


def test_a_token_from_its_file_is_enough(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("syt_secret\n", encoding="utf-8")
    creds = credentials_from(Settings(matrix={  # type: ignore[arg-type]
        "access_token_file": str(token_file), "moderator_room_id": "!mods:example.org"}))
    assert creds.access_token == "syt_secret" and creds.password is None


async def test_a_refused_token_stops_the_start_with_status_2_and_is_never_printed(
    synapse: SynapseServer, bot_user: RegisteredUser, tmp_path: Path,
) -> None:
    wrong = "syt_not_a_real_token_4d1f"
    env = {
        "PATH": "/usr/bin:/bin",
        "PORCHLIGHT__BOT__ADAPTERS": '["matrix"]',
        "PORCHLIGHT__BOT__DATABASE": str(tmp_path / "porchlight.db"),
        "PORCHLIGHT__MATRIX__HOMESERVER": synapse.base_url,
        "PORCHLIGHT__MATRIX__USER_ID": bot_user.user_id,
        "PORCHLIGHT__MATRIX__ACCESS_TOKEN": wrong,
        "PORCHLIGHT__MATRIX__MODERATOR_ROOM_ID": f"!mods:{synapse.server_name}",
        "PORCHLIGHT__MATRIX__STORE_PATH": str(tmp_path / "store"),
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = (stream.decode() for stream in await bot.communicate())
    assert bot.returncode == 2, err
    lines = err.strip().splitlines()
    assert lines[-2] == "porchlight: the config in the environment has problems:"
    assert lines[-1].strip().startswith("matrix.access_token: the homeserver refused it")
    assert wrong not in out + err
    assert "Traceback" not in err
