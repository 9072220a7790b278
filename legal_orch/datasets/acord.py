"""ACORD in BEIR layout: the clause corpus, a split's queries and their graded judgements."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPLITS = ("train", "valid", "test")


@dataclass
class Acord:
    """One ACORD split: the corpus, the split's queries and their graded judgements."""

    corpus: list[dict[str, Any]]
    queries: dict[str, str]  # id -> text
    qrels: dict[str, dict[str, int]]  # query id -> corpus id -> grade 0-4
    corpus_sha256: str
    headings: dict[str, str] = field(default_factory=dict)  # query id -> ACORD's category


def load(data: Path, split: str) -> Acord:
    """Load ACORD in BEIR layout; the split's queries are those with qrels in `qrels/<split>.tsv`."""
    qrels_path = data / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise FileNotFoundError(f"{qrels_path}: no judgements for split {split!r}")
    corpus_raw = (data / "corpus.jsonl").read_bytes()
    corpus = [json.loads(line) for line in corpus_raw.decode("utf-8").splitlines() if line]
    queries, headings = {}, {}
    for line in (data / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        queries[q["_id"]] = q["text"]
        headings[q["_id"]] = (q.get("metadata") or {}).get("category") or ""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with qrels_path.open(encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)  # header
        for qid, cid, score in reader:
            qrels[qid][cid] = int(score)
    return Acord(
        corpus=corpus,
        queries={q: queries[q] for q in qrels},
        qrels=dict(qrels),
        corpus_sha256=hashlib.sha256(corpus_raw).hexdigest(),
        headings={q: headings[q] for q in qrels},
    )
