"""`purge`: remove every trace of one contract by its hash (finished reviews' checkpoints are
pruned after `keep_checkpoints_days` by `legal_orch.graph.checkpoint.prune_finished`).

A contract's text is held in: the checkpoint database (each review's state), the Chroma store
(its sentences, when indexed), the decisions database (lawyers' decisions quote findings), the
LLM answer cache (answers quote it), the app's uploads and batch folders, and the batch spool.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from legal_orch.errors import LegalOrchError
from legal_orch.graph.checkpoint import threads, vacuum
from legal_orch.ingest.pdf import sha256_file
from legal_orch.settings import Settings

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def contract_hash(given: str) -> str:
    """A contract's sha256 from a hash or a file; raise LegalOrchError for anything else."""
    if SHA256.match(given.lower()):
        return given.lower()
    p = Path(given)
    if p.is_file():
        return sha256_file(p)
    raise LegalOrchError(f"{given}: not a contract's SHA-256 (64 hex digits) or a file")


def purge(settings: Settings, sha: str) -> list[str]:
    """Remove every trace of contract `sha` this tool holds; return what was removed, in words."""
    done = [
        _purge_checkpoints(settings, sha),
        _purge_chroma(settings, sha),
        _purge_decisions(settings, sha),
        _purge_outcomes(settings, sha),
        _purge_llm_cache(settings),
        *_purge_files(settings, sha),
    ]
    return [d for d in done if d]


def _purge_checkpoints(settings: Settings, sha: str) -> str:
    from legal_orch.graph.checkpoint import open_checkpointer

    path = settings.checkpoint_path()
    if not path.exists():
        return ""
    saver = open_checkpointer(path)
    try:
        found = threads(saver, sha + ":")
        for t in found:
            saver.delete_thread(t)
        if found:
            vacuum(saver.conn)
    finally:
        saver.conn.close()
    return f"checkpoints: {len(found)} review(s) deleted from {path}" if found else ""


def _purge_chroma(settings: Settings, sha: str) -> str:
    from legal_orch.retrieval.store import contract_collection_name, make_client

    if not settings.chroma_host and not settings.chroma_path().exists():
        return ""
    client = make_client(settings)
    name = contract_collection_name(sha)
    if name not in {c if isinstance(c, str) else c.name for c in client.list_collections()}:
        return ""
    client.delete_collection(name)
    db = settings.chroma_path() / "chroma.sqlite3"
    if not settings.chroma_host and db.exists():
        # Chroma deletes the rows but leaves their bytes in free pages and in the full-text
        # index's segments until they are merged: merge them, then rewrite the file.
        conn = sqlite3.connect(str(db), timeout=30)
        try:
            with contextlib.suppress(sqlite3.Error), conn:
                conn.execute(
                    "INSERT INTO embedding_fulltext_search(embedding_fulltext_search) "
                    "VALUES('optimize')"
                )
            vacuum(conn)
        finally:
            conn.close()
    return f"search index: the contract's sentences deleted ({name})"


def _purge_decisions(settings: Settings, sha: str) -> str:
    n = _delete_rows(settings.decisions_path(), "decisions", sha)
    return f"decisions: {n} lawyer's decision(s) deleted" if n else ""


def _purge_outcomes(settings: Settings, sha: str) -> str:
    n = _delete_rows(settings.outcomes_path(), "outcomes", sha)
    return f"outcomes: {n} record(s) of how its findings fared deleted" if n else ""


def _delete_rows(path: Path, table: str, sha: str) -> int:
    """Delete `table`'s rows about contract `sha` in the SQLite file `path` (0 if none)."""
    if not path.exists():
        return 0
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        with conn:
            n: int = conn.execute(f"DELETE FROM {table} WHERE doc_sha256 = ?", (sha,)).rowcount  # noqa: S608 - a constant table name
        if n:
            vacuum(conn)
    except sqlite3.OperationalError:
        n = 0  # no such table: nothing recorded
    finally:
        conn.close()
    return n


def _purge_llm_cache(settings: Settings) -> str:
    # Answers are cached by a hash of the prompt, which names no contract: the only way to be
    # sure none quotes this one is to drop the cache (it fills again as reviews run).
    path = settings.llm_cache_path()
    if not path.exists():
        return ""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return f"language-model answer cache deleted ({path}): its answers may quote the contract"


def _purge_files(settings: Settings, sha: str) -> list[str]:
    """Uploaded copies, batch inputs and the app's batch reviews of the contract; the spool."""
    removed = []
    spool = Path(tempfile.gettempdir()) / "legal-orch-batch" / sha
    if spool.exists():
        shutil.rmtree(spool, ignore_errors=True)
        removed.append(f"batch spool: {spool}")
    grids = set()
    for root in (settings.data_dir / "uploads", settings.data_dir / "batches"):
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink() and _holds(p, sha):
                p.unlink()
                removed.append(f"file: {p}")
                if (p.parent / "summary.csv").exists():
                    grids.add(p.parent)
    for out in sorted(grids):  # the batch's grid rows of the contract go with its review
        from legal_orch.batch.outputs import write_summaries

        write_summaries(out)
        removed.append(f"batch grid rebuilt without it: {out / 'summary.csv'}")
    return removed


def _holds(p: Path, sha: str) -> bool:
    """Whether `p` is the contract itself, or one of the tool's reviews of it."""
    if p.suffix.lower() in (".pdf", ".docx"):
        return sha256_file(p) == sha
    # A review names the contract's hash near its top: in full (JSON), or its first 16 (Markdown).
    mark = {".json": sha, ".md": sha[:16]}.get(p.suffix)
    if mark:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return mark in p.read_text(encoding="utf-8")[:4000]
    return False
