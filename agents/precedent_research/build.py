"""Build the shipped precedent bank from CUAD (train and dev contracts only) and ACORD's corpus.

Declared command: `legal-orch build precedents --data ../shared/data` (this module's `main`).
Outputs under `corpora/precedents/`: `clauses.jsonl.gz` (text and metadata), `vectors.npz`
(the clauses' MiniLM vectors, int8-quantised so first use indexes in seconds instead of
re-embedding ~10k clauses for minutes), `manifest.json` (sources, licences, counts, checksums).
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import numpy as np

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
        "used": "the clause corpus (corpus.jsonl); a clause's category is that of the train "
        "queries grading it relevant (grade >= 2), else none",
    },
}


def contract_types(pdf_root: Path) -> dict[str, str]:
    """Map each CUAD contract key to its contract type (the PDF's folder name)."""
    return {
        contract_key(p.name): p.parent.name
        for p in pdf_root.rglob("*")
        if p.suffix.lower() == ".pdf"
    }


def cuad_records(cuad_dir: Path) -> Iterator[dict]:
    """Yield one record per highlighted clause of the CUAD train and dev contracts."""
    csv.field_size_limit(sys.maxsize)
    types = contract_types(cuad_dir / "full_contract_pdf")
    with (cuad_dir / "master_clauses.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            source = row["Filename"]
            if cuad_split(source) == "test":
                continue
            for category in _clause_columns(row):
                yield from _category_records(row, category, types.get(contract_key(source)))


def _clause_columns(row: dict) -> list[str]:
    return [
        c for c in row if c != "Filename" and not c.endswith("-Answer") and c not in SKIP_CATEGORIES
    ]


def _category_records(row: dict, category: str, contract_type: str | None) -> Iterator[dict]:
    source = row["Filename"]
    answer = (row.get(f"{category}-Answer") or "").strip() or None
    for i, text in enumerate(ast.literal_eval(row[category] or "[]")):
        text = " ".join(text.replace(OMITTED, " [...] ").split())
        if not text:
            continue
        key = hashlib.sha1(f"{source}|{category}|{i}".encode()).hexdigest()[:12]
        yield {
            "id": f"cuad:{key}",
            "text": text,
            "category": category,
            "contract_type": contract_type,
            "answer": answer,
            "source": source,
            "corpus": "cuad",
        }


def acord_categories(acord_dir: Path) -> dict[str, str]:
    """Map ACORD clause ids to the category of the train-query pools that judge them."""
    query_category = {}
    for line in (acord_dir / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        query_category[q["_id"]] = q.get("metadata", {}).get("category")
    votes: dict[str, Counter] = defaultdict(Counter)
    with (acord_dir / "qrels" / "train.tsv").open(encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for qid, cid, score in reader:
            # Pools mix categories: only a relevant grade says what kind of clause it is.
            if query_category.get(qid) and int(score) >= RELEVANT_GRADE:
                votes[cid][query_category[qid]] += 1
    return {cid: c.most_common(1)[0][0] for cid, c in votes.items()}


def acord_records(acord_dir: Path) -> Iterator[dict]:
    """Yield one record per clause of ACORD's corpus."""
    categories = acord_categories(acord_dir)
    for line in (acord_dir / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        yield {
            "id": f"acord:{doc['_id']}",
            "text": " ".join(doc["text"].split()),
            "category": categories.get(doc["_id"]),
            "contract_type": None,
            "answer": None,
            "source": "ACORD corpus",
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
    records = list(cuad_records(data_dir / "cuad")) + list(acord_records(data_dir / "acord"))
    clauses = out_dir / CLAUSES_FILE
    write_clauses(records, clauses)
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
        "counts": dict(Counter(r["corpus"] for r in records)),
        "categories": dict(sorted(Counter(r["category"] or "" for r in records).items())),
        "files": {
            CLAUSES_FILE: clauses_sha,
            VECTORS_FILE: sha256_file(vectors),
        },
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
