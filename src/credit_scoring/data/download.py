"""Download the competition files with the user's own Kaggle credentials.

The data may only be downloaded by someone who accepted the competition rules, so the project never ships it and never
holds a shared key: the official ``kaggle`` package does the download with the user's credentials. ``kaggle`` is
imported only inside :func:`download` because importing it tries to authenticate and prints login help on failure;
its output is captured here and every failure becomes one :class:`DataError` line that says what to do next.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from pathlib import Path
from typing import Any

from credit_scoring.errors import DataError

__all__ = ["COMPETITION", "download"]

logger = logging.getLogger(__name__)

#: The Kaggle competition slug of the Home Credit Default Risk data.
COMPETITION = "home-credit-default-risk"

_RULES_URL = f"https://www.kaggle.com/competitions/{COMPETITION}/rules"
_BRING_YOUR_OWN = "or download the files yourself and run `credit-scoring data ingest FOLDER_OR_ZIP`"
_NO_CREDENTIALS = (
    "no Kaggle credentials found: create an API token at https://www.kaggle.com/settings (API section) and save it as "
    "~/.kaggle/kaggle.json (chmod 600) or set KAGGLE_USERNAME and KAGGLE_KEY, then accept the competition rules at "
    f"{_RULES_URL}; {_BRING_YOUR_OWN}"
)


def download(out: Path) -> Path:
    """Download ``home-credit-default-risk.zip`` into ``out`` and return its path.

    Raises :class:`DataError` with one actionable line when credentials are missing or refused, the competition rules
    were not accepted, or the network is unreachable. An existing, up-to-date zip is not downloaded again.
    """
    out = Path(out)
    if not _has_credentials():
        raise DataError(_NO_CREDENTIALS)
    api = _kaggle_api()
    out.mkdir(parents=True, exist_ok=True)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            api.authenticate()
            api.competition_download_files(COMPETITION, path=str(out), quiet=True)
    except SystemExit:
        # kaggle calls exit(1) after printing its login help when no credential works.
        raise DataError(_NO_CREDENTIALS) from None
    except Exception as exc:  # kaggle raises requests, urllib3 and its own errors: classify them for the user
        raise _download_error(exc) from None
    finally:
        for line in captured.getvalue().splitlines():
            if line.strip():
                logger.debug("kaggle: %s", line)
    zips = sorted(out.glob(f"{COMPETITION}.*"), key=lambda p: p.stat().st_mtime, reverse=True)
    found = next((p for p in zips if p.suffix == ".zip"), zips[0] if zips else None)
    if found is None:
        raise DataError(f"Kaggle reported success but no {COMPETITION} file is in {out}: try again, {_BRING_YOUR_OWN}")
    logger.info("downloaded %s (%.1f MB)", found, found.stat().st_size / 1e6)
    return found


def _has_credentials() -> bool:
    """The credential sources the kaggle package reads, checked without importing it (the import prints on failure)."""
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    if os.environ.get("KAGGLE_API_TOKEN"):
        return True
    home = Path.home()
    config_dirs = [Path(os.environ["KAGGLE_CONFIG_DIR"])] if os.environ.get("KAGGLE_CONFIG_DIR") else []
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    config_dirs += [home / ".kaggle", xdg / "kaggle"]
    names = ("kaggle.json", "access_token", "access_token.txt", "credentials.json")
    return any((d / n).is_file() for d in config_dirs for n in names)


def _kaggle_api() -> Any:
    """The kaggle package's API object; importing it runs its own authentication, so its output is captured."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            import kaggle
    except (Exception, SystemExit) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"the kaggle package could not be loaded ({detail}): reinstall the project with `uv sync`, "
            f"{_BRING_YOUR_OWN}"
        ) from None
    for line in captured.getvalue().splitlines():
        if line.strip():
            logger.debug("kaggle: %s", line)
    return kaggle.api


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "status", None)
    return int(status) if isinstance(status, int) else None


def _download_error(exc: Exception) -> DataError:
    status = _status(exc)
    if status == 401:
        return DataError(
            "Kaggle refused your credentials (401): create a new API token at https://www.kaggle.com/settings and "
            f"update ~/.kaggle/kaggle.json or KAGGLE_USERNAME/KAGGLE_KEY; {_BRING_YOUR_OWN}"
        )
    if status == 403:
        return DataError(
            f"Kaggle refused the download (403): accept the competition rules at {_RULES_URL} with the account of "
            f"your credentials, then try again; {_BRING_YOUR_OWN}"
        )
    if status is not None:
        return DataError(f"Kaggle answered HTTP {status} for {COMPETITION}: try again later, {_BRING_YOUR_OWN}")
    detail = str(exc).splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    if _is_network_error(exc):
        return DataError(
            f"cannot reach Kaggle ({detail}): check your network connection or proxy and try again, {_BRING_YOUR_OWN}"
        )
    if isinstance(exc, OSError):
        return DataError(f"cannot write the download ({detail}): check the --out folder and free disk space")
    return DataError(f"the Kaggle download failed ({detail}): try again, {_BRING_YOUR_OWN}")


def _is_network_error(exc: BaseException) -> bool:
    """requests and urllib3 errors (matched by module, so neither is imported here) and the built-in network errors."""
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    module = type(exc).__module__ or ""
    return module.split(".")[0] in {"requests", "urllib3", "socket", "http"}
