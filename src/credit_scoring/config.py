"""Settings from the environment (or a ``.env`` file) and the training configuration (a YAML file).

Nothing is read at import: call ``get_settings()`` (cached) or ``TrainConfig.from_yaml(path)``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from credit_scoring.errors import CreditScoringError

__all__ = ["LightGBMParams", "OptunaConfig", "Settings", "TrainConfig", "get_settings"]

# Development defaults, documented in docs/api.md; ``Settings`` refuses them when environment=production.
_DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789"
_DEV_ADVISOR_PASSWORD = "conseiller-demo"
_DEV_CLIENT_PASSWORD = "client-demo"


class Settings(BaseSettings):
    """Where things live and which model serves. Every field can be set as ``CREDIT_SCORING_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="CREDIT_SCORING_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    models_dir: Path = Path("models")
    #: A bundle folder, or "champion" for the MLflow registry's champion alias.
    model: str = "champion"
    #: Defaults to a SQLite file in the working directory (the project folder).
    mlflow_tracking_uri: str = "sqlite:///mlflow.db"
    mlflow_experiment: str = "credit-scoring"
    registered_model_name: str = "credit-scoring"

    # --- API (issue 6) -------------------------------------------------------------------------------------------
    #: "production" refuses the development defaults of the secrets below.
    environment: Literal["local", "test", "staging", "production"] = "local"
    #: The decision log. SQLite (WAL mode) by default; PostgreSQL when a ``postgresql://`` URL is given. The plain
    #: ``DATABASE_URL`` variable (Render, Heroku, compose) is read too.
    database_url: str = Field(
        "sqlite:///data/decisions.db",
        validation_alias=AliasChoices("CREDIT_SCORING_DATABASE_URL", "DATABASE_URL"),
    )
    #: Run the Alembic migrations when the API starts.
    database_auto_migrate: bool = True
    #: Signs the access tokens (HS256). The default is for development only.
    secret_key: SecretStr = SecretStr(_DEV_SECRET_KEY)
    token_ttl_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    #: Seconds an API worker remembers a checked token or API key before reading the user again (0: every request).
    #: Deactivating a user or revoking a key takes effect within this delay.
    auth_cache_seconds: float = Field(5.0, ge=0, le=300)
    #: Passwords of the demo users made by ``create_demo_users`` (``conseiller`` and ``client-<id>``).
    demo_advisor_password: SecretStr = SecretStr(_DEV_ADVISOR_PASSWORD)
    demo_client_password: SecretStr = SecretStr(_DEV_CLIENT_PASSWORD)
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    api_workers: int = Field(1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: The feature store the service reads the known clients from.
    feature_store_dir: Path = Path("data/features")
    #: Batch uploads larger than this are refused with 413/422 rather than exhausting memory.
    batch_max_rows: int = Field(100_000, ge=1)
    batch_max_bytes: int = Field(64 * 1024 * 1024, ge=1024)

    # --- Dashboard (issue 7) -------------------------------------------------------------------------------------
    #: The API the dashboard talks to (it never loads the model itself).
    dashboard_api_url: str = "http://127.0.0.1:8000"
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(8501, ge=1, le=65535)
    #: Seconds before an API call is reported as failed to the user instead of leaving the page spinning.
    dashboard_api_timeout: float = Field(15.0, gt=0, le=600)

    # --- Monitoring (issue 8) ------------------------------------------------------------------------------------
    #: Where `credit-scoring monitor ...` writes reports and summaries, and where the API reads the latest ones.
    monitoring_dir: Path = Path("data/monitoring")
    #: `monitor drift` exits with code 3 when the share of drifted columns of a comparison reaches this level.
    drift_alert_share: float = Field(0.3, gt=0, le=1)
    #: Rows drawn at random (seeded) from each side of a drift comparison when it has more (time and memory bound).
    drift_sample_rows: int = Field(50_000, ge=100)
    #: Fewer distinct scored applications in the decision log than this: no drift is computed for them, only a note.
    drift_min_scored: int = Field(200, ge=1)

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, url: str) -> str:
        """Hosted PostgreSQL hands out ``postgres://`` URLs; SQLAlchemy needs the driver named (psycopg 3)."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @model_validator(mode="after")
    def _enforce_non_default_secrets(self) -> Settings:
        """Development defaults keep ``make demo`` one command; in production they would be known to everyone."""
        defaults = {
            "secret_key": (self.secret_key, _DEV_SECRET_KEY),
            "demo_advisor_password": (self.demo_advisor_password, _DEV_ADVISOR_PASSWORD),
            "demo_client_password": (self.demo_client_password, _DEV_CLIENT_PASSWORD),
        }
        if self.environment == "production":
            for name, (value, default) in defaults.items():
                if value.get_secret_value() == default:
                    raise ValueError(
                        f"CREDIT_SCORING_{name.upper()} still has its development default: set it for production"
                    )
        return self


@cache
def get_settings() -> Settings:
    return Settings()


class LightGBMParams(BaseModel):
    """LightGBM parameters used for every fit; Optuna may override the tunable ones."""

    model_config = ConfigDict(extra="forbid")

    learning_rate: float = Field(0.08, gt=0, le=1)
    num_leaves: int = Field(31, ge=2)
    max_depth: int = -1
    min_child_samples: int = Field(100, ge=1)
    feature_fraction: float = Field(0.3, gt=0, le=1)
    bagging_fraction: float = Field(0.9, gt=0, le=1)
    bagging_freq: int = Field(1, ge=0)
    lambda_l2: float = Field(10.0, ge=0)
    max_bin: int = Field(63, ge=2)
    n_estimators: int = Field(2000, ge=1)
    early_stopping_rounds: int = Field(100, ge=1)


class OptunaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trials: int = Field(0, ge=0)
    timeout: float | None = Field(None, gt=0)
    #: Labelled rows sampled for the search (all when larger than the data), to keep trials cheap.
    sample_rows: int = Field(60_000, ge=100)
    #: AUC is threshold-free and smooth; the cost at its optimal threshold is the goal but noisier per trial.
    objective: Literal["auc", "cost"] = "auc"


class TrainConfig(BaseModel):
    """One experiment's parameters. ``configs/train.yaml`` holds the defaults used by ``make demo``."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 42
    holdout_fraction: float = Field(0.2, gt=0, lt=1)
    n_folds: int = Field(5, ge=2)
    inner_validation_fraction: float = Field(0.1, gt=0, lt=0.5)
    fn_cost: float = Field(10.0, gt=0)
    fp_cost: float = Field(1.0, gt=0)
    calibration: Literal["isotonic", "platt", "none"] = "platt"
    imbalance: list[Literal["none", "class_weight", "undersample"]] = ["none", "class_weight", "undersample"]
    baselines: bool = True
    #: Keep the most important features of a quick first fit (None keeps all).
    max_features: int | None = Field(None, ge=1)
    #: Development clients sampled (stratified) for feature selection, baselines and the imbalance comparison; the
    #: chosen strategy is then cross-validated on all of them. None uses every development client throughout.
    comparison_sample_rows: int | None = Field(None, ge=100)
    #: Known directions of effect (+1: a higher value never lowers the risk; -1: never raises it). Features absent
    #: from the data are ignored, so one list serves the real and the synthetic data.
    monotone: dict[str, Literal[-1, 1]] = Field(default_factory=dict)
    #: Features never given to the model. A feature that moves both ways when a constrained input moves (the spread of
    #: the external scores) would break the monotone what-if promise, so it is left out.
    exclude_features: list[str] = Field(default_factory=list)
    #: Models averaged in the final cross-validation and the refit, each with its own seed and early-stopping split
    #: (``modeling/bagging.py``): lower variance for k times the fitting time. 1: one model.
    seed_bag: int = Field(1, ge=1, le=10)
    lightgbm: LightGBMParams = LightGBMParams()
    optuna: OptunaConfig = OptunaConfig()
    register_model: bool = True

    @classmethod
    def from_yaml(cls, path: Path) -> TrainConfig:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise CreditScoringError(f"cannot read training config {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise CreditScoringError(f"training config {path} is not valid YAML: {exc}") from None
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise CreditScoringError(
                f"training config {path}: {where}: {first['msg']} (got {first.get('input')!r})"
            ) from None
