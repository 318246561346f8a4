"""Users, API keys, settings guards and migrations: the library functions behind `credit-scoring users add`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect, select

from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import ApplicationIn
from credit_scoring.storage.db import make_engine, make_session_factory, upgrade_database
from credit_scoring.storage.models import ApiKey, User
from credit_scoring.storage.users import (
    add_api_key,
    add_user,
    authenticate,
    create_demo_users,
    principal_for_api_key,
    revoke_api_key,
)


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'd.db'}")
    upgrade_database(engine=engine)
    upgrade_database(engine=engine)  # idempotent
    yield make_session_factory(engine)
    engine.dispose()


def test_migrations_create_the_tables_in_wal_mode(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        engine = session.get_bind()
        assert {"users", "api_keys", "decisions", "overrides", "alembic_version"} <= set(
            inspect(engine).get_table_names()
        )
        assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_passwords_are_argon2_and_users_update(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        add_user(session, "alice", "first-password", "advisor")
        stored = session.scalars(select(User).where(User.username == "alice")).one()
        assert stored.password_hash.startswith("$argon2") and "first-password" not in stored.password_hash
        assert authenticate(session, "alice", "first-password") is not None
        add_user(session, "alice", "second-password", "client", 100001)
        assert authenticate(session, "alice", "first-password") is None
        user = authenticate(session, "alice", "second-password")
        assert user is not None and (user.role, user.client_id) == ("client", 100001)
        assert authenticate(session, "nobody", "whatever-1") is None
        add_user(session, "alice", "second-password", "client", 100001, active=False)
        assert authenticate(session, "alice", "second-password") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "client_id", "message"),
    [
        ("bob", "short", "advisor", None, "at least 8"),
        ("bob", "long-enough", "admin", None, "role must be"),
        ("bob", "long-enough", "client", None, "needs the client id"),
        ("bob", "long-enough", "advisor", 5, "not linked"),
    ],
)
def test_add_user_refuses_bad_input(sessions, username, password, role, client_id, message) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session, pytest.raises(CreditScoringError, match=message):
        add_user(session, username, password, role, client_id)


def test_api_keys_are_stored_hashed_and_revocable(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        key = add_api_key(session, "robot")
        row = session.scalars(select(ApiKey)).one()
        assert key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
        assert principal_for_api_key(session, key) is not None
        assert principal_for_api_key(session, key + "x") is None
        assert revoke_api_key(session, "robot")
        assert principal_for_api_key(session, key) is None


def test_demo_users(sessions) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with sessions() as session:
        made = create_demo_users(session, settings, [100001, 100002])
        assert [u.username for u in made] == ["conseiller", "client-100001", "client-100002"]
        assert authenticate(session, "conseiller", "conseiller-demo") is not None
        client = authenticate(session, "client-100002", "client-demo")
        assert client is not None and client.client_id == 100002


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ValidationError, match="CREDIT_SCORING_SECRET_KEY"):
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="DEMO_ADVISOR_PASSWORD"):
        Settings(_env_file=None, environment="production", secret_key="s" * 40)  # type: ignore[call-arg]
    ok = Settings(
        _env_file=None,
        environment="production",
        secret_key="s" * 40,  # type: ignore[call-arg]
        demo_advisor_password="a-real-one",
        demo_client_password="another-one",
    )
    assert ok.environment == "production"


def test_database_url_from_hosting_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
    assert Settings(_env_file=None).database_url == "postgresql+psycopg://u:p@db:5432/app"  # type: ignore[call-arg]


def test_application_model_follows_the_raw_schema() -> None:
    fields = ApplicationIn.model_fields
    assert len(fields) == 121 and "TARGET" not in fields
    app = ApplicationIn.model_validate(
        {
            "NAME_CONTRACT_TYPE": "Cash loans",
            "AMT_INCOME_TOTAL": 1,
            "AMT_CREDIT": 2,
            "DAYS_BIRTH": -9000,
            "FLAG_OWN_CAR": "N",
            "DAYS_EMPLOYED": 365243,
        }
    )
    assert app.fields()["FLAG_OWN_CAR"] == "N"
    with pytest.raises(ValidationError):
        ApplicationIn.model_validate(
            {
                "NAME_CONTRACT_TYPE": "Cash loans",
                "AMT_INCOME_TOTAL": 1,
                "AMT_CREDIT": 2,
                "DAYS_BIRTH": -9000,
                "AMT_ANNUITY": float("inf"),
            }
        )
