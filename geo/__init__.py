"""Pure data code for the facial-recognition deployments atlas (no Streamlit here)."""
