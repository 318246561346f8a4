"""Seed bagging: the averaged booster predicts, explains and constrains exactly as the mean of its members."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
from numpy.typing import NDArray

from credit_scoring.modeling.bagging import average_boosters

N = 3_000


def _data(seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, 6))
    x[rng.random(x.shape) < 0.1] = np.nan
    signal = np.nan_to_num(x[:, 0]) - 0.5 * np.nan_to_num(x[:, 1]) + rng.normal(size=N)
    return x, (signal > 1).astype(np.int64)


@pytest.fixture(scope="module")
def members() -> tuple[list[lgb.Booster], NDArray[np.float64]]:
    x, y = _data()
    dataset = lgb.Dataset(x, y, params={"verbosity": -1}, free_raw_data=False).construct()
    boosters = []
    for seed in range(3):
        params = {
            "objective": "binary", "verbosity": -1, "num_leaves": 8, "seed": seed, "feature_fraction": 0.5,
            "bagging_fraction": 0.8, "bagging_freq": 1, "monotone_constraints": [1, -1, 0, 0, 0, 0],
            "monotone_constraints_method": "intermediate",
        }  # fmt: skip
        boosters.append(
            lgb.train(
                params,
                dataset.subset(list(range(2_500))),
                num_boost_round=300,
                valid_sets=[dataset.subset(list(range(2_500, N)))],
                callbacks=[lgb.early_stopping(10, verbose=False)],
            )
        )
    return boosters, x


def test_the_average_predicts_the_mean_raw_score_of_its_members(members: tuple[list[lgb.Booster], NDArray]) -> None:
    boosters, x = members
    assert len({b.best_iteration for b in boosters}) > 1  # members stopped at different rounds
    merged = average_boosters(boosters)
    assert merged.num_trees() == sum(b.best_iteration for b in boosters)  # each member at its best iteration
    mean = np.mean([b.predict(x, raw_score=True) for b in boosters], axis=0)
    np.testing.assert_allclose(merged.predict(x, raw_score=True), mean, atol=1e-12)
    reloaded = lgb.Booster(model_str=merged.model_to_string())  # what the bundle stores and reads back
    np.testing.assert_allclose(reloaded.predict(x, raw_score=True), mean, atol=1e-12)


def test_the_average_explains_as_the_mean_of_its_members(members: tuple[list[lgb.Booster], NDArray]) -> None:
    boosters, x = members
    contributions = average_boosters(boosters).predict(x[:200], pred_contrib=True)
    mean = np.mean([b.predict(x[:200], pred_contrib=True) for b in boosters], axis=0)
    np.testing.assert_allclose(contributions, mean, atol=1e-12)


def test_the_average_keeps_the_members_monotone_constraints(members: tuple[list[lgb.Booster], NDArray]) -> None:
    merged = average_boosters(members[0])
    x = np.tile(members[1][:40], (25, 1, 1))  # 25 copies of 40 clients...
    grid = np.linspace(-3, 3, 25)
    for feature, direction in ((0, 1), (1, -1)):
        moved = x.copy()
        moved[:, :, feature] = grid[:, None]  # ...with one feature swept over the grid
        raw = merged.predict(moved.reshape(-1, 6), raw_score=True).reshape(25, 40)
        assert (np.diff(raw, axis=0) * direction >= -1e-12).all()


def test_one_member_is_itself_and_none_or_mismatched_members_are_refused(
    members: tuple[list[lgb.Booster], NDArray],
) -> None:
    boosters, _ = members
    assert average_boosters(boosters[:1]) is boosters[0]
    with pytest.raises(ValueError, match="at least one"):
        average_boosters([])
    x, y = _data(seed=1)
    other = lgb.train({"objective": "binary", "verbosity": -1}, lgb.Dataset(x[:, :4], y), num_boost_round=5)
    with pytest.raises(ValueError, match="same features"):
        average_boosters([boosters[0], other])
