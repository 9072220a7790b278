"""Score the key terms against CUAD's answers on the train or dev split (never test).

    python -m legal_orch_agents.key_terms.devcheck --split dev [--limit N] [--out DIR]

Runs what a review runs (parse, segment, the extraction agent the registry picks, this agent) on
each contract and compares with `master_clauses.csv`'s "-Answer" columns: party names (each gold
party found; at most one extra), the agreement, effective and expiration dates (ISO), governing
law (a place named in CUAD's answer), renewal term and notice to stop renewal (the same duration).
A gold answer CUAD leaves blank or writes as a partial date ("[]/[]/2004") is not scored. Writes
`devcheck-<split>.json` (per contract) and `devcheck-<split>.md` (the table) under --out.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from legal_orch.capabilities import ExtractRun, KeyTermsRun
from legal_orch.datasets.cuad import CuadContract, load_cuad, parse_cached
from legal_orch.domain import Clause, Document, KeyTerm, KeyTerms, Party, Segmentation
from legal_orch.ingest.segment import segment
from legal_orch.registry import default_registry, runner
from legal_orch.router import choose
from legal_orch.values import duration_days, duration_parts

FIELDS = (
    "Agreement Date",
    "Effective Date",
    "Expiration Date",
    "Governing Law",
    "Renewal Term",
    "Notice Period to Terminate Renewal",
)
_GOLD_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_QUOTED = re.compile(r"[\"“”']([^\"“”']{1,60})[\"“”']")
_NOT_A_PARTY = re.compile(
    r"^(?:the\s+)?(?:part(?:y|ies)|each|both|collectively|individually)\b", re.I
)
_SUFFIXES = re.compile(
    r"\b(?:inc|incorporated|ltd|limited|llc|l l c|llp|lp|l p|corp|corporation|co|company|plc|n a|s a|ag|gmbh)\b"
)


def gold_iso(gold: str) -> str | None:
    """CUAD's M/D/YYYY as ISO; None for blanks and partial dates."""
    m = _GOLD_DATE.match(gold)
    if not m:
        return None
    year = int(m.group(3))
    # CUAD's answers turn two-digit years of the 2030s into the 1930s ("12/31/34" -> 1934)
    year = year + 100 if year < 1950 else year
    try:
        return date(year, int(m.group(1)), int(m.group(2))).isoformat()
    except ValueError:
        return None


def _norm(name: str) -> str:
    text = re.sub(r"[^a-z0-9& ]", " ", name.lower().replace("’", "'").replace("'s", "s"))
    return " ".join(_SUFFIXES.sub(" ", text).split())


@dataclass
class GoldParty:
    name: str
    shorts: list[str] = field(default_factory=list)


def gold_parties(answer: str) -> list[GoldParty]:
    """The parties CUAD's Parties answer lists: "ACME, INC. ("Acme"); BETA LLC ("Beta")"."""
    out = []
    for piece in answer.split(";"):
        piece = piece.strip()
        if not piece or piece == "[]":
            continue
        shorts = [s.strip(" ,.") for s in _QUOTED.findall(piece)]
        name = re.split(r"\(|[\"“]", piece, maxsplit=1)[0].strip(" ,")
        shorts = [s for s in shorts if not _NOT_A_PARTY.match(s)]
        if not name or name[0].islower() or (_NOT_A_PARTY.match(name) and not shorts):
            continue
        if not shorts and re.search(r"\bparties\b", piece, re.I):
            continue
        out.append(GoldParty(name, shorts))
    return out


def _same(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x == y or (min(len(x), len(y)) >= 4 and (x in y or y in x)))


def party_found(g: GoldParty, ours: list[Party]) -> Party | None:
    for p in ours:
        names = [p.name, *p.short_names]
        if any(_same(n, g.name) for n in names) or any(
            _same(n, s) for n in names for s in g.shorts
        ):
            return p
    return None


def _value(t: KeyTerm | None) -> str | None:
    if t is None or t.status in ("redacted", "not_stated"):
        return None
    return str(t.normalized) if t.normalized is not None else t.value


def _duration_match(gold: str, t: KeyTerm | None) -> bool:
    want = duration_parts(gold)
    if t is None or t.status != "stated" or want is None or not isinstance(t.normalized, int):
        return False
    return duration_days(*want) == t.normalized


def field_result(name: str, gold: str, kt: KeyTerms) -> tuple[bool | None, str | None]:
    """(whether ours matches CUAD's answer or None where it is not comparable, our value)."""
    gold = gold.strip()
    ours = {
        "Agreement Date": kt.agreement_date,
        "Effective Date": kt.effective_date,
        "Expiration Date": kt.expiration_date,
        "Governing Law": kt.governing_law,
        "Renewal Term": kt.renewal_term,
        "Notice Period to Terminate Renewal": kt.nonrenewal_notice,
    }[name]
    mine = _value(ours)
    if not gold or gold in ("[]", "No"):
        return None, mine
    if name in ("Agreement Date", "Effective Date", "Expiration Date"):
        if gold.lower() == "perpetual":
            return (mine or "").lower() == "perpetual", mine
        iso = gold_iso(gold)
        return (None, mine) if iso is None else (mine == iso, mine)
    if name == "Governing Law":
        # "England and Wales" is CUAD's "England; Wales"
        parts = (mine or "").lower().split(" and ") if mine else []
        return bool(parts) and all(p in gold.lower() for p in parts), mine
    if duration_parts(gold) is None:
        return None, mine
    return _duration_match(gold, ours), mine


