"""The key dates of reviews as an iCalendar file (RFC 5545): expiry and notice deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from legal_orch.domain import KeyTerm
from legal_orch.reports.report import ReviewReport

PRODID = "-//legal_orch//key dates//EN"
# The key terms that are deadlines a lawyer diarises, with the event's title.
DATED = (
    ("nonrenewal_deadline", "Last day to give notice of non-renewal"),
    ("expiration_date", "Contract expires"),
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 requires."""
    raw = line.encode("utf-8")
    out: list[str] = []
    while len(raw) > 75:
        cut = 75 if not out else 74
        while cut > 0 and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        out.append(raw[:cut].decode("utf-8"))
        raw = raw[cut:]
    out.append(raw.decode("utf-8"))
    return "\r\n ".join(out)


def _iso(term: KeyTerm | None) -> date | None:
    if term is None or term.status in ("redacted", "not_stated"):
        return None
    try:
        return date.fromisoformat(str(term.normalized))
    except ValueError:
        return None


def events(report: ReviewReport) -> list[tuple[str, date, str]]:
    """(title, day, description) of each key date the review computed or read."""
    out = []
    for field, title in DATED:
        term = getattr(report.key_terms, field)
        day = _iso(term)
        if day is None:
            continue
        where = ""
        if term.citations:
            c = term.citations[0]
            where = f" Source: {report.document.unit}{c.page} “{' '.join(c.quote.split())[:300]}”"
        how = f" ({term.detail})" if term.detail else ""
        out.append((title, day, f"{report.document.name}: {title.lower()}{how}.{where}"))
    return out


def to_ics(reports: Iterable[ReviewReport], now: datetime | None = None) -> str:
    """One calendar holding the key dates of every review in `reports`."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    for report in reports:
        for title, day, description in events(report):
            uid = f"{report.document.sha256[:24]}-{day.isoformat()}-{title[:12].replace(' ', '')}"
            lines += [
                "BEGIN:VEVENT",
                f"UID:{uid}@legal-orch",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                f"SUMMARY:{_escape(f'{title}: {report.document.name}')}",
                f"DESCRIPTION:{_escape(description)}",
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:-P14D",
                f"DESCRIPTION:{_escape(title)}",
                "END:VALARM",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
