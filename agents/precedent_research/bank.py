"""The precedent bank: shipped clause text and vectors, indexed in Chroma, searched hybrid.

Search pools MiniLM (Chroma) and BM25 (bm25s) candidates, then orders the pool with the shipped
combiner of the two (`fusion.py`, fitted on ACORD train), else the reranker, else by reciprocal
rank. The bank ships as text plus int8
vectors under `corpora/precedents/` and is indexed into Chroma on first use, in seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np
from legal_orch_agents.precedent_research.build import (
    CLAUSES_FILE,
    CONTRACTS_FILE,
    DEFAULT_OUT,
    MANIFEST_FILE,
    VECTORS_FILE,
    dequantize,
)
from legal_orch_agents.precedent_research.fusion import Fusion
from legal_orch_agents.precedent_research.market import Market
from legal_orch_agents.precedent_research.rerank import Pool, Reranker, rrf, text_key

from legal_orch.domain import Precedent
from legal_orch.ingest.pdf import sha256_file
from legal_orch.retrieval.embeddings import DIM, ChromaEmbedding, Embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

DEFAULT_BANK = DEFAULT_OUT
ACORD_OMITTED = "<omitted>"  # ACORD marks text left out of a clause so; a lawyer reads "[...]"
OMISSION = "[...]"
CANDIDATES = 100  # per retriever; the fused pool is their union
# The best-rated language is the clause nearest the rule whose rated request is nearest too; a
# star more counts for about a tenth of a cosine.
RATING_WEIGHT = 0.1
ADD_BATCH = 2000  # below Chroma's max batch size


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Split texts into lower-case word tokens without English stop words."""
    return bm25s.tokenize(list(texts), stopwords="en", return_ids=False, show_progress=False)


@lru_cache(maxsize=256)
def query_tokens_of(text: str) -> tuple[str, ...]:
    """Return the BM25 tokens of one query text (memoised: a search needs them three times)."""
    return tuple(tokenize([text])[0])


@dataclass(frozen=True)
class Hit:
    """One ranked bank entry: its row in the bank and its score."""

    row: int
    score: float


