"""Checkpoints of a review: SQLite, written at every step, holding only the domain's types."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

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
