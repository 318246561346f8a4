"""API fixtures: the app with the fake service on a fresh SQLite file (PostgreSQL when TEST_DATABASE_URL is set),
users for each role, their tokens, and an API key."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from credit_scoring.api import create_app
from credit_scoring.config import Settings
from credit_scoring.storage.db import make_engine
from credit_scoring.storage.models import Base
from credit_scoring.storage.users import add_api_key, add_user
from tests.api.fakes import FIRST_ID, FakeService

OWN_ID = FIRST_ID  # the logged-in client's SK_ID_CURR
OTHER_ID = FIRST_ID + 1
ADVISOR = ("advisor1", "advisor-password")
CLIENT = (f"client-{OWN_ID}", "client-password")
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """As tests/conftest.py's ``require``: skip when missing, but under CI=true a missing dependency is a failure."""
    if condition:
        return
    if _in_ci():
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    require(
        url.startswith("postgresql"),
        "no PostgreSQL to test the decision log against: install postgresql and set "
        'TEST_DATABASE_URL=postgresql+psycopg://user:password@127.0.0.1:5432/db (as root, `eval "$(.ci/postgres.sh)"` '
        "does both)",
    )
    return url


def reset_postgres(url: str) -> None:
    """A clean schema per test module: the migrations run from scratch at startup, as on a new deployment."""
    engine = make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@dataclass
class Api:
    app: FastAPI
    http: TestClient
    service: FakeService
    advisor: dict[str, str]
    client: dict[str, str]
    api_key: dict[str, str]

    def session(self) -> Session:
        factory = self.app.state.sessions
        session: Session = factory()
        return session


def api_settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, secret_key=SECRET, environment="test")  # type: ignore[call-arg]


def login(http: TestClient, username: str, password: str) -> dict[str, str]:
    response = http.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@contextmanager
def running_api(target: str | FastAPI) -> Iterator[Api]:
    """Start an app (on a database URL with a new fake service, or a prepared app) with its users logged in."""
    app = create_app(api_settings(target), service=FakeService()) if isinstance(target, str) else target
    service = app.state.service
    with TestClient(app) as http:
        with app.state.sessions() as session:
            add_user(session, *ADVISOR, "advisor")
            add_user(session, *CLIENT, "client", OWN_ID)
            add_user(session, f"client-{OTHER_ID}", "other-password", "client", OTHER_ID)
            key = add_api_key(session, "batch-robot")
        yield Api(
            app=app,
            http=http,
            service=service,
            advisor=login(http, *ADVISOR),
            client=login(http, *CLIENT),
            api_key={"X-API-Key": key},
        )


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app per test module on its own SQLite file (tests only add rows, and filter by what they wrote)."""
    path: Path = tmp_path_factory.mktemp("api") / "decisions.db"
    with running_api(f"sqlite:///{path}") as started:
        yield started


def fresh_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of an empty decision log: a new SQLite file, or the test PostgreSQL database with its tables dropped."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('log') / 'decisions.db'}"
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def log_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The same app on each supported database: decision-log tests run against both."""
    url = fresh_database(request.param, tmp_path_factory)
    with running_api(url) as started:
        yield started
