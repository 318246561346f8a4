"""Reason codes: sentences for every feature in both languages, values formatted by kind, one reason per quantity."""

from __future__ import annotations

import math

import numpy as np
import pytest

from credit_scoring.features.manifest import manifest
from credit_scoring.reasons import (
    FeatureText,
    PercentileSketch,
    QuantityGroups,
    describe,
    format_value,
    quantity_key,
    reasons,
)

TEXTS = [FeatureText.from_manifest(e) for e in manifest()["features"]]


def _text(name: str) -> FeatureText:
    return next(t for t in TEXTS if t.name == name)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_feature_has_a_sentence_in_both_languages(lang: str) -> None:
    for text in TEXTS:
        positions = (
            (0.0, (10.0, 80.0)),
            (1.0, (95.0, 2.0)),
            (12345.6, (20.0, 20.0)),
            (-4000.0, None),
            (math.nan, None),
        )
        for value, position in positions:
            sentence = describe(text, value, position, lang)  # type: ignore[arg-type]
            assert sentence.strip() and sentence.endswith("."), (text.name, sentence)
            assert "nan" not in sentence.lower().split(), (text.name, sentence)


def test_values_are_formatted_by_kind() -> None:
    assert format_value(_text("AMT_CREDIT"), 1_234_567.0, "en") == "1,234,567"
    assert format_value(_text("AMT_CREDIT"), 1_234_567.0, "fr") == "1\u202f234\u202f567"
    assert format_value(_text("DAYS_BIRTH"), -12_000.0, "en") == "32 years and 10 months"
    assert format_value(_text("DAYS_BIRTH"), -12_000.0, "fr") == "32 ans et 10 mois"
    assert format_value(_text("INSTAL_IS_LATE_MEAN"), 0.12, "en") == "12%"
    assert format_value(_text("INSTAL_IS_LATE_MEAN"), 0.12, "fr") == "12\u202f%"
    assert format_value(_text("FLAG_DOCUMENT_3"), 1.0, "en") == "yes"
    assert format_value(_text("FLAG_DOCUMENT_3"), 0.0, "fr") == "non"
    assert format_value(_text("AMT_CREDIT"), math.nan, "en") == "not available"


def test_one_hot_levels_read_is_and_is_not() -> None:
    onehot = next(t for t in TEXTS if t.aggregation == "one-hot" and "“" in t.en)
    assert " is not “" in describe(onehot, 0.0, None, "en")
    assert " is not “" not in describe(onehot, 1.0, None, "en")
    assert "n'est pas" in describe(onehot, 0.0, None, "fr")


def test_percentile_phrase_and_sketch() -> None:
    values = np.arange(1000, dtype=np.float32)[:, None]
    sketch = PercentileSketch.fit(values, n_points=101)
    assert sketch.percentile(0, 900.0) == pytest.approx(90, abs=1.5)
    assert sketch.percentile(0, math.nan) is None
    below, above = sketch.position(0, 900.0)  # type: ignore[misc]
    assert below == pytest.approx(90, abs=1.5) and above == pytest.approx(10, abs=1.5)
    text = _text("INSTAL_IS_LATE_MEAN")
    assert describe(text, 0.12, (90.0, 9.0), "en").endswith("12%, higher than 90% of clients.")
    assert "en dessous de 80\u202f% des clients" in describe(text, 0.01, (15.0, 80.0), "fr")
    employed = describe(_text("DAYS_EMPLOYED"), -400.0, (80.0, 15.0), "en")
    assert "1 year and 1 month, lower than 80% of clients" in employed, "durations compare as durations"
    assert "(like 70% of clients)" in describe(text, 0.0, (0.0, 30.0), "en"), "a value most clients share"


def test_quantity_keys_merge_levels_windows_and_aggregates() -> None:
    key = {t.name: quantity_key(t) for t in TEXTS}
    levels = [t.name for t in TEXTS if t.aggregation == "one-hot" and t.sources == ("NAME_INCOME_TYPE",)]
    assert len(levels) > 2 and len({key[n] for n in levels}) == 1
    assert key["INSTAL_DPD_MAX"] == key["INSTAL_DPD_MEAN"] == key["INSTAL_RECENT_12M_DPD_MAX"]
    assert key["AMT_CREDIT"] != key["AMT_ANNUITY"]
    assert key["EXT_SOURCE_1"] != key["EXT_SOURCE_2"]
    assert key["APP_AGE_YEARS"] == key["DAYS_BIRTH"] and key["APP_DAYS_EMPLOYED_SENTINEL"] == key["DAYS_EMPLOYED"]
    assert key["APARTMENTS_AVG"] == key["APARTMENTS_MODE"] == key["APARTMENTS_MEDI"]


def test_reasons_merge_one_hot_levels_and_follow_contribution_order() -> None:
    names = [t.name for t in TEXTS]
    keys = [quantity_key(t) for t in TEXTS]
    levels = [names.index(t.name) for t in TEXTS if t.aggregation == "one-hot" and t.sources == ("NAME_INCOME_TYPE",)]
    rng = np.random.default_rng(0)
    logit = np.zeros(len(TEXTS))
    picked = rng.choice(len(TEXTS), 40, replace=False)
    logit[picked] = rng.normal(0, 0.2, 40)
    logit[levels] = 0.0
    logit[levels[0]], logit[levels[1]] = 0.5, 0.3  # one quantity: 0.8 toward refusal
    values = np.zeros(len(TEXTS), dtype=np.float32)
    values[levels[1]] = 1.0  # the client's level
    sketch = PercentileSketch.fit(rng.normal(size=(200, len(TEXTS))).astype(np.float32), n_points=101)
    refusal, acceptance = reasons(logit, values, QuantityGroups(TEXTS, keys), sketch, "en", top=100)
    income_type = [r for r in refusal if r.feature in {names[j] for j in levels}]
    assert len(income_type) == 1 and income_type[0].feature == names[levels[1]]
    assert " is not “" not in income_type[0].text

    sums: dict[str, float] = {}
    for j in np.flatnonzero(logit):
        sums[keys[j]] = sums.get(keys[j], 0.0) + logit[j]
    for side, sign in ((refusal, 1), (acceptance, -1)):
        got = [sums[keys[names.index(r.feature)]] for r in side]
        assert all(sign * g > 0 for g in got)
        assert [abs(g) for g in got] == sorted((abs(g) for g in got), reverse=True)
    assert len(refusal) + len(acceptance) == len([s for s in sums.values() if s != 0])
