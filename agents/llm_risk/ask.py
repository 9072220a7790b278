"""`legal-orch ask`: a question about one contract, answered from its closest passages.

The same rules as a judgement: passages fenced as untrusted text, names and amounts masked for a
remote model, every quote located in the passages shown and screened; an answer with no quote
found is not given as an answer.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, Field, StringConstraints

from legal_orch.domain import Citation, Document, Party
from legal_orch.grounding import addresses_model, fence, ground
from legal_orch.llm import LLMAnswerError, as_llm
from legal_orch.pseudonym import Pseudonymizer

PASSAGES = 8


class Reply(BaseModel):
    """The model's structured answer to a question."""

    answer: str = Field(max_length=1200)
    quotes: list[Annotated[str, StringConstraints(max_length=400)]] = Field(
        default_factory=list, max_length=3
    )
    confidence: int = Field(ge=0, le=100, description="how sure, 0 to 100")


class Answered(BaseModel):
    """What the lawyer reads: the answer, the contract text it rests on, and any caveats."""

    question: str
    answer: str
    grounded: bool  # at least one quote was found in the contract
    citations: list[Citation] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


@lru_cache(maxsize=1)
def _prompt() -> dict[str, str]:
    text = (resources.files(__package__) / "ask_prompt.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ask(doc: Document, question: str, ctx, parties: list[Party] | None = None) -> Answered:
    """Answer `question` from the contract's closest passages, citing them."""
    llm = as_llm(getattr(ctx, "llm", None))
    if llm is None:
        raise RuntimeError("no LLM provider configured")
    hits = ctx.store.search_contract(doc.sha256, question, PASSAGES)
    spans = sorted((h["start"], h["end"]) for h in hits)
    text, tag = fence(doc, spans)
    values = {"fence": tag, "question": question, "passages": text}
    p = _prompt()
    messages = [("system", p["system"].format(**values)), ("human", p["human"].format(**values))]
    masker = Pseudonymizer(parties or []) if llm.pseudonymize else None
    if masker is not None:
        messages = [(role, masker.mask(m)) for role, m in messages]
    try:
        reply = llm.structured(Reply, messages)
    except LLMAnswerError as e:
        return Answered(
            question=question, answer="No usable answer.", grounded=False, notes=[str(e)]
        )
    if masker is not None:
        reply = reply.model_copy(
            update={
                "answer": masker.unmask(reply.answer),
                "quotes": [masker.unmask(q) for q in reply.quotes],
            }
        )
    cites, notes = ground(doc, spans, reply.quotes)
    answer = reply.answer
    if addresses_model(answer):
        answer = "The model's answer is withheld: it repeats instructions addressed to an AI."
        cites = []
    if not cites:
        notes.append(
            "No quotation the model gave was found in the contract; read the clauses yourself."
        )
        answer = f"Not supported by the contract text shown to the model. (It said: {answer})"
    return Answered(
        question=question, answer=answer, grounded=bool(cites), citations=cites, notes=notes
    )
