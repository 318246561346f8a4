"""The one command-line entry point, ``credit-scoring``: thin wrappers over library functions."""

from __future__ import annotations

import enum
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from credit_scoring.errors import CreditScoringError
from credit_scoring.monitoring.cli import monitor_app
from credit_scoring.progress import ProgressHook

__all__ = ["app"]

app = typer.Typer(
    help="Credit scoring for Prêt à dépenser: data, features, model, API and dashboard.", no_args_is_help=True
)
data_app = typer.Typer(help="Get, validate and generate the Home Credit tables.", no_args_is_help=True)
app.add_typer(data_app, name="data")
features_app = typer.Typer(help="Build the per-client feature store.", no_args_is_help=True)
app.add_typer(features_app, name="features")
models_app = typer.Typer(help="Manage trained models and the MLflow registry.", no_args_is_help=True)
users_app = typer.Typer(help="Manage API users (advisors, clients) and service API keys.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(models_app, name="models")
app.add_typer(monitor_app, name="monitor")

_console = Console(stderr=True)


class Format(enum.StrEnum):
    parquet = "parquet"
    csv = "csv"


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=_console, show_path=False, rich_tracebacks=False)],
    )


@contextmanager
def _progress() -> Iterator[ProgressHook]:
    """A rich progress display, one bar per step name, fed by the library's progress hook."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def hook(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        yield hook


_T = TypeVar("_T")


def _run(fn: Callable[[], _T]) -> _T:
    """Run a command body: a user-facing error becomes one red line and exit code 1, never a traceback."""
    try:
        return fn()
    except CreditScoringError as exc:
        _console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        _console.print("interrupted")
        raise typer.Exit(code=130) from None


def main() -> None:  # pragma: no cover - console script alias
    sys.exit(app())


@data_app.command("ingest")
def data_ingest(
    source: Annotated[
        Path, typer.Argument(help="A folder of the Kaggle CSV files (plain or .gz), or the competition zip.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the validated Parquet tables.")] = Path("data/tables"),
) -> None:
    """Validate the eight Kaggle tables and write one Parquet file per table."""
    from credit_scoring.data.ingest import ingest

    with _progress() as hook:
        report = _run(lambda: ingest(source, out, progress=hook))
    _console.print(report.summary(), highlight=False)


@data_app.command("download")
def data_download(
    out: Annotated[Path, typer.Option("--out", help="Folder to download the Kaggle files into.")] = Path("data/raw"),
) -> None:
    """Download the competition files with your own Kaggle credentials (~/.kaggle/kaggle.json or KAGGLE_* variables)."""
    from credit_scoring.data.download import download

    path = _run(lambda: download(out))
    _console.print(f"downloaded to {path}; next: credit-scoring data ingest {path} --out data/tables", highlight=False)


@data_app.command("synth")
def data_synth(
    out: Annotated[Path, typer.Option("--out", help="Folder for the eight synthetic tables.")] = Path("data/synthetic"),
    clients: Annotated[
        int, typer.Option("--clients", min=10, help="Labelled clients (application_train rows).")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="File format of the tables.")] = Format.parquet,
) -> None:
    """Generate synthetic Home Credit tables with the exact Kaggle schema, calibrated on the real sample."""
    from credit_scoring.data.synthetic import generate

    with _progress() as hook:
        info = _run(lambda: generate(out, n_clients=clients, seed=seed, fmt=fmt.value, progress=hook))
    _console.print(info.summary(), highlight=False)


@app.command("train")
def train_command(
    data: Annotated[Path, typer.Option("--data", help="Raw-table folder (from `data ingest` or `data synth`).")] = Path(
        "data/tables"
    ),
    out: Annotated[Path, typer.Option("--out", help="Folder that receives the versioned model bundle.")] = Path(
        "models"
    ),
    features: Annotated[
        Path | None, typer.Option("--features", help="Reuse this feature store instead of building one.")
    ] = None,
    config: Annotated[Path, typer.Option("--config", help="Training configuration (YAML).")] = Path(
        "configs/train.yaml"
    ),
    trials: Annotated[int | None, typer.Option("--trials", min=0, help="Optuna trials (overrides the config).")] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=1, help="Optuna time budget in seconds (overrides the config).")
    ] = None,
    track: Annotated[bool, typer.Option("--track/--no-track", help="Log the run to MLflow and register it.")] = True,
) -> None:
    """Train LightGBM for the business cost, calibrate it, and write a versioned bundle (logged to MLflow)."""
    from credit_scoring.config import TrainConfig, get_settings
    from credit_scoring.modeling.run import train

    def body() -> str:
        cfg = (
            TrainConfig.from_yaml(config) if config.is_file() or config != Path("configs/train.yaml") else TrainConfig()
        )
        if trials is not None or timeout is not None:
            cfg = cfg.model_copy(
                update={"optuna": cfg.optuna.model_copy(update={
                    "trials": cfg.optuna.trials if trials is None else trials,
                    "timeout": cfg.optuna.timeout if timeout is None else timeout,
                })}
            )  # fmt: skip
        with _progress() as hook:
            features_dir = features if features is not None else _build_features(data, hook)
            outcome = train(
                features_dir=features_dir, out_dir=out, config=cfg, settings=get_settings(), track=track, progress=hook
            )
        return outcome.summary()

    _console.print(_run(body), highlight=False)


def _build_features(data: Path, hook: ProgressHook) -> Path:
    """The feature store beside the raw tables: data/tables -> data/features (rebuilt only when missing)."""
    from credit_scoring.features import build_features

    out = data.parent / "features"
    if not (out / "manifest.json").is_file() or not (out / "features.parquet").is_file():
        build_features(data, out, progress=hook)
    return out


@models_app.command("promote")
def models_promote(
    version: Annotated[str | None, typer.Argument(help="Registered version (default: the newest).")] = None,
) -> None:
    """Point the registry alias `champion` at a model version; the API serves the champion by default."""
    from credit_scoring.config import get_settings
    from credit_scoring.modeling.tracking import promote

    settings = get_settings()
    chosen = _run(
        lambda: promote(tracking_uri=settings.mlflow_tracking_uri, name=settings.registered_model_name, version=version)
    )
    _console.print(f"{settings.registered_model_name} version {chosen} is now the champion", highlight=False)


@models_app.command("prepare")
def models_prepare(
    force: Annotated[bool, typer.Option("--force", help="Recompute even when the caches are there.")] = False,
) -> None:
    """Precompute what the API serves known clients from (scores, reasons), for the model and store in settings.

    Run it after training or promoting, before `credit-scoring serve`: the API's workers then read the caches instead
    of computing the reasons of a score per request (minutes at full scale, once per model and store).
    """
    from credit_scoring.config import get_settings
    from credit_scoring.service import load_service
    from credit_scoring.serving import StoreService

    settings = get_settings()

    def prepare() -> Path | None:
        service = load_service(settings)
        if not isinstance(service, StoreService):  # pragma: no cover - load_service builds a StoreService
            raise CreditScoringError("the configured service has nothing to prepare")
        if service.reasons_precomputed and not force:
            return None
        with _progress() as hook:
            return service.prepare_reasons(hook)

    path = _run(prepare)
    where = "already there" if path is None else f"written to {path.parent}"
    _console.print(f"serving caches for known clients: {where}", highlight=False)


@features_app.command("build")
def features_build(
    data: Annotated[Path, typer.Option("--data", help="Raw-table folder (from `data ingest` or `data synth`).")] = Path(
        "data/tables"
    ),
    out: Annotated[Path, typer.Option("--out", help="Feature store folder (features.parquet + manifest.json).")] = Path(
        "data/features"
    ),
) -> None:
    """Aggregate every history table once and join them into one row of features per client."""
    from credit_scoring.features import build_features

    with _progress() as hook:
        info = _run(lambda: build_features(data, out, progress=hook))
    _console.print(
        f"{info.n_features} features for {info.n_clients:,} clients ({info.n_labelled:,} labelled) in "
        f"{info.seconds:.1f}s -> {info.features_path}",
        highlight=False,
    )


class Role(enum.StrEnum):
    advisor = "advisor"
    client = "client"


@contextmanager
def _db_session() -> Iterator[Any]:
    """A session on the decision-log database from settings, migrated to the latest schema first."""
    from credit_scoring.config import get_settings
    from credit_scoring.storage.db import make_engine, make_session_factory, upgrade_database

    url = get_settings().database_url
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option("--role", help="advisor: every client; client: only their own file.")],
    client_id: Annotated[
        int | None, typer.Option("--client-id", help="For a client user: the SK_ID_CURR they may see.")
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
        ),
    ] = "",
) -> None:
    """Create a user, or change an existing user's password, role or client. Passwords are stored hashed (argon2)."""
    from credit_scoring.storage.users import add_user

    def body() -> None:
        with _db_session() as session:
            add_user(session, username, password, role.value, client_id)

    _run(body)
    _console.print(f"user {username} saved ({role.value})", highlight=False)


