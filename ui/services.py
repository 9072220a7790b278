"""The app's edge: settings read once per session and the engine calls the pages make.

Pages reach the engine only through these functions, so tests swap one of them (a reviewer
that needs no models, a batch that takes no minutes) without touching the pages.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st
from legal_orch_ui.uploads import SessionUploads, new_upload_dir, safe_name, save_upload

from legal_orch.cli import SHARED_DATA
from legal_orch.decisions import DecisionStore
from legal_orch.domain import Document
from legal_orch.errors import LegalOrchError, SettingsError
from legal_orch.ingest import parse as parse_document
from legal_orch.ingest.limits import ReadLimits
from legal_orch.playbook import Playbook, builtin_playbooks, load_playbook, parse_playbook
from legal_orch.reports.report import ReviewReport
from legal_orch.review import Paused, Reviewer
from legal_orch.settings import Settings, load_settings

log = logging.getLogger("legal_orch.ui")


def settings() -> Settings:
    """Read the settings once per browser session; a bad `LEGAL_ORCH_*` value stops the page."""
    if "settings" not in st.session_state:
        try:
            st.session_state["settings"] = load_settings()
        except SettingsError as e:
            st.error(f"A setting cannot be used: {e}")
            st.stop()
    return st.session_state["settings"]


def upload_dir() -> Path:
    """This session's private folder for uploaded files."""
    if "uploads" not in st.session_state:
        st.session_state["uploads"] = SessionUploads(new_upload_dir(settings()))
    folder: SessionUploads = st.session_state["uploads"]
    return folder.path


def playbooks() -> list[str]:
    return builtin_playbooks()


def choose_playbook(name: str | None, upload: tuple[str, bytes] | None) -> tuple[str, Playbook]:
    """Load the uploaded YAML playbook if any, else the built-in `name`; raise PlaybookError."""
    if upload is not None:
        file_name, data = upload
        book = parse_playbook(
            data.decode("utf-8", errors="replace"), safe_name(file_name, "playbook.yaml")
        )
        return "upload:" + hashlib.sha256(data).hexdigest()[:16], book
    if not name:
        raise LegalOrchError("no playbook installed: upload a playbook YAML")
    return name, load_playbook(name)


@st.cache_resource(show_spinner="Loading the review engine…", max_entries=4)
def _reviewer(key: str, _settings: Settings, _playbook: Playbook) -> Reviewer:
    return Reviewer(_settings, playbook=_playbook)


def reviewer(
    settings: Settings, key: str, playbook: Playbook, *, interrupts: bool, ocr: bool = False
) -> Reviewer:
    """The (cached) reviewer for a playbook; building one loads models, so it is kept."""
    s = settings.model_copy(update={"interrupts": interrupts, "ocr": ocr})
    try:
        return _reviewer(f"{key}|{interrupts}|{ocr}|{s.data_dir}", s, playbook)
    except LegalOrchError:
        raise
    except (
        Exception
    ) as e:  # a missing model or agent: say so in one line, keep the traceback in the log
        log.exception("the review engine could not start")
        raise LegalOrchError(
            f"the review engine could not start ({type(e).__name__}: {str(e)[:200]})"
        ) from e


def decisions(settings: Settings) -> DecisionStore:
    return DecisionStore.from_settings(settings)


@dataclass
class Entry:
    """One uploaded contract and what became of it."""

    name: str
    path: Path | None = None
    doc: Document | None = None
    result: ReviewReport | Paused | None = None
    error: str | None = None
    client: str | None = None  # whose side the review was asked to take
    steps: list[dict[str, Any]] = field(default_factory=list)  # what each stage did, for engineers


def prepare_upload(
    settings: Settings, name: str, data: bytes, folder: Path, *, ocr: bool = False
) -> Entry:
    """Save one upload under a safe name and parse it; a bad file becomes a one-line error."""
    entry = Entry(name=safe_name(name))
    try:
        entry.path = save_upload(name, data, folder)
        entry.doc = parse_document(
            entry.path,
            max_pages=settings.max_pages,
            max_file_mb=settings.max_file_mb,
            ocr=ocr,
            ocr_timeout=settings.ocr_timeout,
            limits=ReadLimits(settings.parse_timeout, settings.parse_memory_mb),
        )
    except LegalOrchError as e:
        entry.error = str(e)
    return entry


