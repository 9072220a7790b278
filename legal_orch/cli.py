"""`legal-orch`: a thin CLI over the library. Results to stdout, progress to stderr."""

from __future__ import annotations

import json
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Callable

    from legal_orch.review import Reviewer
    from legal_orch.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Offline-first contract review.")
eval_app = typer.Typer(no_args_is_help=True, help="Accuracy evals on public benchmarks.")
train_app = typer.Typer(no_args_is_help=True, help="Train the shipped models from declared data.")
build_app = typer.Typer(no_args_is_help=True, help="Build the shipped corpora from declared data.")
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(build_app, name="build")

# Exit codes (review): 0 done and validation passed; 1 bad input or a failure (one line on
# stderr); 2 usage (a bad option or LEGAL_ORCH_* value); 3 paused for a lawyer's decision;
# 4 incomplete: an agent failed, so some rules have no answer (the review says which);
# 5 validation failed: the review is complete but a check failed (a quote, a contradiction).
# batch: 1 if any file could not be reviewed, else 4 if any review is incomplete, else 5 if any
# failed validation, else 0.
EXIT_USAGE = 2
EXIT_PAUSED = 3
EXIT_NOT_PASSED = 4  # an incomplete review
EXIT_VALIDATION_FAILED = 5
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@app.callback()
def _private() -> None:
    """Offline-first contract review."""
    # Everything the tool writes (checkpoints, stores, uploads, reviews) holds clients'
    # contracts: readable by this user only.
    os.umask(0o077)


class Fmt(StrEnum):
    md = "md"
    json = "json"
    html = "html"


def err(msg: str) -> None:
    """Print a one-line message to stderr."""
    print(f"legal-orch: {msg}", file=sys.stderr)


def _settings(**overrides: Any) -> Settings:
    from legal_orch.errors import SettingsError
    from legal_orch.settings import load_settings

    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except SettingsError as e:
        err(str(e))
        raise typer.Exit(EXIT_USAGE) from None


def _check_out_file(option: str, out: Path) -> None:
    """Refuse an output file the review could not be written to, before the review runs."""
    problem = None
    if out.is_dir():
        problem = "is a folder; give a file name"
    elif not out.parent.is_dir():
        problem = f"folder {out.parent} does not exist"
    elif not os.access(out.parent, os.W_OK):
        problem = f"cannot write in folder {out.parent}"
    if problem:
        err(f"{option} {out}: {problem}")
        raise typer.Exit(EXIT_USAGE)


def _open_reviewer(settings: Any, fresh: bool) -> Reviewer:
    """Build the Reviewer; with --fresh, a corrupt checkpoint database is set aside first."""
    from legal_orch.errors import CheckpointError
    from legal_orch.graph.checkpoint import set_aside
    from legal_orch.review import Reviewer

    try:
        return Reviewer(settings)
    except CheckpointError:
        if not fresh:
            raise
    moved = set_aside(settings.checkpoint_path())
    err(f"warning: the checkpoint database was corrupt; moved it to {moved}, starting over")
    return Reviewer(settings)


def _exit_status(result: Any, name: str) -> int:
    """Say on stderr what an incomplete or failed review lacks; return its exit status."""
    from legal_orch.batch.outputs import not_answered

    v = result.validation
    if v.status == "incomplete":
        what = not_answered(result) or "see the review's failures"
        err(f"{name}: review incomplete, an agent failed; not answered: {what}")
        return EXIT_NOT_PASSED
    if v.status == "failed":
        failed = [c.name for c in v.checks if c.status == "failed"]
        err(f"{name}: review complete but validation failed ({', '.join(failed)})")
        return EXIT_VALIDATION_FAILED
    return 0


def _progress_printer(quiet: bool) -> Callable[[dict[str, Any]], None]:
    def show(event: dict[str, Any]) -> None:
        if quiet or "stage" not in event:
            return
        sub = f" [{event['subtask']}]" if event.get("subtask") else ""
        print(f"  {event['stage']}{sub} {event['seconds']:.2f}s", file=sys.stderr)

    return show


