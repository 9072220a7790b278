"""End to end on real CUAD PDFs from the shared data (skipped where it is absent)."""

from __future__ import annotations

import pytest

from legal_orch.datasets.splits import cuad_split
from legal_orch.review import Reviewer
from legal_orch.settings import Settings


@pytest.fixture(scope="module")
def real_reviewer(tmp_path_factory):
    return Reviewer(Settings(data_dir=tmp_path_factory.mktemp("e2e")))


def _test_split_pdfs(shared_data, n):
    pdfs = sorted(
        p
        for p in (shared_data / "cuad" / "full_contract_pdf").rglob("*")
        if p.suffix.lower() == ".pdf"
    )
    return [p for p in pdfs if cuad_split(p.name) == "test"][::17][:n]


@pytest.mark.shared_data
def test_real_contracts_are_reviewed_with_exact_citations(shared_data, real_reviewer):
    from legal_orch.ingest.pdf import parse_pdf

    for pdf in _test_split_pdfs(shared_data, 3):
        rep = real_reviewer.review(pdf)
        text = parse_pdf(pdf).text
        assert rep.validation.status in ("passed", "failed", "incomplete")
        assert not rep.failures, rep.failures
        assert {f.rule_id for f in rep.findings} == {r.id for r in real_reviewer.playbook.rules}
        for c in rep.clauses:
            assert text[c.start : c.end] == c.text
        for f in rep.findings:
            assert f.recommendation is not None
            for q in f.citations:
                assert text[q.start : q.end] == q.quote
