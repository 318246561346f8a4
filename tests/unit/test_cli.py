"""The CLI: thin commands, readable one-line errors, users stored hashed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.features.build import STORE_FILES


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'decisions.db'}"
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (
        ["--help"],
        ["data", "--help"],
        ["features", "build", "--help"],
        ["train", "--help"],
        ["models", "promote", "--help"],
        ["users", "add", "--help"],
        ["serve", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_users_add_stores_an_argon2_hash_not_the_password(db_url: str) -> None:
    from credit_scoring.storage.db import make_engine
    from credit_scoring.storage.models import User

    result = CliRunner().invoke(app, ["users", "add", "alice", "--role", "advisor", "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    with make_engine(db_url).connect() as conn:
        user = conn.execute(select(User.username, User.password_hash, User.role)).one()
    assert user.username == "alice" and user.role == "advisor"
    assert user.password_hash.startswith("$argon2") and "s3cret-pass" not in user.password_hash


def test_users_add_refuses_a_client_without_its_id_in_one_line(db_url: str) -> None:
    result = CliRunner().invoke(app, ["users", "add", "bob", "--role", "client", "--password", "s3cret-pass"])
    assert result.exit_code == 1
    assert "client id" in result.output and "Traceback" not in result.output


def test_api_key_is_shown_once_and_can_be_revoked(db_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["users", "add-key", "batch-service"])
    assert created.exit_code == 0, created.output
    assert len(created.output.strip().splitlines()[-1]) >= 32
    assert runner.invoke(app, ["users", "revoke-key", "batch-service"]).exit_code == 0
    unknown = runner.invoke(app, ["users", "revoke-key", "other-service"])
    assert unknown.exit_code == 1 and "no API key named other-service" in unknown.output


def test_synth_then_features_build_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    tables, store = tmp_path / "tables", tmp_path / "features"
    result = runner.invoke(app, ["data", "synth", "--clients", "300", "--seed", "1", "--out", str(tables)])
    assert result.exit_code == 0, result.output
    assert (tables / "application_train.parquet").is_file() and (tables / "generator.json").is_file()
    result = runner.invoke(app, ["features", "build", "--data", str(tables), "--out", str(store)])
    assert result.exit_code == 0, result.output
    assert (store / "features.parquet").is_file() and (store / "manifest.json").is_file()


def test_features_build_on_a_missing_folder_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["features", "build", "--data", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "nope" in result.output


def test_models_prepare_writes_the_serving_caches_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_bundle: Path, feature_store: Path
) -> None:
    import shutil

    store = tmp_path / "store"
    store.mkdir()
    for name in STORE_FILES:
        shutil.copy2(feature_store / name, store / name)
    monkeypatch.setenv("CREDIT_SCORING_MODEL", str(trained_bundle))
    monkeypatch.setenv("CREDIT_SCORING_FEATURE_STORE_DIR", str(store))
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, ["models", "prepare"])
        assert first.exit_code == 0, first.output
        assert "written to" in first.output
        assert list((store / ".serving-cache").glob("*/reasons-*.npy"))
        again = CliRunner().invoke(app, ["models", "prepare"])
        assert again.exit_code == 0 and "already there" in again.output

        monkeypatch.setenv("CREDIT_SCORING_FEATURE_STORE_DIR", str(tmp_path / "no-store"))
        get_settings.cache_clear()
        missing = CliRunner().invoke(app, ["models", "prepare"])
        assert missing.exit_code == 1
        assert "no-store" in missing.output and "Traceback" not in missing.output
    finally:
        get_settings.cache_clear()
