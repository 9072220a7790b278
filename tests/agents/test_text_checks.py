"""Text checks match the words however the PDF spaced them (no-break spaces, line ends)."""

from __future__ import annotations

from legal_orch_agents.risk_analysis.checks import _holds


def test_playbook_phrases_match_across_nbsp_and_line_breaks():
    netgear = "during\xa0normal\xa0business\xa0hours and not more than\ntwice per year"
    assert _holds("matches", netgear, "business hours")
    assert _holds("matches", netgear, "not more than twice per year")
    assert not _holds("not_matches", netgear, "business hours")
    assert not _holds("matches", "at any time", "business hours")
