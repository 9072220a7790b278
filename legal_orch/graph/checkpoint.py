"""Checkpoints of a review: SQLite, written at every step, holding only the domain's types."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from legal_orch.errors import CheckpointError

# Bump when the graph's state changes shape: old checkpoints are then not resumed.
STATE_VERSION = "2"

# The domain types a checkpoint may hold; anything else is refused when a checkpoint is read.
CHECKPOINT_TYPES = [
    ("legal_orch.domain", name)
    for name in (
        "Document",
        "HiddenText",
        "Page",
        "Segment",
        "DefinedTerm",
        "Clause",
        "Attribute",
        "Citation",
        "Precedent",
        "Recommendation",
        "Finding",
        "Subtask",
        "AgentFailure",
        "ValidationCheck",
        "Validation",
        "Segmentation",
        "Party",
        "KeyTerm",
        "Termination",
        "LiabilityCap",
        "KeyTerms",
        "ClientSide",
        "Deal",
        "Obligation",
    )
] + [("legal_orch.costs", "CostEntry")]


def serializer() -> JsonPlusSerializer:
    """Return the checkpoint serializer that allows exactly the review's domain types."""
    return JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)


def open_checkpointer(path: Path) -> SqliteSaver:
    """Open the SQLite checkpointer at `path` (WAL: a killed run leaves a readable file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(conn, serde=serializer())
        saver.setup()
        conn.execute("SELECT count(*) FROM checkpoints").fetchone()
    except sqlite3.DatabaseError as e:
        conn.close()
        raise corrupt(path, e) from e
    return saver


def corrupt(path: Path, e: Exception) -> CheckpointError:
    """The one-line error for a checkpoint database that cannot be read."""
    return CheckpointError(
        f"{path}: checkpoint database is corrupt ({e}); "
        "rerun with --fresh to set it aside and start over"
    )


def set_aside(path: Path) -> Path:
    """Move a corrupt checkpoint database (and its WAL files) aside; return where it went."""
    moved = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("-wal", "-shm", ""):
        src = path.with_name(path.name + suffix)
        if src.exists():
            src.replace(moved.with_name(moved.name + suffix))
    return moved


def threads(checkpointer: Any, prefix: str = "") -> list[str]:
    """The review threads in a SQLite checkpointer (those starting with `prefix`)."""
    rows = checkpointer.conn.execute(
        "SELECT DISTINCT thread_id FROM checkpoints WHERE thread_id LIKE ?", (prefix + "%",)
    ).fetchall()
    return [r[0] for r in rows]


def vacuum(conn: sqlite3.Connection) -> None:
    """Give deleted pages back to the file system (and overwrite them)."""
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")


def prune_finished(
    graph: Any, checkpointer: Any, keep_days: float, now: datetime | None = None
) -> int:
    """Delete the checkpoints of finished reviews last written more than `keep_days` ago.

    Paused and crashed reviews are kept: they are resumed from them.
    """
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    pruned = 0
    for thread in threads(checkpointer):
        snap = graph.get_state({"configurable": {"thread_id": thread}})
        if snap.next or snap.interrupts or not snap.created_at:
            continue
        if datetime.fromisoformat(snap.created_at) <= cutoff:
            checkpointer.delete_thread(thread)
            pruned += 1
    if pruned:
        vacuum(checkpointer.conn)
    return pruned
