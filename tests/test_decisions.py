"""The decisions store: append-only history, latest decision per finding, gold-set export."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from legal_orch.decisions import (
    DecisionError,
    DecisionStore,
    as_decided,
    decided_findings,
    finding_snapshot,
    read_gold,
)
from legal_orch.reports.report import render
from legal_orch.settings import Settings
from tests.sample_report import sample_report

T0 = datetime(2025, 1, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    return DecisionStore(tmp_path / "d" / "decisions.sqlite")


def test_path_comes_from_settings(tmp_path):
    assert (
        DecisionStore.from_settings(Settings(data_dir=tmp_path)).path
        == tmp_path / "decisions.sqlite"
    )
    custom = tmp_path / "x.sqlite"
    assert (
        DecisionStore.from_settings(Settings(data_dir=tmp_path, decisions_db=custom)).path == custom
    )


def test_record_and_list_keep_history(store):
    store.record("aa", "law", "accept", "Ann", at=T0)
    store.record("aa", "law", "reject", "Bob", note="wrong clause", at=T0 + timedelta(hours=1))
    store.record("bb", "law", "edit", "Ann", edited={"severity": "low"}, at=T0)
    hist = store.list("aa", "law")
    assert [(d.decision, d.reviewer) for d in hist] == [("accept", "Ann"), ("reject", "Bob")]
    assert hist[1].note == "wrong clause" and hist[1].at == T0 + timedelta(hours=1)
    assert len(store.list()) == 3
    latest = store.latest()
    assert latest[("aa", "law")].decision == "reject" and latest[("bb", "law")].edited == {
        "severity": "low"
    }
    # times are stored with their zone (UTC), so an export reads the same anywhere
    assert store.record("cc", "law", "accept", "Ann").at.tzinfo is not None


@pytest.mark.parametrize(
    ("decision", "reviewer", "edited", "message"),
    [
        ("maybe", "Ann", None, "unknown decision 'maybe'"),
        ("accept", "  ", None, "needs the reviewer's name"),
        ("edit", "Ann", None, "an edit needs at least one changed field"),
        ("edit", "Ann", {"severity": "huge"}, "unknown severity 'huge'"),
        ("edit", "Ann", {"status": "fine"}, "unknown status 'fine'"),
        ("edit", "Ann", {"citations": []}, "cannot edit 'citations'"),
    ],
)
def test_bad_decisions_are_refused_with_one_line(store, decision, reviewer, edited, message):
    with pytest.raises(DecisionError, match=message):
        store.record("aa", "law", decision, reviewer, edited=edited)
    assert store.list() == []


def test_export_gold_writes_latest_with_labels(store, sample_doc, tmp_path):
    report = sample_report(sample_doc)
    law, term, audit = report.findings
    sha = report.document.sha256
    store.record(sha, law.rule_id, "reject", "Ann", at=T0, finding=finding_snapshot(law))
    store.record(
        sha,
        law.rule_id,
        "accept",
        "Bob",
        at=T0 + timedelta(1),
        finding=finding_snapshot(law),
        doc_name="r.pdf",
        playbook="commercial",
    )
    store.record(
        sha,
        term.rule_id,
        "edit",
        "Ann",
        edited={"severity": "medium"},
        at=T0,
        finding=finding_snapshot(term),
    )
    store.record(
        sha,
        audit.rule_id,
        "reject",
        "Ann",
        note="it is in schedule 2",
        at=T0,
        finding=finding_snapshot(audit),
    )
    out = store.export_gold(tmp_path / "gold" / "gold.jsonl")
    rows = read_gold(out)
    assert [r["rule_id"] for r in rows] == ["audit-rights", "governing-law", "termination"]
    by = {r["rule_id"]: r for r in rows}
    assert by["governing-law"]["decision"] == "accept" and by["governing-law"]["reviewer"] == "Bob"
    assert by["governing-law"]["label"] == {
        "severity": "medium",
        "status": "deviation",
        "title": "Governing law",
    }
    assert by["governing-law"]["finding"]["citations"][0]["quote"] == law.citations[0].quote
    assert by["termination"]["label"]["severity"] == "medium"  # the lawyer's edit wins
    assert (
        by["audit-rights"]["label"] is None and by["audit-rights"]["note"] == "it is in schedule 2"
    )
    assert by["governing-law"]["at"] == (T0 + timedelta(1)).isoformat()
    json.dumps(rows)  # plain JSON all the way down


def _decided_report(sample_doc):
    report = sample_report(sample_doc)
    return report.model_copy(
        update={
            "decisions": {
                "termination": {"decision": "reject", "reviewer": "Ann", "note": "AMC is fine"},
                "governing-law": {
                    "decision": "edit",
                    "reviewer": "Bob",
                    "severity": "low",
                    "fallback_language": "English law governs.",
                },
                "audit-rights": {"decision": "accept", "reviewer": "Ann"},
            }
        }
    )


def test_decisions_take_rejected_findings_out_and_put_edits_in(sample_doc):
    report = _decided_report(sample_doc)
    kept, rejected = decided_findings(report.findings, report.decisions)
    assert [f.rule_id for f in kept] == ["governing-law", "audit-rights"]
    assert [(f.rule_id, d["reviewer"]) for f, d in rejected] == [("termination", "Ann")]
    law = kept[0]
    assert law.severity == "low" and law.recommendation.fallback_language == "English law governs."
    assert law.recommendation.action == "negotiate"  # what was not edited is kept
    assert report.findings[0].severity == "medium"  # the review itself is not changed
    assert report.severity_counts() == {"critical": 0, "high": 0, "medium": 0, "low": 2, "info": 0}
    decided = as_decided(report)
    assert [f.rule_id for f in decided.findings] == ["governing-law", "audit-rights"]
    assert as_decided(decided).findings == decided.findings  # applying twice changes nothing


def test_an_edit_of_the_action_gives_a_finding_without_advice_one(sample_doc):
    f = sample_report(sample_doc).findings[1].model_copy(update={"recommendation": None})
    edit = {"decision": "edit", "reviewer": "Ann", "action": "escalate"}
    [kept], _ = decided_findings([f], {f.rule_id: edit})
    assert kept.recommendation.action == "escalate" and kept.recommendation.rationale == ""


def test_markdown_and_html_reflect_decisions(sample_doc):
    report = _decided_report(sample_doc)
    md = render(report, "md")
    assert "- Risks: 0 critical, 0 high, 0 medium, 2 low, 0 info" in md
    assert "- Lawyers' decisions: 1 accepted, 1 edited, 1 rejected" in md
    assert "### [HIGH] Termination rights" not in md
    assert "### [LOW] Governing law — deviation" in md
    assert "*Fallback language:* English law governs." in md
    assert "*Lawyer's decision:* Edited by Bob (changed: severity, fallback language)." in md
    rejected = md.split("## Findings the lawyers rejected (not counted above)")[1]
    assert "- Termination rights: Rejected by Ann. Note: AMC is fine." in rejected
    page = render(report, "html")
    counts = re.search(r"<table class='counts' id='severity-counts'>.*?</table>", page).group(0)
    assert re.findall(r"<td>(\d+)</td>", counts) == ["0", "0", "0", "2", "0"]
    assert page.index("severity-counts") < page.index("<h2>Key terms</h2>")  # in the header
    assert "Termination rights</h3>" not in page
    # the raw review and each decision stay in the JSON, for tools and the audit trail
    data = json.loads(render(report, "json"))
    assert len(data["findings"]) == 3 and data["decisions"]["termination"]["decision"] == "reject"


def test_two_citations_on_one_page_show_the_page_once(sample_doc):
    report = sample_report(sample_doc)
    law = report.findings[0]
    cite = law.citations[0]
    second = sample_doc.cite(cite.start, cite.start + 10)
    twice = law.model_copy(update={"citations": [cite, second, cite]})
    report = report.model_copy(update={"findings": [twice]})
    md = render(report, "md")
    lines = [x for x in md.splitlines() if x.startswith(f"> p.{cite.page}")]
    assert len(lines) == 1 and lines[0].count("“") == 2  # the repeated span once
    page = render(report, "html")
    assert page.count(f"<blockquote>p.{cite.page}: ") == 1


def test_engineering_detail_stays_under_technical_details(sample_doc):
    md = render(sample_report(sample_doc), "md")
    lawyer, tech = md.split("## Technical details")
    for word in ("confidence", "SHA-256", "CPU-seconds", "agent", "governing-law"):
        assert word not in lawyer, word
    assert "Validation confidence: 0.74" in tech and "rule governing-law" in tech
