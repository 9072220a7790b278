"""Build the shipped precedent bank from CUAD (train and dev contracts only) and ACORD's corpus.

Declared command: `legal-orch build precedents --data ../shared/data` (this module's `main`).
Outputs under `corpora/precedents/`: `clauses.jsonl.gz` (text and metadata), `contracts.jsonl.gz`
(every precedent contract: its name, parties and type, the categories it has and its market
measures, so a comparison counts the contracts without a clause too), `vectors.npz` (the
clauses' MiniLM vectors, int8-quantised so first use indexes in seconds instead of re-embedding
~10k clauses for minutes), `manifest.json` (sources, licences, counts, checksums).
"""

from __future__ import annotations

import ast
import bisect
import csv
import gzip
import hashlib
import io
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np
from legal_orch_agents.precedent_research import measures, sources
from legal_orch_agents.precedent_research.acord_map import cuad_categories

from legal_orch.datasets.splits import contract_key, cuad_split
from legal_orch.ingest.pdf import sha256_file
from legal_orch.retrieval.embeddings import MODEL_NAME, Embedder, default_embedder

# The installed `legal_orch_corpora` package is the repository's corpora/ folder.
DEFAULT_OUT = Path(str(resources.files("legal_orch_corpora"))) / "precedents"
CLAUSES_FILE = "clauses.jsonl.gz"
VECTORS_FILE = "vectors.npz"
MANIFEST_FILE = "manifest.json"
# Names, parties and signing dates are facts of one contract, not language anyone reuses.
SKIP_CATEGORIES = frozenset({"Document Name", "Parties", "Agreement Date", "Effective Date"})
OMITTED = "<omitted>"
ACORD_UNNAMED = "ACORD clause (source contract not named)"
RELEVANT_GRADE = 2  # ACORD grades 0-4; 2 and up: the clause is of the kind asked for
LICENCES = {
    "cuad": {
        "name": "CUAD v1 (Contract Understanding Atticus Dataset)",
        "licence": "CC BY 4.0",
        "attribution": "The Atticus Project; Hendrycks, Burns, Chen, Ball (2021), "
        "CUAD: An Expert-Annotated NLP Dataset for Legal Contract Review",
        "used": "clauses of the train and dev contracts (legal_orch.datasets.splits.cuad_split); "
        "test contracts are left out",
    },
    "acord": {
        "name": "ACORD (Atticus Clause Retrieval Dataset)",
        "licence": "CC BY 4.0",
        "attribution": "The Atticus Project (2025), ACORD: An Expert-Annotated Retrieval "
        "Dataset for Legal Contract Drafting",
        "used": "the clause corpus (corpus.jsonl); a clause's CUAD category is that of the train "
        "queries grading it relevant (grade >= 2, ACORD's query categories mapped to CUAD's), "
        "else that of the CUAD train/dev highlight it repeats, else none; its rating is its best "
        "train grade; its contract is the CUAD contract whose text holds it",
    },
}


CONTRACTS_FILE = "contracts.jsonl.gz"


def contract_folders(pdf_root: Path) -> dict[str, str]:
    """Map each CUAD contract key to the folder of its PDF (its contract type)."""
    return {
        contract_key(p.name): p.parent.name
        for p in pdf_root.rglob("*")
        if p.suffix.lower() == ".pdf"
    }


