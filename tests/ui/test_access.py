"""The app is local unless configured otherwise: the login gate, settings read through the
product's loader, the Batch page held to configured folders, no icon from a font CDN."""

from __future__ import annotations

from pathlib import Path

import pytest
from legal_orch_ui import APP_PATH
from streamlit import config
from streamlit.testing.v1 import AppTest

TIMEOUT = 60
AUTH = {
    "redirect_uri": "https://contracts.example.com/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "legal-orch",
    "client_secret": "s3cret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGAL_ORCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_served_to_other_machines_without_a_login_the_app_shows_nothing(data_dir):
    config.set_option("server.address", "0.0.0.0")
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "without a login" in at.error[0].value
    assert not at.file_uploader and not at.title


def test_served_to_other_machines_with_a_login_it_asks_the_user_to_log_in(data_dir):
    config.set_option("server.address", "0.0.0.0")
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.file_uploader


def test_a_bad_setting_is_one_line_not_a_traceback(data_dir, monkeypatch):
    monkeypatch.setenv("LEGAL_ORCH_MAX_PAGES", "many")
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "LEGAL_ORCH_MAX_PAGES='many'" in at.error[0].value
    assert "\n" not in at.error[0].value


def test_the_page_icon_is_not_fetched_from_a_font_cdn():
    # The browser turns ":material/...:" icons into a fonts.gstatic.com URL; emoji are drawn.
    source = APP_PATH.read_text(encoding="utf-8")
    assert 'page_icon=":material' not in source and "page_icon=" in source


@pytest.mark.parametrize("field", ["batch_source", "batch_out"])
def test_the_batch_page_refuses_folders_it_was_not_given(data_dir, tmp_path, monkeypatch, field):
    allowed = tmp_path / "room"
    allowed.mkdir()
    monkeypatch.setenv("LEGAL_ORCH_BATCH_FOLDERS", str(allowed))
    ran = []
    from legal_orch_ui import services

    monkeypatch.setattr(services, "run_batch", lambda *a, **k: ran.append(a))
    elsewhere = Path("/etc")
    at = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT).run()
    at.switch_page("batch_page.py").run()
    at.text_input(key="batch_source").input(str(allowed))
    at.text_input(key="batch_out").input(str(allowed / "out"))
    at.text_input(key=field).input(str(elsewhere))
    at.button(key="run_batch").click().run()
    assert not at.exception
    assert "outside the folders this app may use" in at.error[0].value
    assert ran == []


def test_a_link_out_of_an_allowed_folder_is_outside_it(tmp_path):
    from legal_orch_ui.services import within_folders

    room = tmp_path / "room"
    room.mkdir()
    (room / "escape").symlink_to("/etc")
    assert within_folders(room / "a", [room]) == (room / "a").resolve()
    assert within_folders(room / "escape", [room]) is None
    assert within_folders(room / ".." / "x", [room]) is None


def test_contract_text_shown_through_markdown_plants_no_link_or_image():
    from legal_orch_ui.views import md_text
    from markdown_it import MarkdownIt

    planted = "[Sign here](https://evil.example) ![](https://tracker.example/p.png) <b>x</b> $$x$$"
    html = MarkdownIt("commonmark").render(md_text(planted))
    assert "<a " not in html and "<img" not in html and "<b>" not in html
    assert "Sign here" in html and "tracker.example" in html  # still shown, as words
