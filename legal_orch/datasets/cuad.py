"""Load CUAD v1 in its release layout: gold spans per contract and category, split by file name.

Gold comes from `master_clauses.csv`: column `<Category>` is a Python-literal list of the strings
lawyers highlighted, with non-contiguous pieces of one highlight joined by `<omitted>`. Each piece
is a separate gold answer, as in the publisher's SQuAD-style JSON where every highlighted piece
has its own `answer_start`.
"""

from __future__ import annotations

import ast
import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from legal_orch.datasets.splits import Split, contract_key, cuad_split
from legal_orch.domain import Document
from legal_orch.ingest.pdf import parse_pdf

OMITTED = "<omitted>"
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True)
class CuadContract:
    """One CUAD contract: its files, gold pieces and normalised answers per category."""

    title: str  # the text file's name without `.txt`: the publisher's question-id prefix
    filename: str  # the CSV `Filename`
    split: Split
    pdf: Path
    txt: Path
    gold: dict[str, list[str]]
    answers: dict[str, str]

    def question_id(self, category: str) -> str:
        return f"{self.title}__{category}"


def file_key(name: str) -> str:
    """Reduce a CUAD file name to letters and digits, so CSV, PDF and TXT names meet."""
    key = unicodedata.normalize("NFKD", contract_key(name)).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("", key.removesuffix("'").removesuffix(".pdf"))


def categories_of(header: list[str]) -> list[str]:
    """Return the 41 category names of the CSV header, in order."""
    return [c for c in header if c != "Filename" and not c.endswith("-Answer")]


def gold_pieces(cell: str) -> list[str]:
    """Parse one `<Category>` cell into its non-empty highlighted pieces."""
    if not cell.strip():
        return []
    pieces: list[str] = []
    for s in ast.literal_eval(cell):
        pieces.extend(p.strip() for p in str(s).split(OMITTED))
    return [p for p in pieces if p]


def _index(folder: Path, suffix: str) -> dict[str, Path]:
    return {file_key(p.name): p for p in folder.rglob("*") if p.suffix.lower() == suffix}


def load_cuad(data: Path, split: str = "all") -> list[CuadContract]:
    """Read the contracts of `split` ("train", "dev", "test" or "all") that have PDF and text."""
    csv.field_size_limit(1 << 30)
    pdfs = _index(data / "full_contract_pdf", ".pdf")
    txts = _index(data / "full_contract_txt", ".txt")
    out: list[CuadContract] = []
    with (data / "master_clauses.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        cats = categories_of(list(reader.fieldnames or []))
        for row in reader:
            name = row["Filename"]
            part = cuad_split(name)
            key = file_key(name)
            if (split != "all" and part != split) or key not in pdfs or key not in txts:
                continue
            out.append(
                CuadContract(
                    title=txts[key].name.removesuffix(".txt"),
                    filename=name,
                    split=part,
                    pdf=pdfs[key],
                    txt=txts[key],
                    gold={c: gold_pieces(row[c]) for c in cats},
                    answers={c: row.get(f"{c}-Answer", "") or "" for c in cats},
                )
            )
    return sorted(out, key=lambda c: c.title)


def parse_cached(pdf: Path, cache: Path | None = None) -> Document:
    """Parse `pdf` with the product's parser, memoised as JSON under `cache` when given."""
    hit = cache / f"{contract_key(pdf.name)[:200]}.json" if cache else None
    if hit and hit.exists():
        return Document.model_validate_json(hit.read_text(encoding="utf-8"))
    doc = parse_pdf(pdf)
    if hit:
        hit.parent.mkdir(parents=True, exist_ok=True)
        hit.write_text(doc.model_dump_json(), encoding="utf-8")
    return doc
