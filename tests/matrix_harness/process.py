"""Subprocess plumbing for the homeserver: spawn so it cannot outlive us, stop for sure."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

STOP_TIMEOUT = 10.0

# Runs first in the child: ask Linux to SIGTERM it when the spawning thread dies (pytest
# killed by a CI timeout never runs finalizers), then exec Synapse. PDEATHSIG survives exec.
_LAUNCHER = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit("porchlight harness: the test process is gone; not starting Synapse")
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def synapse_installed() -> bool:
    return importlib.util.find_spec("synapse") is not None


def bytecode_status() -> tuple[int, int]:
    """(modules with a .pyc for this interpreter, all modules) in the synapse package.

    With PYTHONDONTWRITEBYTECODE=1 and no precompiled bytecode Synapse needs ~2.6 s
    instead of ~1.1 s to start; `[tool.uv] compile-bytecode = true` precompiles it.
    """
    spec = importlib.util.find_spec("synapse")
    if spec is None or not spec.submodule_search_locations:
        return (0, 0)
    sources = [p for loc in spec.submodule_search_locations for p in Path(loc).rglob("*.py")]
    compiled = sum(1 for p in sources if Path(importlib.util.cache_from_source(str(p))).exists())
    return (compiled, len(sources))


def spawn_homeserver(config: Path, cwd: Path, output: Path) -> subprocess.Popen[bytes]:
    """Start `python -m synapse.app.homeserver -c config` in its own process group.

    Call it from a long-lived thread (the main/event-loop thread): Linux sends the
    parent-death signal when the *thread* that spawned the child exits.
    """
    command = [
        sys.executable,
        "-c",
        _LAUNCHER,
        str(os.getpid()),
        "-m",
        "synapse.app.homeserver",
        "-c",
        str(config),
    ]
    with output.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killpg reaches everything it starts
        )


def terminate_group(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers, and reap the process."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(encoding="utf8", errors="replace")
    except OSError:
        return "(no file)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"
