"""Playbooks as code: YAML rules over clause categories, loaded with line-numbered errors."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from legal_orch.domain import Action, FindingStatus, Severity
from legal_orch.errors import PlaybookError

NliChoice = Literal["Entailment", "Contradiction", "NotMentioned"]
PREFERRED_JURISDICTIONS = "@preferred_jurisdictions"  # a check value naming the playbook's list


class AttributeCheck(BaseModel):
    """A condition an acceptable clause meets, e.g. notice_days >= 30 or jurisdiction in [...].

    Numeric comparisons hold when every value found satisfies them; `in` holds when some value
    is in the list, `not_in` when none is; `matches` / `not_matches` test a case-insensitive
    regular expression on the clause text (or on each value).
    """

    model_config = ConfigDict(extra="forbid")  # a misspelt or stray key is an error

    attribute: Literal[
        "money",
        "duration",
        "notice_days",
        "date",
        "jurisdiction",
        "party",
        "multiple",
        "percent",
        "answer",
        "text",
    ]
    op: Literal[
        ">=",
        "<=",
        ">",
        "<",
        "==",
        "!=",
        "in",
        "not_in",
        "present",
        "absent",
        "matches",
        "not_matches",
    ]
    value: Any = None
    severity: Severity | None = None  # severity when the check fails (default: rule's deviation)
    message: str = ""  # what is wrong when the check fails, in plain words
    met: str = ""  # what holds when it passes, in plain words (required for text checks)
    # True: a clause that does not state this value is not judged on it (the check is skipped,
    # never reported as met); False: a value that cannot be read sends the rule to review.
    if_present: bool = False


Verdict = Literal["check", "favourable", "against"]


class Direction(BaseModel):
    """Whose side a clause is on, and what that means for the client.

    `reads` says how the text shows the parties' sides: `obligation` (the subject of shall /
    shall not / may not / agrees, and the grantor of a grant, is bound), `right` (the subject of
    may / shall have the right / is entitled, the grantee, the party whose consent is needed, is
    favoured), `liability_limit` (the party whose liability is limited is favoured),
    `liability_exposure` (the party whose liability is left uncapped is bound). "Either party",
    "each party", "neither party" make the clause mutual. The verdict for each reading of whom the
    clause burdens: `check` (the rule's kind and checks decide), `favourable` (it works for the
    client: compliant), `against` (one-sided against the client: a deviation).
    """

    model_config = ConfigDict(extra="forbid")  # a misspelt or stray key is an error

    reads: Literal["obligation", "right", "liability_limit", "liability_exposure"]
    burdens_client: Verdict = "check"
    burdens_counterparty: Verdict = "check"
    mutual: Verdict = "check"


class Requirement(BaseModel):
    """Values a judgment needs: when none of them is read the rule cannot pass."""

    model_config = ConfigDict(extra="forbid")  # a misspelt or stray key is an error

    any_of: list[
        Literal["money", "duration", "notice_days", "date", "jurisdiction", "multiple", "percent"]
    ]
    message: str


class RuleExample(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt or stray key is an error
    text: str = ""  # empty for `missing`: the contract has no clause of the rule's categories
    category: str | None = None  # the category the example clause is filed under
    expect: FindingStatus
    answer: str | None = None  # the normalised answer an extractor would give, if any
    # The parties (short name: role) and whose side the example is judged for (a name or role);
    # without them the client is the party with one of the playbook's `perspective` roles.
    parties: dict[str, str] = Field(default_factory=dict)
    client: str | None = None
    burdens: str | None = None  # the party the finding must say the clause burdens


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt or stray key is an error
    id: str
    title: str
    categories: list[str]
    # "require": the clause should be there (missing is the risk);
    # "avoid": the clause is the risk when present; "inform": report what it says.
    kind: Literal["require", "avoid", "inform"] = "require"
    preferred: str = ""
    severity_missing: Severity = "medium"
    severity_deviation: Severity = "medium"
    checks: list[AttributeCheck] = Field(default_factory=list)
    requires: Requirement | None = None
    direction: Direction | None = None
    # The roles the rule is written for; filled from the playbook's `perspective` when empty.
    perspective: list[str] = Field(default_factory=list)
    fallback: str = ""
    rationale: str = ""
    hypothesis: str | None = None  # NDA rules: the ContractNLI hypothesis the rule decides
    hypothesis_id: str | None = None  # its ContractNLI id ("nda-4"), to use the trained model
    # The NLI choice that complies with the playbook; NotMentioned otherwise reads as missing.
    hypothesis_preferred: NliChoice = "Entailment"
    action_missing: Action | None = None  # override the default action per status
    action_deviation: Action | None = None
    examples: list[RuleExample] = Field(default_factory=list)


class Playbook(BaseModel):
    name: str
    description: str = ""
    contract_types: list[str] = Field(default_factory=list)
    preferred_jurisdictions: list[str] = Field(default_factory=list)
    # The roles the positions are written for, in order of preference; the review assumes the
    # first such party is the client unless told otherwise (`--for`).
    perspective: list[str] = Field(default_factory=list)
    rules: list[Rule]

    def rule(self, rule_id: str) -> Rule:
        """Return the rule with `rule_id`; KeyError names the playbook when there is none."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"playbook {self.name!r} has no rule {rule_id!r}")

    def resolved(self) -> Playbook:
        """Resolve `@preferred_jurisdictions` and give every rule the playbook's perspective."""
        for rule in self.rules:
            rule.perspective = rule.perspective or list(self.perspective)
            for check in rule.checks:
                if check.value == PREFERRED_JURISDICTIONS:
                    check.value = list(self.preferred_jurisdictions)
        return self


