"""Streamlit pages. Each page is a function run by ``st.navigation``; importing this package renders nothing."""

from credit_scoring.dashboard.views.advisor import (
    client_file_page,
    compare_page,
    model_page,
    new_application_page,
    what_if_page,
)
from credit_scoring.dashboard.views.client_view import my_file_page
from credit_scoring.dashboard.views.login import login_page
from credit_scoring.dashboard.views.monitoring import monitoring_page

__all__ = [
    "client_file_page",
    "compare_page",
    "login_page",
    "model_page",
    "monitoring_page",
    "my_file_page",
    "new_application_page",
    "what_if_page",
]
