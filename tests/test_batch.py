"""Batch review: safe names and zips, atomic outputs, the CLI on bad input, kill -9 resume, Ray."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from legal_orch.batch.inputs import assign_names, extract_zip, find_inputs, safe_stem
from legal_orch.batch.outputs import grid_rows, to_csv, write_review, write_summaries
from legal_orch.errors import InputError
from legal_orch.retrieval.chroma_server import ChromaServer, free_port
from tests.conftest import FIXTURES, SAMPLE
from tests.sample_report import sample_report

CLI = [sys.executable, "-m", "legal_orch.cli"]
EVIL = "evil\x1b[31m\u202ename\n.pdf"


def cuad_fixtures(n: int) -> list[Path]:
    found = sorted(p for p in (FIXTURES / "cuad").glob("*") if p.suffix.lower() == ".pdf")
    if len(found) < n:
        pytest.skip(f"needs {n} CUAD fixture PDFs in tests/fixtures/cuad")
    return found[:n]


def data_room(root: Path) -> Path:
    """Three distinct contracts (one under a hostile name, one in a sub-folder) and two bad files."""
    src = root / "room"
    (src / "sub").mkdir(parents=True)
    a, b = cuad_fixtures(2)
    shutil.copy(SAMPLE, src / "reseller.pdf")
    shutil.copy(a, src / "sub" / a.name)
    shutil.copy(b, src / EVIL)
    (src / "notes.pdf").write_text("not a pdf at all\n")
    (src / "empty.pdf").write_bytes(b"")
    (src / "readme.txt").write_text("not a .pdf: listed in errors.csv, not reviewed\n")
    (src / ".DS_Store").write_bytes(b"\0")  # hidden: the file system's, not the data room's
    return src


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "LEGAL_ORCH_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- names, zips, outputs (no review needed) ---


@pytest.mark.parametrize(
    ("rel", "stem"),
    [
        ("a/b/Contract.PDF", "a__b__Contract"),
        ("../../etc/passwd.pdf", "etc__passwd"),
        ("x/\x1b[31mred\u202e.pdf", "x___[31mred_"),
        ("..pdf", "unnamed"),
        ("con.pdf", "_con"),
        ('a:b*c?"<>|.pdf', "a_b_c_____"),
    ],
)
def test_safe_stem(rel, stem):
    assert safe_stem(rel) == stem


def test_names_are_unique_and_bounded():
    names = assign_names(["A.pdf", "a.pdf", "x/y.pdf", "x__y.pdf", "z" * 400 + ".pdf"])
    assert len({n.casefold() for n in names.values()}) == 5
    assert all(len(n.encode()) <= 160 and "/" not in n for n in names.values())


def test_zip_rejects_traversal(tmp_path):
    for bad in ("../escape.pdf", "/abs.pdf", "a/../../escape.pdf"):
        z = tmp_path / "bad.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("ok.pdf", b"%PDF-1.4")
            zf.writestr(bad, b"%PDF-1.4")
        with pytest.raises(InputError, match="unsafe path in zip"):
            extract_zip(z, tmp_path / "dest")
        assert not (tmp_path / "escape.pdf").exists()


def test_zip_source_is_extracted(tmp_path):
    z = tmp_path / "room.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(SAMPLE, "deals/reseller.pdf")
        zf.writestr("deals/notes.txt", "x")
    found = find_inputs(z, tmp_path / "out")
    assert [(i.relpath, i.name) for i in found] == [
        ("deals/notes.txt", "deals__notes.txt"),
        ("deals/reseller.pdf", "deals__reseller"),
    ]
    assert found[0].problem.kind == "unsupported" and found[1].problem is None
    assert found[1].path.is_relative_to((tmp_path / "out" / ".inputs").resolve())


def test_grid_and_csv_from_reports(tmp_path, sample_doc):
    report = sample_report(sample_doc)
    write_review(tmp_path, "one", "deals/one.pdf", report)
    write_review(tmp_path, "two", "two.pdf", report)
    write_review(tmp_path, "two", "two.pdf", report)  # rewritten, not duplicated
    (tmp_path / "stray.json").write_text("{not json")
    rows, summary_csv, _, errors_csv = write_summaries(tmp_path)
    assert [r["name"] for r in rows] == ["one", "two"] == [r["name"] for r in read_csv(summary_csv)]
    assert rows[0]["source"] == "deals/one.pdf"
    counts = report.severity_counts()
    assert (
        rows[0]["risk_high"] == counts["high"] and rows[0]["validation"] == report.validation.status
    )
    assert {c.category for c in report.clauses} <= set(rows[0])
    assert read_csv(errors_csv) == []
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    assert grid_rows(tmp_path) == rows


def test_csv_neutralises_formulas():
    text = to_csv([{"name": "=HYPERLINK(1)", "source": "-1+2"}], ["name", "source"])
    assert "'=HYPERLINK(1)" in text and "'-1+2" in text


def test_chroma_server_holds_the_store_lock(tmp_path):
    from legal_orch.retrieval.store_lock import StoreBusyError, acquire

    with ChromaServer(tmp_path / "chroma").start() as server:
        assert server.port
        with pytest.raises(StoreBusyError, match="in use by another process"):
            acquire(tmp_path / "chroma", wait_s=0.5)
    os.close(acquire(tmp_path / "chroma", wait_s=5))


def hostile_room(root: Path) -> Path:
    """A data room with every kind of file a batch must not skip in silence, and link traps."""
    src, outside = root / "room", root / "outside"
    (src / "deals").mkdir(parents=True)
    outside.mkdir()
    shutil.copy(SAMPLE, src / "deals" / "reseller.pdf")
    shutil.copy(SAMPLE, outside / "secret.pdf")
    (src / "deck.pptx").write_bytes(b"PK\x03\x04 slides")
    (src / "NOTES").write_text("no extension")
    with zipfile.ZipFile(src / "nested.zip", "w") as zf:
        zf.write(SAMPLE, "inner.pdf")
    (src / "linked.pdf").symlink_to(src / "deals" / "reseller.pdf")  # inside: followed
    (src / "escape.pdf").symlink_to(outside / "secret.pdf")  # outside: never read
    (src / "broken.pdf").symlink_to(src / "gone.pdf")
    (src / "deals" / "up").symlink_to(src, target_is_directory=True)  # a loop
    (src / "secrets").symlink_to(outside, target_is_directory=True)
    os.mkfifo(src / "pipe.pdf")
    return src


def test_every_file_found_is_reviewed_or_has_a_reason(tmp_path):
    found = {i.relpath: i for i in find_inputs(hostile_room(tmp_path), tmp_path / "out")}
    kinds = {r: (i.problem.kind if i.problem else None) for r, i in found.items()}
    assert kinds == {
        "deals/reseller.pdf": None,
        "linked.pdf": None,
        "deck.pptx": "unsupported",
        "NOTES": "unsupported",
        "nested.zip": "nested_zip",
        "escape.pdf": "link",
        "broken.pdf": "link",
        "secrets": "link",
        "pipe.pdf": "unreadable",
    }
    assert found["linked.pdf"].path == (tmp_path / "room" / "deals" / "reseller.pdf").resolve()
    assert str(found["deck.pptx"].problem) == (
        "deck.pptx: unsupported file type (.pptx): only PDF and Word (.docx) files are reviewed"
    )
    assert "outside the batch folder" in str(found["escape.pdf"].problem)
    assert "extract it" in str(found["nested.zip"].problem)


def test_a_link_in_a_zip_is_reported_not_followed(tmp_path):
    z = tmp_path / "room.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(SAMPLE, "a.pdf")
        link = zipfile.ZipInfo("passwd.pdf")
        link.external_attr = (0o120777) << 16  # a symbolic link to /etc/passwd
        zf.writestr(link, "/etc/passwd")
    found = {i.relpath: i for i in find_inputs(z, tmp_path / "out")}
    assert found["a.pdf"].problem is None
    assert str(found["passwd.pdf"].problem) == "passwd.pdf: a link inside the zip, not followed"
    assert not (tmp_path / "out" / ".inputs" / "passwd.pdf").exists()


def test_a_zip_of_nothing_reviewable_is_not_total_0(tmp_path):
    from legal_orch.cli import app

    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(SAMPLE, "a.pdf")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "inner.zip")
    res = CliRunner().invoke(app, ["batch", str(outer), "--out", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 1
    summary = json.loads(res.stdout)
    assert (summary["total"], summary["failed"]) == (1, 1)
    assert [r["kind"] for r in read_csv(tmp_path / "out" / "errors.csv")] == ["nested_zip"]


def test_an_empty_folder_is_an_error_not_a_clean_batch(tmp_path):
    from legal_orch.cli import app

    (tmp_path / "room").mkdir()
    res = CliRunner().invoke(
        app, ["batch", str(tmp_path / "room"), "--out", str(tmp_path / "out"), "-q"]
    )
    assert res.exit_code == 1
    assert res.stderr.strip() == f"legal-orch: {tmp_path / 'room'}: no files to review"


def test_a_corrupt_checkpoint_database_stops_the_batch_in_one_line(tmp_path, monkeypatch):
    from legal_orch.cli import app

    db = tmp_path / "checkpoints.sqlite"
    db.write_bytes(b"not a database\n" * 100)
    monkeypatch.setenv("LEGAL_ORCH_CHECKPOINT_DB", str(db))
    (tmp_path / "room").mkdir()
    shutil.copy(SAMPLE, tmp_path / "room" / "a.pdf")
    res = CliRunner().invoke(
        app, ["batch", str(tmp_path / "room"), "--out", str(tmp_path / "out"), "-q"]
    )
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"legal-orch: {db}: checkpoint database is corrupt (file is not a database); move it "
        "aside (legal-orch review FILE --fresh does it) and run the batch again"
    ]


# --- the CLI over real reviews ---


def test_batch_cli_bad_input_goes_on(tmp_path, monkeypatch):
    from legal_orch.cli import app

    src, out = data_room(tmp_path), tmp_path / "out"
    # CliRunner runs the command in this process; workers are separate (spawned) processes.
    monkeypatch.setenv("LEGAL_ORCH_DATA_DIR", str(tmp_path / "data"))
    res = CliRunner().invoke(app, ["batch", str(src), "--out", str(out), "--workers", "2", "-q"])
    assert res.exit_code == 1, res.output
    summary = json.loads(res.stdout)
    assert (summary["total"], summary["succeeded"], summary["failed"]) == (6, 3, 3)
    errors = {r["source"]: r for r in read_csv(out / "errors.csv")}
    assert set(errors) == {"notes.pdf", "empty.pdf", "readme.txt"}
    assert errors["readme.txt"]["kind"] == "unsupported"
    assert (
        errors["notes.pdf"]["kind"] == "not_pdf"
        and "notes.pdf: not a PDF" in errors["notes.pdf"]["message"]
    )
    assert errors["empty.pdf"]["kind"] == "empty"
    rows = read_csv(out / "summary.csv")
    assert len(rows) == 3 and len({r["sha256"] for r in rows}) == 3
    evil = next(r for r in rows if r["source"].startswith("evil"))
    assert (
        "\x1b" not in evil["source"]
        and "\u202e" not in evil["source"]
        and "\n" not in evil["source"]
    )
    for r in rows:
        assert r["validation"] in ("passed", "failed", "incomplete")
        report = json.loads((out / f"{r['name']}.json").read_text())
        assert report["document"]["path"] == r["source"] and (out / f"{r['name']}.md").is_file()
    assert all(p.parent == out for p in out.glob("*.json"))  # nothing escaped OUTDIR
    from openpyxl import load_workbook

    wb = load_workbook(out / "summary.xlsx")
    assert wb["summary"].max_row == 4 and wb["errors"].max_row == 4

    again = CliRunner().invoke(app, ["batch", str(src), "--out", str(out), "-q"])
    assert json.loads(again.stdout)["skipped"] == 3 and again.exit_code == 1


def test_resume_after_kill_9(tmp_path):
    src, out = tmp_path / "room", tmp_path / "out"
    src.mkdir()
    pdfs = [SAMPLE, *cuad_fixtures(2)]
    for i, p in enumerate(pdfs):
        shutil.copy(p, src / f"c{i}.pdf")
    cmd = [*CLI, "batch", str(src), "--out", str(out), "--workers", "1", "-q"]
    proc = subprocess.Popen(
        cmd, env=env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 400
    while not list(out.glob("*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    assert 1 <= len(first) < len(pdfs), "the kill should land mid-batch"

    rerun = [c for c in cmd if c != "-q"]
    run = subprocess.run(rerun, env=env(tmp_path), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr  # every file reviewed: exit 0
    assert f"{len(pdfs)}/{len(pdfs)} done" in run.stderr  # progress on stderr, results on stdout
    result = json.loads(run.stdout)
    assert result["skipped"] == len(first) and result["succeeded"] == len(pdfs)
    assert all((out / n).stat().st_mtime_ns == t for n, t in first.items())  # not redone
    rows = read_csv(out / "summary.csv")
    assert sorted(r["name"] for r in rows) == [f"c{i}" for i in range(len(pdfs))]
    assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".part"))]


# --- past one machine: a Ray cluster and a Chroma server, both started here ---


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise AssertionError(f"ray head did not listen on {port} (exit {proc.poll()})")


@pytest.fixture
def ray_head(tmp_path, monkeypatch):
    """A one-node Ray cluster (token auth, a throw-away token) that the batch connects to."""
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    port = free_port()
    # Ray's unix sockets live under --temp-dir; pytest's tmp_path is too long for them.
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    head = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ray")),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, head)
        yield f"127.0.0.1:{port}"
    finally:
        stop_group(head)
        shutil.rmtree(temp, ignore_errors=True)


def stop_group(proc: subprocess.Popen) -> None:
    """Stop `ray start --block` and what it started (its process group): TERM, then KILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.slow  # about 2 minutes on 2 cores: a Ray head, a Chroma server, two actors
