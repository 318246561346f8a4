"""Streamlit dashboard for relationship managers and clients. It reaches the model only through the API
(``ApiClient``); see ``run_dashboard`` to start it. Importing this package starts nothing and imports no Streamlit."""

from credit_scoring.dashboard.launch import run_dashboard

__all__ = ["run_dashboard"]
