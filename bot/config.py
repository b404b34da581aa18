"""Configuration: a TOML file plus ``PORCHLIGHT__SECTION__KEY`` environment overrides.

Secrets (tokens, passwords) are accepted only from the environment or from a file path, never
written in the TOML itself, and are held as ``SecretStr`` so they never print.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.timeparse import parse_hhmm, parse_zone

ClockTime = Annotated[str, AfterValidator(lambda v: parse_hhmm(v).strftime("%H:%M"))]
ZoneName = Annotated[str, AfterValidator(lambda v: parse_zone(v).key)]
Days = Annotated[int, Field(ge=1, le=3650)]
OptionalPath = Annotated[Path | None, BeforeValidator(lambda v: None if v == "" else v)]

SECRET_KEYS = {
    ("discord", "token"),
    ("matrix", "access_token"),
    ("matrix", "password"),
}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BotSection(Section):
    database: Path = Path("porchlight.db")
    adapters: list[Literal["console", "discord", "matrix"]] = Field(
        default_factory=lambda: ["console"], min_length=1
    )
    command_prefix: str = Field(default="!", min_length=1, max_length=3)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class DeliverySection(Section):
    retry_base_seconds: float = Field(default=2.0, gt=0)
    retry_max_seconds: float = Field(default=300.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)


class RetentionSection(Section):
    checkin_notes_days: Days = 90
    checkin_moods_days: Days = 365
    escalation_text_days: Days = 30
    sent_messages_days: Days = 7
    audit_log_days: Days = 365
    purge_at: ClockTime = "03:30"


class CheckinsSection(Section):
    default_time: ClockTime = "09:00"
    default_zone: ZoneName = "UTC"
    grace_hours: float = Field(default=2.0, ge=0, le=24)
    welcome_back_after_days: Days = 14
    offer_why_on_low_mood: bool = True
    note_max_chars: int = Field(default=1000, ge=50, le=4000)
    scan_interval_seconds: int = Field(default=20, ge=1, le=600)


class CrisisSection(Section):
    concern_enabled: bool = True
    model_stage: bool = False
    extra_lexicon: OptionalPath = None
    disabled_entries: list[str] = Field(default_factory=list)
    page_text: Literal["excerpt", "full", "none"] = "excerpt"
    excerpt_chars: int = Field(default=200, ge=20, le=2000)
    send_resource_message: bool = True
    resource_message: str = Field(default=(
        "Thank you for telling us. A volunteer from this community has been asked to reach "
        "out to you. If you are in danger right now, call or text 988 (US) or your local "
        "emergency number."
    ), min_length=20, max_length=1000)
    unreadable_message: str = Field(default=(
        "I couldn't read your last message: your app didn't share the key to unlock it with "
        "me. Could you send it again? If you are in danger right now, call or text 988 (US) "
        "or your local emergency number."
    ), min_length=20, max_length=1000)
    repage_after_minutes: float = Field(default=5, gt=0)
    backup_after_minutes: float = Field(default=15, gt=0)
    repeat_every_minutes: float = Field(default=15, gt=0)
    claim_timeout_minutes: float = Field(default=60, gt=0)
    check_interval_seconds: int = Field(default=15, ge=1, le=600)


class WitnessSection(Section):
    capacity: int = Field(default=2, ge=1, le=10)
    offer_timeout_hours: float = Field(default=24, gt=0)
    nudge_after_missed: int = Field(default=3, ge=1, le=30)
    share_at: ClockTime = "18:00"


class ConsoleSection(Section):
    demo: bool = True
    start_as: str = Field(default="alice", pattern=r"^[a-z0-9_.-]{1,32}$")
    rooms: list[str] = Field(default_factory=lambda: ["general"])
    moderator_room: str = "moderators"
    moderators: list[str] = Field(default_factory=list)
    alumni: list[str] = Field(default_factory=list)
    scan_rooms: list[str] = Field(default_factory=lambda: ["general"])


class DiscordSection(Section):
    token: SecretStr | None = None
    token_file: OptionalPath = None
    guild_id: int = 0
    moderator_role_ids: list[int] = Field(default_factory=list)
    backup_role_ids: list[int] = Field(default_factory=list)
    moderator_channel_id: int = 0
    alumni_role_ids: list[int] = Field(default_factory=list)
    scan_channel_ids: list[int] = Field(default_factory=list)
    state_file: OptionalPath = Path("discord-state.json")
    requests_per_second: float = Field(default=48.0, gt=0, le=50)


class MatrixSection(Section):
    homeserver: str = "https://matrix.example.org"
    user_id: str = "@porchlight:example.org"
    access_token: SecretStr | None = None
    access_token_file: OptionalPath = None
    password: SecretStr | None = None
    password_file: OptionalPath = None
    device_id: str = ""
    store_path: Path = Path("matrix-store")
    moderator_room_id: str = ""
    moderator_power_level: int = 50
    community_room_id: str = ""
    allowed_servers: list[str] = Field(default_factory=list)
    scan_room_ids: list[str] = Field(default_factory=list)
    alumni_room_id: str = ""
    page_mentions: Literal["room", "moderators", "none"] = "room"
    encrypt_rooms: bool = True
    sync_timeout_seconds: int = Field(default=30, ge=1, le=300)
    rate_limit_wait_seconds: float = Field(default=60.0, gt=0, le=3600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PORCHLIGHT__",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        toml_file=None,
    )

    bot: BotSection = BotSection()
    delivery: DeliverySection = DeliverySection()
    retention: RetentionSection = RetentionSection()
    checkins: CheckinsSection = CheckinsSection()
    crisis: CrisisSection = CrisisSection()
    witness: WitnessSection = WitnessSection()
    console: ConsoleSection = ConsoleSection()
    discord: DiscordSection = DiscordSection()
    matrix: MatrixSection = MatrixSection()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


class ConfigError(Exception):
    """Everything wrong with a config, one problem per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def read_secret(value: SecretStr | None, file: Path | None, key: str) -> SecretStr | None:
    """A secret from the environment, else from its file; None when neither is set."""
    if value is not None:
        return value
    if file is None:
        return None
    try:
        return SecretStr(file.read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise ConfigError([f"{key}_file: can't read {file}: {exc.strerror}"]) from None


def load_settings(path: Path | None) -> Settings:
    """Load the TOML at ``path`` (or only defaults and the environment) or raise ConfigError."""
    if path is not None:
        _check_file(path)
    source = type("FileSettings", (Settings,), {
        "model_config": {**Settings.model_config, "toml_file": path},
        "__module__": __name__,
    })
    try:
        return source()
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None


def _check_file(path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: can't read it ({exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    problems = [
        f"{section}.{key}: secrets can't be written in the config file; set "
        f"PORCHLIGHT__{section.upper()}__{key.upper()} or {section}.{key}_file instead"
        for section, key in sorted(SECRET_KEYS)
        if isinstance(data.get(section), dict) and key in data[section]
    ]
    if problems:
        raise ConfigError(problems)


def _describe(error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    message = error["msg"].removeprefix("Value error, ")
    shown = error.get("input")
    secret = any(str(part) in {key for _, key in SECRET_KEYS} for part in error["loc"])
    if not secret and isinstance(shown, str | int | float | bool):
        return f"{key}: {message} (got {shown!r})"
    return f"{key}: {message}"
