"""Typed domain facts of a review: documents, segments, clauses, findings and their evidence.

Every statement the review makes carries `Citation`s whose `quote` equals the document text
sliced at `[start, end)`; offsets index `Document.text`, the parsed text of the whole file.
"""

from __future__ import annotations

import bisect
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from legal_orch.redact import scrub

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")
Action = Literal["accept", "negotiate", "add", "delete", "escalate"]
# compliant: the clause is there and meets the position; deviation: there and does not;
# missing: a clause the client needs is absent (found to be absent with measured recall);
# not_found: the extractor found nothing, but it finds this category too rarely to say "absent";
# redacted: the value the check needs is hidden in the filing; needs_review: a lawyer must look
# (a value could not be read, a check failed validation, a lawyer rejected the finding).
FindingStatus = Literal[
    "compliant", "deviation", "missing", "not_found", "redacted", "needs_review"
]
ValidationStatus = Literal["passed", "failed", "incomplete"]


class Page(BaseModel):
    number: int  # 1-based
    start: int
    end: int


class HiddenText(BaseModel):
    """Text in the file a reader cannot see; left out of the text the review reads."""

    page: int
    why: str  # "white on white", "placed off the page", "too small to read", ...
    chars: int
    preview: str  # its first words, for the lawyer to see what was hidden


class Document(BaseModel):
    """One parsed contract: the whole text plus each page's character range."""

    path: str
    name: str
    sha256: str
    text: str
    pages: list[Page]  # for a Word file, its paragraphs (citations then name paragraphs)
    kind: Literal["pdf", "docx"] = "pdf"
    source: Literal["text", "ocr"] = "text"  # "ocr": the text was read from page images
    hidden: list[HiddenText] = Field(default_factory=list)  # blanked out of `text`

    @property
    def unit(self) -> str:
        """How a citation's `page` is shown: "p." for a page, "¶" for a Word paragraph."""
        return "¶" if self.kind == "docx" else "p."

    def page_of(self, offset: int) -> int:
        """Return the 1-based page holding character `offset`."""
        starts = [p.start for p in self.pages]
        i = max(bisect.bisect_right(starts, offset) - 1, 0)
        return self.pages[i].number if self.pages else 1

    def cite(self, start: int, end: int) -> Citation:
        """Cite `[start, end)` of the text, trimmed of surrounding white space."""
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Citation(page=self.page_of(start), start=start, end=end, quote=self.text[start:end])


class Citation(BaseModel):
    page: int
    start: int
    end: int
    quote: str  # must equal Document.text[start:end]


class Segment(BaseModel):
    """A unit of the contract's structure with its offsets into `Document.text`."""

    id: int
    kind: Literal["heading", "clause", "sentence"]
    start: int
    end: int
    text: str
    number: str | None = None  # "12.3", "(b)", "IV"
    heading: str | None = None  # title of the enclosing section
    parent: int | None = None  # id of the enclosing clause for sentences


class DefinedTerm(BaseModel):
    term: str
    start: int
    end: int
    definition: Citation


class Segmentation(BaseModel):
    """The structure of one document: clauses, their sentences, headings and defined terms."""

    headings: list[Segment] = Field(default_factory=list)
    clauses: list[Segment] = Field(default_factory=list)
    sentences: list[Segment] = Field(default_factory=list)
    terms: list[DefinedTerm] = Field(default_factory=list)

    def all(self) -> list[Segment]:
        return sorted(self.headings + self.clauses + self.sentences, key=lambda s: (s.start, s.id))


class Attribute(BaseModel):
    """A typed fact read from a clause: an amount, a duration, a jurisdiction, a party..."""

    kind: Literal[
        "money", "duration", "notice_days", "date", "jurisdiction", "party", "multiple", "percent"
    ]
    value: str | float | int
    normalized: str | float | int | None = None
    citation: Citation


class Clause(BaseModel):
    """An extracted clause of one CUAD category."""

    category: str
    text: str
    page: int
    start: int
    end: int
    confidence: float
    answer: str | None = None
    attributes: list[Attribute] = Field(default_factory=list)


ValueStatus = Literal["stated", "computed", "redacted", "not_stated"]
PartyRole = Literal[
    "licensor",
    "licensee",
    "customer",
    "supplier",
    "distributor",
    "reseller",
    "franchisor",
    "franchisee",
    "manufacturer",
    "buyer",
    "seller",
    "service_provider",
    "client",
    "consultant",
    "contractor",
    "agent",
    "principal",
    "sponsor",
    "endorser",
    "host",
    "developer",
    "publisher",
    "lender",
    "borrower",
    "landlord",
    "tenant",
    "employer",
    "employee",
    "partner",
    "member",
    "collaborator",
    "investor",
    "company",
    "university",
    "party",
]


class Party(BaseModel):
    """A party to the contract: its name as written, its defined short names and its role."""

    name: str  # "Acme Pharma, Inc."
    short_names: list[str] = Field(default_factory=list)  # ["Acme"]
    role: str = "party"  # a PartyRole where one is stated or implied
    citations: list[Citation] = Field(default_factory=list)


