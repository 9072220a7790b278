"""Batch never loses or mislabels work: identity by content, a manifest of what it wrote, an
output folder that is the source or holds others' files refused, every zip member accounted for."""

from __future__ import annotations

import zipfile

import pytest
from typer.testing import CliRunner

from legal_orch.batch.driver import BatchUsageError, _record, _Tracker, run_batch
from legal_orch.batch.inputs import ZipLimits, extract_zip, find_inputs
from legal_orch.batch.manifest import MANIFEST, claimed
from legal_orch.batch.outputs import done_sha256, error_rows, write_review
from legal_orch.batch.worker import Outcome
from legal_orch.errors import InputError
from legal_orch.ingest.pdf import parse_pdf, sha256_file
from tests import hostile
from tests.sample_report import sample_report


def test_a_second_zip_with_a_same_named_same_sized_member_is_reviewed_again(tmp_path):
    v1, v2 = hostile.contract_pdf("Alpha"), hostile.contract_pdf("Gamma")
    assert len(v1) == len(v2) and v1 != v2
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "v1.zip").write_bytes(hostile.zip_bytes([("deal.pdf", v1)]))
    (tmp_path / "v2.zip").write_bytes(hostile.zip_bytes([("deal.pdf", v2)]))
    [first] = find_inputs(tmp_path / "v1.zip", out)
    write_review(out, first.name, first.relpath, sample_report(parse_pdf(first.path)))
    assert done_sha256(out, first.name) == sha256_file(first.path)
    [second] = find_inputs(tmp_path / "v2.zip", out)
    assert second.path.read_bytes() == v2
    assert done_sha256(out, second.name) != sha256_file(second.path)  # not "done": reviewed


def test_members_of_an_earlier_zip_are_not_taken_for_this_ones(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "v1.zip").write_bytes(hostile.zip_bytes([("old.pdf", hostile.contract_pdf())]))
    (tmp_path / "v2.zip").write_bytes(hostile.zip_bytes([("new.pdf", hostile.contract_pdf())]))
    find_inputs(tmp_path / "v1.zip", out)
    assert [i.relpath for i in find_inputs(tmp_path / "v2.zip", out)] == ["new.pdf"]


@pytest.mark.parametrize(
    ("maker", "member", "kind", "words"),
    [
        (hostile.duplicate_member_zip, "a.pdf (copy)", "duplicate", "same name"),
        (hostile.encrypted_member_zip, "secret.pdf", "encrypted", "password"),
        (hostile.unsupported_compression_zip, "odd.pdf", "unsupported", "method 98"),
        (hostile.long_name_zip, "x" * 150, "unreadable", "name too long"),
        (hostile.clash_zip, "deals/a.pdf", "unreadable", "cannot be extracted"),
    ],
)
def test_every_zip_member_not_extracted_is_a_row_with_its_reason(
    tmp_path, maker, member, kind, words
):
    z = tmp_path / "room.zip"
    z.write_bytes(maker())
    found = {i.relpath: i for i in find_inputs(z, tmp_path / "out")}
    [(rel, item)] = [(r, i) for r, i in found.items() if r.startswith(member)]
    assert item.problem is not None and item.problem.kind == kind, (rel, item.problem)
    assert words in str(item.problem) and "\n" not in str(item.problem)
    assert any(i.problem is None for i in found.values())  # the good member still goes through


def test_a_zip_that_expands_past_the_cap_is_refused_and_large_members_are_rows(tmp_path):
    z = tmp_path / "bomb.zip"
    z.write_bytes(hostile.bomb_zip(members=3, mb=8))
    assert z.stat().st_size < 200_000
    with pytest.raises(InputError, match=r"zip expands to 24 MB .* over the limit of 16 MB"):
        extract_zip(
            z, tmp_path / "x", limits=ZipLimits(member_bytes=32 * 1024**2, total_bytes=16 * 1024**2)
        )
    found = find_inputs(z, tmp_path / "out", max_file_mb=4, max_zip_mb=100)
    assert {i.problem.kind for i in found} == {"too_large"}
    assert not list((tmp_path / "out" / ".inputs").iterdir())  # nothing was expanded


