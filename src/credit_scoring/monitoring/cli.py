"""``credit-scoring monitor drift|fairness|card``: thin commands over the monitoring library.

Registered on the main app by ``credit_scoring.cli`` (``app.add_typer(monitor_app, name="monitor")``); the commands use
its ``_run`` and ``_progress`` helpers (imported when a command runs, since ``cli`` imports this module), so an error
is one red line and exit code 1 as everywhere else. ``monitor drift`` exits with code 3 on a drift alert.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from credit_scoring.config import Settings

__all__ = ["monitor_app", "resolve_bundle_dir"]

monitor_app = typer.Typer(
    help="Monitor the model: data drift, fairness by group, and the model card (EU AI Act duties).",
    no_args_is_help=True,
)

_MODEL = typer.Option(
    "--model", help="Model bundle folder (default: CREDIT_SCORING_MODEL, a folder or a registry alias)."
)
_FEATURES = typer.Option("--features", help="Feature store folder (default: CREDIT_SCORING_FEATURE_STORE_DIR).")
_OUT = typer.Option("--out", help="Folder for reports and summaries (default: CREDIT_SCORING_MONITORING_DIR).")


def resolve_bundle_dir(settings: Settings, model: Path | None) -> Path:
    """The bundle folder to monitor: ``model`` when given, else ``settings.model`` as the API resolves it."""
    from credit_scoring.bundle import BundleError

    if model is not None:
        if not model.is_dir():
            raise BundleError(f"the model bundle folder {model} does not exist")
        return model
    candidate = Path(settings.model).expanduser()
    if candidate.is_dir() or "/" in settings.model or settings.model.startswith("."):
        if not candidate.is_dir():
            raise BundleError(f"the model bundle folder {candidate} (CREDIT_SCORING_MODEL) does not exist")
        return candidate
    from credit_scoring.modeling.tracking import resolve_registered_bundle

    dst = settings.models_dir / ".registry" / settings.model
    dst.mkdir(parents=True, exist_ok=True)
    return resolve_registered_bundle(
        tracking_uri=settings.mlflow_tracking_uri, name=settings.registered_model_name, alias=settings.model, dst=dst
    )


@monitor_app.command("drift")
def drift_command(
    model: Annotated[Path | None, _MODEL] = None,
    features: Annotated[Path | None, _FEATURES] = None,
    out: Annotated[Path | None, _OUT] = None,
    alert_share: Annotated[
        float | None,
        typer.Option(
            "--alert-share",
            min=0.0,
            max=1.0,
            help="Alert (exit code 3) when this share of fields drifts (default 0.3).",
        ),
    ] = None,
    sample_rows: Annotated[
        int | None, typer.Option("--sample-rows", min=100, help="Rows sampled per side when larger (default 50000).")
    ] = None,
    min_scored: Annotated[
        int | None, typer.Option("--min-scored", min=1, help="Scored applications needed to compare the log.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=120, help="Application fields monitored.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sampling.")] = 0,
) -> None:
    """Compare the training applicants with the new clients and with the applications scored (Evidently reports)."""
    from credit_scoring.cli import _console, _progress, _run
    from credit_scoring.config import get_settings
    from credit_scoring.monitoring.drift import DRIFT_ALERT_EXIT_CODE, DriftOptions, run_drift
    from credit_scoring.schemas import DriftSummary

    settings = get_settings()
    options = DriftOptions(
        top=top,
        sample_rows=sample_rows or settings.drift_sample_rows,
        min_scored=min_scored or settings.drift_min_scored,
        alert_share=settings.drift_alert_share if alert_share is None else alert_share,
        seed=seed,
    )
    out_dir = out or settings.monitoring_dir

    def body() -> DriftSummary:
        with _progress() as hook:
            return run_drift(
                bundle_dir=resolve_bundle_dir(settings, model),
                store_dir=features or settings.feature_store_dir,
                database_url=settings.database_url,
                out_dir=out_dir,
                options=options,
                progress=hook,
            )

    summary = _run(body)
    for c in summary.comparisons:
        if c.drift_share is None:
            line = f"{c.name}: {c.status.replace('_', ' ')} — {c.note}"
        else:
            line = (
                f"{c.name}: {c.drifted_columns} of {sum(col.drifted is not None for col in c.columns)} fields drifted "
                f"({c.drift_share:.0%}, alert at {summary.alert_share:.0%}) on {c.current_rows:,} rows"
                f"{' (sampled)' if c.sampled else ''} -> {out_dir / (c.report or '')}"
            )
        _console.print(("[red]ALERT[/red] " if c.status == "alert" else "") + line, highlight=False, soft_wrap=True)
    _console.print(f"summary: {out_dir / 'drift.json'} ({summary.seconds:.1f}s)", highlight=False)
    if summary.alert:
        raise typer.Exit(code=DRIFT_ALERT_EXIT_CODE)


@monitor_app.command("fairness")
def fairness_command(
    model: Annotated[Path | None, _MODEL] = None,
    features: Annotated[Path | None, _FEATURES] = None,
    out: Annotated[Path | None, _OUT] = None,
    min_group: Annotated[
        int, typer.Option("--min-group", min=1, help="Smaller groups are shown but not compared.")
    ] = 50,
) -> None:
    """Approval, false-negative and false-positive rates by CODE_GENDER and age band, on out-of-fold predictions."""
    from credit_scoring.cli import _console, _run
    from credit_scoring.config import get_settings
    from credit_scoring.monitoring.fairness import run_fairness
    from credit_scoring.schemas import FairnessSummary

    settings = get_settings()
    out_dir = out or settings.monitoring_dir

    def body() -> FairnessSummary:
        return run_fairness(
            bundle_dir=resolve_bundle_dir(settings, model),
            store_dir=features or settings.feature_store_dir,
            out_dir=out_dir,
            min_group_size=min_group,
        )

    summary = _run(body)
    for attribute in summary.attributes:
        ratio = attribute.ratio.get("approval_rate")
        gap = attribute.difference.get("false_positive_rate")
        _console.print(
            f"{attribute.attribute}: approval-rate ratio {'—' if ratio is None else f'{ratio:.2f}'}, "
            f"false-positive-rate difference {'—' if gap is None else f'{gap:.3f}'}",
            highlight=False,
        )
    _console.print(f"report: {out_dir / 'fairness.html'} and fairness.md; summary: fairness.json", highlight=False)


@monitor_app.command("card")
def card_command(
    model: Annotated[Path | None, _MODEL] = None,
    features: Annotated[Path | None, _FEATURES] = None,
    out: Annotated[Path | None, _OUT] = None,
) -> None:
    """Write the model card (Markdown and HTML) from the bundle and the latest drift and fairness summaries."""
    from credit_scoring.cli import _console, _run
    from credit_scoring.config import get_settings
    from credit_scoring.monitoring.card import write_model_card
    from credit_scoring.schemas import ModelCardText

    settings = get_settings()
    out_dir = out or settings.monitoring_dir

    def body() -> ModelCardText:
        return write_model_card(
            bundle_dir=resolve_bundle_dir(settings, model),
            out_dir=out_dir,
            store_dir=features or settings.feature_store_dir,
        )

    card = _run(body)
    _console.print(
        f"model card of {card.model_version}: {out_dir / 'model_card.md'} and model_card.html", highlight=False
    )
