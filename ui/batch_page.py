"""Batch page: review a folder or a zip of contracts; the documents x clause-types grid."""

from __future__ import annotations

import csv
from pathlib import Path

import streamlit as st
from legal_orch_ui import services
from legal_orch_ui.uploads import save_upload
from legal_orch_ui.views import batch_line

from legal_orch.errors import LegalOrchError

settings = services.settings()
st.title("Batch review")
st.caption(
    "Review a data room: every PDF and Word file of a folder or a zip, one review per contract "
    "and a grid of documents × clause types. A re-run resumes where a stopped one left off."
)

source_text = st.text_input("Folder or .zip path on this machine", key="batch_source")
zip_up = st.file_uploader("…or upload a .zip", type=["zip"], key="batch_zip")
st.session_state.setdefault("batch_out", str(settings.data_dir / "batches" / services.stamp()))
out_text = st.text_input("Output folder", key="batch_out")
c1, c2 = st.columns(2)
workers = c1.number_input(
    "Workers", min_value=1, max_value=64, value=1, step=1, key="batch_workers"
)
names = services.playbooks()
playbook = (
    c2.selectbox(
        "Playbook",
        names,
        index=names.index(settings.playbook) if settings.playbook in names else 0,
        key="batch_playbook",
    )
    if names
    else None
)


allowed = services.batch_folders(settings)
st.caption(
    "Folders this app may read and write (LEGAL_ORCH_BATCH_FOLDERS): "
    + ", ".join(f"`{f}`" for f in allowed)
)


def outside(what: str, path: Path) -> None:
    st.error(
        f"{what} {path} is outside the folders this app may use; set LEGAL_ORCH_BATCH_FOLDERS "
        "to allow it."
    )


def source() -> Path | None:
    if zip_up is not None:
        return save_upload(zip_up.name, zip_up.getvalue(), services.upload_dir())
    if not source_text.strip():
        st.error("Enter a folder or .zip path, or upload a .zip.")
        return None
    given = Path(source_text.strip()).expanduser()
    path = services.within_folders(given, allowed)
    if path is None:
        outside("The source", given)
        return None
    if not path.exists():
        st.error(f"{path}: no such folder or file")
        return None
    if path.is_file() and path.suffix.lower() != ".zip":
        st.error(f"{path}: not a folder or a .zip file")
        return None
    return path


def destination() -> Path | None:
    given = Path(out_text).expanduser()
    path = services.within_folders(given, allowed)
    if path is None:
        outside("The output folder", given)
    return path


if (
    st.button("Run batch", type="primary", key="run_batch")
    and (src := source()) is not None
    and (dest := destination()) is not None
):
    bar, line = st.progress(0.0), st.empty()

    def show(p) -> None:
        bar.progress(min(p.done / p.total, 1.0) if p.total else 0.0)
        line.write(batch_line(p))

    try:
        with st.spinner(f"Reviewing {src.name}…"):
            st.session_state["batch_result"] = services.run_batch(
                src,
                dest,
                workers=int(workers),
                playbook=playbook,
                settings=settings,
                on_progress=show,
            )
    except LegalOrchError as e:
        st.error(str(e))

result = st.session_state.get("batch_result")
if result is None:
    st.stop()

m1, m2, m3, m4 = st.columns(4)
m1.metric("Documents", result.total)
m2.metric("Reviewed", result.succeeded)
m3.metric("Failed", result.failed)
m4.metric("Skipped (done before)", result.skipped)
st.markdown("#### Documents × clause types")
if result.rows:
    st.dataframe(result.rows, hide_index=True)
else:
    st.info("No contract could be reviewed: see the errors below.")
errors = Path(result.errors_csv) if result.errors_csv else None
if result.failed and errors and errors.is_file():
    st.markdown("#### Files that could not be reviewed")
    with errors.open(encoding="utf-8", newline="") as f:
        st.dataframe(list(csv.DictReader(f)), hide_index=True)
d1, d2, d3 = st.columns(3)
for col, label, path, mime in (
    (d1, "Grid (CSV)", result.summary_csv, "text/csv"),
    (
        d2,
        "Grid (XLSX)",
        result.summary_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (d3, "Errors (CSV)", result.errors_csv, "text/csv"),
):
    if path and Path(path).is_file():
        col.download_button(
            label,
            Path(path).read_bytes(),
            Path(path).name,
            mime,
            key=f"dl_{label}",
            on_click="ignore",
        )
st.caption(f"Reviews and grid written to {Path(out_text).expanduser()}")