@dataclass
class Row:
    title: str
    seconds: float
    parties_gold: int
    parties_found: int
    parties_extra: int
    fields: dict[str, dict]


def score(c: CuadContract, kt: KeyTerms, seconds: float) -> Row:
    golds = gold_parties(c.answers.get("Parties", ""))
    matched = [party_found(g, kt.parties) for g in golds]
    used = {id(p) for p in matched if p is not None}
    fields = {}
    for f in FIELDS:
        ok, mine = field_result(f, c.answers.get(f, ""), kt)
        fields[f] = {"gold": c.answers.get(f, "").strip(), "ours": mine, "correct": ok}
    return Row(
        title=c.title,
        seconds=seconds,
        parties_gold=len(golds),
        parties_found=sum(m is not None for m in matched),
        parties_extra=sum(id(p) not in used for p in kt.parties),
        fields=fields,
    )


def run_one(
    c: CuadContract, extract: ExtractRun, read: KeyTermsRun, cache: Path | None
) -> tuple[KeyTerms, float]:
    """Parse, segment, extract and read the key terms of one contract; time only the last step."""
    doc: Document = parse_cached(c.pdf, cache)
    seg: Segmentation = segment(doc)
    clauses: list[Clause] = extract(doc, seg, None)
    t0 = time.perf_counter()
    kt = read(doc, seg, clauses, None)
    return kt, time.perf_counter() - t0


def summarise(rows: list[Row]) -> dict:
    per_field = {}
    for f in FIELDS:
        judged = [r.fields[f]["correct"] for r in rows if r.fields[f]["correct"] is not None]
        extra = sum(
            1
            for r in rows
            if r.fields[f]["correct"] is None and r.fields[f]["ours"] and not r.fields[f]["gold"]
        )
        per_field[f] = {
            "n": len(judged),
            "correct": sum(judged),
            "accuracy": round(sum(judged) / len(judged), 3) if judged else None,
            "ours_where_cuad_blank": extra,
        }
    n = sum(v["n"] for v in per_field.values())
    ok = sum(v["correct"] for v in per_field.values())
    with_parties = [r for r in rows if r.parties_gold]
    gold = sum(r.parties_gold for r in with_parties)
    found = sum(r.parties_found for r in with_parties)
    passed = sum(r.parties_found == r.parties_gold and r.parties_extra <= 1 for r in with_parties)
    times = [r.seconds for r in rows]
    return {
        "contracts": len(rows),
        "key_term_accuracy": round(ok / n, 3) if n else None,
        "key_terms_judged": n,
        "fields": per_field,
        "party_names_found": round(found / gold, 3) if gold else None,
        "party_gold_names": gold,
        "contracts_all_parties_found_at_most_one_extra": round(passed / len(with_parties), 3)
        if with_parties
        else None,
        "seconds_per_contract_median": round(statistics.median(times), 4) if times else None,
        "seconds_per_contract_max": round(max(times), 4) if times else None,
    }


def table(split: str, summary: dict) -> str:
    lines = [
        f"# Key terms against CUAD's answers, {split} split ({summary['contracts']} contracts)",
        "",
        "| field | judged | correct | accuracy | ours where CUAD is blank |",
        "|---|---|---|---|---|",
    ]
    for f, v in summary["fields"].items():
        lines.append(
            f"| {f} | {v['n']} | {v['correct']} | {v['accuracy']} | {v['ours_where_cuad_blank']} |"
        )
    lines += [
        f"| **all six fields** | {summary['key_terms_judged']} | | **{summary['key_term_accuracy']}** | |",
        "",
        f"- Party names found: {summary['party_names_found']} of {summary['party_gold_names']} gold names",
        "- Contracts with every gold party found and at most one extra: "
        f"{summary['contracts_all_parties_found_at_most_one_extra']}",
        f"- Agent time per contract: median {summary['seconds_per_contract_median']} s, "
        f"max {summary['seconds_per_contract_max']} s",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("train", "dev"), default="dev")
    ap.add_argument(
        "--data",
        type=Path,
        default=Path(__file__).resolve().parents[3] / "shared" / "data" / "cuad",
    )
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=None, help="memoise parsed PDFs here")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = ap.parse_args(argv)
    registry = default_registry()
    extract = runner(choose(registry, "extract"), "extract")
    read = runner(choose(registry, "key_terms"), "key_terms")
    contracts = load_cuad(args.data, args.split)
    contracts = contracts[: args.limit] if args.limit else contracts
    rows = []
    for i, c in enumerate(contracts, 1):
        kt, seconds = run_one(c, extract, read, args.cache)
        rows.append(score(c, kt, seconds))
        print(f"[{i}/{len(contracts)}] {c.title[:70]}", file=sys.stderr)
    summary = summarise(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    base = args.out / f"devcheck-{args.split}"
    base.with_suffix(".json").write_text(
        json.dumps({"summary": summary, "contracts": [r.__dict__ for r in rows]}, indent=1),
        encoding="utf-8",
    )
    md = table(args.split, summary)
    base.with_suffix(".md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
