"""No traffic in offline mode, proven: a review and a small batch run in subprocesses under a
socket guard (tests/netguard: Python's audit hooks) and, where strace is installed, with every
connection the processes make from C libraries traced too; any address beyond loopback fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE

GUARD = Path(__file__).with_name("netguard")
_ADDR = re.compile(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"')


def _beyond_loopback(trace: str) -> list[str]:
    """Lines of an strace log where a process reached for an address off this machine."""
    bad = []
    for line in trace.splitlines():
        for v4, v6 in _ADDR.findall(line):
            addr = v4 or v6
            if not (addr.startswith("127.") or addr in ("::1", "0.0.0.0", "::")):
                bad.append(line.strip())
    return bad


def _run_guarded(
    args: list[str], tmp_path: Path, name: str
) -> tuple[subprocess.CompletedProcess, list[str]]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    log = tmp_path / f"{name}.guard.log"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ORT_", "ANONYMIZED", "DO_NOT"))
        },
        "HOME": str(home),
        "NETGUARD_LOG": str(log),
        "PYTHONPATH": os.pathsep.join([str(GUARD), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [sys.executable, "-m", "legal_orch.cli", *args]
    trace = tmp_path / f"{name}.strace"
    if shutil.which("strace"):
        # connect() and sendto() with an address: TCP, and the DNS queries a resolver sends.
        cmd = ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace), *cmd]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    found = log.read_text().splitlines() if log.exists() else []
    if trace.exists():
        found += _beyond_loopback(trace.read_text(errors="replace"))
    return proc, found


def test_the_trace_reader_sees_a_dns_query_and_a_tls_connection():
    trace = (
        '7 connect(13, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0\n'
        '7 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, "2603:1030::1", &sin6_addr)}, 28)\n'
        '7 connect(5, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0\n'
        '7 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1\n'
    )
    assert len(_beyond_loopback(trace)) == 2


def test_the_guard_refuses_and_records_a_connection_beyond_loopback(tmp_path):
    log = tmp_path / "guard.log"
    code = "import socket; socket.create_connection(('192.0.2.1', 443), timeout=1)"
    env = {**os.environ, "NETGUARD_LOG": str(log), "PYTHONPATH": str(GUARD)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "refused by the test's guard" in proc.stderr
    assert "192.0.2.1" in log.read_text()


@pytest.mark.slow  # a cold review and a batch, traced: a few minutes on 2 cores
def test_a_review_and_a_batch_reach_nothing_beyond_this_machine(tmp_path):
    proc, found = _run_guarded(
        ["review", str(SAMPLE), "--format", "json", "--out", str(tmp_path / "r.json"), "-q"],
        tmp_path,
        "review",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert found == [], found
    room = tmp_path / "room"
    room.mkdir()
    shutil.copy(SAMPLE, room / "a.pdf")
    (room / "notes.txt").write_text("not a contract")
    proc, found = _run_guarded(
        ["batch", str(room), "--out", str(tmp_path / "out"), "-q"], tmp_path, "batch"
    )
    assert proc.returncode == 1, proc.stderr[-2000:]  # notes.txt is not reviewed: a row, exit 1
    assert "a.pdf" in (tmp_path / "out" / "summary.csv").read_text()
    assert found == [], found
    # onnxruntime's telemetry client never started: it would have written its device id here.
    assert not (tmp_path / "home" / ".cache" / "Microsoft").exists()
