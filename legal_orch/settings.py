"""Settings, read once at the edge (CLI, UI) and passed down; nodes never read the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from legal_orch.errors import SettingsError

ENV_PREFIX = "LEGAL_ORCH_"


def default_data_dir() -> Path:
    return Path(user_data_dir("legal-orch", appauthor=False))


class Settings(BaseSettings):
    """Every knob of legal_orch; each has an env-var fallback `LEGAL_ORCH_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    chroma_dir: Path | None = None  # default: <data_dir>/chroma
    chroma_host: str | None = None  # server mode ("chroma run"): host, with chroma_port
    chroma_port: int = 8000
    checkpoint_db: Path | None = None  # default: <data_dir>/checkpoints.sqlite
    decisions_db: Path | None = (
        None  # lawyers' decisions (the gold set); default: <data_dir>/decisions.sqlite
    )
    # Keep every reviewed contract's sentences in Chroma for cross-contract search (slower).
    index_contracts: bool = False
    embed_threads: int = 0  # threads of the ONNX encoder; 0: every core, up to 4
    max_pages: int = 500
    max_file_mb: float = 100.0
    ocr: bool = False  # read scanned PDFs with OCR (ocrmypdf + Tesseract); batch turns it on
    ocr_timeout: float = 300.0  # seconds one file's OCR may take
    playbook: str = "commercial"
    precedents_per_finding: int = 3
    max_reroutes: int = 2
    interrupt_confidence: float = 0.35  # high severity below this asks a lawyer
    interrupts: bool = False  # pause for a lawyer's decision (CLI --interactive, the app)
    # The router's minimum dev-scorecard quality: about what always giving the commoner answer
    # scores on dev (ContractNLI .68 accuracy, CUAD found / not found .76): below it an agent is
    # no better than a guess, and a stronger measured agent is preferred (README, Measured numbers).
    quality_bar: float = 0.7
    # The confidence cascade: with a model configured, an offline finding less sure than this
    # (or sent to a lawyer) is asked once more of the model tier; 0 turns it off.
    cascade_below: float = 0.0
    llm_provider: str | None = None  # e.g. "openai", "anthropic", "ollama"; None: offline
    llm_model: str | None = None  # a model name; for "local", a GGUF path
    llm_base_url: str | None = None  # an OpenAI-compatible server (Ollama, vLLM, LM Studio...)
    llm_api_key: SecretStr | None = None  # else the provider's own variable (OPENAI_API_KEY...)
    llm_timeout: float = 60.0  # seconds one model call may take
    llm_retries: int = 2  # further tries after a call that timed out or failed in transit
    llm_concurrency: int = 4  # model calls in flight at once (a local GGUF model: one)
    llm_pseudonymize: bool = True  # placeholders for names and amounts before a remote model
    llm_cache: bool = True  # answer an identical call from <data_dir>/llm_cache.sqlite
    llm_local_ctx: int = 4096  # context window of a local GGUF model
    llm_local_threads: int = 1  # CPU threads of a local GGUF model
    prices: Path | None = None  # price table per model (YAML); default: the shipped one
    budget: float | None = None  # money one review may spend on models (price table currency)
    # Folders the app's Batch page may read contracts from and write reviews to, besides its own
    # uploads and <data_dir>/batches (LEGAL_ORCH_BATCH_FOLDERS, separated by the path separator).
    batch_folders: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    # Limits on reading one file, so a crafted PDF or zip cannot hold the machine.
    parse_timeout: float = 120.0  # seconds one file's text extraction may take
    parse_memory_mb: int = 2048  # memory one file's text extraction may use
    max_zip_mb: float = 2048.0  # bytes a batch zip may expand to, all members together
    # Checkpoints of finished reviews older than this many days are deleted (0: at once).
    keep_checkpoints_days: float = 7.0
    # Memory one batch worker holds at its peak: 1.6-2.0 GB measured (benchmarks/results/
    # batch.json); --workers is capped at the cores and at free memory divided by this.
    worker_memory_mb: int = 2048
    # A batch's shared budget (`batch --budget`): the ledger file its workers reserve from.
    budget_ledger: Path | None = None
    # Route by quality refitted from outcomes in the data dir (validation results, lawyers'
    # decisions) over the dev scorecard; the prior counts as this many outcomes, about half
    # the dev judgements behind a commercial rule's figure (39 CUAD dev contracts).
    learn: bool = True
    learn_prior_weight: float = 20.0

    @field_validator(
        "max_pages",
        "max_file_mb",
        "precedents_per_finding",
        "ocr_timeout",
        "llm_timeout",
        "llm_local_ctx",
        "llm_local_threads",
        "parse_timeout",
        "parse_memory_mb",
        "max_zip_mb",
        "worker_memory_mb",
        "learn_prior_weight",
        "llm_concurrency",
    )
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be greater than 0")
        return v

    @field_validator("batch_folders", mode="before")
    @classmethod
    def _folders(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [Path(p).expanduser() for p in v.split(os.pathsep) if p.strip()]
        return v

    @field_validator("max_reroutes", "embed_threads", "llm_retries", "keep_checkpoints_days")
    @classmethod
    def _not_negative(cls, v: int) -> int:
        if v < 0:
            raise ValueError("must be 0 or more")
        return v

    @field_validator("quality_bar", "interrupt_confidence", "cascade_below")
    @classmethod
    def _fraction(cls, v: float) -> float:
        if not 0 <= v <= 1:
            raise ValueError("must be between 0 and 1")
        return v

    @field_validator("chroma_port")
    @classmethod
    def _port(cls, v: int) -> int:
        if not 0 < v < 65536:
            raise ValueError("must be a port number (1-65535)")
        return v

    def chroma_path(self) -> Path:
        return self.chroma_dir or self.data_dir / "chroma"

    def checkpoint_path(self) -> Path:
        return self.checkpoint_db or self.data_dir / "checkpoints.sqlite"

    def llm_cache_path(self) -> Path:
        return self.data_dir / "llm_cache.sqlite"

    def decisions_path(self) -> Path:
        return self.decisions_db or self.data_dir / "decisions.sqlite"

    def outcomes_path(self) -> Path:
        return self.data_dir / "outcomes.sqlite"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment and `overrides`; a bad value is one line naming it."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        raise SettingsError(describe_invalid(e, overrides)) from None


def describe_invalid(e: ValidationError, overrides: dict[str, Any]) -> str:
    """Return one line per bad value, each naming its variable (or setting) and the value given."""
    parts = []
    for err in e.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        name = field if field in overrides else ENV_PREFIX + field.upper()
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}={str(err.get('input', ''))[:80]!r}: {msg}")
    return "; ".join(parts)
