"""Safe YAML for playbooks: size and alias limits, so a 1 KB file cannot take gigabytes."""

from __future__ import annotations

import resource
import time

import pytest
from typer.testing import CliRunner

from legal_orch.errors import PlaybookError
from legal_orch.playbook import MAX_PLAYBOOK_BYTES, load_playbook, parse_playbook
from tests import hostile


def test_an_alias_bomb_is_refused_at_once_in_one_line():
    text = hostile.alias_bomb_yaml()
    assert len(text) < 1024  # nine levels of nine: 387 million entries when expanded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    with pytest.raises(PlaybookError, match=r"bomb\.yaml: line 1: its aliases \(\*name\) expand"):
        parse_playbook(text, "bomb.yaml")
    assert time.monotonic() - t0 < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # < 100 MB


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(PlaybookError, match="aliases"):
        parse_playbook("name: x\nrules: &r [*r]\n", "loop.yaml")


def test_yaml_nested_past_any_playbook_is_one_line():
    with pytest.raises(PlaybookError, match="deep.yaml: line"):
        parse_playbook("rules: " + "[" * 50_000 + "]" * 50_000 + "\n", "deep.yaml")


def test_a_playbook_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: big\n# " + "x" * MAX_PLAYBOOK_BYTES + "\n")
    with pytest.raises(PlaybookError, match="over 2 MB"):
        load_playbook(big)


def test_the_cli_names_the_file_for_an_alias_bomb(tmp_path, sample_pdf):
    from legal_orch.cli import app

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(hostile.alias_bomb_yaml())
    res = CliRunner().invoke(app, ["review", str(sample_pdf), "--playbook", str(bomb), "-q"])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"legal-orch: {bomb}: line 1: its aliases")


def test_anchors_a_real_playbook_might_use_still_load():
    text = """name: shared
rules:
  - &base
    id: cap
    title: Liability cap
    severity: high
    categories: [Cap On Liability]
    preferred: a cap
  - <<: *base
    id: cap-2
"""
    try:
        book = parse_playbook(text, "shared.yaml")
    except PlaybookError as e:  # a schema complaint is fine; an alias refusal is not
        assert "aliases" not in str(e)
    else:
        assert [r.id for r in book.rules] == ["cap", "cap-2"]
