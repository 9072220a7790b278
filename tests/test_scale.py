"""What a review does not pay for: heavy imports, re-tokenising the bank, unpickling sklearn.

Each cache is checked against the thing it stands in for (sklearn's TF-IDF, a BM25 built in
memory, the pickled reranker), and a cold review process against the modules it must not load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLE

CONFIGS = [
    {"analyzer": "char_wb", "ngram_range": (3, 5)},
    {"ngram_range": (1, 3), "token_pattern": r"\S+"},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3)},
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: str(sorted(c.items())))
def test_tfidf_transform_is_sklearns_to_the_bit(config, sample_doc):
    from legal_orch_agents.common.tfidf import Tfidf
    from sklearn.feature_extraction.text import TfidfVectorizer

    lines = [t for t in sample_doc.text.split("\n") if t.strip()]
    texts = [*lines, "", "   ", "a", "The   Reseller's  rights\tand\n\nduties", "Ünïcode ß"]
    fitted = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, min_df=2, **config).fit(lines)
    terms = list(fitted.get_feature_names_out())
    idf = fitted.idf_.astype(np.float32).astype(np.float64)  # as the models ship it
    theirs = TfidfVectorizer(
        sublinear_tf=True,
        dtype=np.float32,
        vocabulary={t: i for i, t in enumerate(terms)},
        **config,
    )
    theirs.idf_ = idf
    want = theirs.transform(texts)
    got = Tfidf(terms, idf, **config).transform(texts)
    assert got.dtype == want.dtype == np.float32 and got.shape == want.shape
    assert got.nnz == want.nnz > 0
    assert (got != want).nnz == 0


def test_the_lexical_index_read_from_disk_scores_as_one_built_in_memory(tmp_path):
    import bm25s
    from legal_orch_agents.precedent_research.bank import DEFAULT_BANK, _read_jsonl
    from legal_orch_agents.precedent_research.build import CLAUSES_FILE
    from legal_orch_agents.precedent_research.lexical import Lexical, tokenize

    texts = [r["text"] for r in _read_jsonl(DEFAULT_BANK / CLAUSES_FILE)[:800]]
    tokens = tokenize(texts)
    ref = bm25s.BM25()
    ref.index(tokens, show_progress=False)
    built = Lexical.cached(texts, tmp_path)  # builds and writes
    read = Lexical.cached(texts, tmp_path)  # reads back, memory-mapped
    assert len(list(tmp_path.iterdir())) == 1
    assert isinstance(read.bm25.scores["data"], np.memmap)
    for query in ("limitation of liability", "governing law new york", "exclusive territory", "zz"):
        q = tokenize([query])[0]
        known = [t for t in q if t in ref.vocab_dict]
        want = ref.get_scores(known) if known else np.zeros(len(texts))
        assert np.array_equal(built.scores(q), want) and np.array_equal(read.scores(q), want)
    assert all(read.tokens[i] == set(tokens[i]) for i in range(len(texts)))
    other = Lexical.cached(texts[:-1], tmp_path)  # other texts: another index, never a stale one
    assert len(list(tmp_path.iterdir())) == 2 and len(other.tokens) == len(texts) - 1


def test_the_compiled_reranker_scores_as_the_pickled_one(tmp_path):
    from legal_orch_agents.precedent_research.rerank import DEFAULT_MODEL, FEATURES, Reranker

    pickled = Reranker.load(DEFAULT_MODEL)
    first = Reranker.load(DEFAULT_MODEL, tmp_path)  # unpickles, writes the compiled trees
    compiled = Reranker.load(DEFAULT_MODEL, tmp_path)  # reads them: no sklearn model at all
    assert compiled.model is None and first.model is not None
    rng = np.random.default_rng(0)
    features = rng.normal(size=(300, len(FEATURES)))
    want = pickled.model.predict(features)
    assert np.allclose(compiled._trees.predict(features), want, atol=1e-9)
    query = rng.normal(size=pickled.memory.vectors.shape[1])
    keys = [k for g in pickled.memory.grades[:3] for k in g][:20]
    for a, b in zip(
        compiled.memory.recall(query, keys), pickled.memory.recall(query, keys), strict=True
    ):
        assert np.array_equal(a, b)


COLD = textwrap.dedent(
    """
    import json, sys
    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings
    out = Reviewer(Settings()).review({pdf!r}, fresh=True)
    heavy = ("sklearn", "chromadb", "pandas", "scipy.stats", "torch", "transformers")
    print(json.dumps({{"status": out.validation.status,
                      "loaded": sorted(m for m in heavy if m in sys.modules)}}))
    """
)


def test_a_review_in_a_fresh_process_loads_no_module_it_does_not_use(tmp_path):
    """sklearn (~2.5 s), chromadb (~0.6 s), pandas and torch were all loaded by a cold review."""
    env = {**os.environ, "LEGAL_ORCH_DATA_DIR": str(tmp_path)}
    code = COLD.format(pdf=str(SAMPLE))
    runs = []
    for _ in range(2):  # the first run of a data dir writes the caches; the second reads them
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert runs[1] == {"status": "passed", "loaded": []}, runs


def test_a_query_searched_again_is_not_encoded_again(embedder, monkeypatch):
    """Each review searched the bank with every rule's own language, encoding it every time."""
    from legal_orch.retrieval.embeddings import Embedder

    fresh = Embedder(cache_dir=embedder.cache_dir, threads=1)
    impl = fresh._load()
    encoded: list[str] = []
    real = impl.encode

    def counting(texts, batch_size):
        encoded.extend(texts)
        return real(texts, batch_size)

    monkeypatch.setattr(impl, "encode", counting)
    first = fresh.encode(["The Reseller may terminate on notice.", "Governing law: Ontario."])
    again = fresh.encode(["Governing law: Ontario.", "A new query", "Governing law: Ontario."])
    assert encoded == [
        "The Reseller may terminate on notice.",
        "Governing law: Ontario.",
        "A new query",
    ]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[1])
    assert np.allclose(again[1], embedder.encode(["A new query"])[0], atol=1e-5)
    sentences = [f"Sentence {i} of a contract." for i in range(20)]
    fresh.encode(sentences)
    fresh.encode(sentences)  # a contract's sentences are not memoised: encoded each time
    assert encoded[3:] == sentences + sentences


