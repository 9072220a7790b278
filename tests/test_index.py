"""The Chroma store: one collection per contract, reused on a re-review; the bank on demand."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from legal_orch.domain import Document, Page, Segment, Segmentation
from legal_orch.retrieval.store import Store, contract_collection_name
from legal_orch.settings import Settings
from tests.test_precedents import CountingEmbedder, write_bank

SENTENCES = [
    "This Agreement is governed by the laws of the State of New York.",
    "Either party may terminate this Agreement on thirty days' written notice.",
    "Supplier shall maintain commercial general liability insurance.",
]


def document_and_segmentation() -> tuple[Document, Segmentation]:
    """Build a two-page document whose sentences are the SENTENCES."""
    text = "\n".join(SENTENCES)
    doc = Document(
        path="c.pdf",
        name="c.pdf",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        pages=[Page(number=1, start=0, end=70), Page(number=2, start=70, end=len(text))],
    )
    sentences, start = [], 0
    for i, s in enumerate(SENTENCES):
        sentences.append(
            Segment(id=i, kind="sentence", start=start, end=start + len(s), text=s, heading="Terms")
        )
        start += len(s) + 1
    return doc, Segmentation(sentences=sentences)


@pytest.fixture
def store(tmp_path, embedder):
    return Store(Settings(data_dir=tmp_path), CountingEmbedder(embedder))


def test_index_contract_returns_aligned_vectors(store, embedder):
    doc, seg = document_and_segmentation()
    vectors = store.index_contract(doc, seg)
    assert vectors.shape == (3, 384)
    expected = embedder.encode(SENTENCES)
    assert np.allclose(vectors, expected, atol=1e-4)
    [coll] = store.client.list_collections()
    assert coll.name == contract_collection_name(doc.sha256)


def test_re_review_reuses_stored_vectors(tmp_path, store):
    doc, seg = document_and_segmentation()
    first = store.index_contract(doc, seg)
    embedded = store.embedder.texts
    # a new process (new Store, same data directory) reuses the collection
    again = Store(Settings(data_dir=tmp_path), store.embedder)
    second = again.index_contract(doc, seg)
    assert store.embedder.texts == embedded
    assert np.allclose(first, second, atol=1e-6)


def test_changed_segmentation_is_re_embedded(store):
    doc, seg = document_and_segmentation()
    store.index_contract(doc, seg)
    shifted = Segmentation(
        sentences=[s.model_copy(update={"end": s.end - 1}) for s in seg.sentences]
    )
    before = store.embedder.texts
    store.index_contract(doc, shifted)
    assert store.embedder.texts == before + 3


def test_search_contract_cites_page_and_offsets(store):
    doc, seg = document_and_segmentation()
    store.index_contract(doc, seg)
    [hit] = store.search_contract(doc.sha256, "insurance coverage", k=1)
    assert hit["text"] == SENTENCES[2]
    assert doc.text[hit["start"] : hit["end"]] == hit["text"]
    assert hit["page"] == 2 and hit["heading"] == "Terms"
    assert store.search_contract("0" * 64, "anything", k=3) == []


def test_empty_segmentation_indexes_nothing(store):
    doc, _ = document_and_segmentation()
    assert store.index_contract(doc, Segmentation()).shape == (0, 384)


def test_client_is_lazy_and_settings_pick_the_folder(tmp_path, embedder):
    store = Store.from_settings(Settings(data_dir=tmp_path, chroma_dir=tmp_path / "db"), embedder)
    assert store._client is None
    store.client.heartbeat()
    assert (tmp_path / "db").is_dir()


def test_shared_resources_are_built_once_per_store(tmp_path, embedder):
    store = Store(Settings(data_dir=tmp_path), embedder)
    built = []
    first = store.shared("thing", lambda st: built.append(st) or object())
    assert store.shared("thing", lambda st: object()) is first and built == [store]


def test_precedents_are_loaded_once_and_indexed_in_this_store(tmp_path, embedder):
    from types import SimpleNamespace

    from legal_orch_agents.precedent_research import bank_of

    bank_dir = write_bank(tmp_path / "bank", embedder)
    store = Store(Settings(data_dir=tmp_path), embedder, bank_dir=bank_dir)
    ctx = SimpleNamespace(store=store)
    bank = bank_of(ctx)
    assert bank_of(ctx) is bank
    assert bank.ensure_indexed().count() == len(bank.records)
    names = {c.name for c in store.client.list_collections()}
    assert bank.collection_name in names


def test_a_contract_under_review_is_searched_in_memory_and_embedded_once(tmp_path, sample_doc):
    from legal_orch.ingest.segment import segment

    calls = []

    class Counting:
        name = "counting"

        def __init__(self, inner):
            self.inner = inner

        def encode(self, texts):
            calls.append(len(texts))
            return self.inner.encode(texts)

    from legal_orch.retrieval.embeddings import default_embedder

    seg = segment(sample_doc)
    store = Store(Settings(data_dir=tmp_path), Counting(default_embedder()))
    store.remember(sample_doc, seg)
    assert calls == []  # nothing embedded until an agent searches
    [hit] = store.search_contract(
        sample_doc.sha256, "governed by the laws of the province of Ontario", k=1
    )
    assert "ontario" in hit["text"].lower()
    assert sample_doc.text[hit["start"] : hit["end"]] == hit["text"]
    store.search_contract(sample_doc.sha256, "termination for convenience", k=1)
    assert calls == [len(seg.sentences), 1, 1]  # the sentences once, then one query each
    names = {c.name for c in store.client.list_collections()}
    assert not any(n.startswith("contract-") for n in names)  # nothing kept in Chroma


def test_sentence_vectors_embed_only_the_rows_asked_and_share_them(store, embedder):
    doc, seg = document_and_segmentation()
    part = store.sentence_vectors(doc, seg, [2])
    assert store.embedder.texts == 1  # one sentence embedded
    assert not part[:2].any() and np.allclose(
        part[2], embedder.encode([SENTENCES[2]])[0], atol=1e-5
    )
    full = store.sentence_vectors(doc, seg)
    assert store.embedder.texts == 3  # then only the two missing ones
    assert np.allclose(full[2], part[2]) and not np.isnan(full).any()
    store.sentence_vectors(doc, seg, [0, 1])
    assert store.embedder.texts == 3  # nothing left to embed
