"""The dashboard's composition: language switch, login, and the pages the user's role may see.

``main()`` is called by the Streamlit entry script ``app.py`` on every run (Streamlit's model: the script runs top to
bottom on each interaction); nothing happens at import.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from credit_scoring.dashboard import session, views
from credit_scoring.dashboard.i18n import LANGS, t
from credit_scoring.schemas import Lang

__all__ = ["main"]

_LANG_NAMES: dict[Lang, str] = {"fr": "Français", "en": "English"}


def _set_document_language(lang: Lang) -> None:
    """Screen readers pick their voice from <html lang>; Streamlit always writes "en" (WCAG 3.1.1)."""
    st.html(f"<script>document.documentElement.lang = '{lang}';</script>", unsafe_allow_javascript=True)


def _sidebar(lang: Lang) -> None:
    with st.sidebar:
        st.radio(
            t("lang_label", lang),
            LANGS,
            format_func=lambda code: _LANG_NAMES[code],
            key=session.LANG_KEY,
            horizontal=True,
        )
        who = session.principal()
        if who is not None:
            st.markdown(t("logged_in_as", lang, user=who.username, role=t("role_" + who.role, lang)))
            if st.button(t("logout_button", lang), key="logout"):
                session.logout()
                st.rerun()


def _pages(lang: Lang) -> list[StreamlitPage]:
    who = session.principal()
    if who is None:
        return [st.Page(views.login_page, title=t("page_login", lang), icon="🔑", url_path="login", default=True)]
    if who.role == "client":
        return [st.Page(views.my_file_page, title=t("page_my_file", lang), icon="📄", url_path="my-file", default=True)]
    return [
        st.Page(views.client_file_page, title=t("page_client_file", lang), icon="📄", url_path="client", default=True),
        st.Page(views.compare_page, title=t("page_compare", lang), icon="📊", url_path="compare"),
        st.Page(views.what_if_page, title=t("page_what_if", lang), icon="🔁", url_path="what-if"),
        st.Page(views.new_application_page, title=t("page_new_application", lang), icon="📝", url_path="new"),
        st.Page(views.model_page, title=t("page_model", lang), icon="⚙️", url_path="model"),
        st.Page(views.monitoring_page, title=t("page_monitoring", lang), icon="📈", url_path="monitoring"),
    ]


def main() -> None:
    """One run of the app for this browser session."""
    lang = session.current_lang()
    page = st.navigation(_pages(lang))
    st.set_page_config(page_title=f"{page.title} — Prêt à dépenser", layout="wide", page_icon="💶")
    _set_document_language(lang)
    _sidebar(lang)
    page.run()