class KeyTerm(BaseModel):
    """One normalised term of the deal with the text it comes from.

    `status`: "stated" (read from the text), "computed" (derived from stated terms, e.g. an
    expiry from the effective date and the term), "redacted" (the contract hides the value:
    never treated as meeting a check) or "not_stated".
    """

    value: str | None = None  # human-readable: "2019-03-01", "3 years", "New York"
    normalized: str | float | int | bool | None = None  # ISO date, days, ISO currency amount
    unit: str | None = None  # "days", "months", "years", "USD", "x fees"
    status: ValueStatus = "stated"
    detail: str | None = None  # how it was computed, whose liability, carve-outs ...
    citations: list[Citation] = Field(default_factory=list)


class Termination(BaseModel):
    """Who may end the contract for convenience, and on what notice."""

    party: str  # a party name or "either party"
    notice_days: int | None = None
    citations: list[Citation] = Field(default_factory=list)


class LiabilityCap(BaseModel):
    amount: KeyTerm | None = None  # money, normalized to a float with unit = ISO currency
    multiple: KeyTerm | None = None  # e.g. 1.0 with unit "x fees"
    lookback: KeyTerm | None = None  # e.g. 12 months of fees
    whose: str | None = None  # a party name, "each party" or "either party"
    carve_outs: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)


class Obligation(BaseModel):
    """Who must do what, by when, as the contract says it."""

    party: str  # a party's short name, or "each party"
    action: str  # the obligation in the contract's words, shortened
    due: str  # the time the contract gives: "within 30 days after the end of each quarter"
    due_days: int | None = None  # the period in days, where it is one
    kind: Literal["payment", "notice", "report", "delivery", "insurance", "other"] = "other"
    citation: Citation


class KeyTerms(BaseModel):
    """The basic facts of the deal a lawyer reads first; every value cites its text."""

    parties: list[Party] = Field(default_factory=list)
    agreement_date: KeyTerm | None = None
    effective_date: KeyTerm | None = None
    initial_term: KeyTerm | None = None  # normalized: days
    expiration_date: KeyTerm | None = None
    renewal: KeyTerm | None = None  # normalized: True (automatic) / False; detail: the period
    renewal_term: KeyTerm | None = None  # normalized: days
    nonrenewal_notice: KeyTerm | None = None  # normalized: days of notice before expiry
    nonrenewal_deadline: KeyTerm | None = None  # computed ISO date: last day to give notice
    termination_for_convenience: list[Termination] = Field(default_factory=list)
    governing_law: KeyTerm | None = None
    forum: KeyTerm | None = None
    liability_cap: LiabilityCap | None = None
    payment_terms: KeyTerm | None = None  # normalized: days to pay
    obligations: list[Obligation] = Field(default_factory=list)  # the obligations register


class ClientSide(BaseModel):
    """Whose side the review takes, and whether the user said so or the review assumed it."""

    party: str | None = None  # the party's name as in KeyTerms.parties
    role: str | None = None
    assumed: bool = True
    reason: str = ""


class Precedent(BaseModel):
    id: str
    text: str
    source: str  # its contract, by type and parties: "Reseller agreement between A and B"
    category: str | None = None
    contract_type: str | None = None  # "reseller agreement"
    answer: str | None = None
    score: float = 0.0
    parties: list[str] = Field(default_factory=list)
    rating: int | None = None  # 1-5 stars from ACORD's lawyers, for the request in `rated_for`
    rated_for: str | None = None


class Recommendation(BaseModel):
    action: Action
    rationale: str
    fallback_language: str | None = None


class Finding(BaseModel):
    rule_id: str
    title: str
    severity: Severity
    status: FindingStatus
    explanation: str
    categories: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    precedents: list[Precedent] = Field(default_factory=list)
    comparison: str | None = None
    recommendation: Recommendation | None = None
    confidence: float = 1.0
    agent: str = ""
    burdens: str | None = None  # the party the clause binds or limits ("Reseller", "each party")
    benefits: str | None = None  # the party it protects or grants a right to
    notes: list[str] = Field(default_factory=list)  # plain-words reasons a check was not passed


class Deal(BaseModel):
    """What the review knows of the deal that every agent may need: its facts and our side."""

    key_terms: KeyTerms = Field(default_factory=KeyTerms)
    client: ClientSide = Field(default_factory=ClientSide)
    defined_terms: list[str] = Field(default_factory=list)  # "Products", "Territory", ...
    title: str | None = None  # the contract's own name for itself ("Research License Agreement")


class Subtask(BaseModel):
    """One unit of planned work: judge one playbook rule, with the agent the router chose."""

    id: str
    rule_id: str
    categories: list[str]
    agent: str
    tier: int = 0
    attempt: int = 0
    deal: Deal | None = None  # the parties and whose side the review takes


class AgentFailure(BaseModel):
    agent: str
    stage: str
    subtask_id: str | None = None
    error: str

    @field_validator("error")
    @classmethod
    def _no_credentials(cls, v: str) -> str:
        # A provider's error may echo the key it was sent; the failure is stored and shown.
        return scrub(v)


class ValidationCheck(BaseModel):
    name: str
    status: Literal["passed", "failed"]
    detail: str = ""
    subtask_ids: list[str] = Field(default_factory=list)


class Validation(BaseModel):
    status: ValidationStatus
    checks: list[ValidationCheck] = Field(default_factory=list)
    confidence: float = 0.0
    # Findings a check could not let stand as made: marked needs_review, the reason in `notes`.
    # The graph puts them in place of the originals; reports show them there, not twice.
    amended: list[Finding] = Field(default_factory=list, exclude=True)
