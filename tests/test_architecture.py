"""The rooms' import contracts (pyproject.toml, [tool.importlinter]) hold, and each one bites.

The real import graph of the four packages is built once with import-linter's own API; every
contract must be kept on it. Then, for each contract, one forbidden import is added to a copy
of that graph, and that contract must break (others may break too: forbidden contracts also
follow indirect chains).
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import importlinter.api  # noqa: F401 - configures import-linter (its graph builder)
import pytest
from importlinter.application import use_cases
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import registry

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

# One forbidden import per contract, as the source line a careless edit would add.
PROBES = {
    "The engine never imports the app, the evals or a concrete agent (the CLI is a shell)": (
        "legal_orch.graph.nodes",
        "legal_orch_agents.risk_analysis",
    ),
    "Agents use the engine's public modules only": (
        "legal_orch_agents.risk_analysis",
        "legal_orch.review",
    ),
    "Evals reach agents only through the registry": (
        "legal_orch_evals.cuad",
        "legal_orch_agents.clause_extraction",
    ),
    "The app is a shell: no agent code in it": (
        "legal_orch_ui.services",
        "legal_orch_agents.validation",
    ),
    "Each agent stands alone (shared rules live in legal_orch_agents.common)": (
        "legal_orch_agents.recommendation",
        "legal_orch_agents.risk_analysis.judge",
    ),
    "The engine's rooms are layered: shells over the graph over the parts over the domain": (
        "legal_orch.domain",
        "legal_orch.graph.nodes",
    ),
}


@pytest.fixture(scope="module")
def report() -> Any:
    # `lint-imports` registers its built-in contract types the same way before reading a config.
    for name, cls in [
        ("forbidden", ForbiddenContract),
        ("independence", IndependenceContract),
        ("layers", LayersContract),
    ]:
        registry.register(cls, name)
    options = use_cases.read_user_options(str(PYPROJECT))
    return use_cases.create_report(options, cache_dir=None)


def test_every_contract_is_kept(report: Any) -> None:
    broken = {
        c.name: check.metadata for c, check in report.get_contracts_and_checks() if not check.kept
    }
    assert not broken, broken
    assert report.kept_count == len(report.contracts) >= len(PROBES)
    assert not report.invalid_contract_options


def test_every_contract_has_a_probe(report: Any) -> None:
    assert {c.name for c in report.contracts} == set(PROBES)


@pytest.mark.parametrize("target", list(PROBES))
def test_a_forbidden_import_breaks_its_contract(report: Any, target: str) -> None:
    importer, imported = PROBES[target]
    graph = deepcopy(report.graph)
    assert {importer, imported} <= graph.modules  # the probe names real modules
    graph.add_import(
        importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
    )
    contract = next(c for c in report.contracts if c.name == target)
    assert not contract.check(graph, verbose=False).kept
