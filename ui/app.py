"""The app's entry point (`legal-orch ui`): one navigation over the Review, Batch and Evals pages."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

st.set_page_config(page_title="legal_orch", page_icon=":material/gavel:", layout="wide")
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
