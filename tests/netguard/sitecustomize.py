"""A socket guard for subprocesses under test: any attempt to reach beyond loopback is refused
and written to $NETGUARD_LOG (one line each), so the test that started the process can fail on it.

Put this folder first on PYTHONPATH. It sees Python's sockets (audit hooks); the test pairs it with
strace, where available, to see connections made from C libraries too.
"""

import ipaddress
import os
import sys

_LOG = os.environ.get("NETGUARD_LOG")
_LOOKUPS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "", None}


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {what}\n")
    raise OSError(f"network access refused by the test's guard: {what}")


def _hook(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        if isinstance(address, tuple) and not _local(address[0]):
            _refuse(f"{event} {address!r}")
    elif event in _LOOKUPS and not _local(args[0]):
        _refuse(f"{event} {args[0]!r}")


if _LOG:
    sys.addaudithook(_hook)
