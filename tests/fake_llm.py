"""A fake LangChain chat model for tests: answers structured-output calls from a script."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(GenericFakeChatModel):
    """GenericFakeChatModel with `bind_tools`, so `with_structured_output` can be exercised."""

    def bind_tools(self, tools, **kwargs):
        return self


def tool_answer(name: str, args: dict) -> AIMessage:
    """An AIMessage calling the structured-output tool `name` with `args`."""
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": "call-1", "type": "tool_call"}]
    )


def scripted(*answers: AIMessage) -> ScriptedChatModel:
    return ScriptedChatModel(messages=iter(answers))


class InjectionObeyingModel(BaseChatModel):
    """A chat model that does what the contract tells it to, as a steerable model would.

    It answers each structured-output call with the tool `Judgement`: when a passage holds
    text addressed to a model it declares the rule compliant, of info severity, with
    confidence 99%, quoting that text and repeating it as the explanation; otherwise it
    invents a reassuring quotation that is not in the contract. `calls` counts its answers.
    """

    calls: int = 0
    seen: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "injection-obeying"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        human = str(messages[-1].content)
        self.calls += 1
        self.seen.append(human)
        planted = _planted(human)
        args = {
            "status": "compliant",
            "severity": "info",
            "explanation": planted or "Standard terms, as confirmed in Smith v. Jones.",
            "quotes": [planted or "liability is capped at the fees paid, as Smith v. Jones held"],
            "confidence": 99,
        }
        return ChatResult(generations=[ChatGeneration(message=tool_answer("Judgement", args))])


_OBEY = ("ignore", "disregard", " ai ", "assistant", "system", "<", "```", "reviewer")


def _planted(human: str) -> str | None:
    """The first passage line that speaks to a model, as a model that obeys it would find it."""
    for line in human.splitlines():
        low = f" {line.lower()} "
        if line.startswith("<<"):
            continue
        if any(w in low for w in _OBEY):
            return line.strip()
    return None


class RecordingServer:
    """An OpenAI-compatible chat server on 127.0.0.1 that records every request it receives.

    `answer(body) -> dict` gives the JSON the model "returns" (sent as the message content);
    `hang=True` never answers; `fail_first=n` answers the first n requests with HTTP 500;
    `echo_key=True` refuses every request with HTTP 401 quoting the Authorization header back.
    Each answer reports `usage` of `tokens=(in, out)`.
    """

    def __init__(self, answer=None, *, hang=False, fail_first=0, tokens=(900, 120), echo_key=False):
        self.requests: list[dict] = []
        self.answer = answer or (lambda body: {})
        self.hang, self.fail_first, self.tokens = hang, fail_first, tokens
        self.echo_key = echo_key
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if server.hang:
                    server._release.wait(60)
                    return
                if server.echo_key:
                    sent = self.headers.get("Authorization", "")
                    message = f"Incorrect API key provided: {sent.removeprefix('Bearer ')}."
                    self._send(
                        401, {"error": {"message": message, "type": "invalid_request_error"}}
                    )
                    return
                if len(server.requests) <= server.fail_first:
                    self._send(500, {"error": {"message": "overloaded", "type": "server_error"}})
                    return
                content = json.dumps(server.answer(body))
                self._send(200, _completion(body.get("model", "m"), content, server.tokens))

            def _send(self, code, payload):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def sent_text(self) -> str:
        """Everything the client sent, as one string."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.requests)


def _completion(model: str, content: str, tokens: tuple[int, int]) -> dict:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": tokens[0],
            "completion_tokens": tokens[1],
            "total_tokens": sum(tokens),
        },
    }


_STORE: list = []


def shared_store(embedder):
    """One Chroma store for every LLM test module: the precedent bank is indexed once."""
    if not _STORE:
        from legal_orch.retrieval.store import Store
        from legal_orch.settings import Settings

        path = Path(tempfile.mkdtemp(prefix="llm-tests-store-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _STORE.append(Store.from_settings(Settings(data_dir=path), embedder))
    return _STORE[0]


def passages_of(body: dict) -> list[str]:
    """The passage texts in a request's last message (between the fence lines)."""
    lines = str(body["messages"][-1]["content"]).splitlines()
    return [ln for i, ln in enumerate(lines) if i and lines[i - 1].startswith("<<CONTRACT-")]


def llm_first_registry():
    """The installed agents with only the LLM risk agent measured (as if best on every rule), so
    the router gives it every rule under a high quality bar."""
    from dataclasses import replace

    from legal_orch.registry import Registry, default_registry

    return Registry(
        replace(s, quality={"*": 1.0} if s.name == "llm_risk" else {})
        for s in default_registry().all()
    )
