"""Session-wide fixtures: the shared real sample (skips with a reason when absent, fails under CI) and small synthetic
data generated once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from credit_scoring.data.schema import TABLE_NAMES


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when something a user may lack is missing; under CI=true that absence is a failure, never a skip."""
    if condition:
        return
    if _in_ci():
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_sample_dir(pytestconfig: pytest.Config) -> Path:
    """The shared real Home Credit sample (gzip CSVs), by default ../shared/data/home-credit beside the checkout."""
    default = pytestconfig.rootpath.parent / "shared" / "data" / "home-credit"
    path = Path(os.environ.get("HOME_CREDIT_SAMPLE", str(default)))
    require(
        all((path / f"{t}.csv.gz").is_file() for t in TABLE_NAMES),
        f"the real Home Credit sample is not at {path}: put the project's shared/data/home-credit folder beside the "
        "checkout, or set HOME_CREDIT_SAMPLE to a folder holding its eight .csv.gz files",
    )
    return path


@pytest.fixture(scope="session")
def real_tables(real_sample_dir: Path) -> dict[str, pd.DataFrame]:
    """The real sample read once per session with pandas' default parser (as a user's notebook would)."""
    return {t: pd.read_csv(real_sample_dir / f"{t}.csv.gz") for t in TABLE_NAMES}
