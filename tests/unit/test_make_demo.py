"""`make demo`'s sequence (issue 9, item 1), run for real by make with every tool command replaced by `echo`.

make runs in an empty folder with the repository's Makefile, ``RUN`` overridden to print the command it would run and
``-o .venv/.synced`` so that nothing is installed: what is checked is which branch the recipes take (synthetic data or
the Kaggle files, the full or the quick training profile) and that the demo ends with the logins and `credit-scoring
up`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import require


@pytest.fixture
def make_demo(pytestconfig: pytest.Config, tmp_path: Path) -> tuple[Path, list[str]]:
    make = shutil.which("make")
    require(make is not None, "GNU make is not installed (apt-get install make)")
    assert make is not None
    base = [make, "--no-print-directory", "-f", str(pytestconfig.rootpath / "Makefile"), "-o", ".venv/.synced"]
    return tmp_path, [*base, "RUN=echo RUN"]


def _run(cmd: list[str], cwd: Path, *targets: str) -> list[str]:
    done = subprocess.run([*cmd, *targets], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def _commands(lines: list[str]) -> list[str]:
    return [line.removeprefix("RUN ") for line in lines if line.startswith("RUN ")]


def test_demo_on_a_fresh_clone_generates_data_trains_creates_users_then_starts_both(
    make_demo: tuple[Path, list[str]],
) -> None:
    root, cmd = make_demo
    lines = _run(cmd, root, "demo")
    commands = _commands(lines)
    assert [c.split(" --")[0] for c in commands] == [
        "credit-scoring data synth",
        "credit-scoring features build",
        "credit-scoring train",
        "credit-scoring models promote",
        "credit-scoring models prepare",
        "credit-scoring monitor drift",
        "credit-scoring monitor fairness",
        "credit-scoring monitor card",
        "credit-scoring users demo",
        "credit-scoring up",
    ]
    assert "--clients 20000" in commands[0] and "--config configs/train.yaml" in commands[2]
    logins = next(line for line in lines if line.startswith("Demo logins"))
    assert "'conseiller' / 'conseiller-demo'" in logins and "'client-demo'" in logins
    assert lines.index(logins) < len(lines) - 1  # printed before `up` takes over the terminal


@pytest.mark.parametrize(
    ("raw_files", "source"),
    [
        (["application_train.csv"], "data/raw"),
        (["application_train.csv.gz"], "data/raw"),
        (["home-credit-default-risk.zip"], "data/raw/home-credit-default-risk.zip"),  # ingest takes the zip itself
        (["application_train.csv", "home-credit-default-risk.zip"], "data/raw"),
    ],
)
def test_demo_data_ingests_the_kaggle_files_when_data_raw_has_them(
    make_demo: tuple[Path, list[str]], raw_files: list[str], source: str
) -> None:
    root, cmd = make_demo
    (root / "data" / "raw").mkdir(parents=True)
    for name in raw_files:
        (root / "data" / "raw" / name).write_bytes(b"")
    commands = _commands(_run(cmd, root, "demo-data"))
    assert commands == [f"credit-scoring data ingest {source} --out data/tables"]


def test_ingest_accepts_what_demo_data_passes(tmp_path: Path) -> None:
    """A folder of CSVs or the zip file itself: a folder holding only the zip would be refused."""
    import zipfile

    from credit_scoring.data.ingest import _resolve_inputs
    from credit_scoring.data.schema import TABLE_NAMES
    from credit_scoring.errors import DataError

    archive = tmp_path / "raw" / "home-credit-default-risk.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        for table in TABLE_NAMES:
            zf.writestr(f"{table}.csv", "")
    assert len(_resolve_inputs(archive)) == len(TABLE_NAMES)
    with pytest.raises(DataError, match="missing tables"):
        _resolve_inputs(archive.parent)


def test_data_dir_is_honoured(make_demo: tuple[Path, list[str]]) -> None:
    root, cmd = make_demo
    elsewhere = root / "elsewhere"
    (elsewhere / "raw").mkdir(parents=True)
    (elsewhere / "raw" / "application_train.csv").write_bytes(b"")
    commands = _commands(_run([*cmd, f"DATA_DIR={elsewhere}"], root, "demo-data"))
    assert commands == [f"credit-scoring data ingest {elsewhere}/raw --out {elsewhere}/tables"]


def test_real_data_trains_with_the_quick_profile_and_says_how_long(make_demo: tuple[Path, list[str]]) -> None:
    root, cmd = make_demo
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "application_train.csv").write_bytes(b"")
    (root / "data" / "tables").mkdir()
    (root / "data" / "tables" / "ingest_report.json").write_text("{}")  # ingested by an earlier run
    lines = _run(cmd, root, "demo-model")
    commands = _commands(lines)
    assert not any("data ingest" in c for c in commands)  # not ingested twice
    train = next(c for c in commands if c.startswith("credit-scoring train"))
    assert "--config configs/train-quick.yaml" in train
    notice = next(line for line in lines if "quick profile" in line)
    assert "minutes" in notice


def test_an_existing_model_and_store_are_reused(make_demo: tuple[Path, list[str]]) -> None:
    root, cmd = make_demo
    (root / "data" / "tables").mkdir(parents=True)
    (root / "data" / "tables" / "generator.json").write_text("{}")
    (root / "data" / "features").mkdir()
    (root / "data" / "features" / "manifest.json").write_text("{}")
    (root / "models" / "v1").mkdir(parents=True)
    (root / "models" / "v1" / "metadata.json").write_text("{}")
    commands = _commands(_run(cmd, root, "demo"))
    # prepare is idempotent (it returns at once when the serving caches exist), so it always runs; the monitoring
    # reports are made once (the dashboard's monitoring page reads them)
    (root / "data" / "monitoring").mkdir()
    (root / "data" / "monitoring" / "model_card.json").write_text("{}")
    commands = _commands(_run(cmd, root, "demo"))
    assert commands == ["credit-scoring models prepare", "credit-scoring users demo --clients 3", "credit-scoring up"]


def test_quick_profile_is_a_valid_training_config(pytestconfig: pytest.Config) -> None:
    from credit_scoring.config import TrainConfig

    quick = TrainConfig.from_yaml(pytestconfig.rootpath / "configs" / "train-quick.yaml")
    full = TrainConfig.from_yaml(pytestconfig.rootpath / "configs" / "train.yaml")
    assert quick.n_folds <= full.n_folds and not quick.baselines
