"""Shared fixtures: paths to committed fixtures, the optional shared data, expensive objects once."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpora" / "samples" / "reseller_agreement.pdf"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("LEGAL_ORCH_SHARED_DATA", ROOT.parent / "shared" / "data"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Block connections outside loopback: no test may touch the network."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise OSError(f"network access blocked in tests: {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path_factory, monkeypatch):
    """Point the user data directory at a temp dir so tests never touch the real one."""
    monkeypatch.setenv(
        "LEGAL_ORCH_DATA_DIR", str(tmp_path_factory.getbasetemp() / "legal-orch-data")
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"needs the shared datasets at {SHARED_DATA} (absent on a user's machine)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_pdf() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_doc():
    from legal_orch.ingest.pdf import parse_pdf

    return parse_pdf(SAMPLE)


@pytest.fixture(scope="session")
def sample_seg(sample_doc):
    from legal_orch.ingest.segment import segment

    return segment(sample_doc)


@pytest.fixture(scope="session")
def embedder():
    from legal_orch.retrieval.embeddings import default_embedder

    return default_embedder()
