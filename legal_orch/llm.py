"""LLM providers through LangChain: built only when the user configured one.

Nothing leaves the machine unless `LEGAL_ORCH_LLM_PROVIDER` (or `--llm-provider`) names a
provider; the default is offline. Provider packages (langchain-openai, langchain-anthropic,
langchain-ollama...) are the user's to install.
"""

from __future__ import annotations

from typing import Any

from legal_orch.errors import LegalOrchError
from legal_orch.settings import Settings


def make_chat_model(settings: Settings) -> Any:
    """Return a LangChain chat model for the configured provider, or None when offline."""
    if not settings.llm_provider:
        return None
    if not settings.llm_model:
        raise LegalOrchError(
            f"LLM provider {settings.llm_provider!r} needs a model (LEGAL_ORCH_LLM_MODEL)"
        )
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(
            settings.llm_model, model_provider=settings.llm_provider, temperature=0
        )
    except ImportError as e:
        raise LegalOrchError(
            f"LLM provider {settings.llm_provider!r} needs its LangChain package ({e.name or e})"
        ) from e
    except ValueError as e:  # an unknown provider, or a model its package refuses
        raise LegalOrchError(
            f"LEGAL_ORCH_LLM_PROVIDER={settings.llm_provider!r} / LEGAL_ORCH_LLM_MODEL="
            f"{settings.llm_model!r}: {' '.join(str(e).split())[:800]}"
        ) from e