def test_ray_engine_with_chroma_server(tmp_path, ray_head):
    src, out = tmp_path / "room", tmp_path / "out"
    src.mkdir()
    for i, p in enumerate([SAMPLE, *cuad_fixtures(1)]):
        shutil.copy(p, src / f"c{i}.pdf")
    (src / "bad.pdf").write_text("nope")
    with ChromaServer(tmp_path / "chroma-server").start() as server:
        cmd = [
            *CLI,
            "batch",
            str(src),
            "--out",
            str(out),
            "--engine",
            "ray",
            "--ray-address",
            ray_head,
            "--workers",
            "2",
            "--chroma-host",
            server.host,
            "--chroma-port",
            str(server.port),
        ]
        # Kept for cross-contract search, so the workers write each contract to the server.
        indexing = {**env(tmp_path), "LEGAL_ORCH_INDEX_CONTRACTS": "1"}
        run = subprocess.run(cmd, env=indexing, capture_output=True, text=True, timeout=600)
        import chromadb

        client = chromadb.HttpClient(host=server.host, port=server.port)
        kept = [c.name for c in client.list_collections() if c.name.startswith("contract-")]
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout)["succeeded"] == 2
    assert [r["source"] for r in read_csv(out / "errors.csv")] == ["bad.pdf"]
    assert sorted(r["name"] for r in read_csv(out / "summary.csv")) == ["c0", "c1"]
    # The contracts went into the server's store, not an embedded one in the data dir.
    assert len(kept) == 2
    assert not (tmp_path / "data" / "chroma").exists()


