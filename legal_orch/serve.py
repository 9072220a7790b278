"""How `legal-orch ui` starts Streamlit: on this machine only, unless told otherwise with a login.

The app holds clients' contracts, so it listens on the loopback address by default. Serving it
to other machines needs an explicit `--remote` and Streamlit's own OpenID Connect login (an
`[auth]` table in a secrets file); the other way, a reverse proxy that authenticates in front of
an app still bound to 127.0.0.1, is described in the README's Security section.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import sys
import tomllib
from pathlib import Path

from legal_orch.errors import SettingsError

# What Streamlit's [auth] table needs for one OpenID Connect provider (docs.streamlit.io, st.login).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(address: str) -> bool:
    """Return whether `address` is reachable only from this machine."""
    if address.strip().lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to anything


def check_auth_secrets(path: Path) -> None:
    """Refuse a secrets file without a complete `[auth]` table for Streamlit's login."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SettingsError(f"--secrets {path}: cannot read ({e.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise SettingsError(f"--secrets {path}: not a TOML file ({e})") from None
    auth = data.get("auth")
    if not isinstance(auth, dict):
        raise SettingsError(f"--secrets {path}: no [auth] table (Streamlit's login settings)")
    flat = dict(auth)
    for v in auth.values():  # [auth.provider] tables hold the provider's own keys
        if isinstance(v, dict):
            flat.update(v)
    missing = [k for k in AUTH_KEYS if not flat.get(k)]
    if missing:
        raise SettingsError(f"--secrets {path}: [auth] lacks {', '.join(missing)}")
    if importlib.util.find_spec("authlib") is None:
        raise SettingsError(
            "Streamlit's login needs the Authlib package: pip install 'Authlib>=1.3.2'"
        )


def streamlit_command(
    app: Path, *, address: str, port: int, remote: bool, secrets: Path | None
) -> list[str]:
    """Return the `streamlit run` command line, or raise SettingsError for an unsafe request."""
    if not is_loopback(address):
        if not remote:
            raise SettingsError(
                f"--address {address} serves the app to other machines: add --remote and "
                "--secrets FILE with a login (README, Security), or keep 127.0.0.1"
            )
        if secrets is None:
            raise SettingsError(
                "--remote needs --secrets FILE with an [auth] table: the app holds clients' "
                "contracts and is never served to other machines without a login"
            )
    if secrets is not None:
        check_auth_secrets(secrets)
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        address,
        "--server.port",
        str(port),
        # No browser to open, no usage statistics, no look-up of this machine's addresses.
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        address,
        "--global.developmentMode",
        "false",
        "--server.enableXsrfProtection",
        "true",
    ]
    if secrets is not None:
        args += ["--secrets.files", str(secrets)]
    return args
