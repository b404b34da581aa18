"""Writes the files a throwaway Synapse needs: homeserver.yaml, log config, signing key.

Everything is JSON (a subset of YAML), so writing the config needs nothing beyond the
standard library and works even when matrix-synapse is missing: the start-up error then
says so instead of failing on an import here.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVER_NAME = "localhost"

# Every rate limiter Synapse 1.16x reads (synapse/config/ratelimiting.py), as dotted keys.
# Raised for functional tests; the benchmark runs with Synapse's defaults instead.
RATE_LIMIT_KEYS: tuple[str, ...] = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_room_creation",
    "rc_3pid_validation",
    "rc_third_party_invite",
    "rc_admin_redaction",
    "rc_key_requests",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)
RAISED_LIMIT = {"per_second": 10_000, "burst_count": 100_000}


@dataclass(frozen=True)
class ServerFiles:
    """Paths of the generated files inside the data directory."""

    config: Path
    log: Path
    stdout: Path
    database: Path


def raised_rate_limits() -> dict[str, Any]:
    """Nested rc_* settings that no test can hit."""
    limits: dict[str, Any] = {}
    for key in RATE_LIMIT_KEYS:
        parent = limits
        *outer, last = key.split(".")
        for part in outer:
            parent = parent.setdefault(part, {})
        parent[last] = dict(RAISED_LIMIT)
    return limits


def homeserver_config(
    data_dir: Path,
    port: int,
    shared_secret: str,
    *,
    raise_rate_limits: bool,
    default_room_version: str | None,
) -> dict[str, Any]:
    """The homeserver.yaml content: SQLite, one client listener on 127.0.0.1, no federation."""
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(data_dir / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}},
        "log_config": str(data_dir / "log_config.yaml"),
        "media_store_path": str(data_dir / "media_store"),
        "signing_key_path": str(data_dir / "signing.key"),
        "registration_shared_secret": shared_secret,
        "enable_registration": False,
        "report_stats": False,
        "enable_metrics": False,
        "presence": {"enabled": False},
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "bcrypt_rounds": 4,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
    }
    if default_room_version is not None:
        config["default_room_version"] = default_room_version
    if raise_rate_limits:
        config.update(raised_rate_limits())
    return config


def log_config(log_file: Path) -> dict[str, Any]:
    """Python dictConfig: WARNING and above to a file, so failures can quote it."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "plain",
                "filename": str(log_file),
                "encoding": "utf8",
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def signing_key_line() -> str:
    """An ed25519 signing key in Synapse's format: any 32 random bytes are a valid seed."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return f"ed25519 a_test {seed}\n"


def write_server_files(
    data_dir: Path,
    port: int,
    shared_secret: str,
    *,
    raise_rate_limits: bool,
    default_room_version: str | None,
) -> ServerFiles:
    """Write config, log config and signing key into data_dir; return their paths."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "media_store").mkdir(exist_ok=True)
    files = ServerFiles(
        config=data_dir / "homeserver.yaml",
        log=data_dir / "homeserver.log",
        stdout=data_dir / "stdout.log",
        database=data_dir / "homeserver.db",
    )
    config = homeserver_config(
        data_dir,
        port,
        shared_secret,
        raise_rate_limits=raise_rate_limits,
        default_room_version=default_room_version,
    )
    files.config.write_text(json.dumps(config, indent=2), encoding="utf8")
    (data_dir / "log_config.yaml").write_text(
        json.dumps(log_config(files.log), indent=2), encoding="utf8"
    )
    key_path = data_dir / "signing.key"
    if not key_path.exists():
        key_path.write_text(signing_key_line(), encoding="ascii")
    return files