def _parse_decisions(items: list[str], reviewer: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        rule, _, decision = item.partition("=")
        if decision not in ("accept", "reject"):
            raise typer.BadParameter(
                f"--decide {item!r}: expected RULE=accept|reject (or *=accept)"
            )
        out[rule] = {"decision": decision, "reviewer": reviewer}
    return out


@app.command()
def review(
    path: Annotated[Path, typer.Argument(help="The contract PDF.")],
    playbook: Annotated[
        str | None, typer.Option(help="Built-in playbook name or a YAML file.")
    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="Output format.")] = Fmt.md,
    out: Annotated[
        Path | None, typer.Option(help="Write the review here instead of stdout.")
    ] = None,
    interrupts: Annotated[
        bool, typer.Option(help="Pause for a lawyer on uncertain high risks.")
    ] = False,
    decide: Annotated[
        list[str] | None, typer.Option(help="Resume a paused review: RULE=accept|reject.")
    ] = None,
    reviewer: Annotated[
        str, typer.Option(help="Who decides (recorded with decisions).")
    ] = "lawyer",
    fresh: Annotated[
        bool, typer.Option(help="Start over instead of resuming an earlier run.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    for_party: Annotated[
        str | None,
        typer.Option(
            "--for", help="Whose side: a party's name, its short name or its role (licensee)."
        ),
    ] = None,
    redline: Annotated[
        Path | None,
        typer.Option(help="Also write the contract with tracked changes and comments (.docx)."),
    ] = None,
    calendar: Annotated[
        Path | None, typer.Option(help="Also write the key dates as an iCalendar file (.ics).")
    ] = None,
    ocr: Annotated[bool, typer.Option(help="Read a scanned PDF (no text layer) with OCR.")] = False,
    budget: Annotated[
        float | None,
        typer.Option(help="Most the review may spend on language models (price table currency)."),
    ] = None,
) -> None:
    """Review one contract (PDF or Word .docx) and print the cited review."""
    from legal_orch.errors import LegalOrchError
    from legal_orch.review import Paused

    settings = _settings(
        playbook=playbook, interrupts=interrupts or None, ocr=ocr or None, budget=budget
    )
    for option, target in (("--out", out), ("--redline", redline), ("--calendar", calendar)):
        if target:
            _check_out_file(option, target)
    try:
        reviewer_ = _open_reviewer(settings, fresh)
        if not quiet:
            print(f"reviewing {path.name} with playbook {reviewer_.playbook.name}", file=sys.stderr)
        started = time.perf_counter()
        result = reviewer_.review(
            path,
            on_progress=_progress_printer(quiet),
            decisions=_parse_decisions(decide or [], reviewer),
            fresh=fresh,
            client=for_party,
        )
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    if isinstance(result, Paused):
        err(f"{path.name}: paused for a lawyer's decision; rerun with --decide RULE=accept|reject")
        print(json.dumps(result.question, indent=2))
        raise typer.Exit(EXIT_PAUSED)
    from legal_orch.reports.report import render

    text = render(result, fmt.value)
    if out:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as e:
            err(f"--out {out}: cannot write ({e.strerror})")
            raise typer.Exit(1) from None
    else:
        sys.stdout.write(text)
    if redline:
        from legal_orch.reports.redline import to_redline

        to_redline(result, path, redline)
    if calendar:
        from legal_orch.reports.calendar import to_ics

        calendar.write_text(to_ics([result]), encoding="utf-8")
    if not quiet:
        wall = time.perf_counter() - started
        print(f"done: validation {result.validation.status} in {wall:.1f}s", file=sys.stderr)
    raise typer.Exit(_exit_status(result, path.name))


@app.command()
def ask(
    path: Annotated[Path, typer.Argument(help="The contract (PDF or Word .docx).")],
    question: Annotated[str, typer.Argument(help="The question, in plain words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question about one contract from its own text, quoting it (needs an LLM)."""
    from legal_orch.errors import LegalOrchError
    from legal_orch.ingest import parse
    from legal_orch.ingest.segment import segment
    from legal_orch.registry import runner
    from legal_orch.review import Reviewer
    from legal_orch.router import choose

    try:
        r = Reviewer(_settings())
        hook = next((s.hooks["ask"] for s in r.registry.all() if "ask" in s.hooks), None)
        if r.llm is None or hook is None:
            raise LegalOrchError(
                "asking needs a language model: set LEGAL_ORCH_LLM_PROVIDER or LEGAL_ORCH_LLM_BASE_URL"
            )
        s = r.settings
        doc = parse(path, max_pages=s.max_pages, max_file_mb=s.max_file_mb, ocr=s.ocr)
        seg = segment(doc)
        r.store.index_contract(doc, seg)
        ctx = r.context()
        terms = runner(choose(r.registry, "key_terms"), "key_terms")(doc, seg, [], ctx)
        answered = hook(doc, question, ctx, terms.parties)
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    if as_json:
        print(answered.model_dump_json(indent=2))
        return
    print(answered.answer)
    for c in answered.citations:
        print(f"  {doc.unit}{c.page} [{c.start}:{c.end}] “{' '.join(c.quote.split())}”")
    for n in answered.notes:
        print(f"  note: {n}", file=sys.stderr)


@app.command()
def agents() -> None:
    """List the registered agents with their capability, cost tier and implementation."""
    from legal_orch.errors import LegalOrchError
    from legal_orch.registry import default_registry

    try:
        specs = default_registry().all()
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    for s in specs:
        q = f"{s.quality_for(()):.2f}" if s.measured else "unmeasured"
        print(
            f"{s.name:28} {s.capability:10} tier {s.cost_tier}  quality {q:5}  {s.implementation}"
        )


@app.command()
def setup(quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False) -> None:
    """Prepare every agent's stores ahead of the first review (the precedent bank's index, say)."""
    from legal_orch.review import Reviewer

    reviewer = Reviewer(_settings())
    ctx = reviewer.context()
    for spec in reviewer.registry.all():
        if spec.setup is not None:
            line = spec.setup(ctx)
            if not quiet:
                print(f"{spec.name}: {line}", file=sys.stderr)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port to serve the app on.")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    remote: Annotated[
        bool, typer.Option(help="Allow an --address other machines reach (needs --secrets).")
    ] = False,
    secrets: Annotated[
        Path | None,
        typer.Option(help="Streamlit secrets file with an [auth] table: the login (OIDC)."),
    ] = None,
) -> None:
    """Start the Streamlit app (on 127.0.0.1 unless --remote with a login)."""
    from legal_orch_ui import APP_PATH

    from legal_orch.errors import SettingsError
    from legal_orch.serve import streamlit_command

    _settings()  # a bad LEGAL_ORCH_* value is one line here, not a traceback in the app
    try:
        command = streamlit_command(
            APP_PATH, address=address, port=port, remote=remote, secrets=secrets
        )
    except SettingsError as e:
        err(str(e))
        raise typer.Exit(EXIT_USAGE) from None
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the server: stopping this command (Ctrl-C, kill) stops Streamlit, no orphan left.
    os.execv(command[0], command)


class BatchEngine(StrEnum):
    local = "local"
    ray = "ray"


@app.command()
def batch(
    source: Annotated[
        Path, typer.Argument(help="A folder of PDFs (searched recursively) or a .zip.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (reviews, summary.csv/xlsx, errors.csv).")
    ],
    workers: Annotated[
        int, typer.Option(help="Parallel workers, each with its own models loaded once.")
    ] = 1,
    playbook: Annotated[
        str | None, typer.Option(help="Built-in playbook name or a YAML file.")
    ] = None,
    engine: Annotated[
        BatchEngine, typer.Option(help="local: a process pool; ray: Ray actors.")
    ] = BatchEngine.local,
    ray_address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: start a local Ray).")
    ] = None,
    chroma_host: Annotated[
        str | None, typer.Option(help="Chroma server host shared by all workers.")
    ] = None,
    chroma_port: Annotated[int | None, typer.Option(help="Chroma server port.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    for_role: Annotated[
        str | None,
        typer.Option(help="Whose side in every contract: a role (customer) or a party's name."),
    ] = None,
    timeout_per_file: Annotated[
        float | None,
        typer.Option(
            help="Stop a file's review after this many seconds (recorded in errors.csv; "
            "the batch goes on)."
        ),
    ] = None,
    ocr: Annotated[
        bool, typer.Option(help="Read scanned PDFs with OCR (time limit: LEGAL_ORCH_OCR_TIMEOUT).")
    ] = True,
    force: Annotated[
        bool,
        typer.Option(
            help="Write into an output folder that holds other files (never changed or deleted)."
        ),
    ] = False,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Most the whole batch may spend on language models (price table currency); "
            "contracts past it are judged offline."
        ),
    ] = None,
) -> None:
    """Review every contract in a folder in parallel; resumable; exit 0 only if all succeeded."""
    from legal_orch.batch.console import progress_bar
    from legal_orch.batch.driver import machine_workers, run_batch
    from legal_orch.errors import LegalOrchError

    try:
        settings = _settings(chroma_host=chroma_host, chroma_port=chroma_port, ocr=ocr)
        most, why = machine_workers(settings)
        if workers > most and not ray_address:
            err(f"warning: --workers {workers}: this machine holds {most} ({why}); using {most}")
        with progress_bar(quiet) as show:
            result = run_batch(
                source,
                out,
                workers=workers,
                engine=engine.value,
                ray_address=ray_address,
                playbook=playbook,
                settings=settings,
                on_progress=show,
                for_role=for_role,
                timeout_per_file=timeout_per_file,
                force=force,
                budget=budget,
                on_estimate=lambda est: print(f"estimate: {est.line()}", file=sys.stderr),
            )
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    print(
        json.dumps(
            {
                "total": result.total,
                "succeeded": result.succeeded,
                "incomplete": result.incomplete,
                "failed": result.failed,
                "skipped": result.skipped,
                "validation_failed": result.validation_failed,
                "seconds": result.seconds,
                "summary_csv": str(result.summary_csv),
                "summary_xlsx": str(result.summary_xlsx),
                "errors_csv": str(result.errors_csv),
                "model_money": result.money,
            },
            indent=2,
        )
    )
    if result.failed:
        err(
            f"{result.failed} of {result.total} file(s) could not be reviewed: see {result.errors_csv}"
        )
        raise typer.Exit(1)
    if result.incomplete:
        err(
            f"{result.incomplete} of {result.total} review(s) incomplete, an agent failed: see "
            f"the 'not answered' column of {result.summary_csv}"
        )
        raise typer.Exit(EXIT_NOT_PASSED)
    if result.validation_failed:
        err(f"{result.validation_failed} review(s) failed validation: see {result.summary_csv}")
        raise typer.Exit(EXIT_VALIDATION_FAILED)


