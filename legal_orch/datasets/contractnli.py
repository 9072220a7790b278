"""Read ContractNLI's JSON: documents, their spans, and the 17 hypotheses' gold annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

NliChoice = Literal["Entailment", "Contradiction", "NotMentioned"]
CHOICES: tuple[NliChoice, ...] = ("Entailment", "Contradiction", "NotMentioned")


class NliAnnotation(BaseModel):
    choice: NliChoice
    spans: list[int]


class NliDocument(BaseModel):
    id: str
    text: str
    spans: list[tuple[int, int]]
    annotations: dict[str, NliAnnotation]

    def span_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.spans]


class NliDataset(BaseModel):
    hypotheses: dict[str, str]  # id ("nda-1") -> hypothesis text
    documents: list[NliDocument]


def load_contractnli(path: Path) -> NliDataset:
    """Load a ContractNLI JSON file (train, dev or test) into typed documents."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    docs = [
        NliDocument(
            id=str(d["id"]),
            text=d["text"],
            spans=[tuple(s) for s in d["spans"]],
            annotations=d["annotation_sets"][0]["annotations"] if d.get("annotation_sets") else {},
        )
        for d in raw["documents"]
    ]
    hyps = {k: v["hypothesis"] for k, v in raw["labels"].items()}
    return NliDataset(hypotheses=dict(sorted(hyps.items(), key=_hyp_order)), documents=docs)


def _hyp_order(item: tuple[str, str]) -> tuple[int, str]:
    tail = item[0].rsplit("-", 1)[-1]
    return (int(tail) if tail.isdigit() else 10**6, item[0])
