"""`legal-orch ask`: a question answered from the contract's own passages, with cited quotes,
through a real OpenAI-compatible HTTP server of our own (it records what leaves the machine)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from legal_orch.cli import app
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import RecordingServer, passages_of
from tests.test_llm_providers import PARAGRAPHS, SECRETS


def _cap_quote(body: dict) -> dict:
    found = [p for p in passages_of(body) if "shall not exceed" in p]
    quote = found[0][found[0].index("The aggregate") :] if found else "Liability is capped."
    return {"answer": "Liability is capped for one party.", "quotes": [quote], "confidence": 80}


def _invented(body: dict) -> dict:
    return {
        "answer": "It is capped at the fees paid.",
        "quotes": ["capped at the fees paid"],
        "confidence": 95,
    }


def _ask(tmp_path, monkeypatch, answer, *extra):
    path = write_docx(PARAGRAPHS, tmp_path / "supply.docx")
    with RecordingServer(answer) as srv:
        monkeypatch.setenv("LEGAL_ORCH_LLM_BASE_URL", srv.url)
        monkeypatch.setenv("LEGAL_ORCH_LLM_MODEL", "gpt-4o-mini")
        r = CliRunner().invoke(app, ["ask", str(path), "What is the cap on liability?", *extra])
    return r, srv


def test_ask_answers_with_cited_contract_text(tmp_path, monkeypatch):
    r, srv = _ask(tmp_path, monkeypatch, _cap_quote, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["grounded"] and out["citations"]
    assert "USD 2,500,000" in out["citations"][0]["quote"]  # restored from its placeholder
    assert [s for s in SECRETS if s in srv.sent_text()] == []


def test_an_unsupported_answer_is_not_given_as_one(tmp_path, monkeypatch):
    r, _ = _ask(tmp_path, monkeypatch, _invented)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Not supported by the contract text")


def test_ask_without_a_model_says_how(tmp_path, monkeypatch):
    monkeypatch.delenv("LEGAL_ORCH_LLM_PROVIDER", raising=False)
    monkeypatch.delenv("LEGAL_ORCH_LLM_BASE_URL", raising=False)
    path = write_docx(PARAGRAPHS, tmp_path / "supply.docx")
    r = CliRunner().invoke(app, ["ask", str(path), "Who are the parties?"])
    assert r.exit_code == 1 and "LEGAL_ORCH_LLM_PROVIDER" in r.output
