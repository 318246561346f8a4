"""Page tests: Streamlit's ``AppTest`` runs a page in-process with a ``FakeApi`` put in ``st.session_state``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from credit_scoring.schemas import Principal
from tests.api.fakes import FIRST_ID
from tests.dashboard.fakes import FakeApi

OWN_ID = FIRST_ID
OTHER_ID = FIRST_ID + 1
TIMEOUT = 30

PageRunner = Callable[..., AppTest]


def page_script(name: str) -> str:
    return f"from credit_scoring.dashboard.views import {name}\n{name}()\n"


def all_text(at: AppTest) -> str:
    """Everything a person reads on the page (markdown, headings, alerts, metrics, tables, widget labels)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [t.value.to_string() for t in at.table]
    return "\n".join(parts)


@pytest.fixture
def advisor_api() -> FakeApi:
    return FakeApi(role="advisor")


@pytest.fixture
def client_api() -> FakeApi:
    return FakeApi(role="client", client_id=OWN_ID)


@pytest.fixture
def run_page() -> PageRunner:
    def run(name: str, api: FakeApi, *, sk_id: int | None = None, lang: str = "fr", **state: Any) -> AppTest:
        at = AppTest.from_string(page_script(name), default_timeout=TIMEOUT)
        at.session_state["api"] = api
        at.session_state["lang"] = lang
        role = api.role
        at.session_state["principal"] = Principal(
            username="advisor1" if role == "advisor" else f"client-{api.client_id}",
            role=role,  # type: ignore[arg-type]
            client_id=api.client_id,
        )
        if sk_id is not None:
            at.session_state["sk_id"] = sk_id
        for key, value in state.items():
            at.session_state[key] = value
        return at.run()

    return run
