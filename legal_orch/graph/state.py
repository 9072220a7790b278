"""The typed state of a review graph, its input and output, and the reducers that merge it."""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired

from typing_extensions import TypedDict

from legal_orch.costs import CostEntry
from legal_orch.domain import (
    AgentFailure,
    Clause,
    Deal,
    Document,
    Finding,
    Precedent,
    Segmentation,
    Subtask,
    Validation,
)


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Merge dict updates; a key updated to None is removed (a failure that was mended)."""
    out = dict(left or {})
    for k, v in (right or {}).items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def add_times(left: dict[str, float] | None, right: dict[str, float] | None) -> dict[str, float]:
    """Sum stage timings: fanned-out tasks and re-routes add to their stage's total."""
    out = dict(left or {})
    for k, v in (right or {}).items():
        out[k] = round(out.get(k, 0.0) + v, 4)
    return out


class ReviewInput(TypedDict):
    path: str
    playbook: NotRequired[str]  # name shown in the report; the rules come from the context
    client: NotRequired[str]  # whose side: a party's name, short name or role (`--for`)


class ReviewOutput(TypedDict):
    document: Document
    clauses: list[Clause]
    deal: Deal
    findings: dict[str, Finding]
    validation: Validation
    failures: dict[str, AgentFailure]
    decisions: dict[str, Any]
    timings: dict[str, float]
    costs: list[CostEntry]
    attempts: int


class ReviewState(TypedDict):
    path: str
    playbook: NotRequired[str]
    client: NotRequired[str]
    document: NotRequired[Document]
    segmentation: NotRequired[Segmentation]
    clauses: NotRequired[list[Clause]]
    deal: NotRequired[Deal]  # key terms, parties and whose side the review takes
    subtasks: NotRequired[dict[str, Subtask]]
    pending: NotRequired[list[str]]  # subtask ids to (re-)run in the next fan-out
    findings: Annotated[dict[str, Finding], merge]
    precedents: Annotated[dict[str, list[Precedent]], merge]
    comparisons: Annotated[dict[str, str], merge]
    failures: Annotated[dict[str, AgentFailure], merge]
    validation: NotRequired[Validation]
    decisions: Annotated[dict[str, Any], merge]
    timings: Annotated[dict[str, float], add_times]
    costs: Annotated[list[CostEntry], operator.add]  # what each stage spent, per agent
    attempts: Annotated[int, operator.add]


class SubtaskInput(TypedDict):
    """What `Send` hands a fanned-out research or risk task: ids, not the whole contract.

    Every Send is checkpointed, so a copy of the document and its segmentation in each one cost
    ~400 KB per task (15 MB per review). A task finds the contract by `sha256` in its process's
    store (held there since the index stage), or reads `path` again after a resume elsewhere.
    """

    subtask: Subtask
    path: str
    sha256: str
    clauses: list[Clause]  # the subtask's own clauses (a few KB)
