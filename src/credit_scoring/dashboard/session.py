"""Per-browser-session state: the user's ``ApiClient`` (and token), language, selected client and answers memo.

Everything here lives in ``st.session_state``, which Streamlit keeps per browser session: one user's token or data can
never be served to another user, unlike ``st.cache_data``/``st.cache_resource`` which are shared by every session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import streamlit as st

from credit_scoring.config import get_settings
from credit_scoring.dashboard.client import ApiClient, ApiError, AuthenticationError
from credit_scoring.dashboard.i18n import t
from credit_scoring.schemas import Lang, Principal

__all__ = [
    "API_KEY",
    "LANG_KEY",
    "PRINCIPAL_KEY",
    "SK_ID_KEY",
    "api",
    "current_lang",
    "forget",
    "logout",
    "memo",
    "memo_many",
    "principal",
    "report",
    "select_client",
    "selected_client",
]

logger = logging.getLogger(__name__)

API_KEY = "api"
LANG_KEY = "lang"
PRINCIPAL_KEY = "principal"
SK_ID_KEY = "sk_id"
_MEMO_KEY = "_memo"
_FLASH_KEY = "_flash"
_QUERY_SEEN_KEY = "_query_client_seen"

_T = TypeVar("_T")


def api() -> ApiClient:
    """This session's client, created on first use with the URL from the settings (tests put a fake here)."""
    if API_KEY not in st.session_state:
        settings = get_settings()
        st.session_state[API_KEY] = ApiClient(settings.dashboard_api_url, timeout=settings.dashboard_api_timeout)
    client: ApiClient = st.session_state[API_KEY]
    return client


def current_lang() -> Lang:
    lang: Lang = st.session_state.get(LANG_KEY, "fr")
    return lang if lang in ("fr", "en") else "fr"


def principal() -> Principal | None:
    """The logged-in user, or None (also None once the API said the token is no longer valid)."""
    who: Principal | None = st.session_state.get(PRINCIPAL_KEY)
    if who is not None and not api().logged_in:
        return None
    return who


def logout(message: str | None = None) -> None:
    """Forget the token and everything fetched with it; ``message`` is shown on the login page."""
    if API_KEY in st.session_state:
        st.session_state[API_KEY].logout()
    for key in (PRINCIPAL_KEY, SK_ID_KEY, _MEMO_KEY, _QUERY_SEEN_KEY):
        st.session_state.pop(key, None)
    if message:
        st.session_state[_FLASH_KEY] = message


def pop_flash() -> str | None:
    message: str | None = st.session_state.pop(_FLASH_KEY, None)
    return message


def memo(key: Hashable, fetch: Callable[[], _T]) -> _T:
    """Fetch once per session: page reruns (every widget change) must not call the API again, nor log a new score."""
    store: dict[Hashable, Any] = st.session_state.setdefault(_MEMO_KEY, {})
    if key not in store:
        store[key] = fetch()
    value: _T = store[key]
    return value


def memo_many(fetches: Mapping[Hashable, Callable[[], Any]]) -> dict[Hashable, Any]:
    """``memo`` for several answers at once, the missing ones fetched concurrently: a client switch waits for the
    slowest call rather than for their sum. The fetches only call the API (never Streamlit) in their threads."""
    store: dict[Hashable, Any] = st.session_state.setdefault(_MEMO_KEY, {})
    missing = {key: fetch for key, fetch in fetches.items() if key not in store}
    if len(missing) == 1:
        ((key, fetch),) = missing.items()
        store[key] = fetch()
    elif missing:
        with ThreadPoolExecutor(max_workers=len(missing), thread_name_prefix="api") as pool:
            futures = {key: pool.submit(fetch) for key, fetch in missing.items()}
            for key, future in futures.items():
                store[key] = future.result()  # re-raises the first ApiError in order
    return {key: store[key] for key in fetches}


def forget(*keys: Hashable) -> None:
    """Drop memoised answers that changed (after an override, the history)."""
    store: dict[Hashable, Any] = st.session_state.get(_MEMO_KEY, {})
    for key in keys:
        store.pop(key, None)


def report(error: ApiError) -> None:
    """Show an API failure in words; a 401 logs the user out and brings the login page back with the reason."""
    lang = current_lang()
    logger.info("API error shown to the user: %s (status %s, request %s)", error, error.status, error.request_id)
    if isinstance(error, AuthenticationError):
        logout(t("session_expired", lang))
        st.warning(t("session_expired", lang), icon="🔒")
        st.rerun()
    st.error(t("api_error", lang, message=str(error)), icon="⚠️")


def selected_client() -> int | None:
    """The client being looked at. A ``?client=<id>`` in the address (deep link, bookmark) selects it once."""
    raw = st.query_params.get("client")
    if raw is not None and raw != st.session_state.get(_QUERY_SEEN_KEY):
        st.session_state[_QUERY_SEEN_KEY] = raw
        if raw.isdigit():
            st.session_state[SK_ID_KEY] = int(raw)
    sk_id: int | None = st.session_state.get(SK_ID_KEY)
    return sk_id


def select_client(sk_id: int) -> None:
    st.session_state[SK_ID_KEY] = sk_id
    st.session_state[_QUERY_SEEN_KEY] = str(sk_id)
    st.query_params["client"] = str(sk_id)
