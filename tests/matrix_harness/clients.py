"""Users and matrix-nio clients on a harness homeserver.

Users are made with the shared-secret admin API (no registration rate limit, 25 ms each),
and clients reuse the access token and device that registration returned, so creating
many members does not trip the login rate limit even with Synapse's defaults.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse

REGISTER_PATH = "/_synapse/admin/v1/register"
T = TypeVar("T")


class HarnessError(RuntimeError):
    """A harness request failed; the message carries the server's answer."""


@dataclass(frozen=True)
class RegisteredUser:
    """A user created through the admin API, with the device registration made."""

    user_id: str
    password: str
    access_token: str
    device_id: str

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def registration_mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    """HMAC-SHA1 over nonce, user, password and admin flag joined by NUL bytes."""
    mac = hmac.new(secret.encode("utf8"), digestmod=hashlib.sha1)
    parts = [nonce, user, password, "admin" if admin else "notadmin"]
    mac.update(b"\x00".join(part.encode("utf8") for part in parts))
    return mac.hexdigest()


class ClientFactory:
    """Mixin for SynapseServer: registration and logged-in nio clients."""

    base_url: str
    shared_secret: str
    data_dir: Path

    async def register(
        self,
        localpart: str,
        password: str | None = None,
        *,
        admin: bool = False,
        displayname: str | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> RegisteredUser:
        """Create a user (GET a nonce, POST the HMAC); returns its token and device."""
        password = password or secrets.token_urlsafe(12)
        if session is None:
            async with aiohttp.ClientSession() as own:
                return await self.register(
                    localpart, password, admin=admin, displayname=displayname, session=own
                )
        url = f"{self.base_url}{REGISTER_PATH}"
        async with session.get(url) as resp:
            if resp.status != 200:
                raise HarnessError(f"GET {url} failed: {resp.status} {await resp.text()}")
            nonce = (await resp.json())["nonce"]
        body: dict[str, object] = {
            "nonce": nonce,
            "username": localpart,
            "password": password,
            "admin": admin,
            "mac": registration_mac(self.shared_secret, nonce, localpart, password, admin),
        }
        if displayname is not None:
            body["displayname"] = displayname
        async with session.post(url, json=body) as resp:
            data = await resp.json()
            if resp.status != 200:
                raise HarnessError(f"registering {localpart!r} failed: {resp.status} {data}")
        return RegisteredUser(data["user_id"], password, data["access_token"], data["device_id"])

    async def register_many(
        self, localparts: Iterable[str], *, concurrency: int = 16
    ) -> list[RegisteredUser]:
        """Register many users over one HTTP session (e.g. 1,000 members for a benchmark)."""
        gate = asyncio.Semaphore(concurrency)
        async with aiohttp.ClientSession() as session:

            async def one(localpart: str) -> RegisteredUser:
                async with gate:
                    return await self.register(localpart, session=session)

            return list(await asyncio.gather(*(one(lp) for lp in localparts)))

    async def client(
        self,
        user: RegisteredUser,
        store_dir: str | Path | None = None,
        encryption: bool = False,
        *,
        new_device: bool = False,
        max_limit_exceeded: int = 0,
        max_timeouts: int = 2,
    ) -> AsyncClient:
        """A logged-in nio client. The caller closes it (`await client.close()`).

        By default it reuses the registration's device and token (no login request);
        new_device=True logs in with the password instead. nio retries 429s forever
        unless bounded, so max_limit_exceeded/max_timeouts are always set.
        With encryption, keys are uploaded before returning so others can claim them.
        """
        config = AsyncClientConfig(
            max_limit_exceeded=max_limit_exceeded,
            max_timeouts=max_timeouts,
            encryption_enabled=encryption,
            store_sync_tokens=encryption,
            request_timeout=30,
        )
        store = self._store_path(user, store_dir, encryption)
        client = AsyncClient(self.base_url, user.user_id, store_path=store, config=config)
        try:
            await self._log_in(client, user, new_device)
            if client.olm is not None and client.should_upload_keys:
                ok(await client.keys_upload(), f"keys_upload for {user.user_id}")
        except BaseException:
            await client.close()
            raise
        return client

    def _store_path(self, user: RegisteredUser, store_dir: str | Path | None, enc: bool) -> str:
        """The nio store directory ("" for none); encrypted clients always get one."""
        if enc and store_dir is None:
            return tempfile.mkdtemp(prefix=f"nio-{user.localpart}-", dir=self.data_dir)
        if store_dir is None:
            return ""
        Path(store_dir).mkdir(parents=True, exist_ok=True)
        return str(store_dir)

    @staticmethod
    async def _log_in(client: AsyncClient, user: RegisteredUser, new_device: bool) -> None:
        if not new_device:
            client.restore_login(user.user_id, user.device_id, user.access_token)
            return
        resp = await client.login(user.password, device_name="porchlight-harness")
        if not isinstance(resp, LoginResponse):
            raise HarnessError(f"login as {user.user_id} failed: {resp}")


def ok(resp: T, what: str) -> T:
    """Return a nio response, or raise HarnessError if it is an error response."""
    if isinstance(resp, ErrorResponse):
        raise HarnessError(f"{what} failed: {resp.status_code} {resp.message}")
    return resp
