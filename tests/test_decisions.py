"""The decisions store: append-only history, latest decision per finding, gold-set export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from legal_orch.decisions import DecisionError, DecisionStore, finding_snapshot, read_gold
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
