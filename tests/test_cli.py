"""The CLI end to end on the bundled sample, with the real agents and stores."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from legal_orch.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def sample_json(sample_pdf, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "review.json"
    r = runner.invoke(app, ["review", str(sample_pdf), "--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return json.loads(out.read_text())


def test_json_contract(sample_json, sample_doc):
    data = sample_json
    assert set(data["document"]) >= {"path", "sha256", "pages"} and data["document"]["pages"] == 15
    assert data["clauses"], "the sample has clauses"
    for c in data["clauses"]:
        assert sample_doc.text[c["start"] : c["end"]] == c["text"]
        assert set(c) >= {"category", "text", "page", "start", "end", "confidence", "answer"}
    for f in data["findings"]:
        assert f["severity"] in ("info", "low", "medium", "high", "critical")
        for q in f["citations"]:
            assert sample_doc.text[q["start"] : q["end"]] == q["quote"]
            assert sample_doc.page_of(q["start"]) == q["page"]
    assert data["validation"]["status"] in ("passed", "failed", "incomplete")
    assert {"ingest", "extract", "validate"} <= set(data["timings"])


def test_markdown_to_stdout(sample_pdf):
    r = runner.invoke(app, ["review", str(sample_pdf), "-q"])
    assert r.exit_code == 0
    assert r.stdout.startswith("# Contract review: reseller_agreement.pdf")
    assert "## Findings" in r.stdout and "Validation:" in r.stdout


def test_html(sample_pdf, tmp_path):
    out = tmp_path / "r.html"
    r = runner.invoke(app, ["review", str(sample_pdf), "--format", "html", "--out", str(out), "-q"])
    assert r.exit_code == 0 and out.read_text().startswith("<!doctype html>")


def test_bad_input_one_line_nonzero(tmp_path):
    p = tmp_path / "scan.pdf"
    p.write_bytes(b"%PDF-1.4\n%%EOF\n")
    r = runner.invoke(app, ["review", str(p)])
    assert r.exit_code == 1
    lines = [line for line in r.stderr.splitlines() if line.startswith("legal-orch:")]
    assert len(lines) == 1 and "scan.pdf" in lines[0]


def test_malformed_playbook_names_the_line(sample_pdf, tmp_path):
    pb = tmp_path / "firm.yaml"
    pb.write_text("name: firm\nrules:\n  - id: x\n    title: X\n    categories: Governing Law\n")
    r = runner.invoke(app, ["review", str(sample_pdf), "--playbook", str(pb)])
    assert r.exit_code == 1
    assert "firm.yaml: line 5: rules.0.categories" in r.stderr


def test_agents_lists_registry():
    r = runner.invoke(app, ["agents"])
    assert r.exit_code == 0
    for name in (
        "clause_extraction",
        "precedent_research",
        "risk_analysis",
        "recommendation_synthesis",
        "validation",
        "llm_risk",
    ):
        assert name in r.stdout


# --- failures are never silent, and each is one line ---


def legal_orch_lines(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.startswith("legal-orch:")]


@pytest.fixture
def own_checkpoints(tmp_path, monkeypatch):
    """A checkpoint database of the test's own (the Chroma store stays shared: it is slow to build)."""
    db = tmp_path / "checkpoints.sqlite"
    monkeypatch.setenv("LEGAL_ORCH_CHECKPOINT_DB", str(db))
    return db


