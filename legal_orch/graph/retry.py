"""Which failures the graph retries, and when a node stops retrying and records the failure.

Transient errors (a locked store, a provider timeout or rate limit, a dropped connection) are
retried by LangGraph's RetryPolicy, declared on the nodes that call agents or stores. A node
that catches its agent's exception to record it must let a transient one through on every
attempt but the last, or the policy never sees it; on the last attempt (or for an error no retry
mends) it records the failure, and the review ends "incomplete" rather than stopping.

Model calls are not retried here: `legal_orch.llm` retries them, once, with one budget of tries
shared by every caller, and raises `LLMError` (never transient here) when it is spent; a policy
on top would multiply the calls sent to a model that is down.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import RetryPolicy, default_retry_on  # type: ignore[attr-defined]

from legal_orch.errors import LegalOrchError, TransientError

# Provider SDKs (openai, anthropic, httpx) name their passing failures alike; matched by name so
# the engine imports no provider package.
_TRANSIENT_NAMES = frozenset(
    {
        "APIConnectionError",
        "APITimeoutError",
        "RateLimitError",
        "InternalServerError",
        "ServiceUnavailableError",
        "TimeoutException",
        "ConnectTimeout",
        "ReadTimeout",
    }
)


def is_transient(exc: BaseException) -> bool:
    """Return whether `exc` may pass if the same step is simply tried again."""
    if isinstance(exc, TransientError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "busy" in str(exc)
    if isinstance(exc, LegalOrchError):
        return False  # bad input, a bad playbook or setting: the same again fails the same
    if any(t.__name__ in _TRANSIENT_NAMES for t in type(exc).__mro__):
        return True
    return isinstance(exc, Exception) and default_retry_on(exc)


RETRY = RetryPolicy(max_attempts=3, initial_interval=0.5, retry_on=is_transient)


def retry_or_record(exc: Exception, runtime: Runtime[Any]) -> None:
    """Re-raise `exc` for the RetryPolicy while it has attempts left; else return to record it."""
    info = runtime.execution_info
    attempt = info.node_attempt if info is not None else RETRY.max_attempts
    if is_transient(exc) and attempt < RETRY.max_attempts:
        raise exc
