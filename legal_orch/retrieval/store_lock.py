"""An exclusive lock on an embedded Chroma folder, so two processes never write it at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from legal_orch.errors import LegalOrchError


class StoreBusyError(LegalOrchError):
    """The embedded store is in use by another process."""


def lock_path(chroma_dir: Path) -> Path:
    """Return the lock file that guards `chroma_dir` (next to it, not inside it)."""
    return chroma_dir.with_name(chroma_dir.name + ".lock")


def acquire(chroma_dir: Path, *, wait_s: float = 30.0) -> int:
    """Take the exclusive lock on `chroma_dir`; return its file descriptor (inheritable)."""
    import fcntl

    path = lock_path(chroma_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise StoreBusyError(
                    f"{chroma_dir}: Chroma store in use by another process (lock {path.name}); "
                    "wait for it, or use a Chroma server (--chroma-host)"
                ) from None
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    os.set_inheritable(fd, True)
    return fd


def release(fd: int) -> None:
    """Release a lock taken by `acquire` (closing the last descriptor releases it too)."""
    os.close(fd)
