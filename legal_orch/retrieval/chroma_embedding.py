"""Chroma's embedding function over our encoder, so Chroma never uses its downloading default.

Apart from `embeddings.py` so that a review, which never opens Chroma unless contracts are
kept for cross-contract search, does not import chromadb (~0.6 s and ~100 MB).
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from legal_orch.retrieval.embeddings import MODEL_NAME, Embedder, default_embedder


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Chroma embedding function over `Embedder`, so Chroma never uses its downloading default."""

    def __init__(self, embedder: Embedder | None = None):
        self._embedder = embedder or default_embedder()

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(self._embedder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "legal-orch-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding()
