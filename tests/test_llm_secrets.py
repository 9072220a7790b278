"""A provider error that echoes the API key never reaches a report, the checkpoint or a screen."""

from __future__ import annotations

import pytest

from legal_orch.playbook import Playbook, load_playbook
from legal_orch.redact import MARK, scrub
from legal_orch.reports.report import render
from legal_orch.review import Reviewer
from legal_orch.settings import Settings
from tests.agents.test_llm_hostile import write_docx
from tests.fake_llm import RecordingServer, llm_first_registry, shared_store
from tests.test_llm_providers import PARAGRAPHS

KEY = "sk-test-THISISTHEKEY0123456789abcdef"


@pytest.fixture(scope="module")
def store(embedder):
    return shared_store(embedder)


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    book = load_playbook("commercial")
    return Playbook(name="llm-test", rules=[r for r in book.rules if r.id == "governing-law"])


@pytest.fixture
def contract(tmp_path):
    return write_docx(PARAGRAPHS, tmp_path / "supply.docx")


@pytest.mark.parametrize(
    "text",
    [
        f"Incorrect API key provided: {KEY}.",
        "Authorization: Bearer abcdefghijklmnop",
        '{"api_key": "hunter2hunter2"}',
        "x-api-key=0123456789abcdef",
    ],
)
def test_credentials_are_removed_from_text(text):
    out = scrub(text)
    assert MARK in out
    for secret in (KEY, "abcdefghijklmnop", "hunter2hunter2", "0123456789abcdef"):
        assert secret not in out


def test_a_key_of_no_known_shape_is_removed_by_value():
    assert scrub("denied for key Zq9xY8wV7u", ["Zq9xY8wV7u"]) == f"denied for key {MARK}"


def test_a_provider_echoing_the_key_leaves_it_nowhere(
    store, embedder, playbook, contract, tmp_path
):
    with RecordingServer(echo_key=True) as srv:
        settings = Settings(
            data_dir=tmp_path,
            llm_base_url=srv.url,
            llm_model="gpt-4o-mini",
            llm_api_key=KEY,
            llm_retries=0,
            quality_bar=0.99,
            max_reroutes=0,
        )
        r = Reviewer(
            settings,
            playbook=playbook,
            registry=llm_first_registry(),
            embedder=embedder,
            store=store,
        )
        out = r.review(contract)
        assert srv.requests  # the key was sent, and echoed back
    assert out.validation.status == "incomplete"
    assert out.failures and all("401" in f.error and KEY not in f.error for f in out.failures)
    assert any(MARK in f.error for f in out.failures)
    for fmt in ("json", "md", "html"):
        assert KEY not in render(out, fmt), fmt
    from legal_orch.reports.docx import to_docx

    docx = to_docx(out, tmp_path / "review.docx").read_bytes()
    import zipfile

    with zipfile.ZipFile(tmp_path / "review.docx") as z:
        assert all(KEY.encode() not in z.read(n) for n in z.namelist())
    assert docx
    for db in tmp_path.glob("*.sqlite*"):
        assert KEY.encode() not in db.read_bytes(), db.name
    assert KEY[3:].encode() not in settings.checkpoint_path().read_bytes()
