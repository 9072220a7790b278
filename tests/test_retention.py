"""Retention under the user's control: finished reviews' checkpoints pruned, uploads removed
with their session, files private to the user, `legal-orch purge` removing every trace."""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from legal_orch.cli import app
from legal_orch.decisions import DecisionStore
from legal_orch.graph.checkpoint import prune_finished, threads
from legal_orch.ingest.pdf import parse_pdf, sha256_file
from legal_orch.ingest.segment import segment
from legal_orch.retrieval.store import Store, contract_collection_name, make_client
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests import graph_agents as ga
from tests import hostile

PHRASE = b"Delta Corp"  # only in the contract purged; the other one names Omega


def _review(settings, pdf, embedder):
    r = Reviewer(settings, playbook=ga.PLAYBOOK, registry=ga.registry(), embedder=embedder)
    return r, r.review(pdf)


@pytest.fixture
def contract(tmp_path):
    p = tmp_path / "contract.pdf"
    p.write_bytes(hostile.contract_pdf("Delta"))
    return p


def test_finished_reviews_are_pruned_after_the_days_kept(tmp_path, contract, embedder):
    settings = Settings(data_dir=tmp_path / "data", keep_checkpoints_days=7)
    r, _ = _review(settings, contract, embedder)
    assert len(threads(r.checkpointer)) == 1  # kept for a week
    assert (
        prune_finished(r.graph, r.checkpointer, 7, now=datetime.now(UTC) + timedelta(days=6)) == 0
    )
    assert (
        prune_finished(r.graph, r.checkpointer, 7, now=datetime.now(UTC) + timedelta(days=8)) == 1
    )
    assert threads(r.checkpointer) == []
    r.checkpointer.conn.close()
    assert PHRASE not in settings.checkpoint_path().read_bytes()


def test_with_zero_days_a_finished_review_leaves_no_checkpoint(tmp_path, contract, embedder):
    settings = Settings(data_dir=tmp_path / "data", keep_checkpoints_days=0)
    r, report = _review(settings, contract, embedder)
    assert report.validation.status in ("passed", "failed")
    assert threads(r.checkpointer) == []


def test_a_paused_review_is_kept_to_be_resumed(tmp_path, contract, embedder):
    from legal_orch.registry import AgentSpec
    from legal_orch.review import Paused

    unsure = AgentSpec(name="unsure", capability="risk", run=ga.unsure_judge)
    settings = Settings(data_dir=tmp_path / "data", keep_checkpoints_days=0, interrupts=True)
    r = Reviewer(settings, playbook=ga.PLAYBOOK, registry=ga.registry(unsure), embedder=embedder)
    assert isinstance(r.review(contract), Paused)
    assert prune_finished(r.graph, r.checkpointer, 0) == 0 and len(threads(r.checkpointer)) == 1


def test_purge_removes_every_trace_of_a_contract(tmp_path, contract, embedder, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("LEGAL_ORCH_DATA_DIR", str(data))
    settings = Settings(data_dir=data, keep_checkpoints_days=30)
    r, report = _review(settings, contract, embedder)
    r.checkpointer.conn.close()
    sha = sha256_file(contract)
    doc = parse_pdf(contract)
    Store.from_settings(settings, embedder).index_contract(doc, segment(doc))
    DecisionStore.from_settings(settings).record(
        doc_sha256=sha,
        doc_name="contract.pdf",
        playbook="test",
        rule_id="termination",
        decision="accept",
        reviewer="lawyer",
        finding={"quote": PHRASE.decode()},
    )
    (data / "uploads" / "session-x").mkdir(parents=True)
    shutil.copy(contract, data / "uploads" / "session-x" / "mine.pdf")
    sqlite3.connect(settings.llm_cache_path()).close()
    other = tmp_path / "other.pdf"
    other.write_bytes(hostile.contract_pdf("Omega"))
    _review(settings, other, embedder)[0].checkpointer.conn.close()

    res = CliRunner().invoke(app, ["purge", sha])
    assert res.exit_code == 0, res.output
    assert "checkpoints: 1 review(s) deleted" in res.stdout
    assert "search index" in res.stdout and "decisions: 1" in res.stdout
    assert "outcomes: " in res.stdout  # how its findings fared, kept for the router to learn
    outcomes = sqlite3.connect(settings.outcomes_path())
    assert (
        outcomes.execute("SELECT COUNT(*) FROM outcomes WHERE doc_sha256 = ?", (sha,)).fetchone()[0]
        == 0
    )
    assert outcomes.execute("SELECT COUNT(*) FROM outcomes").fetchone()[0] > 0  # the other's stay
    outcomes.close()
    assert not (data / "uploads" / "session-x" / "mine.pdf").exists()
    assert not settings.llm_cache_path().exists()
    held = [p for p in data.rglob("*") if p.is_file() and PHRASE in p.read_bytes()]
    assert held == []
    names = [c if isinstance(c, str) else c.name for c in make_client(settings).list_collections()]
    assert contract_collection_name(sha) not in names
    saver_threads = (
        sqlite3.connect(settings.checkpoint_path())
        .execute("SELECT DISTINCT thread_id FROM checkpoints")
        .fetchall()
    )
    assert [t for (t,) in saver_threads if t.startswith(sha)] == []
    assert len(saver_threads) == 1  # the other contract's review stays
    again = CliRunner().invoke(app, ["purge", str(contract)])
    assert again.exit_code == 0 and "nothing of contract" in again.stdout


def test_purge_refuses_what_is_not_a_hash_or_a_file():
    res = CliRunner().invoke(app, ["purge", "abc123"])
    assert res.exit_code == 2 and "not a contract's SHA-256" in res.stderr


def test_files_written_are_private_to_the_user(tmp_path, sample_pdf):
    import subprocess
    import sys

    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "review.json"
    cmd = [
        sys.executable,
        "-m",
        "legal_orch.cli",
        "review",
        str(sample_pdf),
        "-q",
        "--format",
        "json",
        "--out",
        str(out),
    ]
    proc = subprocess.run(
        cmd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert proc.returncode == 0, proc.stderr[-1500:]
    made = [out, *(tmp_path / "data").rglob("*")]
    public = [str(p) for p in made if p.stat().st_mode & 0o077]
    assert public == []


def test_an_upload_folder_goes_with_its_session(tmp_path):
    from legal_orch_ui.uploads import SessionUploads, new_upload_dir, save_upload

    folder = new_upload_dir(Settings(data_dir=tmp_path))
    save_upload("a.pdf", b"%PDF-1.4", folder)
    assert (folder / "a.pdf").stat().st_mode & 0o077 == 0
    held = SessionUploads(folder)
    del held  # Streamlit drops a session's state when the session ends
    gc.collect()
    assert not folder.exists()


def test_session_folders_a_killed_server_left_are_swept(tmp_path):
    from legal_orch_ui.uploads import STALE_SECONDS, sweep

    old, new = tmp_path / "session-old", tmp_path / "session-new"
    old.mkdir()
    new.mkdir()
    past = time.time() - STALE_SECONDS - 60
    os.utime(old, (past, past))
    sweep(tmp_path)
    assert not old.exists() and new.exists()
