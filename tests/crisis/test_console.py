"""The crisis path through the real program: in a terminal session, and across a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.core.test_console import ROOT, run_console
from tests.crisis.helpers import CRISIS


def test_a_check_in_note_pages_a_moderator_who_claims_and_resolves_it(tmp_path: Path) -> None:
    result = run_console(tmp_path, "\n".join([
        "checkin start 09:00 UTC",
        "/clock +1d",
        "2",
        CRISIS,
        "/as bob",
        "mod claim 1",
        "/as carol",
        "/mod carol",
        "/room moderators",
        "/press 1",
        "!mod resolve 1 reached-out",
        "!mod queue",
    ]) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Porchlight → #moderators\n  @moderators\n  🔴 Crisis #1 · needs a person now" in out
    assert "Porchlight → alice (private)\n  Thank you for telling us." in out
    after_note = out.split(CRISIS, 1)[1].split("bob>", 1)[0]
    assert "Kept with" not in after_note  # the resource message is the only answer
    assert "Porchlight → bob (private)\n  That one is for moderators." in out
    assert "  You have #1. Reach out to alice privately" in out
    assert "#1 resolved (reached-out) by carol. Thank you." in out
    assert "Nothing is open right now." in out
    assert "pills" not in result.stderr  # logs hold no member words


def test_a_process_killed_between_detection_and_delivery_pages_after_restart(
    tmp_path: Path,
) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT__")},
           "PORCHLIGHT__BOT__DATABASE": str(tmp_path / "console.db")}
    first = subprocess.Popen(
        [sys.executable, "-m", "bot"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
    )
    try:
        assert first.stdin is not None and first.stdout is not None
        first.stdin.write(f"/offline\n{CRISIS}\n/who\n")
        first.stdin.flush()
        seen = []
        for line in first.stdout:  # each line is handled fully before the next is read
            seen.append(line)
            if line.startswith("  (you are alice"):
                break
        assert not any("Crisis #1" in line for line in seen)  # detected, not delivered
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait(timeout=30)
    second = run_console(tmp_path, "/clock +1m\n")
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("🔴 Crisis #1 · needs a person now") == 1
    assert second.stdout.count("Thank you for telling us.") == 1
