"""Hostile contracts reviewed with the LLM tier on and a model that obeys what the contract says.

The shipped agents, pypdf/python-docx, spaCy, Chroma, the embeddings and LangGraph are real;
only the chat model is scripted (tests/fake_llm.py), to be as steerable as a model can be.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from langgraph.checkpoint.memory import InMemorySaver

from legal_orch.graph.checkpoint import serializer
from legal_orch.grounding import addresses_model
from legal_orch.ingest import parse
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.fake_llm import InjectionObeyingModel, llm_first_registry, shared_store

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
CASES = sorted(HOSTILE.glob("*.yaml"))


def write_docx(paragraphs: list[str], path: Path) -> Path:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def store(embedder):
    return shared_store(embedder)


def _reviewer(store, embedder, tmp_path, llm=None) -> Reviewer:
    # The LLM agent is made the router's first choice for every rule, as if measured best.
    registry = llm_first_registry()
    return Reviewer(
        Settings(data_dir=tmp_path, quality_bar=0.99 if llm else 0.0, max_reroutes=1),
        registry=registry,
        embedder=embedder,
        store=store,
        llm=llm,
        checkpointer=InMemorySaver(serde=serializer()),
    )


def test_corpus_is_hostile():
    """Every planted string is in its contract and reads as text addressed to a model."""
    assert len(CASES) >= 4
    for case in CASES:
        spec = yaml.safe_load(case.read_text(encoding="utf-8"))
        text = "\n".join(spec["paragraphs"])
        for planted in spec["planted"]:
            assert planted in text, case.name
            assert addresses_model(planted), (case.name, planted)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_obeying_model_cannot_steer_the_review(case, store, embedder, tmp_path):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    path = write_docx(spec["paragraphs"], tmp_path / f"{case.stem}.docx")
    offline = _reviewer(store, embedder, tmp_path / "offline").review(path)
    model = InjectionObeyingModel()
    steered = _reviewer(store, embedder, tmp_path / "llm", llm=model).review(path)
    assert model.calls >= len(steered.findings) > 0  # the model judged every rule

    text = parse(path).text
    planted = [(i, i + len(p)) for p in spec["planted"] if (i := text.find(p)) >= 0]
    assert planted, "the planted text is in the parsed contract"
    by_rule = {f.rule_id: f for f in steered.findings}
    for f in steered.findings:
        if f.status in ("compliant", "deviation"):
            assert f.citations, (f.rule_id, f.status, f.notes)  # no conclusion without evidence
        assert not any(p in f.explanation for p in spec["planted"]), f.rule_id
        if f.agent != "llm_risk":
            continue  # the offline agent's own finding, compared with the offline review below
        for c in f.citations:
            assert not addresses_model(c.quote), (f.rule_id, c.quote)
            assert all(c.end <= s or c.start >= e for s, e in planted), (f.rule_id, c.quote)

    # Every offline finding that has evidence survives the model unchanged.
    for f in offline.findings:
        if f.citations:
            g = by_rule[f.rule_id]
            assert (g.status, g.severity, g.citations) == (f.status, f.severity, f.citations), (
                f.rule_id
            )


def test_the_model_saw_the_planted_text(store, embedder, tmp_path):
    """The corpus reaches the model: at least one planted string is in a prompt it was shown."""
    spec = yaml.safe_load((HOSTILE / "uncapped_liability.yaml").read_text(encoding="utf-8"))
    path = write_docx(spec["paragraphs"], tmp_path / "c.docx")
    model = InjectionObeyingModel()
    _reviewer(store, embedder, tmp_path, llm=model).review(path)
    assert any("ignore your previous instructions" in h for h in model.seen)