@pytest.mark.parametrize(
    ("var", "value", "problem"),
    [
        (
            "MAX_PAGES",
            "lots",
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        ("QUALITY_BAR", "1.5", "must be between 0 and 1"),
        ("CHROMA_PORT", "0", "must be a port number (1-65535)"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(monkeypatch, sample_pdf, var, value, problem):
    monkeypatch.setenv(f"LEGAL_ORCH_{var}", value)
    r = runner.invoke(app, ["review", str(sample_pdf)])
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"legal-orch: LEGAL_ORCH_{var}={value!r}: {problem}"]


def test_an_unknown_llm_provider_is_one_line(monkeypatch, sample_pdf):
    monkeypatch.setenv("LEGAL_ORCH_LLM_PROVIDER", "acme")
    monkeypatch.setenv("LEGAL_ORCH_LLM_MODEL", "acme-1")
    r = runner.invoke(app, ["review", str(sample_pdf), "-q"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    (line,) = r.stderr.splitlines()
    assert line.startswith("legal-orch: LEGAL_ORCH_LLM_PROVIDER='acme': unknown LLM provider; ")
    assert ", ollama, openai," in line  # the providers there are, in full


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_out_is_checked_before_the_review_runs(tmp_path, sample_pdf, where):
    out = tmp_path / "nowhere" / "review.md" if where == "missing folder" else tmp_path
    r = runner.invoke(app, ["review", str(sample_pdf), "--out", str(out)])
    assert r.exit_code == 2
    problem = f"folder {out.parent} does not exist" if out != tmp_path else "is a folder"
    assert r.stderr.splitlines()[0].startswith(f"legal-orch: --out {out}: {problem}")
    assert len(r.stderr.splitlines()) == 1  # nothing reviewed: no progress, no report


def test_a_corrupt_checkpoint_database_is_one_line_and_fresh_gets_past_it(
    own_checkpoints, sample_pdf
):
    own_checkpoints.write_bytes(b"this is not a database\n" * 200)
    r = runner.invoke(app, ["review", str(sample_pdf), "-q"])
    assert r.exit_code == 1 and legal_orch_lines(r) == r.stderr.splitlines()
    assert "checkpoint database is corrupt" in r.stderr and "--fresh" in r.stderr

    r = runner.invoke(app, ["review", str(sample_pdf), "-q", "--fresh", "--format", "json"])
    assert r.exit_code == 0, r.output
    (moved,) = own_checkpoints.parent.glob("checkpoints.sqlite.corrupt-*")
    assert moved.read_bytes().startswith(b"this is not a database")  # kept, for a look
    assert legal_orch_lines(r) == [
        f"legal-orch: warning: the checkpoint database was corrupt; moved it to {moved}, "
        "starting over"
    ]
    assert json.loads(r.stdout)["validation"]["status"] == "passed"


def test_an_incomplete_review_exits_4_and_says_what_failed(
    own_checkpoints, tmp_path, monkeypatch, sample_pdf
):
    from tests.plugins import FAILING, install_plugin

    install_plugin(monkeypatch, tmp_path / "plugin", "firm_failing_law", FAILING)
    monkeypatch.setenv("LEGAL_ORCH_MAX_REROUTES", "0")
    out = tmp_path / "review.json"
    r = runner.invoke(app, ["review", str(sample_pdf), "-q", "--format", "json", "--out", str(out)])
    assert r.exit_code == 4, r.output
    data = json.loads(out.read_text())  # the review is written all the same
    assert data["validation"]["status"] == "incomplete"
    assert [(f["agent"], f["subtask_id"]) for f in data["failures"]] == [
        ("firm_failing_law", "governing-law")
    ]
    assert legal_orch_lines(r) == [
        "legal-orch: reseller_agreement.pdf: review incomplete, an agent failed; "
        "not answered: risk analysis (governing-law)"
    ]


def test_a_decision_on_an_unknown_rule_is_refused_and_the_reviewer_kept(
    own_checkpoints, tmp_path, monkeypatch, sample_pdf
):
    from tests.plugins import UNSURE, install_plugin

    install_plugin(monkeypatch, tmp_path / "plugin", "firm_unsure_law", UNSURE)
    args = ["review", str(sample_pdf), "--interrupts", "-q", "--format", "json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 3, r.output
    asked = [f["rule_id"] for f in json.loads(r.stdout)["findings"]]
    assert "governing-law" in asked

    typo = runner.invoke(app, [*args, "--decide", "liabilty-cap=reject", "--reviewer", "mallory"])
    assert typo.exit_code == 1
    assert legal_orch_lines(typo) == [
        "legal-orch: no finding awaits a decision on 'liabilty-cap'; "
        f"decide one of: {', '.join(asked)} (or * for all)"
    ]
    again = runner.invoke(app, args)  # no decision given: still paused, nothing decided for us
    assert again.exit_code == 3

    out = tmp_path / "review.json"
    decide = ["--decide", "governing-law=reject", "--decide", "*=accept", "--reviewer", "mallory"]
    done = runner.invoke(app, [*args, *decide, "--out", str(out)])
    assert done.exit_code in (0, 5), done.output
    decisions = json.loads(out.read_text())["decisions"]
    assert decisions["governing-law"]["decision"] == "reject"
    assert {d["reviewer"] for d in decisions.values()} == {"mallory"}
