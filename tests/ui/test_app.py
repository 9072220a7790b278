"""Each page of the app driven with Streamlit's AppTest; the engine calls are swapped for fakes.

The review page runs on a fake reviewer that streams stage events and returns a hand-built review
of the sample PDF (tests/sample_report.py), so these tests do not wait on models or agents.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from legal_orch_ui import APP_PATH, services
from streamlit.testing.v1 import AppTest

from legal_orch.decisions import DecisionStore
from legal_orch.ingest.pdf import parse_pdf
from legal_orch.review import Paused
from legal_orch.settings import Settings
from tests import graph_agents as ga
from tests.sample_report import sample_report

TIMEOUT = 60


class FakeReviewer:
    """Streams a few stage events; returns the sample review, or pauses once when asked to."""

    def __init__(self, settings: Settings, pause: bool = False):
        self.settings, self.pause, self.calls, self.clients = settings, pause, [], []

    def review(self, path, *, on_progress=None, decisions=None, fresh=False, client=None):
        self.calls.append((Path(path), decisions))
        self.clients.append(client)
        for stage in ("ingest", "segment", "extract", "analyze_risk", "analyze_risk", "validate"):
            if on_progress:
                on_progress(
                    {
                        "stage": stage,
                        "subtask": "x" if stage == "analyze_risk" else None,
                        "seconds": 0.01,
                    }
                )
        if self.pause and decisions is None:
            term = sample_report(parse_pdf(path)).findings[1]
            return Paused(
                thread_id="t1",
                question={
                    "question": "Confirm or reject these findings.",
                    "findings": [
                        {
                            "rule_id": "termination",
                            "title": "Termination rights",
                            "severity": "high",
                            "confidence": 0.2,
                            "explanation": "unsure",
                            # as the graph asks: with the cited clause
                            "citations": [c.model_dump(mode="json") for c in term.citations],
                        }
                    ],
                },
            )
        return sample_report(parse_pdf(path))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGAL_ORCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def fake(monkeypatch, data_dir):
    """Use the test playbook and a fake reviewer; return the reviewer to inspect its calls."""
    rev = FakeReviewer(Settings())
    monkeypatch.setattr(services, "playbooks", lambda: ["test"])
    monkeypatch.setattr(services, "load_playbook", lambda name: ga.PLAYBOOK)
    monkeypatch.setattr(services, "reviewer", lambda *a, **k: rev)
    return rev


def app() -> AppTest:
    return AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()


def review(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    up = at.file_uploader(key="contracts")
    for name, data in files:
        up.upload(name, data, "application/pdf")
    at.run()
    return at.button(key="run_review").click().run()


def frame(at: AppTest, column: str):
    """The first table on the page with `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_review_shows_summary_findings_citations_and_downloads(fake, sample_pdf):
    at = no_exception(review(app(), ("reseller_agreement.pdf", sample_pdf.read_bytes())))
    assert not at.error
    assert at.subheader[0].value.startswith(
        "reseller_agreement.pdf: validation passed; 1 high, 1 medium, 1 low"
    )
    metrics = {m.label: m.value for m in at.metric}
    assert (
        metrics["High"] == "1" and metrics["Critical"] == "0" and metrics["Validation"] == "passed"
    )
    table = frame(at, "finding")
    assert list(table["finding"]) == ["Termination rights", "Governing law", "Audit rights"]
    assert list(table.columns) == ["severity", "finding", "status", "where", "action", "decision"]
    # the cited text is highlighted in its page, the rest escaped
    law = next(h.proto.body for h in at.get("html") if "governed by the laws" in h.proto.body)
    assert "<mark>governed by the laws of the province of Ontario" in law
    assert "RESELLER AGREEMENT" not in law  # page 6 only, not the whole contract
    # precedents; their text escaped, so a contract's own links and images stay words
    assert any("CUAD\\: ACME\\_Supply" in m.value for m in at.markdown)
    assert any(
        t.value == "This Agreement is governed by the laws of <b>New York</b>." for t in at.text
    )  # fallback
    assert [b.label for b in at.get("download_button")] == [
        "Redline (Word, tracked changes)",
        "Key dates (calendar .ics)",
        "Word report",
        "HTML",
        "Markdown",
        "JSON",
    ]
    assert fake.calls[0][0].parent.parent == Path(Settings().data_dir) / "uploads"
    assert fake.clients == [None]


def test_we_act_for_reaches_the_review_and_key_terms_show(fake, sample_pdf):
    at = app()
    at.text_input(key="acting_for").input("Reseller").run()
    at = no_exception(review(at, ("reseller_agreement.pdf", sample_pdf.read_bytes())))
    assert fake.clients == ["Reseller"]
    assert any(m.value == "#### Key terms" for m in at.markdown)


def test_bad_files_get_a_line_each_and_the_rest_goes_on(fake, sample_pdf):
    at = review(
        app(),
        ("notes.txt", b"just text"),
        ("empty.pdf", b""),
        ("../../evil name.pdf", sample_pdf.read_bytes()),
    )
    no_exception(at)
    assert [e.value for e in at.error] == [
        "notes.txt: not a PDF or Word (.docx) file",
        "empty.pdf: empty file (0 bytes)",
    ]
    assert len(fake.calls) == 1
    saved = fake.calls[0][0]
    # the folders in the name are dropped: the file stays inside this session's upload dir
    assert saved.name == "evil name.pdf" and saved.is_file()
    assert saved.parent.parent == Path(Settings().data_dir) / "uploads"
    assert len(frame(at, "finding")) == 3


def test_findings_filter_and_sort(fake, sample_pdf):
    at = review(app(), ("r.pdf", sample_pdf.read_bytes()))
    at.multiselect(key="f_sev").set_value(["high", "medium"]).run()
    assert list(frame(at, "finding")["finding"]) == ["Termination rights", "Governing law"]
    at.multiselect(key="f_sev").set_value([])
    at.multiselect(key="f_cat").set_value(["Audit Rights"]).run()
    assert list(frame(at, "finding")["finding"]) == ["Audit rights"]
    at.multiselect(key="f_cat").set_value([])
    at.selectbox(key="f_sort").set_value("least certain first").run()
    assert list(frame(at, "finding")["finding"]) == [
        "Termination rights",
        "Audit rights",
        "Governing law",
    ]


def test_decisions_are_saved_with_reviewer_and_time(fake, sample_pdf, data_dir):
    at = review(app(), ("r.pdf", sample_pdf.read_bytes()))
    key = f"{parse_pdf(sample_pdf).sha256[:12]}-governing-law"
    at.button(key=f"save-{key}").click().run()
    assert "Enter your name as reviewer" in at.error[0].value  # no name, nothing saved
    assert DecisionStore(data_dir / "decisions.sqlite").list() == []

    at.sidebar.text_input(key="who").input("Ann Lawyer")
    at.radio(key=f"choice-{key}").set_value("edit")
    at.selectbox(key=f"sev-{key}").set_value("low")
    at.text_input(key=f"note-{key}").input("Ontario is fine for this client")
    at.button(key=f"save-{key}").click().run()
    no_exception(at)
    assert any(s.value == "Saved: edited by Ann Lawyer." for s in at.success)
    [d] = DecisionStore(data_dir / "decisions.sqlite").list()
    assert (d.rule_id, d.decision, d.reviewer, d.edited) == (
        "governing-law",
        "edit",
        "Ann Lawyer",
        {"severity": "low"},
    )
    assert d.note == "Ontario is fine for this client" and d.at.tzinfo is not None
    assert d.finding["citations"][0]["page"] == 6
    table = frame(at, "finding")
    assert dict(zip(table["finding"], table["severity"], strict=True))["Governing law"] == "low"
    assert dict(zip(table["finding"], table["decision"], strict=True))["Governing law"] == "edited"
    # the header counts the edited severity: medium 1 -> 0, low 1 -> 2
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Medium"], metrics["Low"]) == ("0", "2")


def test_a_rejected_finding_leaves_the_counts_and_reports(fake, sample_pdf, data_dir):
    at = review(app(), ("r.pdf", sample_pdf.read_bytes()))
    key = f"{parse_pdf(sample_pdf).sha256[:12]}-termination"
    at.sidebar.text_input(key="who").input("Ann Lawyer")
    at.radio(key=f"choice-{key}").set_value("reject")
    at.button(key=f"save-{key}").click().run()
    no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["High"] == "0" and metrics["Medium"] == "1"
    assert at.subheader[0].value.endswith("validation passed; 1 medium, 1 low")
    table = frame(at, "finding")  # still listed, so the decision can be changed
    assert dict(zip(table["finding"], table["decision"], strict=True)) == {
        "Termination rights": "rejected",
        "Governing law": "",
        "Audit rights": "",
    }
    assert any(e.label.endswith("— deviation · rejected") for e in at.expander)


def test_paused_review_is_answered_in_the_page(fake, sample_pdf, data_dir):
    fake.pause = True
    at = review(app(), ("r.pdf", sample_pdf.read_bytes()))
    assert "paused for your decision" in at.warning[0].value
    assert any(c.value == "r.pdf: paused for your decision" for c in at.caption)
    assert not any(c.value.endswith(": reviewed") for c in at.caption)
    assert not at.get("download_button")
    # the clause itself is shown, highlighted in its page
    clause = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]
    assert clause and "terminat" in clause[0].split("<mark>")[1].lower()
    at.sidebar.text_input(key="who").input("Ann")
    at.radio(key="pause-termination").set_value("reject")
    at.button(key="resume").click().run()
    no_exception(at)
    assert fake.calls[-1][1] == {"termination": {"decision": "reject", "reviewer": "Ann"}}
    [d] = DecisionStore(data_dir / "decisions.sqlite").list()
    assert (d.rule_id, d.decision, d.reviewer) == ("termination", "reject", "Ann")
    assert len(frame(at, "finding")) == 3  # the resumed review's report
    assert any(c.value == "r.pdf: reviewed" for c in at.caption)


def test_bad_playbook_upload_is_one_line(fake):
    at = app()
    at.sidebar.file_uploader(key="playbook_file").upload(
        "mine.yaml", b"name: mine\nrules:\n  - id: 1\n"
    )
    at.run()
    no_exception(at)
    assert at.error[0].value.startswith("mine.yaml: line 3: rules.0")


def test_engine_that_cannot_start_is_one_line_and_bad_files_still_reported(
    monkeypatch, data_dir, sample_pdf
):
    monkeypatch.setattr(services, "playbooks", lambda: ["test"])
    monkeypatch.setattr(services, "load_playbook", lambda name: ga.PLAYBOOK)

    def broken(*args, **kwargs):
        raise RuntimeError("no model file")

    monkeypatch.setattr(services, "_reviewer", broken)
    at = no_exception(review(app(), ("a.txt", b"x"), ("r.pdf", sample_pdf.read_bytes())))
    assert [e.value for e in at.error] == [
        "the review engine could not start (RuntimeError: no model file)",
        "a.txt: not a PDF or Word (.docx) file",
    ]


def _progress(done, total, failed=0, current=""):
    return SimpleNamespace(
        done=done, total=total, failed=failed, current=current, rate_per_min=12.0, eta_seconds=65.0
    )


@pytest.fixture
def fake_batch(monkeypatch, data_dir):
    calls = []
    # The Batch page reads and writes only under configured folders: here, the test's own.
    monkeypatch.setenv("LEGAL_ORCH_BATCH_FOLDERS", str(data_dir.parent))

    def run(source, out, *, workers, playbook, settings, on_progress):
        calls.append({"source": source, "out": out, "workers": workers, "playbook": playbook})
        on_progress(_progress(1, 2, current="a.pdf"))
        on_progress(_progress(2, 2, failed=1, current="b.pdf"))
        out.mkdir(parents=True, exist_ok=True)
        rows = [{"document": "a.pdf", "Governing Law": "Ontario", "Audit Rights": ""}]
        (out / "summary.csv").write_text("document,Governing Law,Audit Rights\na.pdf,Ontario,\n")
        (out / "summary.xlsx").write_bytes(b"PK fake xlsx")
        with (out / "errors.csv").open("w", newline="") as f:
            csv.writer(f).writerows(
                [["document", "error"], ["b.pdf", "b.pdf: encrypted PDF (password required)"]]
            )
        return SimpleNamespace(
            total=2,
            succeeded=1,
            failed=1,
            skipped=0,
            summary_csv=out / "summary.csv",
            summary_xlsx=out / "summary.xlsx",
            errors_csv=out / "errors.csv",
            rows=rows,
        )

    monkeypatch.setattr(services, "run_batch", run)
    monkeypatch.setattr(services, "playbooks", lambda: ["commercial", "nda"])
    return calls


def test_batch_page_checks_the_source_then_shows_grid_and_downloads(fake_batch, tmp_path):
    at = app().switch_page("batch_page.py").run()
    at.button(key="run_batch").click().run()
    assert at.error[0].value == "Enter a folder or .zip path, or upload a .zip."
    at.text_input(key="batch_source").input(str(tmp_path / "nowhere"))
    at.button(key="run_batch").click().run()
    assert at.error[0].value == f"{tmp_path / 'nowhere'}: no such folder or file"
    assert not fake_batch

    room = tmp_path / "room"
    room.mkdir()
    at.text_input(key="batch_source").input(str(room))
    at.text_input(key="batch_out").input(str(tmp_path / "out"))
    at.number_input(key="batch_workers").set_value(2)
    at.selectbox(key="batch_playbook").set_value("nda")
    at.button(key="run_batch").click().run()
    no_exception(at)
    assert fake_batch == [
        {"source": room, "out": tmp_path / "out", "workers": 2, "playbook": "nda"}
    ]
    assert {m.label: m.value for m in at.metric} == {
        "Documents": "2",
        "Reviewed": "1",
        "Failed": "1",
        "Skipped (done before)": "0",
    }
    assert list(frame(at, "Governing Law").columns) == ["document", "Governing Law", "Audit Rights"]
    assert list(frame(at, "error")["document"]) == ["b.pdf"]
    assert [b.label for b in at.get("download_button")] == [
        "Grid (CSV)",
        "Grid (XLSX)",
        "Errors (CSV)",
    ]


def _results(folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True)
    metrics = {
        "aupr": 0.41,
        "precision_at_80_recall": 0.2,
        "documents": 102,
        "per_category": {
            "Governing Law": {"aupr": 0.9, "n": 80},
            "Audit Rights": {"aupr": 0.3, "n": 40},
        },
    }
    (folder / "metrics.json").write_text(json.dumps(metrics))
    plt.plot([0, 1], [1, 0])
    plt.savefig(folder / "pr_curve.png")
    plt.close()
    (folder / "report.md").write_text("# CUAD eval\n\nsome words\n")


def test_evals_page_opens_results_with_curves_and_tables(monkeypatch, data_dir, tmp_path):
    committed, runs = tmp_path / "committed", tmp_path / "runs"
    _results(committed / "cuad")
    monkeypatch.setattr(services, "results_roots", lambda s: [committed, runs])
    at = no_exception(app().switch_page("evals_page.py").run())
    assert at.selectbox(key="eval_open").options == ["cuad (committed)"]
    assert {m.label: m.value for m in at.metric} == {
        "aupr": "0.410",
        "precision_at_80_recall": "0.200",
        "documents": "102",
    }
    assert [i.captions for i in at.get("image")] == [["pr_curve.png"]]
    tables = [d.value for d in at.dataframe]
    per_cat = next(t for t in tables if "name" in t.columns)
    assert list(per_cat["name"]) == ["Governing Law", "Audit Rights"] and list(per_cat["aupr"]) == [
        0.9,
        0.3,
    ]


def test_evals_page_exports_gold_set_and_runs_the_gold_eval(
    monkeypatch, data_dir, sample_pdf, tmp_path
):
    monkeypatch.setattr(
        services, "results_roots", lambda s: [tmp_path / "none", data_dir / "evals"]
    )
    report = sample_report(parse_pdf(sample_pdf))
    store = DecisionStore(data_dir / "decisions.sqlite")
    store.record(report.document.sha256, "governing-law", "accept", "Ann")
    store.record(report.document.sha256, "termination", "reject", "Ann")
    at = app().switch_page("evals_page.py").run()
    assert "No results yet" in at.info[0].value
    at.radio(key="eval_mode").set_value("Run an eval").run()
    at.selectbox(key="eval_name").set_value("gold").run()
    at.button(key="export_gold").click().run()
    assert (data_dir / "gold.jsonl").is_file()
    at.button(key="run_eval").click().run()
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["precision"] == "0.500"
    per_rule = at.dataframe[-1].value
    assert list(per_rule["name"]) == ["governing-law", "termination"]


def test_evals_page_reports_missing_data_in_one_line(monkeypatch, data_dir, tmp_path):
    at = app().switch_page("evals_page.py").run()
    at.radio(key="eval_mode").set_value("Run an eval").run()
    at.text_input(key="eval_data_cuad").input(str(tmp_path / "no-cuad"))
    at.button(key="run_eval").click().run()
    no_exception(at)
    assert at.error[0].value == f"cuad: {tmp_path / 'no-cuad'}: not found"
