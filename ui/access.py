"""Who may use the app: anyone on this machine; from elsewhere, only a user logged in (OIDC).

`legal-orch ui` binds 127.0.0.1 unless told otherwise; this gate also holds when Streamlit is
started some other way on an address other machines reach.
"""

from __future__ import annotations

import streamlit as st

from legal_orch.serve import is_loopback


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all reads as "no login configured"
        return False


def gate() -> None:
    """Stop the page unless it is served on this machine only or the user has logged in."""
    address = str(st.get_option("server.address") or "")
    if address and is_loopback(address):
        return
    if not _auth_configured():
        st.error(
            "This app is served to other machines without a login, so it shows nothing. Start it "
            "with `legal-orch ui` (this machine only) or with --remote and a login (README, Security)."
        )
        st.stop()
    if not st.user.get("is_logged_in", False):
        st.title("legal_orch")
        st.button("Log in", on_click=st.login, type="primary", key="login")
        st.stop()
