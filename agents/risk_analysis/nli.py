"""Span NLI for NDAs: per hypothesis, score every span as evidence, then decide the label.

Two linear stages per ContractNLI hypothesis (17 separate models each), as in the paper's Span
NLI framing:
1. evidence: a class-balanced logistic regression over the span's TF-IDF word 1-3-grams and
   char 3-5-grams, its neighbours' word n-grams, its MiniLM embedding, its cosine to the
   hypothesis and its position gives P(span is evidence for the hypothesis);
2. label: a class-balanced multinomial logistic regression over the strongest evidence scores,
   the evidence-weighted word n-grams of the top spans and negation / permission cues in them
   gives P(Entailment), P(Contradiction), P(NotMentioned).
The weights are plain arrays in one small `.npz` so that the artifact is inspectable and loads
without pickles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:  # imported where a model is built or read: a commercial review never needs it
    from sklearn.feature_extraction.text import TfidfVectorizer

from legal_orch.datasets.contractnli import CHOICES, NliChoice

MODEL_FILE = "nli.npz"
FORMAT = 2


def default_model_path() -> Path:
    """The shipped model: `corpora/models/nli.npz` in the `legal_orch_corpora` package."""
    return Path(str(resources.files("legal_orch_corpora"))) / "models" / MODEL_FILE


TOKEN_PATTERN = r"(?u)\b\w[\w'’]*\b"
TOP_K = 3  # spans the label stage reads

# Cues that flip or qualify a hypothesis (negation by exception, permission, retention, ...).
CUES: tuple[str, ...] = (
    r"\bshall not\b|\bwill not\b|\bmust not\b|\bmay not\b|\bcannot\b|\bshall in no event\b",
    r"\bno obligation\b|\bnot (?:be )?(?:obligated|required|liable)\b|\bno liability\b",
    r"\bmay disclose\b|\bmay share\b|\bmay provide\b|\bpermitted to disclose\b",
    r"\bnotwithstanding\b",
    r"\bexcept\b|\bother than\b|\bunless\b|\bprovided,? however\b|\bprovided that\b",
    r"\bretain\w*\b|\bkeep\b|\barchiv\w*\b|\bback-?up\b",
    r"\bcop(?:y|ies|ying)\b|\breproduc\w*\b",
    r"\breturn\w*\b|\bdestr\w*\b|\bdelet\w*\b",
    r"\bwithout\b",
    r"\bprior written consent\b|\bwritten consent\b|\bwritten approval\b",
    r"\bsurviv\w*\b|\bterminat\w*\b|\bexpir\w*\b",
    r"\bindefinite\w*\b|\bperpetu\w*\b|\bin perpetuity\b",
    r"\boral\w*\b|\bverbal\w*\b|\bvisual\w*\b",
    r"\bmarked\b|\bdesignated\b|\bidentified as\b|\blegend\b|\bconfirmed in writing\b",
    r"\bthird part\w*\b",
    r"\bemployees?\b|\bofficers?\b|\bdirectors?\b",
    r"\bconsultants?\b|\badvisors?\b|\bagents?\b|\bcontractors?\b|\brepresentatives?\b",
    r"\bindependently develop\w*\b|\bindependently\b",
    r"\breverse engineer\w*\b|\bdecompil\w*\b|\bdisassembl\w*\b",
    r"\bsolicit\w*\b|\bhire\b|\bemploy\b",
    r"\blicen[cs]\w*\b|\bgrant\w*\b|\bright\b|\btitle\b",
    r"\brequired by law\b|\bsubpoena\b|\bcourt order\b|\bcompelled\b|\blegal process\b",
    r"\bnotif\w*\b|\bnotice\b",
    r"\bsolely\b|\bonly\b|\bexclusively\b",
    r"\bany\b|\ball\b",
    r"\bnot\b|\bno\b|\bnor\b|\bneither\b",
    r"\bmay\b",
    r"\bshall\b|\bmust\b|\bagrees?\b",
    r"\bpublic\w*\b|\bpublicly\b",
    r"\bsharing\b|\baffiliates?\b",
)
_CUE_RES = [re.compile(c, re.IGNORECASE) for c in CUES]


def cue_matrix(texts: list[str]) -> np.ndarray:
    """(n_spans, len(CUES)) log1p counts of each cue in each span."""
    out = np.zeros((len(texts), len(CUES)), dtype=np.float32)
    for i, t in enumerate(texts):
        for j, r in enumerate(_CUE_RES):
            k = len(r.findall(t))
            if k:
                out[i, j] = np.log1p(k)
    return out


@dataclass(frozen=True)
class NliPrediction:
    """The decision on one hypothesis for one document."""

    hypothesis_id: str
    choice: NliChoice
    probs: dict[str, float]  # over CHOICES
    span_scores: list[float]  # P(evidence) for every span, in input order

    def evidence(self, k: int = 3, min_score: float = 0.2) -> list[int]:
        """Return up to `k` span indexes ranked by evidence score (at least the best one)."""
        if self.choice == "NotMentioned" or not self.span_scores:
            return []
        order = np.argsort(self.span_scores)[::-1][:k]
        best = [int(i) for i in order if self.span_scores[i] >= min_score]
        return best or [int(order[0])]


def new_word_vectorizer(max_features: int) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, 3),
        min_df=2,
        max_features=max_features,
        sublinear_tf=True,
        token_pattern=TOKEN_PATTERN,
        dtype=np.float32,
    )


def new_char_vectorizer(max_features: int) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=2,
        max_features=max_features,
        sublinear_tf=True,
        lowercase=True,
        dtype=np.float32,
    )


def restore_vectorizer(vec: TfidfVectorizer, vocab: list[str], idf: np.ndarray):
    """Make `vec` (unfitted) a fitted vectorizer with this vocabulary and these idf weights."""
    vec.vocabulary_ = {t: i for i, t in enumerate(vocab)}
    vec.idf_ = idf.astype(np.float64)
    return vec


@dataclass
class SpanFeatures:
    """Everything the two stages read about one document's spans."""

    X: sparse.csr_matrix  # (n, F) shared evidence features
    cos: np.ndarray  # (n, H) cosine of each span embedding to each hypothesis
    words: sparse.csr_matrix  # (n, Vw) the span's own word n-grams
    cues: np.ndarray  # (n, len(CUES))