@users_app.command("demo")
def users_demo(
    clients: Annotated[int, typer.Option("--clients", min=0, help="How many client logins to create.")] = 3,
) -> None:
    """Create the documented demo users: `conseiller` and `client-<id>` for the first known clients."""
    from credit_scoring.config import get_settings
    from credit_scoring.storage.users import create_demo_users

    settings = get_settings()

    def body() -> list[Any]:
        ids = _known_client_ids(settings.feature_store_dir, clients)
        with _db_session() as session:
            return create_demo_users(session, settings, ids)

    for user in _run(body):
        _console.print(f"{user.username} ({user.role}{f', client {user.client_id}' if user.client_id else ''})")


def _known_client_ids(store: Path, n: int) -> list[int]:
    import pyarrow.parquet as pq

    from credit_scoring.errors import DataError

    path = store / "applications.parquet"
    if not path.is_file():
        raise DataError(f"{path} is missing: build the feature store first (`credit-scoring features build`)")
    ids = pq.read_table(path, columns=["SK_ID_CURR"]).column(0).to_pylist()
    return sorted(int(i) for i in ids)[:n]


@users_app.command("add-key")
def users_add_key(name: Annotated[str, typer.Argument(help="Name of the calling service.")]) -> None:
    """Create an API key for a service caller (advisor rights); it is shown once and stored hashed."""
    from credit_scoring.storage.users import add_api_key

    def body() -> str:
        with _db_session() as session:
            return add_api_key(session, name)

    key = _run(body)
    _console.print(f"API key for {name} (shown once, send it as X-API-Key):")
    typer.echo(key)


