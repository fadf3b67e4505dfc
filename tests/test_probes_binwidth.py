"""Fixed-width binning (Saxe et al.'s `floor(h / 0.07)`): exact against a direct np.unique over
the rows of floor(h / w), on cases with a known answer, and live in a run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from playground.core.config import ConfigError, apply_overrides, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.experiments.catalog import get_preset
from playground.core.measures.probes.binning import fixed_information, width_bins, width_information
from playground.core.measures.probes.targets import make_targets

TOL = 1e-9


def unique_reference(h: np.ndarray, y: np.ndarray, width: float) -> tuple[float, float]:
    """One member (N, U), all inputs distinct: np.unique over the rows of floor(h / width)
    (in h's dtype, as the original code), I(X;T) = H(T), I(T;Y) = H(T) - sum_y p(y) H(T|y)."""
    symbols = np.floor(h / width)

    def entropy(rows: np.ndarray) -> float:
        _, counts = np.unique(rows, axis=0, return_counts=True)
        p = counts / counts.sum()
        return float(-(p * np.log2(p)).sum())

    h_t = entropy(symbols)
    labels, sizes = np.unique(y, return_counts=True)
    h_t_y = sum(size / len(y) * entropy(symbols[y == c]) for c, size in zip(labels, sizes))
    return h_t, h_t - h_t_y


def distinct_x(members: int, n: int) -> np.ndarray:
    return np.tile(np.arange(n, dtype=np.float32)[None, :, None], (members, 1, 2))


def check_against_unique(activity: np.ndarray, y: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    targets = make_targets(distinct_x(*activity.shape[:2]), y)
    i_xt, i_ty = width_information(activity, width, targets)
    for e in range(activity.shape[0]):
        ref_xt, ref_ty = unique_reference(activity[e], y[e], width)
        assert i_xt[e] == pytest.approx(ref_xt, abs=TOL)
        assert i_ty[e] == pytest.approx(ref_ty, abs=TOL)
    return i_xt, i_ty


def test_relu_like_activity_matches_np_unique():
    rng = np.random.default_rng(0)
    members, n = 3, 600
    # Unbounded, mostly small with a long tail, some exact zeros (dead ReLU units).
    activity = np.maximum(rng.normal(scale=[[[0.3, 2.0, 8.0, 0.05, 1.0]]], size=(members, n, 5)), 0).astype(np.float32)
    activity[:, :, 3] = 0.0
    y = rng.integers(0, 2, size=(members, n))
    check_against_unique(activity, y, 0.07)
    check_against_unique(activity.astype(np.float64), y, 0.5)


def test_negative_values_floor_down_and_values_on_bin_edges():
    rng = np.random.default_rng(1)
    width = 0.07
    # Multiples of the width computed in float32 (exactly on or next to an edge), and negatives.
    k = rng.integers(-40, 40, size=(2, 500, 3)).astype(np.float32)
    activity = k * np.float32(width)
    activity[:, ::3] = np.nextafter(activity[:, ::3], np.float32(-np.inf))
    y = rng.integers(0, 3, size=(2, 500))
    check_against_unique(activity, y, width)


def test_wide_spans_and_many_units_stay_exact():
    """Units spanning more bins than inputs (dense ranks) and rows whose mixed-radix code would
    overflow int64 (re-ranked while packing)."""
    rng = np.random.default_rng(2)
    n = 400
    activity = rng.normal(scale=1e6, size=(2, n, 12)).astype(np.float32)
    activity[:, n // 2:] = activity[:, : n // 2]  # repeated rows share one symbol
    y = rng.integers(0, 2, size=(2, n))
    i_xt, _ = check_against_unique(activity, y, 0.07)
    assert i_xt == pytest.approx([math.log2(n // 2)] * 2, abs=TOL)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(np.float32, (2, 30, 3), elements=st.floats(-50, 50, width=32)),
    st.sampled_from([0.07, 0.5, 3.0]),
)
def test_any_finite_activity_matches_np_unique(activity, width):
    y = np.tile(np.arange(30) % 2, (2, 1))
    check_against_unique(activity, y, width)


def test_known_answers():
    width = 0.07
    y = np.array([[0, 0, 1, 1]])
    targets = make_targets(distinct_x(1, 4), y)
    # Beyond [-1, 1] every value is its own bin: 2 bits, all of H(Y); fixed bins clip them into one.
    beyond = np.array([[[2.0], [3.0], [5.0], [9.0]]], dtype=np.float32)
    assert width_information(beyond, width, targets)[0] == pytest.approx([2.0], abs=TOL)
    assert fixed_information(beyond, 30, targets)[0] == pytest.approx([0.0], abs=TOL)
    # Bins 0, 0, 1 and a far one: H(T) = 1.5 bits; within y = 0 one bin, within y = 1 two, so
    # H(T|Y) = 0.5 and I(T;Y) = 1 bit.
    mixed = np.array([[[0.01], [0.05], [0.1], [1000.0]]], dtype=np.float32)
    i_xt, i_ty = width_information(mixed, width, targets)
    assert i_xt == pytest.approx([1.5], abs=TOL) and i_ty == pytest.approx([1.0], abs=TOL)
    # Floor, not truncation: -0.01 and 0.01 lie in bins -1 and 0.
    assert width_bins(np.array([[[-0.01], [0.01]]], dtype=np.float32), width).ravel().tolist() == [-1, 0]
    # A constant layer carries nothing, whatever its value.
    for value in (0.0, 7.3, -120.0):
        i_xt, i_ty = width_information(np.full((1, 4, 2), value, dtype=np.float32), width, targets)
        assert i_xt == pytest.approx([0.0], abs=TOL) and i_ty == pytest.approx([0.0], abs=TOL)


def test_non_finite_values_get_bins_of_their_own():
    activity = np.array([[[np.nan], [np.nan], [np.inf], [-np.inf], [0.0], [1e30]]], dtype=np.float32)
    targets = make_targets(distinct_x(1, 6), np.array([[0, 1, 0, 1, 0, 1]]))
    i_xt, _ = width_information(activity, 0.07, targets)
    # Symbols: {nan, nan}, {+inf and 1e30 clipped to the same outermost bin}, -inf, 0.
    p = np.array([2, 2, 1, 1]) / 6
    assert i_xt[0] == pytest.approx(float(-(p * np.log2(p)).sum()), abs=TOL)


def test_bin_width_must_be_positive():
    with pytest.raises(ConfigError, match="probes.bin_width"):
        validate(apply_overrides(get_preset("ib-relu").config(), ["probes.bin_width=0"]))


def test_a_run_measures_binwidth_live_on_the_probed_epochs():
    config = apply_overrides(get_preset("ib-relu").config(), [
        "train.epochs=3", "train.ensemble=2", "probes.schedule=every", "probes.layer_stats=false",
        "probes.bin_width=0.2",
    ])
    assert config.probes.estimator == "binwidth"
    trainer = build_trainer(config)
    records = list(trainer.epochs())
    last = records[-1]
    live = last.live["info_plane"]
    assert live["estimators"] == ("binwidth",)
    assert live["i_xt"].shape == (1, 2, 6)
    table = last.tables["info_plane"]
    assert set(table["estimator"]) == {"binwidth"}
    data = trainer.task
    targets = make_targets(data.x_probe.numpy(), data.y_probe.numpy(), data.n_classes)
    for layer, activity in enumerate(trainer.layer_activations()):
        expected = width_information(activity.detach().numpy().astype(np.float32), 0.2, targets)
        np.testing.assert_allclose(live["i_xt"][0, :, layer], expected[0], atol=TOL)
        np.testing.assert_allclose(live["i_ty"][0, :, layer], expected[1], atol=TOL)


def test_every_estimator_has_one_line_of_help_with_its_caveats():
    from playground.core.config import ESTIMATORS
    from playground.core.config.schema import ESTIMATOR_HELP

    assert set(ESTIMATOR_HELP) == set(ESTIMATORS)
    assert all("\n" not in text and text for text in ESTIMATOR_HELP.values())
    assert "caveat" in ESTIMATOR_HELP["adaptive"]
    assert "0.1" in ESTIMATOR_HELP["kde"] and "1e-3" in ESTIMATOR_HELP["kde"]
    assert "0.07" in ESTIMATOR_HELP["binwidth"]