class _LineLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no types
    """A SafeLoader that records the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    # The line of each key, so an error on one field points at that field, not its rule.
    mapping["__lines__"] = {
        k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
    }
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip_lines(v) for k, v in obj.items() if k not in ("__line__", "__lines__")}
    if isinstance(obj, list):
        return [_strip_lines(v) for v in obj]
    return obj


def _line_of(raw: Any, loc: tuple[str | int, ...]) -> int | None:
    line, node = None, raw
    for key in loc:
        if isinstance(node, dict) and isinstance(key, str):
            line = node.get("__lines__", {}).get(key, line)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = node.get("__line__", line)
    if line is None and isinstance(raw, dict):
        line = raw.get("__line__")
    return line


# A playbook is a few hundred rules at most; these leave room for ten times that, and stop a
# file of aliases that expands to gigabytes ("billion laughs") before anything is built from it.
MAX_PLAYBOOK_BYTES = 2 * 1024 * 1024
MAX_PLAYBOOK_NODES = 200_000


def _expanded_nodes(root: yaml.Node | None) -> int:
    """Count the nodes `root` stands for with every alias expanded (a cycle counts as too many)."""
    sizes: dict[int, int] = {}
    pending: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in pending:
            return MAX_PLAYBOOK_NODES + 1  # an alias inside its own anchor
        pending.add(key)
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v) for v in node.value)
        else:
            n = 1
        pending.discard(key)
        sizes[key] = min(n, MAX_PLAYBOOK_NODES + 1)
        return sizes[key]

    return size(root) if root is not None else 0


def _check_size(text: str, source: str) -> None:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PLAYBOOK_BYTES:
        raise PlaybookError(
            f"{source}: line 1: playbook is over {MAX_PLAYBOOK_BYTES // 1024**2} MB; "
            "no real playbook is that large"
        )
    try:
        root = yaml.compose(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError):
        return  # the parse below says where the YAML is broken
    if _expanded_nodes(root) > MAX_PLAYBOOK_NODES:
        raise PlaybookError(
            f"{source}: line 1: its aliases (*name) expand to more than "
            f"{MAX_PLAYBOOK_NODES:,} entries; write the rules out instead"
        )


def parse_playbook(text: str, source: str) -> Playbook:
    """Parse playbook YAML; errors name `source` and the offending line."""
    _check_size(text, source)
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise PlaybookError(f"{source}: {where}: invalid YAML ({getattr(e, 'problem', e)})") from e
    except RecursionError:
        raise PlaybookError(f"{source}: line 1: nested too deeply to be a playbook") from None
    if not isinstance(raw, dict):
        raise PlaybookError(f"{source}: line 1: a playbook is a mapping with 'name' and 'rules'")
    try:
        book = Playbook.model_validate(_strip_lines(raw))
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        line = _line_of(raw, loc)
        path = ".".join(str(p) for p in loc)
        raise PlaybookError(f"{source}: line {line}: {path}: {err['msg']}") from e
    ids = [r.id for r in book.rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        line = _rule_line(raw, dupes[0], nth=2)
        raise PlaybookError(f"{source}: line {line}: duplicate rule id(s): {', '.join(dupes)}")
    _check_patterns(book, raw, source)
    _check_wording(book, raw, source)
    return book.resolved()


def _rule_line(raw: dict[str, Any], rule_id: str, nth: int = 1) -> int | None:
    hits = [
        r.get("__line__")
        for r in raw.get("rules", [])
        if isinstance(r, dict) and r.get("id") == rule_id
    ]
    return hits[min(nth, len(hits)) - 1] if hits else None


def _check_patterns(book: Playbook, raw: dict[str, Any], source: str) -> None:
    """Compile every `matches` pattern now, so a bad one fails at load with its line."""
    for i, rule in enumerate(book.rules):
        for j, check in enumerate(rule.checks):
            if check.op not in ("matches", "not_matches"):
                continue
            try:
                re.compile(str(check.value))
            except re.error as e:
                line = _line_of(raw, ("rules", i, "checks", j))
                raise PlaybookError(
                    f"{source}: line {line}: rules.{i}.checks.{j}.value: bad regular expression ({e})"
                ) from e


def _check_wording(book: Playbook, raw: dict[str, Any], source: str) -> None:
    """A text check is a pattern a lawyer cannot read: it must say in words what it tests."""
    for i, rule in enumerate(book.rules):
        for j, check in enumerate(rule.checks):
            if check.attribute == "text" and not (check.message and check.met):
                line = _line_of(raw, ("rules", i, "checks", j))
                raise PlaybookError(
                    f"{source}: line {line}: rules.{i}.checks.{j}: a text check needs `message` "
                    "(what is wrong when it fails) and `met` (what holds when it passes)"
                )


def builtin_playbooks() -> list[str]:
    """Return the names of the playbooks shipped in `corpora/playbooks/`."""
    root = resources.files("legal_orch_corpora") / "playbooks"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load_playbook(name_or_path: str | Path) -> Playbook:
    """Load a built-in playbook by name (`commercial`, `nda`) or a YAML file by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.is_file():
            raise PlaybookError(f"{p}: no such playbook file")
        if p.stat().st_size > MAX_PLAYBOOK_BYTES:
            raise PlaybookError(
                f"{p}: line 1: playbook is over {MAX_PLAYBOOK_BYTES // 1024**2} MB; "
                "no real playbook is that large"
            )
        return parse_playbook(p.read_text(encoding="utf-8"), str(p))
    res = resources.files("legal_orch_corpora") / "playbooks" / f"{name_or_path}.yaml"
    if not res.is_file():
        known = ", ".join(builtin_playbooks())
        raise PlaybookError(f"{name_or_path}: no such playbook (built-in: {known})")
    return parse_playbook(res.read_text(encoding="utf-8"), f"playbooks/{name_or_path}.yaml")
