"""A trained model is a folder, not a loose pickle.

``models/<version>/`` holds the LightGBM model as text, the calibrator as JSON, the out-of-fold and holdout
predictions, and ``metadata.json``: versions of the libraries that matter, git SHA, data hash, feature list,
threshold, costs, metrics and a SHA-256 of every file. Loading verifies all of it and refuses a tampered or
mismatched bundle with a message that says what differs. Nothing in a bundle is unpickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import lightgbm as lgb

from credit_scoring import __version__
from credit_scoring.errors import CreditScoringError
from credit_scoring.modeling.calibration import Calibrator

__all__ = ["BUNDLE_FORMAT", "BundleError", "ModelBundle", "file_sha256", "library_versions"]

logger = logging.getLogger(__name__)

#: Bumped when the folder layout changes; a loader refuses other formats.
BUNDLE_FORMAT = 1
_MODEL_FILE = "model.txt"
_CALIBRATOR_FILE = "calibrator.json"
_METADATA_FILE = "metadata.json"
#: Libraries whose version changes predictions: the major.minor version at load must equal the one at training.
_PINNED = ("lightgbm", "numpy")
_RECORDED = ("lightgbm", "numpy", "pandas", "scikit-learn", "pyarrow", "duckdb")


class BundleError(CreditScoringError):
    """A model bundle is missing, incomplete, tampered with, or made for other library versions."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {name: importlib_metadata.version(name) for name in _RECORDED}
    versions["python"] = platform.python_version()
    versions["credit-scoring"] = __version__
    return versions


def _git_sha() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=5, cwd=Path.cwd()
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


@dataclass
class ModelBundle:
    """A booster, its calibrator, the decision threshold and everything needed to trust and reproduce them."""

    booster: lgb.Booster
    calibrator: Calibrator
    threshold: float
    features: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unsaved"))

    def save(self, out_dir: Path, *, staged: Path | None = None, extra_files: dict[str, Path] | None = None) -> Path:
        """Write the bundle into ``out_dir/<version>`` and return that folder.

        ``staged`` is a folder of files already written for this bundle (predictions, plots, report): it becomes the
        bundle folder. ``extra_files`` names those of its files (relative paths) that are hashed too.
        """
        created = datetime.now(UTC)
        data_hash = str(self.metadata.get("data_hash", "nodata"))
        stamp = f"{created:%Y%m%d-%H%M%S}-{created.microsecond // 1000:03d}"
        version = self.metadata.get("version") or f"{stamp}-{data_hash[:8]}"
        folder = out_dir / version
        if folder.exists():
            raise BundleError(f"{folder} already exists; a bundle is never overwritten")
        out_dir.mkdir(parents=True, exist_ok=True)
        if staged is not None:
            staged.rename(folder)
        else:
            folder.mkdir()
        self.booster.save_model(str(folder / _MODEL_FILE))
        (folder / _CALIBRATOR_FILE).write_text(json.dumps(self.calibrator.to_dict()), encoding="utf-8")
        files = [_MODEL_FILE, _CALIBRATOR_FILE, *(extra_files or {})]
        meta = {
            **self.metadata,
            "format": BUNDLE_FORMAT,
            "version": version,
            "created_at": created.isoformat(),
            "git_sha": self.metadata.get("git_sha") or _git_sha(),
            "libraries": library_versions(),
            "threshold": self.threshold,
            "features": self.features,
            "files": {name: file_sha256(folder / name) for name in files},
        }
        (folder / _METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        self.metadata, self.path = meta, folder
        logger.info("model bundle %s written to %s", version, folder)
        return folder

    @classmethod
    def load(cls, folder: Path) -> ModelBundle:
        """Load and verify a bundle folder; every refusal says what is wrong and what to do."""
        meta_path = folder / _METADATA_FILE
        if not meta_path.is_file():
            raise BundleError(
                f"{folder} is not a model bundle: {_METADATA_FILE} is missing (train one with `credit-scoring train`)"
            )
        try:
            meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise BundleError(f"{meta_path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if meta.get("format") != BUNDLE_FORMAT:
            raise BundleError(
                f"{folder}: bundle format {meta.get('format')!r} but this version of credit-scoring reads format "
                f"{BUNDLE_FORMAT}; retrain the model"
            )
        for name, expected in dict(meta.get("files", {})).items():
            path = folder / name
            if not path.is_file():
                raise BundleError(f"{folder}: {name} is missing from the bundle")
            if file_sha256(path) != expected:
                raise BundleError(
                    f"{folder}: {name} does not match the SHA-256 recorded at training; the bundle was modified "
                    "and is refused (retrain, or restore the original folder)"
                )
        if _MODEL_FILE not in meta.get("files", {}) or _CALIBRATOR_FILE not in meta.get("files", {}):
            raise BundleError(f"{folder}: metadata does not list {_MODEL_FILE} and {_CALIBRATOR_FILE}")
        installed = library_versions()
        for lib in _PINNED:
            trained = str(meta.get("libraries", {}).get(lib, "unknown"))
            if _major_minor(trained) != _major_minor(installed[lib]):
                raise BundleError(
                    f"{folder}: trained with {lib} {trained} but {installed[lib]} is installed; "
                    f"install {lib}=={trained} (uv sync) or retrain"
                )
        booster = lgb.Booster(model_file=str(folder / _MODEL_FILE))
        calibrator = Calibrator.from_dict(json.loads((folder / _CALIBRATOR_FILE).read_text(encoding="utf-8")))
        features = list(meta["features"])
        if booster.feature_name() != features:
            raise BundleError(f"{folder}: the model's features differ from the feature list in {_METADATA_FILE}")
        return cls(booster, calibrator, float(meta["threshold"]), features, meta, folder)
