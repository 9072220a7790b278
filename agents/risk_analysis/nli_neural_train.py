"""Train the tier-1 NDA model (`nli_neural.py`) on ContractNLI's training NDAs, never dev or test.

`legal-orch train model nli1` calls `main`: it embeds every span once with the packaged MiniLM (the
frozen encoder), fits the shared evidence MLP, then the label head on out-of-fold evidence
scores, and writes `corpora/models/nli_tier1.npz`. On 2 busy cores it takes a few minutes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from legal_orch_agents.risk_analysis.nli_neural import (
    DocFeatures,
    NeuralNliModel,
    default_model_path,
    doc_features,
    label_features,
    mlp_logits,
    pair_features,
    unit,
)
from legal_orch_agents.risk_analysis.nli_train import embed_documents, embed_hypotheses
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from legal_orch.datasets.contractnli import CHOICES, NliDataset, NliDocument, load_contractnli
from legal_orch.retrieval.embeddings import default_embedder


@dataclass(frozen=True)
class Tier1Params:
    hidden: int = 128
    alpha: float = 1e-3  # L2 on the evidence MLP
    epochs: int = 12
    positive_copies: int = 8  # evidence spans are ~3% of pairs: repeat them in each epoch
    label_c: float = 0.3
    inner_folds: int = 3
    seed: int = 13


def _evidence_rows(
    docs: list[NliDocument], fs: list[DocFeatures], hyp: np.ndarray, hids: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    X, y = [], []
    for d, f in zip(docs, fs, strict=True):
        for h, hid in enumerate(hids):
            X.append(pair_features(f, hyp[h], h, len(hids)))
            t = np.zeros(len(f.emb), np.int8)
            a = d.annotations.get(hid)
            if a and a.choice != "NotMentioned":
                t[list(a.spans)] = 1
            y.append(t)
    return np.vstack(X), np.concatenate(y)


def fit_evidence(docs, fs, hyp, hids, params: Tier1Params) -> dict[str, np.ndarray]:
    """Fit the shared evidence MLP; return its standardisation and weights."""
    X, y = _evidence_rows(docs, fs, hyp, hids)
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-3
    Xs = (X - mean) / scale
    pos = np.flatnonzero(y == 1)
    idx = np.concatenate([np.arange(len(y)), np.repeat(pos, params.positive_copies - 1)])
    mlp = MLPClassifier(
        hidden_layer_sizes=(params.hidden,),
        alpha=params.alpha,
        batch_size=min(512, len(idx)),
        learning_rate_init=1e-3,
        max_iter=params.epochs,
        random_state=params.seed,
        shuffle=True,
    )
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed epoch budget, on purpose
        mlp.fit(Xs[idx], y[idx])
    W1, W2 = mlp.coefs_
    b1, b2 = mlp.intercepts_
    # Oversampling shifts the logit by log(copies); take it back so probabilities mean P(evidence).
    return {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "W1": W1,
        "b1": b1,
        "W2": W2,
        "b2": b2 - np.log(params.positive_copies),
    }


def _logits(ev: dict, f: DocFeatures, hyp: np.ndarray) -> np.ndarray:
    H = len(hyp)
    return np.stack(
        [
            mlp_logits(
                (pair_features(f, hyp[h], h, H) - ev["mean"]) / ev["scale"],
                ev["W1"],
                ev["b1"],
                ev["W2"],
                ev["b2"],
            )
            for h in range(H)
        ]
    )


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    idx = np.random.default_rng(seed).permutation(n)
    return [idx[i::k] for i in range(k)]


def fit_label(rows: np.ndarray, y: Sequence[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """Fit the shared multinomial label head (class-balanced); (3, L) weights and (3,) bias."""
    lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    lr.fit(rows, y)
    W = np.zeros((len(CHOICES), rows.shape[1]))
    b = np.full(len(CHOICES), -30.0)
    for k, cls in enumerate(lr.classes_):
        j = CHOICES.index(cls)
        if len(lr.classes_) == 2:  # binary: sklearn keeps one row, for the second class
            sign = 1 if k == 1 else -1
            W[j], b[j] = sign * lr.coef_[0] / 2, sign * lr.intercept_[0] / 2
        else:
            W[j], b[j] = lr.coef_[k], lr.intercept_[k]
    return W, b


def fit(
    data: NliDataset,
    embs: list[np.ndarray],
    hyp_emb: np.ndarray,
    params: Tier1Params = Tier1Params(),
) -> NeuralNliModel:
    """Fit the evidence MLP on all documents, the label head on out-of-fold evidence."""
    docs, hids = data.documents, list(data.hypotheses)
    hyp = unit(hyp_emb)
    fs = [doc_features(d.span_texts(), e) for d, e in zip(docs, embs, strict=True)]
    ev = fit_evidence(docs, fs, hyp, hids, params)
    oof: list[np.ndarray | None] = [None] * len(docs)
    for held in _folds(len(docs), params.inner_folds, params.seed):
        keep = sorted(set(range(len(docs))) - set(held.tolist()))
        inner = fit_evidence([docs[i] for i in keep], [fs[i] for i in keep], hyp, hids, params)
        for i in held:
            oof[i] = _logits(inner, fs[i], hyp)
    rows, labels = [], []
    for d, f, lg in zip(docs, fs, oof, strict=True):
        for h, hid in enumerate(hids):
            rows.append(label_features(f, hyp[h], lg[h], h, len(hids)))  # type: ignore[index]
            labels.append(d.annotations[hid].choice)
    lab_W, lab_b = fit_label(np.stack(rows), labels, params.label_c)
    meta = {
        "params": asdict(params),
        "train_documents": len(docs),
        "embedder": "all-MiniLM-L6-v2 (frozen)",
    }
    return NeuralNliModel(
        data.hypotheses,
        hyp,
        ev["mean"],
        ev["scale"],
        ev["W1"],
        ev["b1"],
        ev["W2"],
        ev["b2"],
        lab_W,
        lab_b,
        meta,
    )


def main(train_json: Path, out: Path | None = None, **overrides) -> dict:
    """Train on `train_json`; write the model (default corpora/models/nli_tier1.npz)."""
    t0, c0 = time.perf_counter(), time.process_time()
    data = load_contractnli(train_json)
    embedder = default_embedder()
    embs = embed_documents(data.documents, embedder)
    hyp_emb = embed_hypotheses(data.hypotheses, embedder)
    params = Tier1Params(**overrides)
    model = fit(data, embs, hyp_emb, params)
    out = Path(out or default_model_path())
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    return {
        "params": asdict(params),
        "documents": len(data.documents),
        "model": str(out),
        "bytes": out.stat().st_size,
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "cpu_seconds": round(time.process_time() - c0, 1),
    }


def train_combiner(dev_json: Path, out: Path | None = None) -> dict:
    """Fit the tier-0 / tier-1 combiner on ContractNLI dev with the shipped models of both tiers."""
    from legal_orch_agents.risk_analysis.nli import NliModel
    from legal_orch_agents.risk_analysis.nli_combine import default_model_path as combiner_path
    from legal_orch_agents.risk_analysis.nli_combine import fit_combiner

    if Path(dev_json).stem.split("_")[0] != "dev":
        raise ValueError(f"{dev_json}: the combiner is fitted on ContractNLI dev only")
    data = load_contractnli(dev_json)
    embs = embed_documents(data.documents, default_embedder())
    m0, m1 = NliModel.load(), NeuralNliModel.load()
    p0, p1, gold = [], [], []
    for d, e in zip(data.documents, embs, strict=True):
        a, b = m0.predict(d.span_texts(), e), m1.predict(d.span_texts(), e)
        for hid in data.hypotheses:
            p0.append(a[hid])
            p1.append(b[hid])
            gold.append(d.annotations[hid].choice)
    comb = fit_combiner(p0, p1, gold)
    comb.meta = {"fitted_on": f"ContractNLI {Path(dev_json).name} ({len(data.documents)} NDAs)"}
    out = Path(out or combiner_path())
    comb.save(out)
    return {"model": str(out), "threshold": comb.threshold, "confidence": comb.conf, **comb.meta}
