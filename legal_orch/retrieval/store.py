"""The Chroma store: one collection per contract (keyed by its sha256) and agents' shared stores.

Embedded (`PersistentClient` in the user's data directory) by default; a Chroma server
(`chroma run`) when `Settings.chroma_host` is set, so that workers on many machines share one
store. The client is created lazily, on first use, and the embedding function is always ours
(the packaged MiniLM weights), never Chroma's downloading default.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from legal_orch.domain import Document, Segment, Segmentation
from legal_orch.retrieval.embeddings import DIM, Embedder
from legal_orch.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection


T = TypeVar("T")
RECENT = 2  # contracts kept at hand per process (a batch worker reviews one at a time)
CHROMA_MEMORY_LIMIT = 256 * 1024 * 1024
ADD_BATCH = 2000


def contract_collection_name(sha256: str) -> str:
    """Name a contract's collection by its file's sha256 (Chroma: 3-512 of [a-zA-Z0-9._-])."""
    return f"contract-{sha256}"


def make_client(settings: Settings) -> ClientAPI:
    """Create the Chroma client the settings ask for: HTTP to a server, else embedded."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # An LRU segment cache keeps a long batch from holding every contract's index in memory.
    chroma_settings = ChromaSettings(
        anonymized_telemetry=False,
        chroma_segment_cache_policy="LRU",
        chroma_memory_limit_bytes=CHROMA_MEMORY_LIMIT,
    )
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.chroma_path()
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class Store:
    """This process's view of the Chroma store: contract collections and the precedent bank."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        client: ClientAPI | None = None,
        bank_dir: Path | None = None,
    ):
        self.settings = settings
        self.embedder = embedder
        self.bank_dir = bank_dir  # the precedent bank to use; None: the one shipped
        self._client = client
        self._shared: dict[str, Any] = {}
        self._lock = threading.RLock()
        # The contracts under review in this process, embedded only when an agent searches one.
        self._recent: OrderedDict[str, tuple[Document, Segmentation, np.ndarray | None]] = (
            OrderedDict()
        )

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder) -> Store:
        """Return a store for the settings; the client is created on first use."""
        return cls(settings, embedder)

    @property
    def client(self) -> ClientAPI:
        """Return the Chroma client, creating it on first use."""
        with self._lock:
            if self._client is None:
                self._client = make_client(self.settings)
            return self._client

    def _collection(self, sha256: str) -> Collection:
        from legal_orch.retrieval.chroma_embedding import ChromaEmbedding

        return self.client.get_or_create_collection(
            contract_collection_name(sha256),
            embedding_function=ChromaEmbedding(self.embedder),  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )

    def index_contract(self, doc: Document, seg: Segmentation) -> np.ndarray:
        """Index the contract's sentences; return their vectors (reused on a re-review)."""
        if not seg.sentences:
            return np.zeros((0, DIM), dtype=np.float32)
        coll = self._collection(doc.sha256)
        ids = [f"s{s.id}" for s in seg.sentences]
        fingerprint = segmentation_fingerprint(seg)
        if (coll.metadata or {}).get("segmentation") == fingerprint and coll.count() == len(ids):
            got = coll.get(ids=ids, include=["embeddings"])
            vecs = got["embeddings"] if got["embeddings"] is not None else []
            by_id = dict(zip(got["ids"], vecs, strict=True))
            if len(by_id) == len(ids):
                return np.asarray([by_id[i] for i in ids], dtype=np.float32)
        if coll.count():
            # A new segmenter (or a changed one) cut the same file differently: start afresh.
            self.client.delete_collection(coll.name)
            coll = self._collection(doc.sha256)
        vectors = self.embedder.encode([s.text for s in seg.sentences])
        for i in range(0, len(ids), ADD_BATCH):
            chunk = seg.sentences[i : i + ADD_BATCH]
            coll.upsert(
                ids=ids[i : i + ADD_BATCH],
                documents=[s.text for s in chunk],
                embeddings=vectors[i : i + ADD_BATCH],
                metadatas=[_sentence_meta(doc, s) for s in chunk],
            )
        coll.modify(metadata={"segmentation": fingerprint, "document": doc.name})
        return vectors

    def remember(self, doc: Document, seg: Segmentation) -> None:
        """Keep a contract under review at hand for search, without embedding it yet."""
        with self._lock:
            self._recent[doc.sha256] = (doc, seg, None)
            self._recent.move_to_end(doc.sha256)
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)

    def recall(self, sha256: str) -> tuple[Document, Segmentation] | None:
        """Return the contract under review with this sha256, if this process still holds it."""
        with self._lock:
            held = self._recent.get(sha256)
        return (held[0], held[1]) if held is not None else None

    def sentence_vectors(
        self, doc: Document, seg: Segmentation, rows: Sequence[int] | np.ndarray | None = None
    ) -> np.ndarray:
        """The MiniLM vectors of the contract's sentences, computed once per review and shared.

        With `rows`, only those sentences are embedded (an agent that reads a few of them need
        not pay for all); the rows no agent has asked for yet are zero in the answer.
        """
        n = len(seg.sentences)
        with self._lock:
            held = self._recent.get(doc.sha256)
            vectors = held[2] if held is not None and held[1] is seg else None
        if vectors is None:
            vectors = np.full((n, DIM), np.nan, dtype=np.float32)  # NaN: not embedded yet
        want = np.arange(n) if rows is None else np.unique(np.asarray(rows, dtype=int))
        missing = want[np.isnan(vectors[want, 0])] if len(want) else want
        if len(missing):
            vectors = vectors.copy()
            vectors[missing] = self.embedder.encode([seg.sentences[i].text for i in missing])
            with self._lock:
                self._recent[doc.sha256] = (doc, seg, vectors)
                while len(self._recent) > RECENT:
                    self._recent.popitem(last=False)
        return vectors if rows is None else np.nan_to_num(vectors, nan=0.0)

    def search_contract(self, sha256: str, query: str, k: int = 5) -> list[dict[str, Any]]:
        """Return the contract's `k` sentences closest to `query`, with offsets and page.

        A contract under review is searched in memory (embedded on first search); one indexed
        earlier (`index_contracts`) is searched in Chroma.
        """
        held = self._recent.get(sha256)
        if held is not None:
            return self._search_recent(held[0], held[1], query, k)
        coll = self._collection(sha256)
        if coll.count() == 0:
            return []
        res = coll.query(
            query_embeddings=self.embedder.encode([query]), n_results=min(k, coll.count())
        )
        metas, texts, dists = res["metadatas"], res["documents"], res["distances"]
        if metas is None or texts is None or dists is None:  # asked for by default
            raise RuntimeError(f"Chroma answered a query on {sha256} without its sentences")
        return [
            {**meta, "text": text, "distance": dist}
            for meta, text, dist in zip(metas[0], texts[0], dists[0], strict=True)
        ]

    def shared(self, key: str, build: Callable[[Store], T]) -> T:
        """Return the resource `key` of this store (an agent's bank, say), built once by `build`."""
        with self._lock:
            if key not in self._shared:
                self._shared[key] = build(self)
            return cast(T, self._shared[key])

    def _search_recent(
        self, doc: Document, seg: Segmentation, query: str, k: int
    ) -> list[dict[str, Any]]:
        vectors = self.sentence_vectors(doc, seg)
        if len(vectors) == 0:
            return []
        q = self.embedder.encode([query])[0]
        sims = vectors @ q
        order = np.argsort(-sims)[:k]
        return [
            {
                **_sentence_meta(doc, seg.sentences[i]),
                "text": seg.sentences[i].text,
                "distance": float(1 - sims[i]),
            }
            for i in order
        ]


def segmentation_fingerprint(seg: Segmentation) -> str:
    """Return a digest of the sentences' offsets, so stale vectors are never reused."""
    h = hashlib.sha256()
    for s in seg.sentences:
        h.update(f"{s.id}:{s.start}:{s.end};".encode())
    return h.hexdigest()[:32]


def _sentence_meta(doc: Document, s: Segment) -> dict[str, Any]:
    return {
        "segment": s.id,
        "start": s.start,
        "end": s.end,
        "page": doc.page_of(s.start),
        "heading": s.heading or "",
    }