@app.command()
def purge(
    contract: Annotated[
        str, typer.Argument(help="The contract's SHA-256 (as in a review), or the file itself.")
    ],
) -> None:
    """Remove every trace of one contract: checkpoints, search index, decisions, cached answers,
    uploads and the app's batch reviews. Reviews you wrote elsewhere (--out) are yours to delete."""
    from legal_orch.errors import LegalOrchError
    from legal_orch.retention import contract_hash
    from legal_orch.retention import purge as purge_contract

    try:
        sha = contract_hash(contract)
        removed = purge_contract(_settings(), sha)
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(EXIT_USAGE) from None
    for line in removed:
        print(line)
    if not removed:
        print(f"nothing of contract {sha[:16]}… is held here")


def _data(path: Path | None, sub: str) -> Path:
    p = path or SHARED_DATA / sub
    if not p.exists():
        err(f"{p}: data not found (pass --data)")
        raise typer.Exit(1)
    return p


def _scalars(m: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in m.items() if not isinstance(v, dict | list)}, indent=2)


SplitOpt = Annotated[
    str | None,
    typer.Option(
        help="train, dev, test or all (default: test for the shared CUAD release, all for "
        "any other folder)."
    ),
]
ScorecardOpt = Annotated[
    bool,
    typer.Option(help="Write the measured quality to corpora/scorecard.json (dev split only)."),
]


