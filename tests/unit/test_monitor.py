"""`credit-scoring monitor drift|fairness|card` on the session's synthetic store and bundle: what each writes, the
drift alert's exit code, the decision log as a population, fairness rates checked by hand, and the Evidently shim."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from credit_scoring.bundle import ModelBundle
from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.monitoring.drift import DRIFT_ALERT_EXIT_CODE, monitored_fields, scored_applications
from credit_scoring.monitoring.fairness import age_band
from credit_scoring.schemas import APPLICATION_COLUMNS, DriftSummary, FairnessSummary, ModelCardText
from credit_scoring.storage.db import make_engine, upgrade_database
from credit_scoring.storage.models import Decision

_NUMERIC = {c.name for c in APPLICATION_COLUMNS if c.dtype != "category"}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path | str]]:
    """Settings for one test: its own decision log (absent until written) and monitoring folder."""
    db = f"sqlite:///{tmp_path / 'decisions.db'}"
    out = tmp_path / "monitoring"
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", db)
    monkeypatch.setenv("CREDIT_SCORING_MONITORING_DIR", str(out))
    get_settings.cache_clear()
    yield {"db": db, "out": out}
    get_settings.cache_clear()


def _applications(store: Path) -> pd.DataFrame:
    apps = pd.read_parquet(store / "applications.parquet")
    labelled = pd.read_parquet(store / "features.parquet", columns=["SK_ID_CURR", "LABELLED"])
    return apps.merge(labelled, on="SK_ID_CURR")


def _log(db: str, rows: pd.DataFrame, *, kind: str = "score") -> None:
    """Write ``rows`` (raw application fields) to a decision log as the API would: non-missing fields as inputs."""
    upgrade_database(db)
    records: list[dict[str, Any]] = json.loads(rows.drop(columns=["LABELLED"]).to_json(orient="records"))
    engine = make_engine(db)
    with Session(engine) as session:
        for record in records:
            sk_id = record.pop("SK_ID_CURR")
            session.add(
                Decision(
                    actor="advisor1",
                    actor_role="advisor",
                    client_id=sk_id,
                    model_version="test",
                    kind=kind,
                    inputs={k: v for k, v in record.items() if v is not None},
                    probability=0.1,
                    threshold=0.5,
                    decision="granted",
                    top_reasons=[],
                )
            )
        session.commit()
    engine.dispose()


def _drift(store: Path, bundle: Path, *extra: str) -> tuple[int, str, DriftSummary | None]:
    args = ["--model", str(bundle), "--features", str(store), "--sample-rows", "2000", "--top", "10", *extra]
    result = CliRunner().invoke(app, ["monitor", "drift", *args])
    out = Path(str(get_settings().monitoring_dir)) / "drift.json"
    summary = DriftSummary.model_validate_json(out.read_text()) if out.is_file() else None
    return result.exit_code, result.output, summary


# --- the Evidently import shim ----------------------------------------------------------------------------------------


def test_import_evidently_restores_the_pandas_helper_and_turns_telemetry_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas.core.dtypes.common as common

    from credit_scoring.monitoring._evidently import import_evidently

    monkeypatch.delattr(common, "infer_dtype_from_object", raising=False)
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    module = import_evidently()
    assert module.__name__ == "evidently"
    assert common.infer_dtype_from_object("float64") is np.float64  # type: ignore[attr-defined]
    assert common.infer_dtype_from_object(np.dtype("int64")) is np.int64  # type: ignore[attr-defined]
    import os

    assert os.environ["DO_NOT_TRACK"] == "1"
    from evidently import Report  # type: ignore[import-untyped]  # the import that fails under pandas 3 without it

    assert Report is not None


# --- drift ------------------------------------------------------------------------------------------------------------


def test_monitored_fields_are_raw_application_fields_ranked_by_gain(trained_bundle: Path, feature_store: Path) -> None:
    bundle = ModelBundle.load(trained_bundle)
    manifest = json.loads((feature_store / "manifest.json").read_text())
    fields = monitored_fields(bundle, manifest, top=10)
    assert len(fields) == 10
    assert all(f.column in {c.name for c in APPLICATION_COLUMNS} for f in fields)
    shares = [f.importance for f in fields]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1
    # the planted signal runs through the external scores: they must be watched
    assert {"EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"} & {f.column for f in fields}


def test_drift_without_a_decision_log_reports_it_instead_of_a_meaningless_figure(
    env: dict[str, Any], trained_bundle: Path, feature_store: Path
) -> None:
    code, output, summary = _drift(feature_store, trained_bundle, "--alert-share", "1")
    assert summary is not None, output
    assert code == (DRIFT_ALERT_EXIT_CODE if summary.alert else 0), output
    new, scored = summary.comparisons
    assert new.name == "new_clients" and new.drift_share is not None and new.status in {"ok", "alert"}
    assert new.current_total > 0 and new.reference_total > new.current_total
    assert len(new.columns) == len(summary.monitored_columns) == 10
    assert all(c.method and c.drifted is not None for c in new.columns)
    assert (env["out"] / "drift_new_clients.html").stat().st_size > 10_000
    assert scored.status == "insufficient_data" and scored.drift_share is None and scored.report is None
    assert "no decision log" in (scored.note or "")
    assert "scored: insufficient data" in output
    assert not (env["out"] / "drift_scored.html").exists()


def test_drift_with_too_few_scored_applications_says_how_many_are_needed(
    env: dict[str, Any], trained_bundle: Path, feature_store: Path
) -> None:
    apps = _applications(feature_store)
    _log(env["db"], apps[apps["LABELLED"]].head(30))
    _, output, summary = _drift(feature_store, trained_bundle, "--alert-share", "1", "--min-scored", "50")
    assert summary is not None, output
    scored = summary.comparisons[1]
    assert scored.status == "insufficient_data" and scored.current_total == 30
    assert "only 30 distinct application(s)" in (scored.note or "") and "at least 50" in (scored.note or "")


def test_drift_alert_exits_with_code_3_when_scored_applications_shift(
    env: dict[str, Any], trained_bundle: Path, feature_store: Path
) -> None:
    apps = _applications(feature_store)
    shifted = apps[apps["LABELLED"]].head(400).copy()
    for column in [c for c in shifted.columns if c in _NUMERIC and c != "SK_ID_CURR"]:
        shifted[column] = shifted[column] * 3 + 1  # every numeric field moves far away
    shifted["NAME_CONTRACT_TYPE"] = "Revolving loans"
    _log(env["db"], shifted)
    _log(env["db"], shifted.head(50), kind="simulation")  # what-ifs are not applications: ignored
    code, output, summary = _drift(feature_store, trained_bundle, "--alert-share", "0.3")
    assert code == DRIFT_ALERT_EXIT_CODE, output
    assert summary is not None and summary.alert
    scored = summary.comparisons[1]
    assert scored.status == "alert" and scored.current_total == 400
    assert scored.drift_share is not None and scored.drift_share >= 0.3
    assert scored.drifted_columns == sum(bool(c.drifted) for c in scored.columns)
    assert (env["out"] / "drift_scored.html").is_file()
    assert "ALERT" in output and "scored:" in output


def test_drift_of_a_population_like_the_training_one_is_no_alert(
    env: dict[str, Any], trained_bundle: Path, feature_store: Path
) -> None:
    apps = _applications(feature_store)
    _log(env["db"], apps[apps["LABELLED"]].sample(600, random_state=1))
    code, output, summary = _drift(feature_store, trained_bundle, "--alert-share", "0.9")
    assert summary is not None, output
    scored = summary.comparisons[1]
    assert scored.status == "ok" and scored.drift_share is not None and scored.drift_share < 0.3
    assert code == (DRIFT_ALERT_EXIT_CODE if summary.alert else 0)


def test_drift_samples_large_populations_and_says_so(
    env: dict[str, Any], trained_bundle: Path, feature_store: Path
) -> None:
    _, output, summary = _drift(feature_store, trained_bundle, "--sample-rows", "500", "--alert-share", "1")
    assert summary is not None, output
    new = summary.comparisons[0]
    assert new.sampled and new.reference_rows == 500 and new.reference_total > 500
    assert "sampled at random" in (new.note or "")


def test_scored_applications_keep_the_latest_record_per_client(env: dict[str, Any], feature_store: Path) -> None:
    apps = _applications(feature_store).head(5)
    _log(env["db"], apps)
    _log(env["db"], apps.assign(AMT_CREDIT=123.0))  # the same clients scored again, later
    frame, total, note = scored_applications(env["db"], ["AMT_CREDIT", "CODE_GENDER"], limit=100)
    assert note is None and total == 5 and len(frame) == 5
    assert (frame["AMT_CREDIT"] == 123.0).all()


def test_drift_errors_are_one_line(env: dict[str, Any], tmp_path: Path, trained_bundle: Path) -> None:
    result = CliRunner().invoke(
        app, ["monitor", "drift", "--model", str(trained_bundle), "--features", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 1
    assert "manifest.json is missing" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["monitor", "fairness", "--model", str(tmp_path / "no-model")])
    assert result.exit_code == 1 and "does not exist" in result.output


# --- fairness ---------------------------------------------------------------------------------------------------------


def test_age_bands() -> None:
    years = [18, 29.99, 30, 39.99, 40, 55, 59.99, 60, 80]
    days = pd.Series([-y * 365.25 for y in years] + [np.nan])
    assert age_band(days).tolist() == [
        "<30", "<30", "30-39", "30-39", "40-49", "50-59", "50-59", "60+", "60+", None
    ]  # fmt: skip


def test_fairness_rates_match_a_count_by_hand(env: dict[str, Any], trained_bundle: Path, feature_store: Path) -> None:
    result = CliRunner().invoke(
        app, ["monitor", "fairness", "--model", str(trained_bundle), "--features", str(feature_store)]
    )
    assert result.exit_code == 0, result.output
    out: Path = env["out"]
    summary = FairnessSummary.model_validate_json((out / "fairness.json").read_text())
    bundle = ModelBundle.load(trained_bundle)
    oof = pd.read_parquet(trained_bundle / "oof_predictions.parquet").merge(
        pd.read_parquet(feature_store / "applications.parquet", columns=["SK_ID_CURR", "CODE_GENDER", "DAYS_BIRTH"]),
        on="SK_ID_CURR",
    )
    refused = oof["proba"] >= bundle.threshold
    assert summary.n_clients == len(oof) and summary.threshold == bundle.threshold
    gender = next(a for a in summary.attributes if a.attribute == "CODE_GENDER")
    for g in gender.groups:
        rows = oof["CODE_GENDER"] == g.group
        defaulters, good = rows & (oof["TARGET"] == 1), rows & (oof["TARGET"] == 0)
        assert g.count == rows.sum()
        assert g.approval_rate == pytest.approx((~refused[rows]).mean())
        if defaulters.any():
            assert g.false_negative_rate == pytest.approx((~refused[defaulters]).mean())
        assert g.false_positive_rate == pytest.approx(refused[good].mean())
    compared = [g for g in gender.groups if g.compared]
    assert len(compared) >= 2 and all(g.count >= summary.min_group_size for g in compared)
    rates = [g.approval_rate for g in compared]
    assert gender.difference["approval_rate"] == pytest.approx(max(rates) - min(rates))
    assert gender.ratio["approval_rate"] == pytest.approx(min(rates) / max(rates))
    ages = next(a for a in summary.attributes if a.attribute == "age_band")
    assert [g.group for g in ages.groups] == [b for b in ["<30", "30-39", "40-49", "50-59", "60+"] if b in {
        g.group for g in ages.groups}]  # fmt: skip
    assert sum(g.count for g in ages.groups) == len(oof)
    for value in [*ages.difference.values(), *ages.ratio.values()]:
        assert value is None or (math.isfinite(value) and value >= 0)
    manifest = json.loads((feature_store / "manifest.json").read_text())["features"]
    from_gender = [e["name"] for e in manifest if "CODE_GENDER" in e["sources"] and e["name"] in bundle.features]
    assert gender.model_features == from_gender
    assert "APP_AGE_YEARS" in ages.model_features or "DAYS_BIRTH" in ages.model_features
    markdown = (out / "fairness.md").read_text()
    assert "Positive class" in markdown and "false-positive rate" in markdown
    assert ("**CODE_GENDER is used by the model**" in markdown) == bool(from_gender)
    page = (out / "fairness.html").read_text()
    assert '<html lang="en">' in page and "<caption>" in page and '<th scope="col">' in page
    assert "<script" not in page


# --- model card -------------------------------------------------------------------------------------------------------


def test_card_covers_every_required_section(env: dict[str, Any], trained_bundle: Path, feature_store: Path) -> None:
    runner = CliRunner()
    args = ["--model", str(trained_bundle), "--features", str(feature_store)]
    result = runner.invoke(app, ["monitor", "card", *args])
    assert result.exit_code == 0, result.output
    out: Path = env["out"]
    before = (out / "model_card.md").read_text()
    assert "monitor fairness" in before and "monitor drift" in before  # says what is missing and how to get it
    assert runner.invoke(app, ["monitor", "fairness", *args]).exit_code == 0
    _drift(feature_store, trained_bundle, "--alert-share", "1")
    assert runner.invoke(app, ["monitor", "card", *args]).exit_code == 0
    card = (out / "model_card.md").read_text()
    bundle = ModelBundle.load(trained_bundle)
    for heading in (
        "Model details",
        "Intended use",
        "Data",
        "Features",
        "Metrics",
        "Threshold and business cost",
        "Calibration",
        "Fairness",
        "Drift",
        "Limitations",
        "Transparency and human oversight",
    ):
        assert f"## {heading}" in card, heading
    assert bundle.version in card and f"{bundle.threshold:.4f}" in card
    assert "Human override" in card and "decision log" in card and "TreeSHAP" in card
    assert "approval rate" in card and "new clients" in card
    page = (out / "model_card.html").read_text()
    assert '<html lang="en">' in page and page.count("<caption>") >= 5 and "<h1>" in page
    served = ModelCardText.model_validate_json((out / "model_card.json").read_text())
    assert served.model_version == bundle.version and served.markdown == card


def test_monitor_commands_have_help() -> None:
    for command in ("drift", "fairness", "card"):
        result = CliRunner().invoke(app, ["monitor", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
    assert "--alert-share" in CliRunner().invoke(app, ["monitor", "drift", "--help"]).output


def test_html_documents_are_accessible_and_escape_the_data() -> None:
    from credit_scoring.monitoring._document import Document

    doc = Document(title="Report", lang="fr")
    doc.heading("Section")
    doc.paragraph("a <script>alert(1)</script> **bold**")
    doc.table("Caption", ["group", "rate"], [["<img src=x>", 0.25], ["M", None]])
    page = doc.html()
    assert '<html lang="fr">' in page and "<h1>Report</h1>" in page and "<h2>Section</h2>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page and "<strong>bold</strong>" in page
    assert "<caption>Caption</caption>" in page and '<th scope="col">rate</th>' in page
    assert '<th scope="row">&lt;img src=x&gt;</th>' in page and '<td class="num">0.250</td>' in page
    markdown = doc.markdown()
    assert "Table: Caption" in markdown and "| M | — |" in markdown
