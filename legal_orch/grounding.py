"""The contract is data, the model's answer is untrusted: show passages fenced, accept only quotes
found in them that do not themselves talk to the model.
"""

from __future__ import annotations

import hashlib
import re

from legal_orch.domain import Citation, Document

# Text addressed to a model rather than to the parties: never evidence of what the parties agreed.
_INSTRUCTIONS = [
    r"\b(ignore|disregard|forget|override|bypass)\b[^.]{0,60}\b(instruction|prompt|rule|direction|guideline|guidance|polic(y|ies))s?\b",
    r"\b(previous|prior|above|earlier)\s+(instruction|prompt)s?\b|\bsystem prompt\b(?!s)",
    r"\b(you are|act as|pretend|role-?play)\b[^.]{0,40}\b(ai|assistant|model|chatbot|llm|gpt|claude|reviewer)\b",
    r"\b(to|for|attention|note to)\s+(the\s+|any\s+|all\s+)?(ai|a\.i\.|assistant|language model|llm|chatbot|gpt|claude)s?\b",
    r"\b(ai|language model|llm|chatbot|gpt|claude)s?\s*(systems?\s+)?(must|should|shall|will|:)",
    r"\b(assistant|model|reviewer)s?\s+(must|should|will)\s+(answer|respond|reply|mark|classify|rate|label|ignore|disregard|say|output|return)\b",
    r"\b(respond|reply|answer|output)\s+only\b|\boutput\s+(the following|json)\b",
    r"\b(mark|classify|rate|label)\s+(this|the|each|all)\s+(clause|contract|provision|finding|liability)s?\s+as\b",
    r"\bset\s+(the\s+)?(status|severity|confidence)\b",
    r"\b(status|severity|confidence)\s*[:=]\s*[\"']?(compliant|info|low|0\.\d+|1\.0)\b",
    r"(^|\n)\s*(system|assistant|user|human|developer)\s*:",  # chat role tags
    r"<\|?/?\s*(im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|?>",
    r"\[/?(inst|sys)\]|<</?sys>>",
    # Markup: HTML-like tags (not a template's <Company Name> blank), comments, code fences, links.
    r"</?(div|span|p|br|script|style|img|a|iframe|font|b|i|system|instructions?|prompt|hidden)\b[^<>]{0,200}>|<!--",
    r"```|\[[^\]\n]{1,80}\]\((https?:|javascript:|data:)",
    r"\bjailbreak\b|\bprompt injection\b",
    r"\b(no|any|every|the)\s+(automated\s+)?(reviewer|review tool)s?\s+(should|must|shall|may|will)\b",
]
_INSTRUCTION_RE = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTIONS), re.IGNORECASE)


_LETTERS = str.maketrans("0123456789abcdef", "GHJKLMNPQRABCDEF")


def addresses_model(text: str) -> str | None:
    """Return the words that address a model (instructions, role tags, markup), if any."""
    m = _INSTRUCTION_RE.search(text)
    return m.group(0).strip() if m else None


def fence(doc: Document, spans: list[tuple[int, int]]) -> tuple[str, str]:
    """Return the passages labelled as untrusted contract text, and the fence's label.

    The label is derived from the passages themselves, so a contract cannot forge the end of
    its own fence, and the same passages give the same prompt (the cache depends on it).
    """
    texts = [" ".join(doc.text[s:e].split()) for s, e in spans]
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:12]
    # Letters only: digits would read as an account number to the pseudonymiser.
    tag = "CONTRACT-" + digest.translate(_LETTERS)
    blocks = [
        f"<<{tag} passage {i + 1}>>\n{t}\n<<end {tag} passage {i + 1}>>"
        for i, t in enumerate(texts)
    ]
    return "\n".join(blocks) or "(no passages found)", tag


def locate(doc: Document, spans: list[tuple[int, int]], quote: str) -> Citation | None:
    """Find `quote` inside one of `spans` (exactly, else up to white space) and cite it."""
    words = quote.split()
    if not words:
        return None
    for s, e in spans:
        i = doc.text.find(quote, s, e)
        if i >= 0:
            return doc.cite(i, i + len(quote))
        i = doc.text.find(words[0], s, e)
        while i >= 0:
            end = _match_words(doc.text, i, e, words)
            if end is not None:
                return doc.cite(i, end)
            i = doc.text.find(words[0], i + 1, e)
    return None


def _match_words(text: str, i: int, limit: int, words: list[str]) -> int | None:
    j = i
    for k, w in enumerate(words):
        if k:
            gap = j
            while j < limit and text[j].isspace():
                j += 1
            if j == gap and not _joinable(text, j):
                return None
        if not text.startswith(w, j) or j + len(w) > limit:
            return None
        j += len(w)
    return j


def _joinable(text: str, j: int) -> bool:
    # Text extraction can drop the space a model puts back between two words; allow it only
    # where a word meets punctuation, never inside a word.
    return j < len(text) and not text[j].isalnum()


def ground(
    doc: Document, spans: list[tuple[int, int]], quotes: list[str]
) -> tuple[list[Citation], list[str]]:
    """Return the citations of quotes found in `spans`, and a plain-words note per quote refused."""
    cites: list[Citation] = []
    notes: list[str] = []
    for q in quotes:
        c = locate(doc, spans, q)
        if c is None:
            notes.append(
                f"A quotation the model gave is not in the passages it was shown: “{_short(q)}”."
            )
        elif (words := addresses_model(surrounding(doc.text, c.start, c.end))) is not None:
            notes.append(
                f"A quotation the model gave speaks to an AI system (“{_short(words)}”), so it is "
                "not evidence of what the parties agreed."
            )
        elif all(c.start != o.start or c.end != o.end for o in cites):
            cites.append(c)
    return cites, notes


def surrounding(text: str, start: int, end: int) -> str:
    """The sentences (within their line) that hold `[start, end)`: a quote cut from a planted
    instruction is refused with it."""
    left = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start)) + 1
    ends = [i for i in (text.find("\n", end), text.find(". ", end)) if i >= 0]
    return text[left : min(ends) + 1 if ends else len(text)]


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
