"""MiniLM vectors of CUAD's sentence units, computed once per contract and kept on disk.

Training and tuning the neural tier read every sentence of ~400 contracts; embedding them takes
tens of minutes on 2 cores, so each contract's vectors (its sentences and its distinct section
headings) are cached under the data directory, keyed by the segmentation's fingerprint so that a
changed segmenter never reuses stale vectors. Nothing here is shipped or committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from legal_orch.domain import Segmentation
from legal_orch.retrieval.embeddings import DIM, Embedder
from legal_orch.retrieval.store import segmentation_fingerprint


@dataclass
class ContractVectors:
    """Sentence vectors and each sentence's heading vector (zeros where it has none)."""

    sentences: np.ndarray  # (n, DIM) float32, L2-normalised
    headings: np.ndarray  # (n, DIM) float32; zero rows for sentences without a heading


def headings_of(seg: Segmentation) -> tuple[list[str], np.ndarray]:
    """The distinct headings and, per sentence, the index of its heading (-1: none)."""
    names: dict[str, int] = {}
    idx = np.full(len(seg.sentences), -1, dtype=np.int32)
    for i, s in enumerate(seg.sentences):
        h = (s.heading or "").strip()
        if h:
            idx[i] = names.setdefault(h, len(names))
    return list(names), idx


def expand(head_vecs: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per-sentence heading vectors from the distinct headings' vectors and each index."""
    out = np.zeros((len(idx), DIM), dtype=np.float32)
    has = idx >= 0
    if has.any():
        out[has] = head_vecs[idx[has]]
    return out


def embed_contract(seg: Segmentation, embedder: Embedder) -> ContractVectors:
    """Embed the sentences and distinct headings of one segmented contract."""
    names, idx = headings_of(seg)
    sents = embedder.encode([s.text for s in seg.sentences])
    heads = embedder.encode(names)
    return ContractVectors(sents, expand(heads, idx))


def cached_vectors(
    key: str, seg: Segmentation, embedder: Embedder, cache: Path | None
) -> ContractVectors:
    """`embed_contract`, memoised as float16 npz under `cache` by key and segmentation."""
    hit = cache / f"{key[:200]}.npz" if cache else None
    fingerprint = segmentation_fingerprint(seg)
    if hit and hit.exists():
        with np.load(hit, allow_pickle=False) as z:
            if str(z["fingerprint"]) == fingerprint:
                return ContractVectors(
                    z["sentences"].astype(np.float32),
                    expand(z["heads"].astype(np.float32), z["head_idx"]),
                )
    names, idx = headings_of(seg)
    sents = embedder.encode([s.text for s in seg.sentences])
    heads = embedder.encode(names)
    if hit:
        hit.parent.mkdir(parents=True, exist_ok=True)
        tmp = hit.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            sentences=sents.astype(np.float16),
            heads=heads.astype(np.float16),
            head_idx=idx,
            fingerprint=np.array(fingerprint),
        )
        tmp.replace(hit)
    return ContractVectors(sents, expand(heads, idx))
