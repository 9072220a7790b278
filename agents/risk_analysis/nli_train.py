"""Train the NDA span-NLI model on ContractNLI training documents (never on dev or test).

`legal-orch train nli --data train.json` calls `main`; `--cv K` reports K-fold cross-validated
metrics on the training documents (folds by document), which is how the hyper-parameters below
were chosen.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from legal_orch_agents.risk_analysis.nli import (
    Featurizer,
    NliModel,
    SpanFeatures,
    default_model_path,
    label_features,
    new_char_vectorizer,
    new_word_vectorizer,
)
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from legal_orch.datasets.contractnli import (
    CHOICES,
    NliDataset,
    NliDocument,
    load_contractnli,
)
from legal_orch.retrieval.embeddings import Embedder, default_embedder


@dataclass(frozen=True)
class TrainParams:
    word_features: int = 12000
    char_features: int = 12000
    emb_weight: float = 1.0
    context_weight: float = 0.5
    cos_weight: float = 1.0
    evidence_c: float = 1.0
    label_c: float = 0.5
    inner_folds: int = 3
    seed: int = 13


def embed_documents(docs: list[NliDocument], embedder: Embedder) -> list[np.ndarray]:
    """Embed every span of every document in one batch."""
    texts = [t for d in docs for t in d.span_texts()]
    vecs = embedder.encode([" ".join(t.split()) for t in texts])
    out, i = [], 0
    for d in docs:
        out.append(vecs[i : i + len(d.spans)])
        i += len(d.spans)
    return out


def embed_hypotheses(hypotheses: dict[str, str], embedder: Embedder) -> np.ndarray:
    """Unit-norm embeddings of the hypothesis texts, in `hypotheses` order."""
    e = np.asarray(embedder.encode(list(hypotheses.values())), dtype=np.float32)
    return e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-8)


def _evidence_targets(doc: NliDocument, hid: str) -> np.ndarray:
    y = np.zeros(len(doc.spans), dtype=int)
    ann = doc.annotations.get(hid)
    if ann and ann.choice != "NotMentioned":
        y[list(ann.spans)] = 1
    return y


def _fit_evidence(X: sparse.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    if y.sum() == 0:
        return np.zeros(X.shape[1]), -10.0
    lr = LogisticRegression(
        C=c, max_iter=2000, solver="liblinear", class_weight="balanced", tol=1e-3
    )
    lr.fit(X, y)
    return lr.coef_[0], float(lr.intercept_[0])


def _fit_label(F: np.ndarray, y: list[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """Fit a class-balanced multinomial label model; absent classes get a prohibitive bias."""
    W = np.zeros((len(CHOICES), F.shape[1]))
    b = np.full(len(CHOICES), -30.0)
    present = sorted(set(y), key=CHOICES.index)
    if len(present) == 1:
        b[CHOICES.index(present[0])] = 0.0
        return W, b
    lr = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    lr.fit(F, y)
    for k, cls in enumerate(lr.classes_):
        j = CHOICES.index(cls)
        if len(lr.classes_) == 2:  # binary: sklearn keeps one row for the second class
            W[j] = lr.coef_[0] * (1 if k == 1 else -1) / 2
            b[j] = lr.intercept_[0] * (1 if k == 1 else -1) / 2
        else:
            W[j], b[j] = lr.coef_[k], lr.intercept_[k]
    return W, b


def _featurize(docs, embs, hyp_emb, params) -> tuple[Featurizer, list[SpanFeatures]]:
    texts = [t for d in docs for t in d.span_texts()]
    word = new_word_vectorizer(params.word_features).fit(texts)
    char = new_char_vectorizer(params.char_features).fit(texts)
    feat = Featurizer(word, char, hyp_emb, params.emb_weight, params.context_weight)
    return feat, [feat.transform(d.span_texts(), e) for d, e in zip(docs, embs, strict=True)]


def fit(
    data: NliDataset,
    embs: list[np.ndarray],
    hyp_emb: np.ndarray,
    params: TrainParams = TrainParams(),
) -> NliModel:
    """Fit both stages; the label stage learns from out-of-fold evidence scores."""
    docs = data.documents
    feat, fs = _featurize(docs, embs, hyp_emb, params)
    hids = list(data.hypotheses)
    ev_W, ev_cos, ev_b = _fit_all_evidence(docs, fs, hids, params)
    oof = _out_of_fold_logits(docs, fs, hids, params)
    lab_W, lab_b = [], []
    for h, hid in enumerate(hids):
        F = np.stack([label_features(f, lg[h]) for f, lg in zip(fs, oof, strict=True)])
        W, b = _fit_label(F, [d.annotations[hid].choice for d in docs], params.label_c)
        lab_W.append(W)
        lab_b.append(b)
    meta = {"params": asdict(params), "train_documents": len(docs), "embedder": "all-MiniLM-L6-v2"}
    return NliModel(
        data.hypotheses, feat, ev_W, ev_cos, ev_b, np.stack(lab_W), np.stack(lab_b), meta
    )


def _fit_all_evidence(docs, fs, hids, params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = sparse.vstack([f.X for f in fs], format="csr")
    cos = np.vstack([f.cos for f in fs])
    Ws, cs, bs = [], [], []
    for h, hid in enumerate(hids):
        y = np.concatenate([_evidence_targets(d, hid) for d in docs])
        col = sparse.csr_matrix(cos[:, h : h + 1] * params.cos_weight)
        w, b = _fit_evidence(sparse.hstack([X, col], format="csr"), y, params.evidence_c)
        Ws.append(w[:-1])
        cs.append(w[-1] * params.cos_weight)
        bs.append(b)
    return np.stack(Ws), np.array(cs), np.array(bs)


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    idx = np.random.default_rng(seed).permutation(n)
    return [idx[i::k] for i in range(k)]


def _out_of_fold_logits(docs, fs, hids, params) -> list[np.ndarray]:
    """Evidence logits for each training document from models that did not see it."""
    out: list[np.ndarray | None] = [None] * len(docs)
    for held in _folds(len(docs), params.inner_folds, params.seed):
        held_set = set(held.tolist())
        keep = [i for i in range(len(docs)) if i not in held_set]
        W, c, b = _fit_all_evidence([docs[i] for i in keep], [fs[i] for i in keep], hids, params)
        for i in held:
            out[i] = np.asarray(fs[i].X @ W.T).T + c[:, None] * fs[i].cos.T + b[:, None]
    return out  # type: ignore[return-value]


def cross_validate(
    data: NliDataset, embs: list[np.ndarray], hyp_emb: np.ndarray, k: int, params: TrainParams
) -> dict:
    """K-fold metrics over the training documents (folds by document), for tuning."""
    from legal_orch.datasets.contractnli_metric import score_predictions

    preds = {}
    for held in _folds(len(data.documents), k, params.seed + 1):
        held_set = set(held.tolist())
        train = NliDataset(
            hypotheses=data.hypotheses,
            documents=[d for i, d in enumerate(data.documents) if i not in held_set],
        )
        model = fit(train, [e for i, e in enumerate(embs) if i not in held_set], hyp_emb, params)
        for i in held:
            d = data.documents[i]
            preds[d.id] = model.predict(d.span_texts(), embs[i])
    return score_predictions(data, preds)


def main(train_json: Path, out: Path | None = None, cv: int = 0, **overrides) -> dict:
    """Train on `train_json`, write the model (default corpora/models/nli.npz), return a summary."""
    data = load_contractnli(train_json)
    embedder = default_embedder()
    embs = embed_documents(data.documents, embedder)
    hyp_emb = embed_hypotheses(data.hypotheses, embedder)
    params = TrainParams(**overrides)
    summary: dict = {"params": asdict(params), "documents": len(data.documents)}
    if cv:
        summary["cv"] = cross_validate(data, embs, hyp_emb, cv, params)
    out = Path(out or default_model_path())
    out.parent.mkdir(parents=True, exist_ok=True)
    fit(data, embs, hyp_emb, params).save(out)
    summary["model"] = str(out)
    summary["bytes"] = out.stat().st_size
    return summary


def cli(argv: list[str] | None = None) -> None:
    """Command line: python -m legal_orch_agents.risk_analysis.nli_train --data FILE [--cv K]."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="override a TrainParams field: k=v")
    a = ap.parse_args(argv)
    overrides = {k: type(getattr(TrainParams(), k))(v) for k, v in (s.split("=", 1) for s in a.set)}
    json.dump(main(a.data, a.out, a.cv, **overrides), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    cli()
