"""A fake LangChain chat model for tests: answers structured-output calls from a script."""

from __future__ import annotations

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
    confidence 0.99, quoting that text and repeating it as the explanation; otherwise it
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
            "confidence": 0.99,
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
