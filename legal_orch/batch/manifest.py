"""The files a batch wrote in its output folder, so it never overwrites or deletes anyone else's.

OUTDIR/.legal-orch-batch lists, one per line, every name the batch claimed there. A name is
claimed (appended, flushed) before its file is written, so a kill between the two leaves a claim
without a file, never a file of ours that a later run would take for a stranger's.
"""

from __future__ import annotations

import os
from pathlib import Path

MANIFEST = ".legal-orch-batch"
# Files every batch writes at the top of OUTDIR; a stranger's file under one of these names
# stops the batch even with --force.
SUMMARIES = ("summary.csv", "summary.xlsx", "errors.csv", "calendar.ics")


_READ: dict[Path, tuple[tuple[int, int], frozenset[str]]] = {}  # read once per change


def claimed(out: Path) -> frozenset[str]:
    """Return the names the batches run into `out` have claimed."""
    path = out / MANIFEST
    try:
        st = path.stat()
    except FileNotFoundError:
        return frozenset()
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _READ.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    text = path.read_text(encoding="utf-8")
    # A line cut short by a kill has no newline; it was never followed by a write.
    names = frozenset(text.split("\n")[:-1])
    _READ[path] = (stamp, names)
    return names


def claim(out: Path, *names: str) -> None:
    """Record `names` as this tool's before their files are written."""
    new = [n for n in names if n not in claimed(out)]
    if not new:
        return
    fd = os.open(out / MANIFEST, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(f"{n}\n" for n in new).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def owns(out: Path, name: str) -> bool:
    """Return whether `name` in `out` was written by a batch (not by someone else)."""
    return name in claimed(out)


def strangers(out: Path) -> list[str]:
    """Names at the top of `out` that no batch wrote (hidden entries aside: ours are hidden, and
    so are a file system's own, like .DS_Store)."""
    if not out.is_dir():
        return []
    ours = claimed(out)
    return sorted(
        p.name for p in out.iterdir() if not p.name.startswith(".") and p.name not in ours
    )
