"""What a finding rests on: whether its clause was found, and whether proposed wording is
already in the contract.

Shared by the recommendation agent (before it proposes wording) and the validation agent
(which checks the whole document for what was proposed).
"""

from __future__ import annotations

import re

from legal_orch.domain import Finding

# A proposal counts as already said when the text holds this share of its content words and
# every figure it states (a day count, a multiple, an amount).
ALREADY_SAID = 0.8
# A finding is sure enough to reason from (in a reconciliation) when its calibrated confidence
# says it is more likely right than wrong; the validator's clause-type cut-off is the same.
MORE_LIKELY_THAN_NOT = 0.5

_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty-five": "45",
    "sixty": "60",
    "ninety": "90",
    "hundred": "100",
}
# Words every clause uses: their presence says nothing about what a clause provides. Words
# that set who and how much ("either", "each", "not", "only", "least", "before") are kept.
_STOP = frozenset(
    re.split(
        r"\s+",
        """a an the and or of to in on for by with from at as is are be been being this that
        these those such any all its it their his her which who whom whose shall will may must
        would should can than then there hereof hereby herein hereunder thereof agreement party
        parties under into out if so also per""",
    )
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BLANK = re.compile(r"\[[^\]]*\]")  # "[amount]": a blank the lawyer fills in


def clause_found(f: Finding) -> bool:
    """Whether the review found and quoted the clause this finding is about."""
    return bool(f.citations) and f.status not in ("missing", "not_found")


def called_absent(f: Finding) -> bool:
    """Whether the review says this finding's clause is not in the contract."""
    return not f.citations and f.status in ("missing", "not_found", "compliant")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The words of `text` that carry its meaning, stemmed, with numbers as digits."""
    words = _WORD.findall(_BLANK.sub(" ", text.lower()))
    return {_stem(_NUMBER_WORDS.get(w, w)) for w in words if w not in _STOP}


def figures(text: str) -> set[str]:
    """The numbers `text` states, as digits ("sixty (60) days" gives {"60"})."""
    words = _WORD.findall(_BLANK.sub(" ", text.lower()))
    out = {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    return out | {w.replace(",", "") for w in re.findall(r"\d[\d,]*", _BLANK.sub(" ", text))}


def coverage(proposal: str, text: str) -> float:
    """The share of the proposal's content words that `text` also uses."""
    wanted = content_words(proposal)
    if not wanted:
        return 0.0
    return len(wanted & content_words(text)) / len(wanted)


_MUTUAL = frozenset({"either", "each", "both", "neither", "mutual", "mutually"})


def already_says(proposal: str, text: str, bar: float = ALREADY_SAID) -> bool:
    """Whether `text` already provides what `proposal` asks for: its figures, its words and,
    where it binds or entitles both parties, words that say so ("either party")."""
    if not proposal.strip() or not text.strip():
        return False
    words = content_words(text)
    if content_words(proposal) & _MUTUAL and not words & _MUTUAL:
        return False
    return figures(proposal) <= figures(text) and coverage(proposal, text) >= bar