class PrecedentBank:
    """Clause precedents with metadata, searchable by meaning and by words."""

    def __init__(
        self,
        records: list[dict],
        *,
        embedder: Embedder,
        client_factory: Callable[[], ClientAPI] | None = None,
        vectors: np.ndarray | None = None,
        reranker: Reranker | Fusion | None = None,
        checksum: str = "",
        contracts: list[dict] | None = None,
    ):
        self.records = records
        self.market = Market(contracts or [])
        self.embedder = embedder
        self.reranker = reranker
        self.checksum = checksum or _records_checksum(records)
        self._client_factory = client_factory
        self._vectors = vectors
        self._collection: Collection | None = None
        self._lock = threading.RLock()
        self._row = {r["id"]: i for i, r in enumerate(records)}
        self._derived: dict[str, Any] = {}
        # A search scores BM25 for its pool and its lexical candidates: once per query text.
        self._bm25_of = lru_cache(maxsize=64)(self._bm25_text)

    @classmethod
    def load(
        cls,
        directory: Path = DEFAULT_BANK,
        *,
        embedder: Embedder,
        client_factory: Callable[[], ClientAPI] | None = None,
        reranker: Reranker | Fusion | None | str = "default",
    ) -> PrecedentBank:
        """Load a bank written by `legal_orch_agents.precedent_research.build` (vectors and reranker if shipped)."""
        clauses = directory / CLAUSES_FILE
        checksum = sha256_file(clauses)
        records = _read_jsonl(clauses)
        return cls(
            records,
            embedder=embedder,
            client_factory=client_factory,
            vectors=_load_vectors(directory / VECTORS_FILE, checksum, len(records)),
            reranker=default_ranker() if reranker == "default" else reranker,  # type: ignore[arg-type]
            checksum=checksum,
            contracts=_contracts(directory),
        )

    # -- indexes ---------------------------------------------------------------------------

    def shared_index(self, name: str, build: Callable[[PrecedentBank], Any]) -> Any:
        """Return a derived index of this bank, built once by `build(bank)`."""
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build(self)
            return self._derived[name]

    @property
    def vectors(self) -> np.ndarray:
        """Return the bank's unit vectors, embedding the texts once when none were shipped."""
        with self._lock:
            if self._vectors is None:
                self._vectors = self._embed_all()
            return self._vectors

    def _embed_all(self) -> np.ndarray:
        chunks, step = [], 256
        for i in range(0, len(self.records), step):
            chunks.append(self.embedder.encode([r["text"] for r in self.records[i : i + step]]))
            print(
                f"precedents: embedded {i + len(chunks[-1])}/{len(self.records)}", file=sys.stderr
            )
        return np.vstack(chunks) if chunks else np.zeros((0, DIM), dtype=np.float32)

    @cached_property
    def _tokens(self) -> list[list[str]]:
        return tokenize([r["text"] for r in self.records])

    @cached_property
    def _token_sets(self) -> list[set[str]]:
        return [set(t) for t in self._tokens]

    @cached_property
    def _bm25(self) -> bm25s.BM25:
        bm = bm25s.BM25()
        bm.index(self._tokens, show_progress=False)
        return bm

    @cached_property
    def _keys(self) -> list[str]:
        return [text_key(r["text"]) for r in self.records]

    @cached_property
    def _chars(self) -> np.ndarray:
        return np.array([len(r["text"]) for r in self.records], dtype=np.float64)

    @property
    def collection_name(self) -> str:
        return f"precedents-{self.checksum[:16]}"

    def ensure_indexed(self) -> Collection:
        """Index the bank into Chroma once (idempotent: the collection is named by checksum)."""
        with self._lock:
            if self._collection is None:
                self._collection = self._index()
                self._warm()
            return self._collection

    def _warm(self) -> None:
        # Build the lexical index once, under the lock: a review's parallel research subtasks
        # would otherwise each tokenise the whole bank at the same time.
        for attr in ("_bm25", "_token_sets", "_keys", "_chars", "_categories", "_rated"):
            getattr(self, attr)

    def _index(self) -> Collection:
        if self._client_factory is None:
            raise RuntimeError("PrecedentBank has no Chroma client; pass client_factory")
        client = self._client_factory()
        coll = client.get_or_create_collection(
            self.collection_name,
            embedding_function=ChromaEmbedding(self.embedder),  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"checksum": self.checksum, "count": len(self.records)},
        )
        if coll.count() == len(self.records):
            return coll
        vectors = self.vectors
        for i in range(0, len(self.records), ADD_BATCH):
            batch = self.records[i : i + ADD_BATCH]
            coll.upsert(
                ids=[r["id"] for r in batch],
                documents=[r["text"] for r in batch],
                embeddings=vectors[i : i + len(batch)],  # type: ignore[arg-type]
                metadatas=[_metadata(r) for r in batch],  # type: ignore[arg-type]
            )
            done = min(i + ADD_BATCH, len(self.records))
            print(f"precedents: indexed {done}/{len(self.records)}", file=sys.stderr)
        return coll

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        text: str,
        k: int = 5,
        category: str | Sequence[str] | None = None,
        query: np.ndarray | None = None,
    ) -> list[Precedent]:
        """Return the `k` best precedents for `text`, optionally within a category or several.

        `query`: the text's vector where the caller has it already (one embedding per review
        subtask, however many categories it searches).
        """
        if not text.strip() or not self.records:
            return []
        query = self.embedder.encode([text])[0] if query is None else query
        rows = self._dense_candidates(query, category) | self._lexical_candidates(text, category)
        hits = self.rank_rows(text, query, sorted(rows))
        return [self.precedent(h) for h in hits[:k]]

    def rank_pool(
        self, text: str, ids: Sequence[str], query: np.ndarray | None = None
    ) -> list[Hit]:
        """Rank the bank entries `ids` (a judged pool) for `text`, best first."""
        query = self.embedder.encode([text])[0] if query is None else query
        return self.rank_rows(text, query, self.rows(ids))

    def rank_rows(self, text: str, query: np.ndarray, rows: Sequence[int]) -> list[Hit]:
        """Order bank rows for the query by the reranker, or by fused rank when none is loaded."""
        if not rows:
            return []
        idx = np.asarray(rows)
        query_tokens = set(query_tokens_of(text))
        pool = self.pool(text, query, rows)
        if self.reranker is not None:
            scores = self.reranker.score(pool, query_tokens)
        else:
            scores = rrf(pool.cos, pool.bm25)
        order = np.argsort(-scores, kind="stable")
        return [Hit(int(idx[i]), float(scores[i])) for i in order]

    def pool(self, text: str, query: np.ndarray, rows: Sequence[int]) -> Pool:
        """Return the candidate pool of bank `rows` for a query (the reranker's input)."""
        idx = np.asarray(rows)
        return Pool(
            vectors=self.vectors[idx],
            cos=self.vectors[idx] @ query,
            bm25=self._bm25_of(text)[idx],
            tokens=[self._token_sets[i] for i in idx],
            chars=self._chars[idx],
            query=query,
            keys=[self._keys[i] for i in idx],
        )

    def rows(self, ids: Sequence[str]) -> list[int]:
        """Return the bank rows of entry `ids`."""
        return [self._row[i] for i in ids]

    def _bm25_text(self, text: str) -> np.ndarray:
        scores = self._bm25_scores(list(query_tokens_of(text)))
        scores.setflags(write=False)
        return scores

    def _bm25_scores(self, query_tokens: list[str]) -> np.ndarray:
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.records))
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def _dense_candidates(
        self, query: np.ndarray, category: str | Sequence[str] | None
    ) -> set[int]:
        n = min(CANDIDATES, len(self.records))
        cats = _categories_of(category)
        if cats:
            # Within categories, an exact cosine over the in-memory vectors: Chroma's filtered
            # search scans its metadata first and took 14-35 ms here, numpy takes ~1 ms.
            rows = np.flatnonzero(self._category_mask(cats))
            sims = self.vectors[rows] @ query
            top = np.argsort(-sims, kind="stable")[:n]
            return {int(rows[i]) for i in top}
        coll = self.ensure_indexed()
        res = coll.query(query_embeddings=[query.tolist()], n_results=n, include=[])
        return {self._row[i] for i in res["ids"][0]}

    def _lexical_candidates(self, text: str, category: str | Sequence[str] | None) -> set[int]:
        scores = self._bm25_of(text)
        if category:
            scores = np.where(self._category_mask(category), scores, -np.inf)
        top = np.argsort(-scores, kind="stable")[:CANDIDATES]
        return {int(i) for i in top if scores[i] > 0}

    def _category_mask(self, category: str | Sequence[str]) -> np.ndarray:
        codes = self._category_codes
        wanted = [codes[c] for c in _categories_of(category) if c in codes]
        return np.isin(self._categories, wanted)

    @cached_property
    def _category_codes(self) -> dict[str, int]:
        names = sorted({r.get("category") or "" for r in self.records})
        return {name: i for i, name in enumerate(names)}

    @cached_property
    def _categories(self) -> np.ndarray:
        """Each record's category as an integer code (masks over strings are slow)."""
        codes = self._category_codes
        return np.array([codes[r.get("category") or ""] for r in self.records], dtype=np.int32)

    def precedent(self, hit: Hit) -> Precedent:
        """Build the domain `Precedent` of a hit."""
        r = self.records[hit.row]
        return Precedent(
            id=r["id"],
            text=r["text"].replace(ACORD_OMITTED, OMISSION),
            source=r["source"],
            category=r.get("category"),
            contract_type=r.get("contract_type"),
            answer=r.get("answer"),
            score=hit.score,
            parties=r.get("parties") or [],
            rating=r.get("rating"),
            rated_for=r.get("rated_for"),
        )

    def text_key_of(self, precedent: Precedent) -> str:
        """Return the normalised wording of a precedent (one clause copied twice reads alike)."""
        return self._keys[self._row[precedent.id]]

    def contract_of(self, precedent: Precedent) -> str:
        """Return the key of the contract a precedent comes from (its id when none is known)."""
        return self.records[self._row[precedent.id]].get("contract") or precedent.id

    def best_rated(
        self, query: np.ndarray, categories: Sequence[str], min_rating: int
    ) -> Precedent | None:
        """Return the clause of `categories` with the best lawyers' rating, nearest the query.

        Nearest: the clause's cosine to the query plus that of the request it was rated for.
        """
        rated = self._rated
        mask = self._category_mask(categories)[rated["rows"]] & (rated["ratings"] >= min_rating)
        if not mask.any():
            return None
        rows, ratings = rated["rows"][mask], rated["ratings"][mask]
        scores = (
            self.vectors[rows] @ query + rated["requests"][mask] @ query + RATING_WEIGHT * ratings
        )
        best = int(np.argmax(scores))
        return self.precedent(Hit(int(rows[best]), float(scores[best])))

    @cached_property
    def _rated(self) -> dict[str, np.ndarray]:
        """The rated clauses: rows, categories, ratings and the vectors of their requests."""
        rows = [i for i, r in enumerate(self.records) if r.get("rating") and r.get("rated_for")]
        requests = self._request_vectors
        return {
            "rows": np.array(rows, dtype=np.int64),
            "vectors": self.vectors[np.array(rows, dtype=np.int64)].reshape(len(rows), DIM),
            "ratings": np.array([self.records[i]["rating"] for i in rows], dtype=np.int64),
            "requests": np.array([requests[self.records[i]["rated_for"]] for i in rows]).reshape(
                len(rows), DIM
            ),
        }

    @cached_property
    def _request_vectors(self) -> dict[str, np.ndarray]:
        """The vectors of the requests that ACORD's lawyers rated clauses for."""
        texts = sorted({r["rated_for"] for r in self.records if r.get("rated_for")})
        vectors = self.embedder.encode(texts) if texts else []
        return dict(zip(texts, vectors, strict=True))


