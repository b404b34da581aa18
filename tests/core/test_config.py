from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, read_secret

TOKEN = "mfa.VERY-SECRET-TOKEN-4242"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "porchlight.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _porchlight(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})}, cwd=cwd, check=False,
    )


def test_no_config_means_the_console_on_porchlight_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORCHLIGHT__BOT__DATABASE", raising=False)
    settings = load_settings(None)
    assert settings.bot.adapters == ["console"]
    assert settings.bot.database == Path("porchlight.db")
    assert settings.console.demo is True


def test_toml_values_load(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, '[bot]\ndatabase = "x.db"\n'
                                    '[retention]\ncheckin_notes_days = 30\n'))
    assert settings.bot.database == Path("x.db")
    assert settings.retention.checkin_notes_days == 30
    assert settings.retention.escalation_text_days == 30  # default kept


def test_environment_overrides_one_nested_key_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[retention]\ncheckin_notes_days = 30\naudit_log_days = 100\n')
    monkeypatch.setenv("PORCHLIGHT__RETENTION__CHECKIN_NOTES_DAYS", "7")
    settings = load_settings(path)
    assert settings.retention.checkin_notes_days == 7
    assert settings.retention.audit_log_days == 100


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bot]\nadapters = ["console", "irc"]\ncolour = "blue"\n'
                  '[retention]\npurge_at = "25:00"\ncheckin_notes_days = 0\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = caught.value.problems
    assert len(problems) == 4
    assert any(p.startswith("bot.adapters.1:") for p in problems)
    assert "bot.colour: unknown key" in problems
    assert any(p.startswith("retention.purge_at: that time doesn't exist") for p in problems)
    assert any(p.startswith("retention.checkin_notes_days:") for p in problems)


def test_invalid_config_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bot]\nlog_level = "LOUD"\n[nonsense]\nx = 1\n')
    result = _porchlight("--config", str(path), "check-config")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("porchlight: the config in")
    assert sorted(line.strip().split(":")[0] for line in lines[1:]) == ["bot.log_level",
                                                                         "nonsense"]


def test_missing_file_and_broken_toml_are_friendly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "[bot\n"))


def test_secrets_in_the_file_are_refused_without_echoing_them(tmp_path: Path) -> None:
    path = _write(tmp_path, f'[discord]\ntoken = "{TOKEN}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "PORCHLIGHT__DISCORD__TOKEN" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_secrets_from_env_or_file_are_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "matrix-password"
    secret_file.write_text(TOKEN + "-pw\n", encoding="utf-8")
    path = _write(tmp_path, f'[matrix]\npassword_file = "{secret_file}"\n')
    monkeypatch.setenv("PORCHLIGHT__DISCORD__TOKEN", TOKEN)
    settings = load_settings(path)
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == TOKEN
    password = read_secret(settings.matrix.password, settings.matrix.password_file, "password")
    assert password is not None and password.get_secret_value() == TOKEN + "-pw"
    for shown in (repr(settings), str(settings), settings.model_dump_json(), repr(password)):
        assert TOKEN not in shown
    result = _porchlight("--config", str(path), "check-config",
                         env={"PORCHLIGHT__DISCORD__TOKEN": TOKEN})
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert '"token": "**********"' in result.stdout


def test_a_bad_secret_value_is_reported_without_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT__DISCORD__GUILD_ID", "not-a-number")
    monkeypatch.setenv("PORCHLIGHT__DISCORD__TOKEN", TOKEN)
    with pytest.raises(ConfigError) as caught:
        load_settings(None)
    assert caught.value.problems[0].startswith("discord.guild_id:")
    assert TOKEN not in str(caught.value)


def test_the_example_config_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    settings = load_settings(example)
    text = example.read_text(encoding="utf-8")
    for section, model in settings:
        for key in type(model).model_fields:
            assert f"\n{key} = " in text or f"\n# {key} = " in text, f"{section}.{key} missing"


def test_problems_found_at_start_up_also_exit_2_one_line_each(tmp_path: Path) -> None:
    result = _porchlight(env={"PORCHLIGHT__BOT__ADAPTERS": '["discord"]',
                              "PORCHLIGHT__BOT__DATABASE": str(tmp_path / "x.db")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "porchlight: the config in the environment has problems:"
    assert any(line.strip().startswith("discord.token:") for line in lines[1:])
    assert "Traceback" not in result.stderr


def test_check_config_also_checks_each_platforms_required_keys(tmp_path: Path) -> None:
    result = _porchlight("check-config", env={
        "PORCHLIGHT__BOT__ADAPTERS": '["discord", "matrix"]',
        "PORCHLIGHT__BOT__DATABASE": str(tmp_path / "x.db")}, cwd=tmp_path)
    assert result.returncode == 2
    keys = [line.strip().split(":")[0] for line in result.stderr.strip().splitlines()[1:]]
    assert keys == ["discord.token", "discord.guild_id", "discord.moderator_role_ids",
                    "matrix.access_token", "matrix.moderator_room_id"]
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "matrix-store").exists()


def test_check_config_checks_the_model_stage_with_the_platforms(tmp_path: Path) -> None:
    result = _porchlight("check-config", env={
        "PORCHLIGHT__BOT__ADAPTERS": '["discord"]',
        "PORCHLIGHT__CRISIS__MODEL_STAGE": "true",
        "PORCHLIGHT__CRISIS__CONCERN_ENABLED": "false"}, cwd=tmp_path)
    assert result.returncode == 2
    keys = [line.strip().split(":")[0] for line in result.stderr.strip().splitlines()[1:]]
    assert keys == ["discord.token", "discord.guild_id", "discord.moderator_role_ids",
                    "crisis.model_stage"]