def _cuad_rows(cuad_dir: Path) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with (cuad_dir / "master_clauses.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _highlights(row: dict, category: str) -> list[str]:
    texts = (" ".join(t.replace(OMITTED, " [...] ").split()) for t in literal_list(row[category]))
    return [t for t in texts if t]


def literal_list(cell: str | None) -> list[str]:
    """Read a CUAD highlight cell (a Python list literal) as a list of strings."""
    return list(ast.literal_eval(cell or "[]"))


def _clause_columns(row: dict) -> list[str]:
    return [c for c in row if c != "Filename" and not c.endswith("-Answer")]


def contract_record(row: dict, folder: str | None) -> dict:
    """Describe one precedent contract: its name, parties, type, categories and measures."""
    names = sources.parties(row.get("Parties-Answer"))
    kind = sources.contract_type(folder)
    name = sources.title(row.get("Document Name-Answer"))
    present = {}
    for category in _clause_columns(row):
        if category in SKIP_CATEGORIES:
            continue
        answer = (row.get(f"{category}-Answer") or "").strip()
        if answer.lower() == "no" or not (_highlights(row, category) or answer):
            continue
        present[category] = answer or "Yes"
    return {
        "key": contract_key(row["Filename"]),
        "label": sources.label(kind, names, name),
        "title": name,
        "parties": names,
        "contract_type": kind,
        "present": present,
        "measures": contract_measures(row, present),
    }


def contract_measures(row: dict, present: dict[str, str]) -> dict:
    """Read the market measures of one contract from CUAD's answers and highlights."""
    out: dict = {}
    text = {c: " ".join(_highlights(row, c)) for c in present}
    if "Governing Law" in present:
        laws = measures.jurisdictions(present["Governing Law"]) or measures.jurisdictions(
            text["Governing Law"]
        )
        if laws:
            out["Governing Law"] = laws
    for category in ("Renewal Term", "Notice Period to Terminate Renewal"):
        days = measures.answer_days(present.get(category))
        if days is not None:
            out[category] = days
    if "Termination for Convenience" in present:
        out["Termination for Convenience"] = measures.notice_days(
            text["Termination for Convenience"]
        )
    if "Warranty Duration" in present:
        out["Warranty Duration"] = measures.first_duration(text["Warranty Duration"])
    if "Cap on Liability" in present:
        cap = measures.cap(text["Cap on Liability"])
        out["Cap on Liability"] = cap.as_dict() if cap else None
    return {k: v for k, v in out.items() if v is not None}


def cuad_bank(cuad_dir: Path) -> tuple[list[dict], list[dict]]:
    """Return the clause records and the contract records of the CUAD train and dev contracts."""
    folders = contract_folders(cuad_dir / "full_contract_pdf")
    records, contracts = [], []
    for row in _cuad_rows(cuad_dir):
        if cuad_split(row["Filename"]) == "test":
            continue
        contract = contract_record(row, folders.get(contract_key(row["Filename"])))
        contracts.append(contract)
        for category in _clause_columns(row):
            if category not in SKIP_CATEGORIES:
                records.extend(_category_records(row, category, contract))
    return records, contracts


def cuad_records(cuad_dir: Path) -> Iterator[dict]:
    """Yield one record per highlighted clause of the CUAD train and dev contracts."""
    yield from cuad_bank(cuad_dir)[0]


def _category_records(row: dict, category: str, contract: dict) -> Iterator[dict]:
    source = row["Filename"]
    answer = (row.get(f"{category}-Answer") or "").strip() or None
    for i, text in enumerate(_highlights(row, category)):
        key = hashlib.sha1(f"{source}|{category}|{i}".encode()).hexdigest()[:12]
        yield {
            "id": f"cuad:{key}",
            "text": text,
            "category": category,
            "contract": contract["key"],
            "contract_type": contract["contract_type"],
            "parties": contract["parties"],
            "answer": answer,
            "source": contract["label"],
            "corpus": "cuad",
        }


def _train_queries(acord_dir: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Return each ACORD train query's text and CUAD categories, by query id."""
    out = {}
    for line in (acord_dir / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        meta = q.get("metadata", {})
        out[q["_id"]] = (q["text"], cuad_categories(q["text"], meta.get("category")))
    return out


def acord_judgements(acord_dir: Path) -> tuple[dict[str, str], dict[str, tuple[int, str]]]:
    """Return each ACORD clause's CUAD category and its best rating, from the train qrels only.

    Category: that of the train queries grading the clause relevant (grade >= 2; pools mix
    categories, so only a relevant grade says what kind of clause it is). Rating: the clause's
    best grade as stars (grades 0-4 are 1-5 stars) and the request it was rated for.
    """
    queries = _train_queries(acord_dir)
    votes: dict[str, Counter] = defaultdict(Counter)
    best: dict[str, tuple[int, str]] = {}
    with (acord_dir / "qrels" / "train.tsv").open(encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for qid, cid, score in reader:
            text, cats = queries.get(qid, (qid, ()))
            grade = int(score)
            if grade >= RELEVANT_GRADE and cats:
                votes[cid][cats[0]] += 1
            if grade + 1 > best.get(cid, (0, ""))[0]:
                best[cid] = (grade + 1, text)
    return {cid: c.most_common(1)[0][0] for cid, c in votes.items()}, best


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


class CuadTexts:
    """Find which CUAD contract an ACORD clause was taken from, and the clause's CUAD category."""

    PREFIX = 80  # normalised characters of a clause's start that identify it

    def __init__(self, cuad_dir: Path):
        self.keys, starts, texts = [], [], []
        at = 0
        for path in sorted((cuad_dir / "full_contract_txt").glob("*.txt")):
            norm = _norm(path.read_text(encoding="utf-8", errors="ignore"))
            self.keys.append(contract_key(path.name))
            starts.append(at)
            texts.append(norm)
            at += len(norm) + 1
        self.starts = starts
        self.joined = "\0".join(texts)
        self.rows = {contract_key(r["Filename"]): r for r in _cuad_rows(cuad_dir)}

    def contract_of(self, text: str) -> str | None:
        """Return the key of the CUAD contract holding `text`, or None."""
        probe = _norm(text)[: self.PREFIX]
        if len(probe) < 20:
            return None
        at = self.joined.find(probe)
        return self.keys[bisect.bisect_right(self.starts, at) - 1] if at >= 0 else None

    def category_of(self, key: str, text: str) -> str | None:
        """Return the CUAD category whose highlight in contract `key` overlaps `text` (train/dev only)."""
        row = self.rows.get(key)
        if row is None or cuad_split(row["Filename"]) == "test":
            return None  # test contracts' labels stay out of the product
        norm = _norm(text)
        for category in _clause_columns(row):
            if category in SKIP_CATEGORIES:
                continue
            for h in _highlights(row, category):
                hn = _norm(h)
                if len(hn) >= 20 and (hn[: self.PREFIX] in norm or norm[: self.PREFIX] in hn):
                    return category
        return None


def acord_records(acord_dir: Path, cuad_dir: Path | None = None) -> Iterator[dict]:
    """Yield one record per clause of ACORD's corpus, named by its CUAD contract where found."""
    categories, ratings = acord_judgements(acord_dir)
    texts = CuadTexts(cuad_dir) if cuad_dir and (cuad_dir / "full_contract_txt").is_dir() else None
    folders = contract_folders(cuad_dir / "full_contract_pdf") if texts and cuad_dir else {}
    for line in (acord_dir / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        text = " ".join(doc["text"].split())
        key = texts.contract_of(text) if texts else None
        row = texts.rows.get(key) if texts and key else None
        contract = contract_record(row, folders.get(key or "")) if row else None
        category = categories.get(doc["_id"]) or (
            texts.category_of(key, text) if texts and key else None
        )
        rating, rated_for = ratings.get(doc["_id"], (None, None))
        yield {
            "id": f"acord:{doc['_id']}",
            "text": text,
            "category": category,
            "contract": key,
            "contract_type": contract["contract_type"] if contract else None,
            "parties": contract["parties"] if contract else [],
            "answer": None,
            "source": contract["label"] if contract else ACORD_UNNAMED,
            "rating": rating,
            "rated_for": rated_for,
            "corpus": "acord",
        }


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantise unit vectors to int8 with one float32 scale per row."""
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.round(vectors / scale).astype(np.int8), scale.astype(np.float32).ravel()


def dequantize(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Restore L2-normalised float32 vectors from `quantize`'s output."""
    v = q.astype(np.float32) * scale[:, None]
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def write_clauses(records: list[dict], path: Path) -> None:
    """Write records as gzip'd JSON lines, byte-reproducible (no timestamp in the header)."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        for r in records:
            gz.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode())
    path.write_bytes(raw.getvalue())


def texts_checksum(records: list[dict]) -> str:
    """Return a digest of the records' texts in order (what the vectors depend on)."""
    h = hashlib.sha256()
    for r in records:
        h.update(r["text"].encode())
        h.update(b"\0")
    return h.hexdigest()


def write_vectors(records: list[dict], embedder: Embedder, path: Path, clauses_sha: str) -> None:
    """Write the records' int8 vectors, re-embedding (progress to stderr) only changed texts."""
    texts_sha = texts_checksum(records)
    reused = _reusable_vectors(path, texts_sha)
    if reused is not None:
        q, scale = reused
    else:
        q, scale = quantize(_embed(records, embedder))
    with path.open("wb") as f:
        np.savez_compressed(
            f,
            q=q,
            scale=scale,
            clauses_sha256=np.array(clauses_sha),
            texts_sha256=np.array(texts_sha),
            model=np.array(MODEL_NAME),
        )


def _reusable_vectors(path: Path, texts_sha: str) -> tuple[np.ndarray, np.ndarray] | None:
    if not path.is_file():
        return None
    with np.load(path) as z:
        if "texts_sha256" in z and str(z["texts_sha256"]) == texts_sha:
            return z["q"], z["scale"]
    return None


def _embed(records: list[dict], embedder: Embedder) -> np.ndarray:
    chunks, step = [], 256
    for i in range(0, len(records), step):
        chunks.append(embedder.encode([r["text"] for r in records[i : i + step]]))
        print(f"embedded {min(i + step, len(records))}/{len(records)}", file=sys.stderr)
    return np.vstack(chunks)


def main(data_dir: Path, out_dir: Path = DEFAULT_OUT, embedder: Embedder | None = None) -> dict:
    """Build the bank from `data_dir` (holding cuad/ and acord/) into `out_dir`; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    records, contracts = cuad_bank(data_dir / "cuad")
    records += list(acord_records(data_dir / "acord", data_dir / "cuad"))
    clauses = out_dir / CLAUSES_FILE
    write_clauses(records, clauses)
    write_clauses(contracts, out_dir / CONTRACTS_FILE)
    clauses_sha = sha256_file(clauses)
    vectors = out_dir / VECTORS_FILE
    write_vectors(records, embedder or default_embedder(), vectors, clauses_sha)
    manifest = {
        "name": "legal_orch precedent bank",
        "built_by": "legal-orch build precedents --data DIR (legal_orch_agents.precedent_research.build.main)",
        "embedding_model": MODEL_NAME,
        "sources": LICENCES,
        "inputs": {
            "cuad/master_clauses.csv": sha256_file(data_dir / "cuad" / "master_clauses.csv"),
            "acord/corpus.jsonl": sha256_file(data_dir / "acord" / "corpus.jsonl"),
        },
        "counts": {**Counter(r["corpus"] for r in records), "contracts": len(contracts)},
        "categories": dict(sorted(Counter(r["category"] or "" for r in records).items())),
        "files": {
            CLAUSES_FILE: clauses_sha,
            CONTRACTS_FILE: sha256_file(out_dir / CONTRACTS_FILE),
            VECTORS_FILE: sha256_file(vectors),
        },
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
