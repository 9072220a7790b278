"""Keep the libraries the engine loads from reaching the network on their own.

onnxruntime 1.32 starts a telemetry client (Microsoft's 1DS: a device id under ~/.cache, then
DNS and TLS to mobile.events.data.microsoft.com) when a session is created, and
`disable_telemetry_events()` does not stop it; only ORT_DISABLE_TELEMETRY, read when the runtime
starts, keeps it from ever starting. Chroma and the Hugging Face hub have their own switches.
Set before any of them is imported: this module runs when `legal_orch` is imported. A value the
user set is kept.
"""

from __future__ import annotations

import os

TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def no_telemetry() -> None:
    """Turn every known library telemetry off in this process and the processes it starts."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
