"""Take credentials out of text before it is stored or shown: a provider's error may echo the
API key it was sent, and an error becomes part of the review, the report and the checkpoint."""

from __future__ import annotations

import re
from collections.abc import Iterable

MARK = "[credential removed]"
_PATTERNS = [
    # Provider keys: OpenAI "sk-...", "sk-proj-...", Anthropic "sk-ant-...", and the like.
    re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{12,}"),
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/\-]{8,}=*"),
    # key=value, "key": "value", key: value for the names credentials go by.
    re.compile(
        r"(?i)(\b(?:api[_-]?key|x-api-key|access[_-]?token|auth[_-]?token|secret|password|"
        r"authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]{6,}"
    ),
]


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Return `text` with the given secret values and anything shaped like a credential removed."""
    for s in secrets:
        if s and len(s) >= 6:
            text = text.replace(s, MARK)
    for p in _PATTERNS:
        text = p.sub(lambda m: (m.group(1) if m.re.groups else "") + MARK, text)
    return text
