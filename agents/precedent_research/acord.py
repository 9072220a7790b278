"""The precedent agent on ACORD: banks over its corpus, rankings, latency and the reranker's trainer.

Used by `legal-orch eval acord` (through the registry's hooks) and `legal-orch train rerank`.

Data in ACORD's BEIR layout: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`. Two
protocols: each query ranks its judged pool (every clause with a qrel for it, ~1,100; whose
rankings go to `run.tsv`), and each query runs as a review's research subtask over the whole
shipped bank (`acord_categories` says under which CUAD categories, `acord_ids` maps the
precedents back to ACORD's clauses; unjudged clauses count as grade 0).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from legal_orch_agents.precedent_research.acord_map import cuad_categories
from legal_orch_agents.precedent_research.bank import PrecedentBank, tokenize
from legal_orch_agents.precedent_research.fusion import Fusion
from legal_orch_agents.precedent_research.rerank import (
    DEFAULT_MODEL,
    Memory,
    Reranker,
    fit,
    pool_features,
    text_key,
)

from legal_orch.datasets.acord import Acord, load
from legal_orch.datasets.acord_metric import mean_metrics
from legal_orch.domain import Precedent
from legal_orch.retrieval.embeddings import Embedder, default_embedder

RUN_DEPTH = 100


def default_cache_dir() -> Path:
    """Return where corpus vectors are cached between eval runs (the user's data directory)."""
    from legal_orch.settings import Settings

    return Settings().data_dir / "cache"


def acord_bank(
    acord: Acord,
    embedder: Embedder,
    cache_dir: Path | None | str = "default",
    reranker: Reranker | Fusion | None | str = "default",
) -> PrecedentBank:
    """Return a bank over ACORD's corpus (vectors cached by corpus checksum) in ephemeral Chroma.

    "default": the user's cache folder, and the ranker the shipped bank uses.
    """
    import chromadb

    if cache_dir == "default":
        cache_dir = default_cache_dir()
    if reranker == "default":
        from legal_orch_agents.precedent_research.bank import default_ranker

        reranker = default_ranker()  # the ranker the review's own search uses

    records = [
        {"id": d["_id"], "text": d["text"], "source": "ACORD corpus", "category": None}
        for d in acord.corpus
    ]
    vectors = _cached_vectors(records, embedder, cache_dir, acord.corpus_sha256)
    settings = chromadb.config.Settings(anonymized_telemetry=False)
    return PrecedentBank(
        records,
        embedder=embedder,
        client_factory=lambda: chromadb.EphemeralClient(settings=settings),
        vectors=vectors,
        reranker=reranker,
        checksum=acord.corpus_sha256,
    )


def _cached_vectors(
    records: list[dict], embedder: Embedder, cache_dir: Path | None, sha: str
) -> np.ndarray:
    path = cache_dir / f"acord-corpus-{sha[:16]}-{embedder.name}.npy" if cache_dir else None
    if path is not None and path.is_file():
        return np.load(path)
    print(f"acord: embedding {len(records)} clauses (cached afterwards)", file=sys.stderr)
    vectors = embedder.encode([r["text"] for r in records])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def acord_categories(query: str, heading: str | None) -> tuple[str, ...]:
    """Return the CUAD categories an ACORD query asks about (the rule a review would run)."""
    return cuad_categories(query, heading)


def acord_ids(ctx, precedents: list[Precedent]) -> list[str]:
    """Return the ACORD corpus ids of a review's precedents, best first.

    A CUAD bank clause whose text is an ACORD clause's is that clause: ACORD took its clauses
    from CUAD's contracts, and the judgements belong to the wording, not to the copy.
    """
    from legal_orch_agents.precedent_research import bank_of

    bank = bank_of(ctx)
    by_text = bank.shared_index("acord-by-text", _acord_by_text)
    out = []
    for p in precedents:
        cid = (
            p.id.removeprefix("acord:")
            if p.id.startswith("acord:")
            else by_text.get(text_key(p.text))
        )
        out.append(cid or p.id)
    return out


def bank_size(ctx) -> int:
    """Return the number of clauses in the review's precedent bank."""
    from legal_orch_agents.precedent_research import bank_of

    return len(bank_of(ctx).records)


def _acord_by_text(bank: PrecedentBank) -> dict[str, str]:
    return {
        text_key(r["text"]): r["id"].removeprefix("acord:")
        for r in bank.records
        if r["id"].startswith("acord:")
    }


def judged_rankings(bank: PrecedentBank, acord: Acord, embedder: Embedder) -> dict[str, list]:
    """Rank each query's judged pool; return query id -> [(corpus id, score)] best first."""
    texts = list(acord.queries.values())
    vecs = embedder.encode(texts)
    out = {}
    for (qid, text), vec in zip(acord.queries.items(), vecs, strict=True):
        hits = bank.rank_pool(text, list(acord.qrels[qid]), query=vec)
        out[qid] = [(bank.records[h.row]["id"], h.score) for h in hits]
    return out


def _rounded(m: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}


def memory_of(bank: PrecedentBank, acord: Acord, vectors: np.ndarray, qids: list[str]) -> Memory:
    """Build the reranker's memory of the graded clauses of the queries `qids`."""
    index = {q: i for i, q in enumerate(acord.queries)}
    keys = {
        bank.records[r]["id"]: text_key(bank.records[r]["text"]) for r in range(len(bank.records))
    }
    grades = [{keys[c]: g for c, g in acord.qrels[q].items() if g > 0} for q in qids]
    return Memory(np.stack([vectors[index[q]] for q in qids]), grades)


@dataclass
class TrainingPool:
    qid: str
    text: str
    vector: np.ndarray
    ids: list[str]
    grades: np.ndarray


def training_pools(bank: PrecedentBank, acord: Acord, vectors: np.ndarray) -> list[TrainingPool]:
    """Return each train query's judged pool with its grades."""
    out = []
    for (qid, text), vec in zip(acord.queries.items(), vectors, strict=True):
        ids = list(acord.qrels[qid])
        grades = np.array([acord.qrels[qid][i] for i in ids], dtype=np.float64)
        out.append(TrainingPool(qid, text, vec, ids, grades))
    return out


def _features(bank: PrecedentBank, p: TrainingPool, memory: Memory, qids: list[str]) -> np.ndarray:
    # Leave the query itself out of the memory: its own grades are the labels.
    exclude = qids.index(p.qid) if p.qid in qids else None
    pool = bank.pool(p.text, p.vector, bank.rows(p.ids))
    return pool_features(pool, set(tokenize([p.text])[0]), memory, exclude)


def _fit(bank: PrecedentBank, acord: Acord, vectors: np.ndarray, pools: list[TrainingPool]):
    qids = [p.qid for p in pools]
    memory = memory_of(bank, acord, vectors, qids)
    feats = np.vstack([_features(bank, p, memory, qids) for p in pools])
    return fit(feats, np.concatenate([p.grades for p in pools]), memory=memory)


def train_reranker(
    data: Path,
    out: Path = DEFAULT_MODEL,
    *,
    embedder: Embedder | None = None,
    cache_dir: Path | None | str = "default",
    folds: int = 5,
) -> dict:
    """Train the precedent reranker on ACORD's train queries only; report grouped-CV metrics."""
    embedder = embedder or default_embedder()
    if cache_dir == "default":
        cache_dir = default_cache_dir()
    acord = load(data, "train")
    bank = acord_bank(acord, embedder, cache_dir, reranker=None)
    vectors = embedder.encode(list(acord.queries.values()))
    pools = training_pools(bank, acord, vectors)
    cv = _cross_validate(bank, acord, vectors, pools, folds)
    model = _fit(bank, acord, vectors, pools)
    info = {"trained_on": "ACORD qrels/train.tsv", "queries": len(pools), "cv": cv}
    model.save(out, **info)
    return info


def _cross_validate(
    bank: PrecedentBank, acord: Acord, vectors: np.ndarray, pools: list[TrainingPool], folds: int
) -> dict:
    """Mean metrics of the fused baseline and the reranker over query folds of the train split."""
    fold_of = {p.qid: int(hashlib.sha1(p.qid.encode()).hexdigest(), 16) % folds for p in pools}
    reranked, fused = {}, {}
    for k in range(folds):
        train = [p for p in pools if fold_of[p.qid] != k]
        if not train:
            continue  # a fold holding every query has nothing to learn from
        model = _fit(bank, acord, vectors, train)
        for p in (p for p in pools if fold_of[p.qid] == k):
            bank.reranker = model
            reranked[p.qid] = [
                bank.records[h.row]["id"] for h in bank.rank_pool(p.text, p.ids, p.vector)
            ]
    bank.reranker = None
    for p in pools:
        fused[p.qid] = [bank.records[h.row]["id"] for h in bank.rank_pool(p.text, p.ids, p.vector)]
    return {
        "reranker": _rounded(mean_metrics(reranked, {q: acord.qrels[q] for q in reranked})),
        "rrf": _rounded(mean_metrics(fused, acord.qrels)),
    }


FUSION_ALPHA = 100.0  # ridge strength; 5-fold CV on train NDCG@5: 1: .592, 10: .593, 100: .593


def single_rankings(bank: PrecedentBank, acord: Acord, embedder: Embedder, ranker) -> dict:
    """Rank each query's judged pool with `ranker` (a `Single`, a `Fusion` or a `Reranker`)."""
    saved, bank.reranker = bank.reranker, ranker
    try:
        return judged_rankings(bank, acord, embedder)
    finally:
        bank.reranker = saved


def train_fusion(
    data: Path,
    out: Path | None = None,
    *,
    embedder: Embedder | None = None,
    cache_dir: Path | None | str = "default",
    folds: int = 5,
) -> dict:
    """Fit the dense + BM25 combiner on ACORD's train queries only; report grouped-CV metrics."""
    from legal_orch_agents.precedent_research.fusion import (
        Single,
        default_model_path,
        fit_fusion,
        inputs,
    )

    embedder = embedder or default_embedder()
    if cache_dir == "default":
        cache_dir = default_cache_dir()
    acord = load(data, "train")
    bank = acord_bank(acord, embedder, cache_dir, reranker=None)
    vectors = embedder.encode(list(acord.queries.values()))
    pools = training_pools(bank, acord, vectors)
    X = {
        p.qid: inputs(bank.pool(p.text, p.vector, bank.rows(p.ids)), set(tokenize([p.text])[0]))
        for p in pools
    }
    fold_of = {p.qid: int(hashlib.sha1(p.qid.encode()).hexdigest(), 16) % folds for p in pools}

    def fitted(ps: list[TrainingPool]):
        return fit_fusion(
            np.vstack([X[p.qid] for p in ps]),
            np.concatenate([p.grades for p in ps]),
            FUSION_ALPHA,
        )

    cv: dict[str, list[str]] = {}
    for k in range(folds):
        model = fitted([p for p in pools if fold_of[p.qid] != k])
        for p in (p for p in pools if fold_of[p.qid] == k):
            s = model.score(
                bank.pool(p.text, p.vector, bank.rows(p.ids)), set(tokenize([p.text])[0])
            )
            cv[p.qid] = [p.ids[i] for i in np.argsort(-s, kind="stable")]
    alone = {
        name: _rounded(
            mean_metrics(
                {
                    q: [c for c, _ in r]
                    for q, r in single_rankings(bank, acord, embedder, Single(name)).items()
                },
                acord.qrels,
            )
        )
        for name in ("dense", "bm25", "rrf")
    }
    model = fitted(pools)
    info = {
        "trained_on": "ACORD qrels/train.tsv",
        "queries": len(pools),
        "alpha": FUSION_ALPHA,
        "cv_fusion": _rounded(mean_metrics(cv, acord.qrels)),
        "train_alone": alone,
    }
    model.meta = info
    out = Path(out or default_model_path())
    model.save(out)
    return {**info, "model": str(out)}


def rankers() -> dict:
    """The rankers a search can order its pool with: each retriever alone, their combiner
    (`fusion`) and the learned reranker, those of them that are shipped."""
    from legal_orch_agents.precedent_research.fusion import Fusion, Single
    from legal_orch_agents.precedent_research.fusion import default_model_path as fusion_path

    out: dict = {name: Single(name) for name in ("dense", "bm25", "rrf")}
    if fusion_path().is_file():
        out["fusion"] = Fusion.load()
    if DEFAULT_MODEL.is_file():
        out["reranker"] = Reranker.load(DEFAULT_MODEL)
    return out


def use_ranker(ctx, ranker):
    """Make the review's precedent search order its pool with `ranker`; return the one it had."""
    from legal_orch_agents.precedent_research import bank_of

    bank = bank_of(ctx)
    previous, bank.reranker = bank.reranker, ranker
    return previous
