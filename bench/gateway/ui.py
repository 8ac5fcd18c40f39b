"""Direct Streamlit baseline: the same page without FluxLit."""

import streamlit as st

st.title("Bench page")
