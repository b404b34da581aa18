"""End to end: the real ``porchlight`` program in a subprocess, driven through stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
PRIVATE = "my-private-words-7431"


def run_console(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT__")},
        "PORCHLIGHT__BOT__DATABASE": str(tmp_path / "console.db"),
        "PORCHLIGHT__BOT__LOG_LEVEL": "DEBUG",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot"], input=script, capture_output=True, text=True,
        timeout=120, env=environment, cwd=ROOT, check=False,
    )


def attachment(out: str, filename: str) -> str:
    """The content of an attachment as the console printed it (indented four spaces)."""
    after = out[out.index(f"📎 {filename}:"):].splitlines()[1:]
    lines = []
    for line in after:
        if not line.startswith("    "):
            break
        lines.append(line[4:])
    return "\n".join(lines)


def test_a_console_session_from_a_script(tmp_path: Path) -> None:
    result = run_console(tmp_path, "\n".join([
        "help",
        f"{PRIVATE} in a direct message",
        "/room general",
        f"{PRIVATE} said in a room",
        "!mydata",
        "/as bob",
        "/mod bob",
        "/who",
        "/clock +1d",
        "/clock +soon",
        "/quit",
    ]) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Porchlight → alice (private)\n  Hi, I'm Porchlight" in out
    assert "alice #general> my-private-words-7431 said in a room" in out  # the transcript
    assert "I only understand a few commands" in out  # the direct message was no command
    data = json.loads(attachment(out, "porchlight-mydata.json"))
    assert data["you"] == "console:alice"
    assert "(bob is now a moderator)" in out
    assert "(you are bob; moderators: bob)" in out
    assert "(it is now" in out and "(a duration looks like +30m" in out


def test_logs_of_a_whole_session_hold_nothing_a_member_typed(tmp_path: Path) -> None:
    result = run_console(tmp_path, "\n".join([
        f"{PRIVATE}",
        f"help {PRIVATE}",
        "/room general",
        f"!{PRIVATE}",
        "/dm",
        "forget me",
        f"{PRIVATE} no",
    ]) + "\n")
    assert result.returncode == 0
    assert "DEBUG" in result.stderr or "INFO" in result.stderr  # logging was on
    assert PRIVATE not in result.stderr


def test_the_database_survives_and_a_second_start_is_safe(tmp_path: Path) -> None:
    for _ in range(2):
        result = run_console(tmp_path, "help\n")
        assert result.returncode == 0, result.stderr
        assert result.stdout.count("Hi, I'm Porchlight") == 1
