"""`legal-orch ui`: this machine only unless --remote with a login; no look-ups of this machine's
addresses at start; stopping the command stops the server it started."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from legal_orch.cli import app
from legal_orch.errors import SettingsError
from legal_orch.serve import check_auth_secrets, is_loopback, streamlit_command
from tests.conftest import ROOT
from tests.test_offline import GUARD

runner = CliRunner()
AUTH = """[auth]
redirect_uri = "https://contracts.example.com/oauth2callback"
cookie_secret = "a-long-random-string-of-thirty-two-chars"
client_id = "legal-orch"
client_secret = "s3cret"
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"
"""


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("contracts.example.com", False),
    ],
)
def test_loopback_addresses(address, local):
    assert is_loopback(address) is local


def test_the_default_is_this_machine_only_with_no_lookups():
    cmd = streamlit_command(
        Path("app.py"), address="127.0.0.1", port=8501, remote=False, secrets=None
    )
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=False))
    assert opts["--server.address"] == "127.0.0.1"
    assert opts["--browser.gatherUsageStats"] == "false"
    assert opts["--server.headless"] == "true"
    # A manually set browser address keeps Streamlit from looking up the machine's IPs to print.
    assert opts["--browser.serverAddress"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--address", "0.0.0.0"], "add --remote"),
        (["--address", "0.0.0.0", "--remote"], "--remote needs --secrets FILE"),
    ],
)
def test_serving_beyond_this_machine_needs_remote_and_a_login(args, problem):
    r = runner.invoke(app, ["ui", *args])
    assert r.exit_code == 2
    assert problem in r.output and len(r.output.strip().splitlines()) == 1


def test_a_secrets_file_without_a_complete_login_is_refused(tmp_path):
    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth]\nredirect_uri = "https://x/oauth2callback"\n')
    with pytest.raises(SettingsError, match="lacks cookie_secret, client_id"):
        check_auth_secrets(bad)
    bad.write_text("not = [toml")
    with pytest.raises(SettingsError, match="not a TOML file"):
        check_auth_secrets(bad)
    good = tmp_path / "good.toml"
    good.write_text(AUTH)
    if importlib.util.find_spec("authlib") is None:  # Streamlit's login cannot work without it
        with pytest.raises(SettingsError, match="needs the Authlib package"):
            check_auth_secrets(good)
        return
    cmd = streamlit_command(Path("app.py"), address="0.0.0.0", port=1, remote=True, secrets=good)
    assert cmd[-2:] == ["--secrets.files", str(good)]


def test_a_bad_setting_stops_ui_with_one_line(monkeypatch):
    monkeypatch.setenv("LEGAL_ORCH_MAX_PAGES", "-3")
    r = runner.invoke(app, ["ui"])
    assert r.exit_code == 2 and "LEGAL_ORCH_MAX_PAGES" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _listen_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, _, hexport = local.partition(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_ui_serves_on_loopback_looks_nothing_up_and_stops_with_its_command(tmp_path):
    port, log = _free_port(), tmp_path / "guard.log"
    env = {
        **os.environ,
        "NETGUARD_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(GUARD), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [sys.executable, "-m", "legal_orch.cli", "ui", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        while not _listening(port):
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.5)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read().decode()
        assert "<html" in page.lower()
        # Listening on loopback only (Linux: the kernel's table of listening sockets).
        if Path("/proc/net/tcp").exists():
            assert _listen_addresses(port) == {"0100007F"}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert not _listening(port), "the Streamlit server outlived `legal-orch ui`"
    assert not log.exists() or log.read_text() == "", log.read_text()