def test_ray_on_a_cluster_needs_a_chroma_server(tmp_path):
    src = tmp_path / "room"
    src.mkdir()
    shutil.copy(SAMPLE, src / "a.pdf")
    cmd = [
        *CLI,
        "batch",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--engine",
        "ray",
        "--ray-address",
        "127.0.0.1:1",
    ]
    run = subprocess.run(cmd, env=env(tmp_path), capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "legal-orch: --engine ray on a cluster needs a Chroma server all workers reach: pass --chroma-host/--chroma-port"
    ]


# --- time limits and incomplete reviews: a firm's agent that is down, or that hangs ---

DOWN_OR_HANGING = """import time
if "hang" in doc.name:
    time.sleep(3600)
raise RuntimeError("the firm's rule service is down")"""


def test_timeout_per_file_and_incomplete_reviews_are_counted_apart(tmp_path, monkeypatch):
    from tests.plugins import install_plugin

    install_plugin(monkeypatch, tmp_path / "plugin", "firm_down_law", DOWN_OR_HANGING)
    monkeypatch.setenv("LEGAL_ORCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LEGAL_ORCH_MAX_REROUTES", "0")
    src, out = hostile_room(tmp_path), tmp_path / "out"
    a, c = cuad_fixtures(2)
    shutil.copy(a, src / "a.pdf")
    shutil.copy(SAMPLE, src / "b-hang.pdf")  # the same content as deals/reseller.pdf ...
    with (src / "b-hang.pdf").open("ab") as f:
        f.write(b"\n% made distinct\n")  # ... but for this byte: reviewed on its own
    shutil.copy(c, src / "c.pdf")
    cmd = ["batch", str(src), "--out", str(out), "--timeout-per-file", "60", "-q"]

    from legal_orch.cli import app

    res = CliRunner().invoke(app, cmd)
    assert res.exit_code == 1, res.output
    summary = json.loads(res.stdout)
    # reviewed, all incomplete: a.pdf, c.pdf, deals/reseller.pdf and linked.pdf (its content)
    assert (summary["total"], summary["incomplete"], summary["succeeded"]) == (12, 4, 0)
    errors = {r["source"]: r["kind"] for r in read_csv(out / "errors.csv")}
    assert errors == {
        "b-hang.pdf": "timeout",
        "deck.pptx": "unsupported",
        "NOTES": "unsupported",
        "nested.zip": "nested_zip",
        "escape.pdf": "link",
        "broken.pdf": "link",
        "secrets": "link",
        "pipe.pdf": "unreadable",
    }
    assert summary["failed"] == len(errors)
    rows = {r["source"]: r for r in read_csv(out / "summary.csv")}
    assert set(rows) == {"a.pdf", "c.pdf", "deals/reseller.pdf", "linked.pdf"}
    assert {r["validation"] for r in rows.values()} == {"incomplete"}
    assert {r["not answered"] for r in rows.values()} == {"risk analysis (governing-law)"}
    assert not list(out.glob("secret*"))  # nothing outside the room was read

    # Only the reviewable files left: incomplete reviews are redone (the agent may be back);
    # still down, the batch says so with its own exit status.
    for name in ("b-hang.pdf", "deck.pptx", "NOTES", "nested.zip", "escape.pdf", "broken.pdf"):
        (src / name).unlink()
    (src / "secrets").unlink()
    (src / "pipe.pdf").unlink()
    again = CliRunner().invoke(app, cmd)
    assert again.exit_code == 4, again.output
    summary = json.loads(again.stdout)
    assert (summary["total"], summary["incomplete"], summary["failed"]) == (4, 4, 0)
    assert "review(s) incomplete" in again.stderr
