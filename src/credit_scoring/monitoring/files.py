"""The monitoring folder: file names, atomic writes (the API may read while a command writes) and typed reads."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from credit_scoring.errors import CreditScoringError

__all__ = [
    "CARD_FILE",
    "CARD_HTML_FILE",
    "CARD_MD_FILE",
    "DRIFT_FILE",
    "FAIRNESS_FILE",
    "FAIRNESS_HTML_FILE",
    "FAIRNESS_MD_FILE",
    "read_summary",
    "write_text",
]

DRIFT_FILE = "drift.json"
FAIRNESS_FILE = "fairness.json"
FAIRNESS_MD_FILE = "fairness.md"
FAIRNESS_HTML_FILE = "fairness.html"
#: The card as JSON (``ModelCardText``: version, date, Markdown) for the API; .md and .html for people.
CARD_FILE = "model_card.json"
CARD_MD_FILE = "model_card.md"
CARD_HTML_FILE = "model_card.html"

_M = TypeVar("_M", bound=BaseModel)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` next to ``path`` then rename it into place: a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(text, encoding="utf-8")
    part.replace(path)
    return path


def read_summary(path: Path, model: type[_M]) -> _M | None:
    """The summary at ``path``, or None when none has been written yet; a corrupt file is an error that says so."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CreditScoringError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return model.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise CreditScoringError(
            f"{path} is not a valid {model.__name__} ({str(exc).splitlines()[0]}): run the monitor command again"
        ) from None
