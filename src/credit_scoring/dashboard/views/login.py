"""The login page: one form for advisors and clients; the API decides who is who."""

from __future__ import annotations

import streamlit as st

from credit_scoring.dashboard import session
from credit_scoring.dashboard.client import ApiError
from credit_scoring.dashboard.i18n import t
from credit_scoring.schemas import Principal

__all__ = ["login_page"]


def login_page() -> None:
    lang = session.current_lang()
    st.title(t("app_name", lang))
    st.header(t("page_login", lang))
    flash = session.pop_flash()
    if flash:
        st.warning(flash, icon="🔒")
    st.markdown(t("login_intro", lang))
    with st.form("login"):
        username = st.text_input(t("username", lang), autocomplete="username")
        password = st.text_input(t("password", lang), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(t("login_button", lang), type="primary")
    if not submitted:
        return
    api = session.api()
    try:
        token = api.login(username.strip(), password)
    except ApiError as exc:
        st.error(t("login_failed", lang, message=exc.detail), icon="⚠️")
        return
    st.session_state[session.PRINCIPAL_KEY] = Principal(
        username=username.strip(), role=token.role, client_id=token.client_id
    )
    st.rerun()
