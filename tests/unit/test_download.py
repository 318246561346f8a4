"""download(): the kaggle package is replaced by a fake module, so no test touches the network or real credentials."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.data.download import COMPETITION, download
from credit_scoring.errors import DataError


class FakeApi:
    """Stands in for ``kaggle.api``: records calls, writes the zip or raises what it is told to."""

    def __init__(self, error: BaseException | None = None, auth_error: BaseException | None = None) -> None:
        self.error = error
        self.auth_error = auth_error
        self.calls: list[tuple[str, str]] = []

    def authenticate(self) -> None:
        print("kaggle chatter that must not reach the user")  # noqa: T201 - kaggle prints; download() must capture it
        if self.auth_error is not None:
            raise self.auth_error

    def competition_download_files(self, competition: str, path: str, quiet: bool = True, **_: Any) -> None:
        self.calls.append((competition, path))
        if self.error is not None:
            raise self.error
        (Path(path) / f"{competition}.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


class FakeHTTPError(Exception):
    def __init__(self, status_code: int) -> None:
        super().__init__(f"{status_code} Client Error")
        self.response = _Response(status_code)


class FakeRequestsConnectionError(OSError):
    """Looks like requests.exceptions.ConnectionError (an OSError from the requests package)."""


FakeRequestsConnectionError.__module__ = "requests.exceptions"


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN", "KAGGLE_CONFIG_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def credentials(no_credentials: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "someone")
    monkeypatch.setenv("KAGGLE_KEY", "0123456789abcdef")


def _install(monkeypatch: pytest.MonkeyPatch, api: FakeApi) -> FakeApi:
    module = types.ModuleType("kaggle")
    module.api = api  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kaggle", module)
    return api


def _one_line(exc: pytest.ExceptionInfo[DataError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


@pytest.mark.usefixtures("credentials")
def test_download_returns_the_zip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any) -> None:
    api = _install(monkeypatch, FakeApi())
    out = tmp_path / "raw"
    path = download(out)
    assert path == out / f"{COMPETITION}.zip"
    assert path.is_file()
    assert api.calls == [(COMPETITION, str(out))]
    assert "chatter" not in capsys.readouterr().out


def test_download_with_kaggle_json(monkeypatch: pytest.MonkeyPatch, no_credentials: Path, tmp_path: Path) -> None:
    (no_credentials / ".kaggle").mkdir()
    (no_credentials / ".kaggle" / "kaggle.json").write_text('{"username": "u", "key": "k"}')
    _install(monkeypatch, FakeApi())
    assert download(tmp_path / "raw").name == f"{COMPETITION}.zip"


@pytest.mark.usefixtures("no_credentials")
def test_missing_credentials_say_where_to_put_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    api = _install(monkeypatch, FakeApi())
    with pytest.raises(DataError) as info:
        download(tmp_path / "raw")
    message = _one_line(info)
    assert message.startswith("no Kaggle credentials found")
    assert "~/.kaggle/kaggle.json" in message and "KAGGLE_USERNAME" in message
    assert f"https://www.kaggle.com/competitions/{COMPETITION}/rules" in message
    assert "credit-scoring data ingest" in message
    assert api.calls == []


@pytest.mark.usefixtures("credentials")
def test_kaggle_login_exit_becomes_credentials_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install(monkeypatch, FakeApi(auth_error=SystemExit(1)))
    with pytest.raises(DataError) as info:
        download(tmp_path / "raw")
    assert _one_line(info).startswith("no Kaggle credentials found")


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (FakeRequestsConnectionError("Max retries exceeded with url"), "cannot reach Kaggle (Max retries exceeded"),
        (ConnectionError("Name or service not known"), "cannot reach Kaggle (Name or service not known)"),
        (TimeoutError("timed out"), "cannot reach Kaggle (timed out)"),
    ],
)
def test_network_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: Exception, expected: str) -> None:
    _install(monkeypatch, FakeApi(error=error))
    with pytest.raises(DataError) as info:
        download(tmp_path / "raw")
    message = _one_line(info)
    assert message.startswith(expected)
    assert "check your network connection" in message and "credit-scoring data ingest" in message


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, "accept the competition rules at https://www.kaggle.com/competitions/home-credit-default-risk/rules"),
        (401, "Kaggle refused your credentials (401)"),
        (500, "Kaggle answered HTTP 500"),
    ],
)
def test_http_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: int, expected: str) -> None:
    _install(monkeypatch, FakeApi(error=FakeHTTPError(status)))
    with pytest.raises(DataError) as info:
        download(tmp_path / "raw")
    assert expected in _one_line(info)


@pytest.mark.usefixtures("credentials")
def test_kaggle_package_that_cannot_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "kaggle", None)  # makes `import kaggle` raise ImportError
    with pytest.raises(DataError) as info:
        download(tmp_path / "raw")
    assert _one_line(info).startswith("the kaggle package could not be loaded")


@pytest.mark.usefixtures("no_credentials")
def test_cli_download_without_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install(monkeypatch, FakeApi())
    result = CliRunner().invoke(app, ["data", "download", "--out", str(tmp_path / "raw")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().startswith("error: no Kaggle credentials found")
