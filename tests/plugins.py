"""Build a firm's agent package on the fly (a real `.dist-info` entry point) for CLI and batch tests.

The package is plain source written under a temp folder; the registry finds it exactly as it
finds an installed plug-in, and spawned batch workers inherit the path.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

# A governing-law judge at the cheapest tier: the router prefers it, as a specialist, to the
# shipped risk agent, and offline there is no stronger tier to escalate a failure of its to.
AGENT_SOURCE = """
from legal_orch.domain import Finding
from legal_orch.registry import AgentSpec


def run(subtask, rule, clauses, doc, seg, ctx):
{body}


AGENT = AgentSpec(
    name={name!r},
    capability="risk",
    run=run,
    categories=frozenset({{"Governing Law"}}),
)
"""

FAILING = 'raise RuntimeError("the firm\'s rule service is down")'
UNSURE = """law = next(c for c in clauses if c.category == "Governing Law")
return Finding(
    rule_id=rule.id, title=rule.title, severity="high", status="deviation",
    explanation="Not a law the firm accepts.", categories=rule.categories,
    citations=[doc.cite(law.start, law.end)], confidence=0.2,
)"""


def install_plugin(monkeypatch: pytest.MonkeyPatch, root: Path, name: str, body: str) -> None:
    """Write package `name` whose risk agent runs `body`, with its entry point, onto sys.path."""
    (root / name).mkdir(parents=True)
    src = AGENT_SOURCE.format(name=name, body=textwrap.indent(body, "    "))
    (root / name / "__init__.py").write_text(src)
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[legal_orch.agents]\n{name} = {name}:AGENT\n")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("LEGAL_ORCH_QUALITY_BAR", "0")  # unmeasured agents meet only a zero bar
    # Subprocesses (the CLI run as a program) find it too.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
