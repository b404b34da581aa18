"""A real Synapse homeserver as a subprocess, for tests and benchmarks.

Synapse is an external process, so waiting for it means polling its /health endpoint; the
waits are short and bounded by a deadline, and every failure quotes the Synapse log.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from pathlib import Path
from types import TracebackType

from tests.matrix_harness.clients import ClientFactory
from tests.matrix_harness.config import SERVER_NAME, ServerFiles, write_server_files
from tests.matrix_harness.process import (
    bytecode_status,
    free_port,
    spawn_homeserver,
    synapse_installed,
    tail,
    terminate_group,
)

START_TIMEOUT = 30.0
PORT_TRIES = 3
INSTALL_HINT = "Is matrix-synapse installed? run `uv sync` (it is in the dev dependency group)."
# Local connections only: never let an HTTP(S)_PROXY variable reroute the health check.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SynapseStartError(RuntimeError):
    """Synapse did not come up; the message says why and quotes its log."""


class SynapseServer(ClientFactory):
    """One throwaway homeserver: temp data dir, SQLite, 127.0.0.1 only.

    `with SynapseServer() as hs:`, `async with SynapseServer() as hs:` or start()/stop().
    restart() keeps the data directory and the port. In async code use astart()/astop()/
    arestart(): they wait in a thread, so a bot on the event loop sees Synapse go away.
    """

    def __init__(
        self,
        *,
        raise_rate_limits: bool = True,
        default_room_version: str | None = None,
        data_dir: Path | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="porchlight-synapse-")
            data_dir = Path(self._tmp.name)
        self.data_dir = data_dir
        self.raise_rate_limits = raise_rate_limits
        self.default_room_version = default_room_version
        self.start_timeout = start_timeout
        self.shared_secret = secrets.token_hex(16)
        self.server_name = SERVER_NAME
        self.port = 0
        self.startup_seconds: float | None = None
        self._files: ServerFiles | None = None
        self._port_tries = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._reaper: weakref.finalize | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Write the config (first start only), start Synapse and wait for /health."""
        while not self.running:
            began = self._spawn()
            try:
                self._await_health(began)
            except SynapseStartError as err:
                if not self._retry_on_new_port(err):
                    raise

    async def astart(self) -> None:
        """start(), spawning on the loop thread and waiting for /health in a worker."""
        while not self.running:
            began = self._spawn()
            try:
                await asyncio.to_thread(self._await_health, began)
            except SynapseStartError as err:
                if not self._retry_on_new_port(err):
                    raise

    def stop(self) -> None:
        """SIGTERM Synapse (SIGKILL its process group if it does not exit) and wait."""
        proc, self._proc = self._proc, None
        if self._reaper is not None:
            self._reaper.detach()
            self._reaper = None
        if proc is not None:
            terminate_group(proc)

    async def astop(self) -> None:
        await asyncio.to_thread(self.stop)

    def restart(self, *, raise_rate_limits: bool | None = None) -> None:
        """Stop and start again on the same port with the same database.

        raise_rate_limits switches the rc_* settings for the new run, e.g. set a benchmark
        up with raised limits, then measure under Synapse's defaults.
        """
        self.stop()
        self._reconfigure(raise_rate_limits)
        self.start()

    async def arestart(self, *, raise_rate_limits: bool | None = None) -> None:
        await self.astop()
        self._reconfigure(raise_rate_limits)
        await self.astart()

    def close(self) -> None:
        """Stop the server and delete its data directory (if we created it)."""
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def log_tail(self, lines: int = 25) -> str:
        """Last lines of Synapse's stdout/stderr and of its WARNING log."""
        if self._files is None:
            return "(not started)"
        return (
            f"--- {self._files.stdout} ---\n{tail(self._files.stdout, lines)}\n"
            f"--- {self._files.log} ---\n{tail(self._files.log, lines)}"
        )

    def _spawn(self) -> float:
        """Write files on first use, start the process; returns the start time."""
        if not synapse_installed():
            raise SynapseStartError(f"cannot import synapse with {sys.executable}. {INSTALL_HINT}")
        if self._files is None:
            self.port = free_port()
            self._files = self._write_files()
        began = time.monotonic()
        self._proc = spawn_homeserver(self._files.config, self.data_dir, self._files.stdout)
        self._reaper = weakref.finalize(self, terminate_group, self._proc)
        return began

    def _write_files(self) -> ServerFiles:
        return write_server_files(
            self.data_dir,
            self.port,
            self.shared_secret,
            raise_rate_limits=self.raise_rate_limits,
            default_room_version=self.default_room_version,
        )

    def _reconfigure(self, raise_rate_limits: bool | None) -> None:
        if raise_rate_limits is not None and raise_rate_limits != self.raise_rate_limits:
            self.raise_rate_limits = raise_rate_limits
            if self._files is not None:
                self._files = self._write_files()

    def _await_health(self, began: float) -> None:
        """Wait for /health; on any failure stop the process before raising."""
        try:
            assert self._proc is not None
            self._poll_health(self._proc, began + self.start_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def _poll_health(self, proc: subprocess.Popen[bytes], deadline: float) -> None:
        """Poll /health; between tries wait briefly on the process so a crash ends it early."""
        url = f"{self.base_url}/health"
        while True:
            code = proc.poll()
            if code is not None:
                raise self._start_error(f"Synapse exited with code {code} before /health")
            with contextlib.suppress(OSError), _NO_PROXY_OPENER.open(url, timeout=1.0) as resp:
                if resp.status == 200:
                    return
            if time.monotonic() > deadline:
                raise self._start_error(f"no answer from {url} within {self.start_timeout:.0f} s")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)

    def _retry_on_new_port(self, err: SynapseStartError) -> bool:
        """First start only: someone took the free port before Synapse bound it."""
        self._port_tries += 1
        first_start = self.startup_seconds is None
        if first_start and "Address already in use" in str(err) and self._port_tries < PORT_TRIES:
            self._files = None
            return True
        return False

    def _start_error(self, reason: str) -> SynapseStartError:
        compiled, total = bytecode_status()
        return SynapseStartError(
            f"Synapse failed to start: {reason}.\n{INSTALL_HINT}\n"
            f"data dir: {self.data_dir}; synapse bytecode compiled: {compiled}/{total}\n"
            f"{self.log_tail()}"
        )

    def __enter__(self) -> SynapseServer:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> SynapseServer:
        try:
            await self.astart()
        except BaseException:
            await asyncio.to_thread(self.close)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)