def test_checkpoints_commit_without_waiting_for_the_disk_and_stay_in_wal(tmp_path):
    """FULL made each of a review's ~60 commits wait for an fsync; a kill -9 needs none of them
    (tests/test_graph.py::test_resume_after_kill_9 resumes through the same database)."""
    from legal_orch.graph.checkpoint import open_checkpointer

    saver = open_checkpointer(tmp_path / "c.sqlite")
    assert saver.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert saver.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_a_batch_starts_a_chroma_server_only_when_contracts_are_kept(tmp_path):
    """Reviews no longer open the store; a server per batch only cost start-up and memory."""
    from legal_orch.batch.driver import _store
    from legal_orch.settings import Settings

    plain = Settings(data_dir=tmp_path)
    with _store(plain, "local", 2, tmp_path) as got:
        assert got.chroma_host is None
    assert not (tmp_path / ".chroma-server.log").exists()
    kept = Settings(data_dir=tmp_path, index_contracts=True)
    with _store(kept, "local", 2, tmp_path) as got:
        assert got.chroma_host == "127.0.0.1" and got.chroma_port


def test_segmenting_contracts_does_not_grow_the_shared_vocabulary(sample_doc):
    """tracemalloc over a batch worker's reviews: spaCy interned every new word, for good."""
    from legal_orch.domain import Document
    from legal_orch.ingest.segment import segment, sentencizer

    strings = sentencizer().vocab.strings
    first = segment(sample_doc)
    before = len(strings)
    for i in range(3):  # contracts full of words never seen before
        text = sample_doc.text.replace("Reseller", f"Zyxw{i}qv").replace("Agreement", f"Qq{i}rk")
        other = Document(**{**sample_doc.model_dump(), "text": text, "sha256": f"{i:064d}"})
        assert len(segment(other).sentences) == len(first.sentences)
    assert len(strings) == before
    assert segment(sample_doc) == first  # the same cut, before and after
