"""The app's entry point (`legal-orch ui`): one navigation over the Review, Batch and Evals pages."""

from pathlib import Path

import streamlit as st
from legal_orch_ui import services
from legal_orch_ui.access import gate

HERE = Path(__file__).parent

# An emoji icon is drawn by the browser; a ":material/...:" one is fetched from a font CDN.
st.set_page_config(page_title="legal_orch", page_icon="⚖️", layout="wide")
gate()
services.settings()  # a bad LEGAL_ORCH_* value stops here with one line, on every page
page = st.navigation(
    [
        st.Page(
            HERE / "review_page.py",
            title="Review",
            icon=":material/description:",
            url_path="review",
            default=True,
        ),
        st.Page(
            HERE / "batch_page.py", title="Batch", icon=":material/folder_zip:", url_path="batch"
        ),
        st.Page(
            HERE / "evals_page.py", title="Evals", icon=":material/monitoring:", url_path="evals"
        ),
    ]
)
page.run()
