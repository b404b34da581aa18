"""Porchlight on Matrix. ``build`` turns the ``[matrix]`` config into a ready adapter."""

from __future__ import annotations

from urllib.parse import urlparse

from adapters.matrix.adapter import MatrixAdapter, MatrixOptions
from adapters.matrix.session import Credentials
from bot.config import ConfigError, Settings, read_secret
from bot.ports import Clock

__all__ = ["MatrixAdapter", "MatrixOptions", "build", "credentials_from"]


def build(settings: Settings, clock: Clock) -> MatrixAdapter:
    creds = credentials_from(settings)
    matrix = settings.matrix
    options = MatrixOptions(
        store_path=matrix.store_path,
        moderator_room_id=matrix.moderator_room_id,
        moderator_power_level=matrix.moderator_power_level,
        community_room_id=matrix.community_room_id,
        alumni_room_id=matrix.alumni_room_id,
        scan_room_ids=tuple(matrix.scan_room_ids),
        allowed_servers=tuple(matrix.allowed_servers),
        encrypt_rooms=matrix.encrypt_rooms,
        page_mentions=matrix.page_mentions,
        sync_timeout_seconds=matrix.sync_timeout_seconds,
        rate_limit_wait_seconds=matrix.rate_limit_wait_seconds,
    )
    return MatrixAdapter(creds, options, clock)


def credentials_from(settings: Settings) -> Credentials:
    """The login from ``[matrix]``, or every problem with the section at once."""
    matrix = settings.matrix
    token = read_secret(matrix.access_token, matrix.access_token_file, "matrix.access_token")
    password = read_secret(matrix.password, matrix.password_file, "matrix.password")
    problems = []
    if urlparse(matrix.homeserver).scheme not in ("http", "https"):
        problems.append(f"matrix.homeserver: a URL like https://matrix.example.org "
                        f"(got {matrix.homeserver!r})")
    if not _is_user_id(matrix.user_id):
        problems.append(f"matrix.user_id: a Matrix id like @porchlight:example.org "
                        f"(got {matrix.user_id!r})")
    if not (token and token.get_secret_value()) and not (password and password.get_secret_value()):
        problems.append("matrix.access_token: set PORCHLIGHT__MATRIX__ACCESS_TOKEN or "
                        "matrix.access_token_file (or a password the same way)")
    rooms = {"moderator_room_id": matrix.moderator_room_id,
             "community_room_id": matrix.community_room_id,
             "alumni_room_id": matrix.alumni_room_id,
             **{f"scan_room_ids[{n}]": room for n, room in enumerate(matrix.scan_room_ids)}}
    if not matrix.moderator_room_id:
        problems.append("matrix.moderator_room_id: the moderator room's id (!abc...:server), "
                        "or no crisis can reach a moderator")
    problems += [f"matrix.{key}: a room id like !abc123:example.org (got {room!r})"
                 for key, room in rooms.items() if room and not _is_room_id(room)]
    if problems:
        raise ConfigError(problems)
    return Credentials(
        homeserver=matrix.homeserver,
        user_id=matrix.user_id,
        access_token=token.get_secret_value() if token else None,
        password=password.get_secret_value() if password else None,
        device_id=matrix.device_id,
    )


def _is_user_id(value: str) -> bool:
    localpart, _, server = value.removeprefix("@").partition(":")
    return value.startswith("@") and bool(localpart) and bool(server)


def _is_room_id(value: str) -> bool:
    """Room ids start with "!"; before room version 12 they also name a server."""
    return value.startswith("!") and len(value) > 1