@eval_app.command("cuad")
def eval_cuad(
    data: Annotated[Path | None, typer.Option(help="CUAD-format folder.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/eval-cuad"),
    limit: Annotated[int | None, typer.Option(help="Only the first N contracts.")] = None,
    split: SplitOpt = None,
    scorecard: ScorecardOpt = False,
    tier0_only: Annotated[
        bool, typer.Option(help="Measure tier 0 alone (skip tier 1, combined and the cascade).")
    ] = False,
    quick: Annotated[
        bool, typer.Option(help="Measure tier 0 and the cascade only (skip tier 1 alone).")
    ] = False,
) -> None:
    """Score clause extraction on CUAD with the publisher's metric, and its cost per tier."""
    from legal_orch_evals.cuad import run

    from legal_orch.errors import LegalOrchError

    try:
        m = run(
            _data(data, "cuad"),
            out,
            limit=limit,
            split=split,
            scorecard=scorecard,
            tier0_only=tier0_only,
            modes=("tier0", "cascade") if quick else ("tier0", "tier1", "combined", "cascade"),
        )
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    err(f"scored {m['contracts']} contract(s) of split '{m['split']}'")
    print(_scalars(m))


@eval_app.command("review")
def eval_review(
    data: Annotated[Path | None, typer.Option(help="CUAD-format folder.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/eval-review"),
    split: SplitOpt = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N contracts.")] = None,
    for_role: Annotated[
        str | None,
        typer.Option(help="Whose side in every contract: a role (customer) or a party's name."),
    ] = None,
    scorecard: ScorecardOpt = False,
) -> None:
    """Review CUAD PDFs end to end and score key terms and findings against CUAD's lawyers."""
    from legal_orch_evals.review import run

    from legal_orch.errors import LegalOrchError

    try:
        m = run(
            _data(data, "cuad"),
            out,
            split=split,
            limit=limit,
            for_role=for_role,
            reviewer=None,
            scorecard=scorecard,
        )
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    err(
        f"scored {m['documents']} review(s) of split '{m['split']}'; {m['documents_failed']} failed"
    )
    print(_scalars(m))


@eval_app.command("route")
def eval_route(
    data: Annotated[
        Path | None,
        typer.Option(help="CUAD-format folder (default: the shared CUAD, else the test fixtures)."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("evals/results/route"),
    split: Annotated[
        str | None, typer.Option(help="Split of the shared CUAD (default dev; tune on dev only).")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N contracts.")] = None,
    cascade_below: Annotated[
        float, typer.Option(help="The cascade asks a model where the cheap tier is less sure.")
    ] = 0.6,
) -> None:
    """Replay contracts through the routing policies; write each one's cost and quality."""
    from legal_orch_evals.route import run

    from legal_orch.errors import LegalOrchError

    if data is None:
        shared = SHARED_DATA / "cuad"
        fixtures = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cuad"
        data, split = (shared, split or "dev") if shared.exists() else (fixtures, split)
    try:
        m = run(
            _data(data, "cuad"),
            out,
            split=split,
            limit=limit,
            settings=_settings(),
            cascade_below=cascade_below,
        )
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    err(
        f"replayed {m['contracts_scored']} contract(s) of split '{m['split']}' over tiers "
        f"{', '.join(m['tiers'])}; table in {out / 'report.md'}"
    )
    print(json.dumps(m["policies"], indent=2))


@eval_app.command("acord")
def eval_acord(
    data: Annotated[Path | None, typer.Option(help="ACORD BEIR folder.")] = None,
    split: Annotated[str, typer.Option(help="train, valid or test.")] = "valid",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/eval-acord"),
) -> None:
    """Score precedent retrieval on ACORD (NDCG@5/10, 4- and 5-star precision@5)."""
    from legal_orch_evals.acord import run

    m = run(_data(data, "acord"), split, out)
    print(json.dumps({k: v for k, v in m.items() if not isinstance(v, list)}, indent=2))


@eval_app.command("contractnli")
def eval_contractnli(
    data: Annotated[
        Path | None, typer.Option(help="ContractNLI JSON file (default: the shared dev.json).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/eval-contractnli"),
    scorecard: ScorecardOpt = False,
) -> None:
    """Score the NDA playbook's decisions on ContractNLI: the product path and the paper's."""
    from legal_orch_evals.contractnli import run

    from legal_orch.errors import LegalOrchError

    try:
        m = run(data or _data(None, "contract_nli") / "dev.json", out, scorecard=scorecard)
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(1) from None
    err(f"scored {m['documents']} NDA(s) of {m['data']}")
    summary = {
        f"{part}.{k}": v
        for part in ("product", "gold_spans")
        for k, v in m[part].items()
        if not isinstance(v, dict | list)
    }
    print(json.dumps({"data": m["data"], "documents": m["documents"], **summary}, indent=2))


@eval_app.command("gold")
def eval_gold(
    gold: Annotated[Path, typer.Option(help="Gold-set JSONL (the app's decisions export).")],
    reviews: Annotated[
        Path | None, typer.Option(help="Folder of review JSON files to score.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/eval-gold"),
) -> None:
    """Score the product against lawyers' accept/reject/edit decisions."""
    from legal_orch_evals.gold import run

    m = run(gold, reviews, out)
    print(json.dumps({k: v for k, v in m.items() if not isinstance(v, dict | list)}, indent=2))


@app.command("export-gold")
def export_gold(
    out: Annotated[Path, typer.Argument(help="Where to write the gold-set JSONL.")],
) -> None:
    """Export the lawyers' decisions recorded in the app as a gold set."""
    from legal_orch.decisions import DecisionStore

    print(DecisionStore.from_settings(_settings()).export_gold(out))


def _train(target: str, data: Path | None) -> None:
    from legal_orch.errors import LegalOrchError
    from legal_orch.registry import default_registry

    try:
        spec, hook = default_registry().trainer(target)
    except LegalOrchError as e:
        err(str(e))
        raise typer.Exit(2) from None
    print(f"training {target} ({spec.name})", file=sys.stderr)
    print(json.dumps(hook(_data(data, "")), indent=2, default=str))


@train_app.command("model")
def train_model(
    name: Annotated[str, typer.Argument(help="A model an agent declares (or the agent's name).")],
    data: Annotated[Path | None, typer.Option(help="The shared data folder.")] = None,
) -> None:
    """Train any model an installed agent declares, found through the registry."""
    _train(name, data)


@train_app.command("extract")
def train_extract(
    data: Annotated[Path | None, typer.Option(help="The shared data folder (or CUAD's).")] = None,
) -> None:
    """Train the clause-extraction model on CUAD's train split (tuned on dev)."""
    _train("extract", data)


@train_app.command("nli")
def train_nli(
    data: Annotated[Path | None, typer.Option(help="The shared data folder.")] = None,
) -> None:
    """Train the NDA (ContractNLI) classifier on its training documents."""
    _train("nli", data)


@train_app.command("rerank")
def train_rerank(
    data: Annotated[Path | None, typer.Option(help="The shared data folder (or ACORD's).")] = None,
) -> None:
    """Train the precedent reranker on ACORD's train queries."""
    _train("rerank", data)


@build_app.command("precedents")
def build_precedents(
    data: Annotated[Path | None, typer.Option(help="The shared data folder.")] = None,
) -> None:
    """Build the precedent bank under corpora/precedents from CUAD and ACORD."""
    _train("precedents", data)


if __name__ == "__main__":
    app()
