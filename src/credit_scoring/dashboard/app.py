"""Streamlit entry script (``streamlit run .../app.py``): Streamlit executes it top to bottom on every interaction."""

from credit_scoring.dashboard.main import main

main()
