"""legal_orch: an offline-first legal contract-review orchestrator."""

from legal_orch.offline import no_telemetry

__version__ = "0.1.0"

no_telemetry()
