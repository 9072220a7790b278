"""Key dates as iCalendar: read back with the `icalendar` library, redacted dates left out."""

from __future__ import annotations

from datetime import date

import icalendar

from legal_orch.domain import KeyTerm, KeyTerms, Validation
from legal_orch.reports.calendar import to_ics
from legal_orch.reports.report import DocumentInfo, ReviewReport


def _report(name, terms):
    return ReviewReport(
        document=DocumentInfo(path=name, name=name, sha256=name.ljust(64, "0"), pages=3),
        playbook="commercial",
        key_terms=terms,
        clauses=[],
        findings=[],
        validation=Validation(status="passed"),
    )


def test_deadlines_of_several_reviews_in_one_calendar():
    a = KeyTerms(
        expiration_date=KeyTerm(value="2026-03-01", normalized="2026-03-01", status="computed"),
        nonrenewal_deadline=KeyTerm(
            value="2025-12-01",
            normalized="2025-12-01",
            status="computed",
            detail="90 days before expiry",
        ),
    )
    b = KeyTerms(expiration_date=KeyTerm(status="redacted"))  # never a date
    c = KeyTerms(expiration_date=KeyTerm(value="2030-01-31", normalized="2030-01-31"))
    text = to_ics([_report("acme, inc.pdf", a), _report("b.pdf", b), _report("c.pdf", c)])
    cal = icalendar.Calendar.from_ical(text)
    got = sorted((e.get("DTSTART").dt, str(e.get("SUMMARY"))) for e in cal.walk("VEVENT"))
    assert got == [
        (date(2025, 12, 1), "Last day to give notice of non-renewal: acme, inc.pdf"),
        (date(2026, 3, 1), "Contract expires: acme, inc.pdf"),
        (date(2030, 1, 31), "Contract expires: c.pdf"),
    ]
    notice = next(e for e in cal.walk("VEVENT") if e.get("DTSTART").dt == date(2025, 12, 1))
    assert "90 days before expiry" in str(notice.get("DESCRIPTION"))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
