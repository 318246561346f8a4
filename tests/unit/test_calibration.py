"""Calibration lowers the Brier score of a miscalibrated model and survives a JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from credit_scoring.modeling.calibration import Calibrator, brier_score, expected_calibration_error


def _overconfident(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """True default probability p; the 'model' reports p ** 0.5 (far too high for a rare event)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(1, 11, n)  # mean about 8%
    y = (rng.random(n) < p).astype(int)
    return np.sqrt(p), y


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_lowers_brier_and_ece_on_held_out_data(method: str) -> None:
    raw_fit, y_fit = _overconfident(20_000, 1)
    raw_new, y_new = _overconfident(20_000, 2)
    cal = Calibrator(method).fit(raw_fit, y_fit)  # type: ignore[arg-type]
    calibrated = cal.transform(raw_new)
    assert brier_score(y_new, calibrated) < brier_score(y_new, raw_new) - 0.01
    assert expected_calibration_error(y_new, calibrated) < 0.01 < expected_calibration_error(y_new, raw_new)
    assert abs(calibrated.mean() - y_new.mean()) < 0.01


@pytest.mark.parametrize("method", ["isotonic", "platt", "none"])
def test_round_trip_through_json_gives_identical_probabilities(method: str) -> None:
    raw, y = _overconfident(5_000, 3)
    cal = Calibrator(method).fit(raw, y)  # type: ignore[arg-type]
    again = Calibrator.from_dict(json.loads(json.dumps(cal.to_dict())))
    np.testing.assert_array_equal(again.transform(raw), cal.transform(raw))


def test_isotonic_calibration_is_monotone() -> None:
    raw, y = _overconfident(5_000, 4)
    out = Calibrator("isotonic").fit(raw, y).transform(np.linspace(0, 1, 101))
    assert (np.diff(out) >= 0).all()


def test_measures_on_hand_made_cases() -> None:
    assert brier_score([0, 1], [0.0, 1.0]) == 0.0
    assert brier_score([0, 1], [0.5, 0.5]) == 0.25
    # two bins: [0.1, 0.1] observed 0 -> gap 0.1; [0.9, 0.9] observed 1 -> gap 0.1
    assert expected_calibration_error([0, 0, 1, 1], [0.1, 0.1, 0.9, 0.9], n_bins=2) == pytest.approx(0.1)


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="expected isotonic, platt or none"):
        Calibrator("beta").fit([0.1], [0])  # type: ignore[arg-type]
