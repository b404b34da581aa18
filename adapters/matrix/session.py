"""The nio client: bounded retries, a device that persists, and its crypto store on disk.

With an access token the device is the token's own (asked with whoami); with a password the bot
logs in again on every start with the same device id (configured, or the one it got the first
time), so the Olm account and Megolm sessions in the store stay valid and no token is kept.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LoginResponse,
    WhoamiResponse,
)

from adapters.matrix.state import AdapterState
from bot.config import ConfigError

log = logging.getLogger(__name__)

DEVICE_NAME = "Porchlight"
REQUEST_TIMEOUT = 30.0  # seconds, for every request but the sync long-poll
MAX_TIMEOUTS = 2  # nio retries a timed-out or refused request this often, then raises


class LoginFailed(ConfigError):
    """The homeserver refused the credentials: nothing will work until the config is fixed."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__([f"matrix.{key}: {problem}"])


@dataclass(frozen=True, slots=True)
class Credentials:
    homeserver: str
    user_id: str
    access_token: str | None
    password: str | None
    device_id: str


def quiet_nio_logs() -> None:
    """nio logs event content at DEBUG; Porchlight's logs never hold what members wrote."""
    for name in ("nio", "peewee"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def make_client(creds: Credentials, store_path: Path, state: AdapterState) -> AsyncClient:
    store_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(store_path, 0o700)  # the crypto store holds the bot's private keys
    config = AsyncClientConfig(
        max_limit_exceeded=0,  # 429s come back to us at once: see ratelimit.SendGate
        max_timeouts=MAX_TIMEOUTS,
        request_timeout=REQUEST_TIMEOUT,
        encryption_enabled=True,
        store_sync_tokens=False,  # our own token is stored once the batch was handled
    )
    device_id = creds.device_id or state.device_id or ""
    return AsyncClient(creds.homeserver, creds.user_id, device_id=device_id,
                       store_path=str(store_path), config=config)


async def log_in(client: AsyncClient, creds: Credentials, state: AdapterState) -> None:
    """Log in (or take up the token's session), load the crypto store, upload keys."""
    if creds.access_token:
        client.access_token = creds.access_token
        who = await client.whoami()
        if not isinstance(who, WhoamiResponse):
            raise LoginFailed("access_token", f"the homeserver refused it ({_code(who)})")
        if who.user_id != creds.user_id:
            raise LoginFailed("access_token", f"it belongs to {who.user_id}, "
                              f"not {creds.user_id}")
        if creds.device_id and who.device_id != creds.device_id:
            raise LoginFailed("access_token", f"it belongs to device {who.device_id}, "
                              f"not the configured {creds.device_id}")
        client.restore_login(creds.user_id, who.device_id, creds.access_token)
    else:
        assert creds.password, "build() checks that a token or a password is set"
        resp = await client.login(creds.password, device_name=DEVICE_NAME)
        if not isinstance(resp, LoginResponse):
            raise LoginFailed("password", f"the homeserver refused it ({_code(resp)})")
    if state.device_id != client.device_id:
        state.device_id = client.device_id
        state.save()
    if client.should_upload_keys:
        check(await client.keys_upload(), "keys upload")
    log.info("logged in to Matrix as device %s", client.device_id)


def check(resp: object, what: str) -> None:
    """Log a failed housekeeping request; the next round tries again."""
    if isinstance(resp, ErrorResponse):
        log.warning("%s failed: %s", what, _code(resp))


def _code(resp: object) -> str:
    if isinstance(resp, ErrorResponse):
        return str(resp.status_code or "unknown error")
    return type(resp).__name__


async def maintain_keys(client: AsyncClient) -> None:
    """What nio's sync_forever does between syncs: to-device out, key upload/query/claim."""
    if client.olm is None:
        return
    for resp in await client.send_to_device_messages():
        check(resp, "to-device send")
    if client.should_upload_keys:
        check(await client.keys_upload(), "keys upload")
    if client.should_query_keys:
        check(await client.keys_query(), "keys query")
    if client.should_claim_keys:
        check(await client.keys_claim(client.get_users_for_key_claiming()), "keys claim")