def _categories_of(category: str | Sequence[str] | None) -> list[str]:
    if not category:
        return []
    return [category] if isinstance(category, str) else list(category)


def _contracts(directory: Path) -> list[dict]:
    """Read the bank's contracts; say so when a bank built before they were recorded has none."""
    path = directory / CONTRACTS_FILE
    if not path.is_file():
        print(
            f"precedents: {directory} has no {CONTRACTS_FILE}; findings get precedents but no "
            "market comparison until `legal-orch build precedents` rebuilds the bank",
            file=sys.stderr,
        )
    return _read_jsonl(path)


def _read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _metadata(record: dict) -> dict[str, Any]:
    keys = ("category", "contract_type", "answer", "source", "corpus", "rating")
    return {k: record[k] for k in keys if record.get(k) is not None}


def _records_checksum(records: list[dict]) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r, sort_keys=True).encode())
    return h.hexdigest()


def _load_vectors(path: Path, checksum: str, n: int) -> np.ndarray | None:
    """Return the shipped vectors when they belong to these clauses, else None (re-embed)."""
    if not path.is_file():
        return None
    with np.load(path) as z:
        if str(z["clauses_sha256"]) != checksum or len(z["q"]) != n:
            print(
                f"precedents: {path.name} does not match {CLAUSES_FILE}; re-embedding",
                file=sys.stderr,
            )
            return None
        return dequantize(z["q"], z["scale"])


def default_ranker() -> Fusion | Reranker | None:
    """The shipped combiner of dense and BM25 ranking; else the reranker; else none (RRF).

    The combiner reads nothing keyed to ACORD's texts, so a CUAD clause in the bank is scored
    like an ACORD one; on ACORD valid through the product's search it measured NDCG@5 .096
    against the reranker's .083 (6 queries; `legal-orch eval acord`).
    """
    from legal_orch_agents.precedent_research.fusion import Fusion
    from legal_orch_agents.precedent_research.fusion import default_model_path as fusion_path
    from legal_orch_agents.precedent_research.rerank import DEFAULT_MODEL

    if fusion_path().is_file():
        return Fusion.load()
    return Reranker.load(DEFAULT_MODEL) if DEFAULT_MODEL.is_file() else None


def manifest(directory: Path = DEFAULT_BANK) -> dict:
    """Return the bank's manifest (sources, licences, counts, checksums)."""
    return json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
