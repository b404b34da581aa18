"""The README's quickstart is what CI runs: two commands, the second being the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_the_quickstart_is_exactly_two_commands() -> None:
    commands = _quickstart_commands()
    assert commands == ["pip install uv && uv run porchlight", "uv run pytest"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == _quickstart_commands()[1]
    assert "uv run ruff check ." in ci
