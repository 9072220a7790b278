"""Read one file in a child process with a time and a memory limit, so a crafted PDF (forms
that draw forms, streams that inflate to gigabytes) costs seconds and megabytes, not the machine.

The child is forked (the parent's imports are reused: ~10 ms), its address space capped with
RLIMIT_AS above what it inherits, and killed when its time is up. Where fork is not available
the file is read in-process, with pypdf's own stream limits only.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from legal_orch.errors import InputError, LegalOrchError, NotReviewedError

T = TypeVar("T")


class ReadLimitError(InputError):
    """A file that took too long or too much memory to read."""

    kind = "limit"


@dataclass(frozen=True)
class ReadLimits:
    seconds: float
    memory_mb: int


def _vm_size() -> int:
    """This process's virtual memory in bytes (what the child starts with)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(
    conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], memory: int
) -> None:
    vm = _vm_size()
    if vm:
        limit = vm + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except MemoryError:
        conn.send(("memory", None))
    except LegalOrchError as e:
        conn.send(
            (
                "error",
                (
                    type(e),
                    getattr(e, "path", ""),
                    getattr(e, "problem", str(e)),
                    getattr(e, "kind", ""),
                ),
            )
        )
    except BaseException as e:  # noqa: BLE001 - every failure goes back as one line
        conn.send(("crash", f"{type(e).__name__}: {str(e)[:120]}"))
    finally:
        conn.close()


def _rebuild(typ: type[LegalOrchError], path: str, problem: str, kind: str) -> LegalOrchError:
    if issubclass(typ, NotReviewedError):
        return typ(path, problem, kind)
    if issubclass(typ, InputError):
        return typ(path, problem)
    return typ(problem)


def within_limits(
    fn: Callable[..., T], shown: str, limits: ReadLimits | None, *args: Any, **kwargs: Any
) -> T:
    """Return `fn(*args, **kwargs)` run in a child under `limits`; over a limit, one line."""
    if limits is None or "fork" not in multiprocessing.get_all_start_methods():
        return fn(*args, **kwargs)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(send, fn, args, kwargs, limits.memory_mb * 1024 * 1024), daemon=True
    )
    proc.start()
    send.close()
    try:
        if not recv.poll(limits.seconds):
            raise ReadLimitError(
                shown,
                f"reading it took longer than {limits.seconds:g} s (a crafted or broken file? "
                "for a very long contract, raise LEGAL_ORCH_PARSE_TIMEOUT)",
            )
        status, value = recv.recv()
    except EOFError:
        status, value = "memory", None  # the child died without a word: killed for memory
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    if status == "ok":
        return value  # type: ignore[no-any-return]
    if status == "memory":
        raise ReadLimitError(
            shown,
            f"reading it needed more than {limits.memory_mb} MB (a crafted or broken file? "
            "for a very long contract, raise LEGAL_ORCH_PARSE_MEMORY_MB)",
        )
    if status == "error":
        raise _rebuild(*value)
    raise InputError(shown, f"could not be read ({value})")