@dataclass
class Featurizer:
    """Turn a document's spans into sparse rows (n-grams, context, embedding, position)."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    hyp_emb: np.ndarray  # (H, d) unit-norm hypothesis embeddings
    emb_weight: float = 1.0
    context_weight: float = 0.5

    def transform(self, texts: list[str], emb: np.ndarray) -> SpanFeatures:
        n = len(texts)
        w = self.word.transform(texts)
        c = self.char.transform(texts)
        zero = sparse.csr_matrix((1, w.shape[1]), dtype=np.float32)
        prev = sparse.vstack([zero, w[:-1]]) if n else w
        nxt = sparse.vstack([w[1:], zero]) if n else w
        e = np.asarray(emb, dtype=np.float32)
        e = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-8)
        pos = (np.arange(n, dtype=np.float32) / max(n - 1, 1))[:, None]
        dense = np.hstack([e * self.emb_weight, pos, 1.0 - pos]).astype(np.float32)
        X = sparse.hstack(
            [w, c, prev * self.context_weight, nxt * self.context_weight, sparse.csr_matrix(dense)],
            format="csr",
            dtype=np.float32,
        )
        cos = e @ self.hyp_emb.T if n else np.zeros((0, len(self.hyp_emb)), np.float32)
        return SpanFeatures(X, cos.astype(np.float32), w.tocsr(), cue_matrix(texts))


def label_features(f: SpanFeatures, logits: np.ndarray) -> np.ndarray:
    """One hypothesis's document features: top evidence scores, top spans' words and cues."""
    n_words, n_cues = f.words.shape[1], f.cues.shape[1]
    if len(logits) == 0:
        return np.zeros(8 + n_words + n_cues, dtype=np.float32)
    order = np.argsort(logits)[::-1]
    top = logits[order[:TOP_K]]
    top = np.concatenate([top, np.full(TOP_K - len(top), top[-1])])
    p = 1.0 / (1.0 + np.exp(-logits))
    wt = p[order[:TOP_K]]
    wt = wt / max(wt.sum(), 1e-6)
    words = np.asarray(f.words[order[:TOP_K]].T @ wt).ravel()
    cues = f.cues[order[:TOP_K]].T @ wt
    scores = [
        *(top / 4.0),
        top.mean() / 4.0,
        float(p.max()),
        float((p > 0.5).sum()) / 4.0,
        float(np.log1p(p.sum())),
        float(p[order[0]] - (p[order[1]] if len(p) > 1 else 0.0)),
    ]
    return np.concatenate([np.array(scores), words, cues]).astype(np.float32)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass
class NliModel:
    """The trained two-stage model over a fixed set of hypotheses."""

    hypotheses: dict[str, str]
    featurizer: Featurizer
    ev_W: np.ndarray  # (H, F)
    ev_cos: np.ndarray  # (H,) weight of the span's cosine to hypothesis h
    ev_b: np.ndarray  # (H,)
    lab_W: np.ndarray  # (H, 3, L)
    lab_b: np.ndarray  # (H, 3)
    meta: dict

    def evidence_logits(self, f: SpanFeatures) -> np.ndarray:
        """Return (H, n_spans) evidence logits."""
        lin = np.asarray(f.X @ self.ev_W.T).T
        return lin + self.ev_cos[:, None] * f.cos.T + self.ev_b[:, None]

    def predict(self, texts: list[str], emb: np.ndarray) -> dict[str, NliPrediction]:
        """Decide every hypothesis for one document given its spans and their embeddings."""
        f = self.featurizer.transform(texts, emb)
        logits = self.evidence_logits(f)
        out = {}
        for h, hid in enumerate(self.hypotheses):
            p = softmax(self.lab_W[h] @ label_features(f, logits[h]) + self.lab_b[h])
            choice = CHOICES[int(np.argmax(p))]
            scores = (1.0 / (1.0 + np.exp(-logits[h]))).tolist()
            out[hid] = NliPrediction(
                hid, choice, dict(zip(CHOICES, map(float, p), strict=True)), scores
            )
        return out

    def save(self, path: Path) -> None:
        """Write the model as one compressed `.npz` of plain arrays (weights as float16)."""
        fz = self.featurizer
        meta = {
            **self.meta,
            "format": FORMAT,
            "emb_weight": fz.emb_weight,
            "context_weight": fz.context_weight,
            "hypotheses": self.hypotheses,
        }

        def vocab(v: TfidfVectorizer) -> np.ndarray:
            return np.array("\n".join(sorted(v.vocabulary_, key=v.vocabulary_.get)))

        np.savez_compressed(
            path,
            word_vocab=vocab(fz.word),
            word_idf=fz.word.idf_.astype(np.float32),
            char_vocab=vocab(fz.char),
            char_idf=fz.char.idf_.astype(np.float32),
            hyp_emb=fz.hyp_emb.astype(np.float32),
            ev_W=self.ev_W.astype(np.float16),
            ev_cos=self.ev_cos.astype(np.float32),
            ev_b=self.ev_b.astype(np.float32),
            lab_W=self.lab_W.astype(np.float16),
            lab_b=self.lab_b.astype(np.float32),
            meta=np.array(json.dumps(meta)),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> NliModel:
        """Load a model written by `save`; raise FileNotFoundError naming the train command."""
        path = Path(path or default_model_path())
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no NLI model; build it with `legal-orch train nli`")
        z = np.load(path, allow_pickle=False)
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: NLI model format {meta.get('format')}, expected {FORMAT}")
        word = restore_vectorizer(
            new_word_vectorizer(1), str(z["word_vocab"]).split("\n"), z["word_idf"]
        )
        char = restore_vectorizer(
            new_char_vectorizer(1), str(z["char_vocab"]).split("\n"), z["char_idf"]
        )
        feat = Featurizer(word, char, z["hyp_emb"], meta["emb_weight"], meta["context_weight"])
        return cls(
            meta["hypotheses"],
            feat,
            z["ev_W"].astype(np.float32),
            z["ev_cos"],
            z["ev_b"],
            z["lab_W"].astype(np.float32),
            z["lab_b"],
            meta,
        )
