"""pytest plugin: one real Synapse per test session, plus per-test users and nio clients.

Load it once for the whole run, from the root conftest (tests/conftest.py):

    pytest_plugins = ["tests.matrix_harness.fixtures"]

tests/matrix_harness/conftest.py also loads it if nobody did, so this package runs alone.
If Synapse cannot start, every test using it fails with the reason (never a skip).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest
from nio import AsyncClient

from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.process import bytecode_status
from tests.matrix_harness.synapse import SynapseServer, SynapseStartError


class UserMaker(Protocol):
    def __call__(
        self,
        prefix: str = "user",
        *,
        admin: bool = False,
        displayname: str | None = None,
        server: SynapseServer | None = None,
    ) -> Awaitable[RegisteredUser]: ...


class ClientMaker(Protocol):
    def __call__(
        self,
        user: RegisteredUser,
        *,
        encryption: bool = False,
        store_dir: Path | None = None,
        new_device: bool = False,
        server: SynapseServer | None = None,
        max_limit_exceeded: int = 0,
        max_timeouts: int = 2,
    ) -> Awaitable[AsyncClient]: ...


ServerMaker = Callable[..., Awaitable[SynapseServer]]
_STARTUP_NOTE = pytest.StashKey[str]()


def _started(server: SynapseServer) -> SynapseServer:
    """Start or fail the test with Synapse's own explanation (pytrace off: it is long)."""
    try:
        server.start()
        return server
    except SynapseStartError as err:
        reason = str(err)
    server.close()
    pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def synapse(pytestconfig: pytest.Config) -> Iterator[SynapseServer]:
    """The session's homeserver, rate limits raised. Tests must leave it running."""
    server = _started(SynapseServer(raise_rate_limits=True))
    compiled, total = bytecode_status()
    pytestconfig.stash[_STARTUP_NOTE] = (
        f"matrix harness: Synapse answered /health {server.startup_seconds:.2f} s after spawn "
        f"(synapse bytecode compiled: {compiled}/{total})"
    )
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
async def synapse_factory() -> AsyncIterator[ServerMaker]:
    """Private servers for tests that restart Synapse or need its default rate limits."""
    servers: list[SynapseServer] = []

    async def make(**options: object) -> SynapseServer:
        server = SynapseServer(**options)  # type: ignore[arg-type]
        servers.append(server)
        try:
            await server.astart()
            return server
        except SynapseStartError as err:
            reason = str(err)
        pytest.fail(reason, pytrace=False)

    try:
        yield make
    finally:
        for server in servers:
            await asyncio.to_thread(server.close)


@pytest.fixture
def matrix_user(synapse: SynapseServer) -> UserMaker:
    """Registers a fresh, uniquely named user per call: `await matrix_user("member")`."""

    async def make(
        prefix: str = "user",
        *,
        admin: bool = False,
        displayname: str | None = None,
        server: SynapseServer | None = None,
    ) -> RegisteredUser:
        localpart = f"{prefix.lower()}-{uuid.uuid4().hex[:10]}"
        target = server or synapse
        return await target.register(localpart, admin=admin, displayname=displayname)

    return make


@pytest.fixture
async def matrix_client(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[ClientMaker]:
    """Logged-in nio clients for the test, all closed at teardown.

    Encrypted clients get their own crypto store under tmp_path unless store_dir is given
    (pass the same store_dir again to restart a client with its keys).
    """
    clients: list[AsyncClient] = []
    numbers = itertools.count()

    async def make(
        user: RegisteredUser,
        *,
        encryption: bool = False,
        store_dir: Path | None = None,
        new_device: bool = False,
        server: SynapseServer | None = None,
        max_limit_exceeded: int = 0,
        max_timeouts: int = 2,
    ) -> AsyncClient:
        if encryption and store_dir is None:
            store_dir = tmp_path / f"nio-{user.localpart}-{next(numbers)}"
        client = await (server or synapse).client(
            user,
            store_dir=store_dir,
            encryption=encryption,
            new_device=new_device,
            max_limit_exceeded=max_limit_exceeded,
            max_timeouts=max_timeouts,
        )
        clients.append(client)
        return client

    try:
        yield make
    finally:
        for client in clients:
            await client.close()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Report the session server's start-up time (measured, never asserted)."""
    note = config.stash.get(_STARTUP_NOTE, None)
    if note:
        terminalreporter.write_line(note)
