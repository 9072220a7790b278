"""The app as `legal-orch ui` serves it: on 127.0.0.1 (AppTest runs no server of its own)."""

from __future__ import annotations

import pytest
from streamlit import config


@pytest.fixture(autouse=True)
def _served_locally():
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)