def review_entry(
    rev: Reviewer,
    entry: Entry,
    on_progress: Callable[[dict[str, Any]], None],
    client: str | None = None,
) -> Entry:
    """Review a prepared upload; a failed review becomes a one-line error, never an empty review."""
    entry.client = client or None
    try:
        entry.result = rev.review(entry.path, on_progress=on_progress, client=entry.client)
    except LegalOrchError as e:
        entry.error = str(e)
    except Exception as e:  # noqa: BLE001 - one broken review must not stop the rest of the upload
        log.exception("review of %s failed", entry.name)
        entry.error = f"{entry.name}: review failed ({type(e).__name__}: {str(e)[:200]})"
    return entry


def resume(rev: Reviewer, entry: Entry, answers: dict[str, dict[str, str]]) -> Entry:
    """Answer a paused review and run it on to its report."""
    try:
        entry.result = rev.review(entry.path, decisions=answers, client=entry.client)
        entry.error = None
    except LegalOrchError as e:
        entry.error = str(e)
    except Exception as e:  # noqa: BLE001 - shown as one line; the traceback goes to the log
        log.exception("resuming %s failed", entry.name)
        entry.error = (
            f"{entry.name}: resuming the review failed ({type(e).__name__}: {str(e)[:200]})"
        )
    return entry


def redline_bytes(report: ReviewReport, source: Path) -> bytes:
    """The contract with the review's changes tracked (rejected findings left out)."""
    from legal_orch.reports.redline import to_redline

    with tempfile.TemporaryDirectory() as tmp:
        return to_redline(report, source, Path(tmp) / "redline.docx").read_bytes()


def calendar_text(report: ReviewReport) -> str:
    from legal_orch.reports.calendar import to_ics

    return to_ics([report])


def docx_bytes(report: ReviewReport) -> bytes:
    from legal_orch.reports.docx import to_docx

    with tempfile.TemporaryDirectory() as tmp:
        return to_docx(report, Path(tmp) / "review.docx").read_bytes()


def run_batch(
    source: Path,
    out: Path,
    *,
    workers: int,
    playbook: str | None,
    settings: Settings,
    on_progress: Callable[[Any], None],
) -> Any:
    from legal_orch.batch.driver import run_batch as run

    return run(
        source, out, workers=workers, playbook=playbook, settings=settings, on_progress=on_progress
    )


def batch_folders(settings: Settings) -> list[Path]:
    """Folders the Batch page may read from and write to: the operator's, and the app's own."""
    return [settings.data_dir / "batches", *settings.batch_folders]


def within_folders(path: Path, folders: list[Path]) -> Path | None:
    """Return `path` resolved (links followed) if it lies in one of `folders`, else None."""
    real = path.expanduser().resolve()
    return real if any(real.is_relative_to(f.expanduser().resolve()) for f in folders) else None


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


# name -> (what the data path is, default data path or None, the eval's runner)
EVALS: dict[str, tuple[str, Path | None, Callable[..., dict]]] = {}


def _cuad(
    data: Path, out: Path, *, limit: int | None = None, split: str = "test", **_: Any
) -> dict:
    from legal_orch_evals.cuad import run

    return run(data, out, limit=limit, split=split)


def _acord(data: Path, out: Path, *, split: str = "valid", **_: Any) -> dict:
    from legal_orch_evals.acord import run

    return run(data, split, out)


def _contractnli(data: Path, out: Path, **_: Any) -> dict:
    from legal_orch_evals.contractnli import run

    return run(data, out)


def _review(
    data: Path, out: Path, *, limit: int | None = None, split: str = "test", **_: Any
) -> dict:
    from legal_orch_evals.review import run

    return run(data, out, limit=limit, split=split)


def _gold(data: Path, out: Path, *, reviews: Path | None = None, **_: Any) -> dict:
    from legal_orch_evals.gold import run

    return run(data, reviews, out)


EVALS.update(
    {
        "cuad": ("CUAD release folder", SHARED_DATA / "cuad", _cuad),
        "acord": ("ACORD BEIR folder", SHARED_DATA / "acord", _acord),
        "contractnli": (
            "ContractNLI JSON file",
            SHARED_DATA / "contract_nli" / "dev.json",
            _contractnli,
        ),
        "gold": ("Gold-set JSONL (export it from the decisions below)", None, _gold),
        "review": ("CUAD release folder (whole reviews scored)", SHARED_DATA / "cuad", _review),
    }
)


def run_eval(name: str, data: Path, out: Path, **options: Any) -> dict:
    """Run the eval `name` on `data`, writing its metrics and plots to `out`."""
    if not data.exists():
        raise LegalOrchError(f"{data}: not found")
    return EVALS[name][2](data, out, **options)


def results_roots(settings: Settings) -> list[Path]:
    """Where eval results live: the committed ones, then runs made from the app."""
    import legal_orch_evals

    return [Path(legal_orch_evals.__file__).parent / "results", settings.data_dir / "evals"]
