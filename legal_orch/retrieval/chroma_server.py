"""Run a local `chroma run` server for a batch, so many workers share one store safely."""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from legal_orch.errors import LegalOrchError
from legal_orch.process_guard import die_with_parent
from legal_orch.retrieval.store_lock import acquire, release

START_TIMEOUT_S = 60.0


class ChromaServerError(LegalOrchError):
    """The Chroma server could not be started."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on `host` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def chroma_cli() -> str:
    """Return the `chroma` executable next to this Python, else the one on PATH."""
    here = Path(sys.executable).with_name("chroma")
    found = str(here) if here.exists() else shutil.which("chroma")
    if not found:
        raise ChromaServerError(
            "chroma: the `chroma` command is not installed (pip install chromadb)"
        )
    return found


def is_up(host: str, port: int) -> bool:
    """Return whether a Chroma server answers its heartbeat at host:port."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/api/v2/heartbeat", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@dataclass
class ChromaServer:
    """A `chroma run` child process over `path`, holding the folder's lock while it lives."""

    path: Path
    host: str = "127.0.0.1"
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    _lock: int | None = None

    def start(self, log: Path | None = None) -> ChromaServer:
        """Start the server and wait until it answers; the folder's lock passes to it."""
        self._lock = acquire(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        out = log.open("ab") if log else subprocess.DEVNULL
        cmd = [
            chroma_cli(),
            "run",
            "--path",
            str(self.path),
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        # The child inherits the lock: an orphaned server (its batch killed) still holds it.
        self.proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            pass_fds=(self._lock,),
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
        self._wait_up()
        return self

    def _wait_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not is_up(self.host, self.port):
            if self.proc is not None and self.proc.poll() is not None:
                self.stop()
                raise ChromaServerError(
                    f"{self.path}: chroma run exited with status {self.proc.returncode}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ChromaServerError(
                    f"{self.path}: chroma run did not answer within {START_TIMEOUT_S:.0f}s"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server (TERM, then KILL) and release the folder's lock."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._lock is not None:
            release(self._lock)
            self._lock = None

    def __enter__(self) -> ChromaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