def test_an_out_folder_that_is_the_source_is_refused(tmp_path):
    from legal_orch.cli import app

    room = tmp_path / "room"
    room.mkdir()
    (room / "a.pdf").write_bytes(hostile.contract_pdf())
    res = CliRunner().invoke(app, ["batch", str(room), "--out", str(room), "-q"])
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        f"legal-orch: --out {room}: is the folder being reviewed; give another folder"
    )


def _foreign_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name, text in (("contract.md", "my notes"), ("broken.json", "{}"), ("broken.md", "x")):
        (out / name).write_text(text)
    room = tmp_path / "room"
    room.mkdir()
    (room / "broken.pdf").write_text("not a pdf")  # fails early: its outputs would be deleted
    (room / "notes.txt").write_text("not a contract")
    return room, out


def test_an_out_folder_holding_others_files_is_refused_unless_forced(tmp_path):
    room, out = _foreign_out(tmp_path)
    with pytest.raises(
        BatchUsageError, match=r"holds files this tool did not write \(broken\.json"
    ):
        run_batch(room, out)
    result = run_batch(room, out, force=True)
    assert (result.total, result.failed) == (2, 2)
    assert {r["source"] for r in error_rows(out)} == {"broken.pdf", "notes.txt"}
    # Nothing of theirs was changed or deleted.
    assert (out / "contract.md").read_text() == "my notes"
    assert (out / "broken.json").read_text() == "{}" and (out / "broken.md").read_text() == "x"
    assert {"summary.csv", "errors.csv"} <= claimed(out)
    assert "contract.md" not in claimed(out)
    assert (out / MANIFEST).is_file()


def test_a_strangers_summary_csv_is_never_overwritten_even_with_force(tmp_path):
    room, out = _foreign_out(tmp_path)
    (out / "summary.csv").write_text("theirs")
    with pytest.raises(BatchUsageError, match="holds summary.csv, not written by this tool"):
        run_batch(room, out, force=True)
    assert (out / "summary.csv").read_text() == "theirs"


def test_a_review_is_never_written_over_a_strangers_file(tmp_path, sample_doc):
    out = tmp_path / "out"
    out.mkdir()
    (out / "contract.md").write_text("my notes")
    report = sample_report(sample_doc)
    outcome = Outcome("contract", "contract.pdf", report.document.sha256, report.to_json())
    item = type("Item", (), {"name": "contract", "relpath": "contract.pdf"})()
    _record(outcome, [item], out, _Tracker(total=1, on_progress=None))
    assert (out / "contract.md").read_text() == "my notes"
    assert not (out / "contract.json").exists()
    [row] = error_rows(out)
    assert row["kind"] == "output_exists" and "contract.md" in row["message"]


def test_zip_members_are_extracted_private(tmp_path):
    z = tmp_path / "room.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("deals/a.pdf", hostile.contract_pdf())
    extract_zip(z, tmp_path / "x")
    assert (tmp_path / "x" / "deals").stat().st_mode & 0o077 == 0


def test_workers_are_capped_at_what_the_machine_holds(tmp_path, monkeypatch):
    import os

    from legal_orch.batch import driver
    from legal_orch.settings import Settings

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(driver, "_available_mb", lambda: 5000.0)
    most, why = driver.machine_workers(Settings(worker_memory_mb=2048))
    assert most == 2 and "2 core(s), 4.9 GB free" in why
    monkeypatch.setattr(driver, "_available_mb", lambda: 3000.0)
    assert driver.machine_workers(Settings(worker_memory_mb=2048))[0] == 1
    monkeypatch.setattr(driver, "_available_mb", lambda: 100.0)
    assert driver.machine_workers(Settings())[0] == 1  # always at least one

    from legal_orch.cli import app

    room, out = tmp_path / "room", tmp_path / "out"
    room.mkdir()
    (room / "notes.txt").write_text("x")
    res = CliRunner().invoke(app, ["batch", str(room), "--out", str(out), "--workers", "6", "-q"])
    assert "warning: --workers 6: this machine holds 1" in res.stderr