@users_app.command("revoke-key")
def users_revoke_key(name: Annotated[str, typer.Argument(help="Name given when the key was created.")]) -> None:
    """Revoke a service's API key."""
    from credit_scoring.storage.users import revoke_api_key

    def body() -> bool:
        with _db_session() as session:
            return revoke_api_key(session, name)

    if not _run(body):
        _console.print(f"[red]error:[/red] no API key named {name}", highlight=False)
        raise typer.Exit(code=1)
    _console.print(f"API key {name} revoked", highlight=False)


class Engine(enum.StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command("score")
def score_command(
    data: Annotated[str, typer.Option("--data", help="Raw-table folder (8 Parquet tables; Spark: also s3a://...).")],
    model: Annotated[Path, typer.Option("--model", help="Model bundle folder (models/<version>).")],
    out: Annotated[str, typer.Option("--out", help="Output folder of Parquet files (one row per client).")],
    engine: Annotated[Engine, typer.Option("--engine", help="duckdb: one machine; spark: a cluster.")] = Engine.duckdb,
    top: Annotated[int, typer.Option("--top", min=0, help="Reasons toward refusal per client (0: none).")] = 3,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --out if it exists.")] = False,
    master: Annotated[str | None, typer.Option("--master", help="Spark master (default: spark-submit's).")] = None,
    conf: Annotated[list[str] | None, typer.Option("--conf", help="Spark setting KEY=VALUE (repeatable).")] = None,
) -> None:
    """Score a whole portfolio from its raw tables: features, probability, decision and top reasons per client."""
    from credit_scoring.errors import DataError
    from credit_scoring.portfolio import score_portfolio

    def body() -> str:
        bad = [c for c in conf or [] if "=" not in c]
        if bad:
            raise DataError(f"--conf expects KEY=VALUE, got {bad[0]!r}")
        settings = dict(c.split("=", 1) for c in conf or [])
        with _progress() as hook:
            info = score_portfolio(
                data, model, out, engine=engine.value, top=top, overwrite=overwrite, master=master,
                spark_conf=settings, progress=hook,
            )  # fmt: skip
        return info.summary()

    _console.print(_run(body), highlight=False)


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default from settings).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default from settings).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes.")] = None,
) -> None:
    """Start the scoring API (uvicorn); model, feature store and database come from settings."""
    from credit_scoring.api.serve import serve

    _run(lambda: serve(host, port, workers))


@app.command("dashboard")
def dashboard_command_(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default from settings).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default from settings).")] = None,
    api_url: Annotated[
        str | None, typer.Option("--api-url", help="The API it talks to (default from settings).")
    ] = None,
) -> None:
    """Start the Streamlit dashboard; it reaches the model only through the API."""
    from credit_scoring.config import get_settings
    from credit_scoring.dashboard.launch import run_dashboard

    s = get_settings()
    code = run_dashboard(host or s.dashboard_host, port or s.dashboard_port, api_url or s.dashboard_api_url)
    raise typer.Exit(code=code)


@app.command("up")
def up_command() -> None:
    """Start the API and the dashboard together; Ctrl-C stops both."""
    from credit_scoring.config import get_settings
    from credit_scoring.launcher import run_stack

    settings = get_settings()

    def announce(line: str) -> None:
        _console.print(line, highlight=False)

    code = _run(lambda: run_stack(settings, announce=announce))
    raise typer.Exit(code=code)
