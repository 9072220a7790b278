"""Evals page: run an accuracy eval or open earlier results: headline numbers, PR curves, tables."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st
from legal_orch_ui import services
from legal_orch_ui.views import find_results, split_metrics

from legal_orch.errors import LegalOrchError

settings = services.settings()
st.title("Evals")


def show_results(folder: Path) -> None:
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        st.error(f"{folder / 'metrics.json'}: cannot read ({type(e).__name__})")
        return
    scalars, tables = split_metrics(metrics)
    numbers = {
        k: v for k, v in scalars.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }
    cols = st.columns(4)
    for i, (k, v) in enumerate(list(numbers.items())[:8]):
        cols[i % 4].metric(k, f"{v:.3f}" if isinstance(v, float) else v)
    with st.expander("All headline numbers"):
        st.dataframe([{"metric": k, "value": str(v)} for k, v in scalars.items()], hide_index=True)
    for png in sorted(folder.glob("*.png")):
        st.image(str(png), caption=png.name)
    for name, rows in tables.items():
        st.markdown(f"**{name.replace('_', ' ')}**")
        st.dataframe(rows, hide_index=True)
    report = folder / "report.md"
    if report.is_file():
        with st.expander("Report"):
            st.markdown(report.read_text(encoding="utf-8"))


mode = st.radio(
    "Mode",
    ["Open results", "Run an eval"],
    horizontal=True,
    key="eval_mode",
    label_visibility="collapsed",
)
roots = services.results_roots(settings)

if mode == "Open results":
    found = find_results(roots)
    if not found:
        st.info("No results yet: run an eval, or see `legal-orch eval --help`.")
        st.stop()

    def label(p: Path) -> str:
        root = next((r for r in roots if p.is_relative_to(r)), p.parent)
        return f"{p.relative_to(root)} ({'committed' if root == roots[0] else 'run here'})"

    chosen = st.selectbox("Results", found, format_func=label, key="eval_open")
    show_results(chosen)
    st.stop()

name = st.selectbox("Eval", list(services.EVALS), key="eval_name")
what, default, _ = services.EVALS[name]
if name == "gold":
    default = settings.data_dir / "gold.jsonl"
    if st.button("Export the gold set from the decisions", key="export_gold"):
        path = services.decisions(settings).export_gold(default)
        st.success(f"Gold set written: {path}")
data = st.text_input(what, value=str(default), key=f"eval_data_{name}")
options: dict = {}
if name in ("cuad", "review"):
    options["split"] = st.selectbox(
        "Split", ["test", "dev", "train", "all"], key=f"eval_{name}_split"
    )
    options["limit"] = (
        int(st.number_input("Only the first N contracts (0: all)", 0, 10000, 20, key="eval_limit"))
        or None
    )
elif name == "acord":
    options["split"] = st.selectbox("Split", ["valid", "test", "train"], key="eval_acord_split")
elif name == "gold":
    reviews = st.text_input("Folder of review JSON files to score (optional)", key="eval_reviews")
    options["reviews"] = Path(reviews).expanduser() if reviews.strip() else None

if st.button("Run eval", type="primary", key="run_eval"):
    out = settings.data_dir / "evals" / f"{name}-{services.stamp()}"
    try:
        with st.spinner(f"Running the {name} eval…"):
            services.run_eval(name, Path(data).expanduser(), out, **options)
        st.session_state["eval_out"] = out
    except (LegalOrchError, OSError, ImportError, ValueError) as e:
        st.error(f"{name}: {e}".splitlines()[0])

if st.session_state.get("eval_out"):
    st.success(f"Results in {st.session_state['eval_out']}")
    show_results(st.session_state["eval_out"])
