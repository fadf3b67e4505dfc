"""Binning estimator: exact against dictionary counting over tuples, on random and hard cases."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from playground.core.measures.probes.binning import (
    AdaptiveRange,
    adaptive_edges,
    adaptive_information,
    binned_information,
    digitize,
    fixed_edges,
    fixed_information,
    pack_rows,
)
from playground.core.measures.probes.targets import make_targets
from playground.core.tasks.ib import ib_data

TOL = 1e-9


def entropy(counter: Counter, total: int) -> float:
    return -sum(c / total * math.log2(c / total) for c in counter.values())


def conditional_entropy(pairs: list[tuple], total: int) -> float:
    """H(A|B) for a list of (a, b) pairs, as sum_b p(b) H(A | B=b)."""
    by_b: dict = {}
    for a, b in pairs:
        by_b.setdefault(b, Counter())[a] += 1
    return sum(sum(c.values()) / total * entropy(c, sum(c.values())) for c in by_b.values())


def reference(symbols: list[tuple], x_rows: list[tuple], y: list[int]) -> tuple[float, float]:
    """I(X;T) = H(T) - H(T|X), I(T;Y) = H(T) - H(T|Y), by counting tuples in dictionaries."""
    n = len(symbols)
    h_t = entropy(Counter(symbols), n)
    h_t_x = conditional_entropy(list(zip(symbols, x_rows)), n)
    h_t_y = conditional_entropy(list(zip(symbols, y)), n)
    return h_t - h_t_x, h_t - h_t_y


def fixed_reference(activity: np.ndarray, x: np.ndarray, y: np.ndarray, bins: int) -> tuple[float, float]:
    """One member (N, U): each value's bin by bisect on linspace(-1, 1, bins), in Python floats."""
    edges = [float(e) for e in np.linspace(-1.0, 1.0, bins)]
    symbols = [tuple(bisect_right(edges, float(v)) for v in row) for row in activity]
    return reference(symbols, [tuple(r) for r in x.tolist()], y.tolist())


def adaptive_reference(activity: np.ndarray, x, y, low: float, high: float, bins: int) -> tuple[float, float]:
    """`bins` bins between low and high: interior edges low + (high-low) k/bins, k = 1..bins-1."""
    fractions = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    edges = [float(low + (high - low) * f) for f in fractions]
    symbols = [tuple(min(bisect_right(edges, float(v)), bins - 1) for v in row) for row in activity]
    return reference(symbols, [tuple(r) for r in x.tolist()], y.tolist())


def check_fixed(activity: np.ndarray, x: np.ndarray, y: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """activity (E, N, U), x (E, N, d), y (E, N): every member against the reference."""
    targets = make_targets(x, y)
    i_xt, i_ty = fixed_information(activity, bins, targets)
    for e in range(activity.shape[0]):
        ref_xt, ref_ty = fixed_reference(activity[e], x[e], y[e], bins)
        assert i_xt[e] == pytest.approx(ref_xt, abs=TOL)
        assert i_ty[e] == pytest.approx(ref_ty, abs=TOL)
    return i_xt, i_ty


def distinct_inputs(members: int, n: int, d: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(np.arange(n))[:, None] * np.ones(d) for _ in range(members)]).astype(np.float32)


# ---------------------------------------------------------------- digitize


def test_digitize_equals_numpy_on_edges_and_their_neighbours():
    edges = fixed_edges(30)
    hard64 = np.concatenate([
        edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf),
        [-1.0, 1.0, -1.5, 1.5, 0.0, -0.0, 1e30, -1e30, np.inf, -np.inf],
    ])
    hard32 = np.concatenate([
        hard64.astype(np.float32),
        np.nextafter(edges.astype(np.float32), np.float32(np.inf)),
        np.nextafter(edges.astype(np.float32), np.float32(-np.inf)),
    ])
    for values in (hard64, hard32):
        activity = values.reshape(1, -1, 1)
        expected = np.digitize(values.astype(np.float64), edges).reshape(activity.shape)
        assert np.array_equal(digitize(activity, edges), expected)


def test_digitize_per_member_edges_equal_numpy():
    rng = np.random.default_rng(1)
    low = np.array([-3.0, 0.0, 2.5])
    high = np.array([4.0, 0.7, 2.6])
    edges = adaptive_edges(low, high, 17)
    activity = rng.uniform(low[:, None, None] - 0.1, high[:, None, None] + 0.1, (3, 500, 4))
    activity[:, :16, 0] = edges  # exactly on every edge
    for dtype in (np.float64, np.float32):
        values = activity.astype(dtype)
        expected = np.stack([np.digitize(values[e].astype(np.float64), edges[e]) for e in range(3)])
        assert np.array_equal(digitize(values, edges), expected)


def test_pack_rows_keeps_rows_apart_when_codes_would_overflow():
    rng = np.random.default_rng(2)
    index = rng.integers(0, 31, size=(2, 300, 40))  # 31**40 overflows int64
    index[:, 150:] = index[:, :150]  # repeated rows must share a code
    codes, bound = pack_rows(index, 31)
    assert codes.max() < bound
    for e in range(2):
        rows = [tuple(r) for r in index[e].tolist()]
        groups: dict = {}
        for code, row in zip(codes[e].tolist(), rows):
            groups.setdefault(row, set()).add(code)
        assert all(len(c) == 1 for c in groups.values())
        assert len({next(iter(c)) for c in groups.values()}) == len(groups)


# ---------------------------------------------------------------- exactness


def test_random_activations_match_dictionary_counting():
    rng = np.random.default_rng(3)
    members, n = 3, 400
    activity = np.tanh(rng.normal(scale=1.5, size=(members, n, 4))).astype(np.float32)
    x = distinct_inputs(members, n)
    y = rng.integers(0, 3, size=(members, n))
    check_fixed(activity, x, y, bins=30)
    check_fixed(activity.astype(np.float64), x, y, bins=7)


def test_values_on_edges_and_at_plus_minus_one():
    edges = fixed_edges(30)
    rng = np.random.default_rng(4)
    n = 240
    pool = np.concatenate([edges, [-1.0, 1.0, -1.0, 1.0], np.nextafter(edges, np.inf)])
    activity = rng.choice(pool, size=(2, n, 3))
    x = distinct_inputs(2, n)
    y = rng.integers(0, 2, size=(2, n))
    check_fixed(activity, x, y)
    check_fixed(activity.astype(np.float32), x, y)


def test_values_outside_the_range_get_the_outer_bins():
    rng = np.random.default_rng(5)
    activity = rng.uniform(-4, 4, size=(1, 300, 3))
    x = distinct_inputs(1, 300)
    y = rng.integers(0, 2, size=(1, 300))
    check_fixed(activity, x, y)


def test_constant_layer_carries_no_information():
    for value in (0.0, 0.5, 1.0):
        activity = np.full((2, 128, 3), value)
        x = distinct_inputs(2, 128)
        y = np.tile(np.arange(128) % 2, (2, 1))
        i_xt, i_ty = check_fixed(activity, x, y)
        assert np.all(i_xt == 0) and np.all(i_ty == 0)


def test_layer_copying_x_has_i_xt_equal_to_h_x():
    x, y = ib_data()
    x = x.astype(np.float32)[None]
    y = y[None]
    targets = make_targets(x, y)
    i_xt, i_ty = fixed_information(x, 30, targets)  # 0 and 1 fall into different bins
    assert i_xt[0] == pytest.approx(12.0, abs=TOL)
    assert i_xt[0] == pytest.approx(targets.h_x[0], abs=TOL)
    # X determines Y, so a copy of X carries all of H(Y).
    assert i_ty[0] == pytest.approx(targets.h_y[0], abs=TOL)
    assert targets.h_y[0] == pytest.approx(0.99916, abs=1e-5)


def test_layer_copying_y_has_i_ty_equal_to_h_y():
    x, y = ib_data()
    activity = y.astype(np.float32)[None, :, None]
    targets = make_targets(x.astype(np.float32)[None], y[None])
    i_xt, i_ty = fixed_information(activity, 30, targets)
    assert i_ty[0] == pytest.approx(targets.h_y[0], abs=TOL)
    assert i_xt[0] == pytest.approx(targets.h_y[0], abs=TOL)  # T = Y: H(T) = H(Y)


def test_repeated_inputs_give_conditional_entropy_from_groups():
    rng = np.random.default_rng(6)
    n = 300
    base = rng.integers(0, 2, size=(40, 5)).astype(np.float32)
    x = base[rng.integers(0, 40, size=(2, n))]  # inputs repeat
    y = rng.integers(0, 2, size=(2, n))
    # Activity that differs between copies of one input (as sampled noise would make it).
    activity = np.tanh(rng.normal(size=(2, n, 2)))
    targets = make_targets(x, y)
    assert targets.x_groups is not None
    i_xt, i_ty = check_fixed(activity, x, y, bins=5)
    # H(T|X) > 0 here, so I(X;T) < H(T).
    symbols_only, _ = binned_information(digitize(activity, fixed_edges(5)), 6, make_targets(distinct_inputs(2, n), y))
    assert np.all(i_xt < symbols_only - 1e-6)


def test_adaptive_binning_matches_dictionary_counting():
    rng = np.random.default_rng(7)
    members, n, bins = 2, 300, 100
    activity = np.maximum(rng.normal(size=(members, n, 3)) * 3, 0).astype(np.float32)
    x = distinct_inputs(members, n)
    y = rng.integers(0, 2, size=(members, n))
    tracker = AdaptiveRange()
    tracker.update(activity * 0.5 - 1)  # an earlier epoch with a lower minimum
    low, high = tracker.update(activity)
    assert np.all(low < 0) and np.allclose(high, activity.max(axis=(1, 2)))
    targets = make_targets(x, y)
    i_xt, i_ty = adaptive_information(activity, low, high, bins, targets)
    for e in range(members):
        ref_xt, ref_ty = adaptive_reference(activity[e], x[e], y[e], low[e], high[e], bins)
        assert i_xt[e] == pytest.approx(ref_xt, abs=TOL)
        assert i_ty[e] == pytest.approx(ref_ty, abs=TOL)


def test_adaptive_binning_of_a_constant_layer_is_one_bin():
    activity = np.full((1, 50, 2), 3.0)
    targets = make_targets(distinct_inputs(1, 50), np.arange(50)[None] % 2)
    i_xt, i_ty = adaptive_information(activity, np.array([3.0]), np.array([3.0]), 100, targets)
    assert i_xt[0] == 0 and i_ty[0] == 0


def test_fixed_binning_clips_relu_and_fakes_compression():
    """Why adaptive binning exists: ReLU activity growing beyond 1 merges into the last bin."""
    rng = np.random.default_rng(8)
    n = 500
    pre = rng.uniform(0, 1, size=(1, n, 2))
    x = distinct_inputs(1, n)
    y = rng.integers(0, 2, size=(1, n))
    targets = make_targets(x, y)
    small, _ = fixed_information(pre, 30, targets)
    grown, _ = fixed_information(pre * 10, 30, targets)  # same information, scaled up
    assert grown[0] < small[0] - 1
    a_small, _ = adaptive_information(pre, pre.min(axis=(1, 2)), pre.max(axis=(1, 2)), 100, targets)
    a_grown, _ = adaptive_information(pre * 10, pre.min(axis=(1, 2)) * 10, pre.max(axis=(1, 2)) * 10, 100, targets)
    assert a_grown[0] == pytest.approx(a_small[0], abs=0.05)


# ---------------------------------------------------------------- properties

activity_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=40).map(lambda s: (1, s[0], min(s[1], 6))),
    elements=st.one_of(st.floats(-1.5, 1.5), st.sampled_from([-1.0, 1.0, 0.0])),
)


@settings(max_examples=60, deadline=None)
@given(activity=activity_arrays, seed=st.integers(0, 1000), classes=st.integers(1, 3))
def test_information_inequalities(activity, seed, classes):
    rng = np.random.default_rng(seed)
    n = activity.shape[1]
    y = rng.integers(0, classes, size=(1, n))
    x = distinct_inputs(1, n, seed=seed)
    targets = make_targets(x, y)
    i_xt, i_ty = fixed_information(activity, 30, targets)
    assert -TOL <= i_ty[0] <= min(i_xt[0], targets.h_y[0]) + TOL
    assert i_xt[0] <= math.log2(n) + TOL


@settings(max_examples=40, deadline=None)
@given(activity=activity_arrays, seed=st.integers(0, 1000))
def test_invariant_to_permuting_units_and_samples(activity, seed):
    rng = np.random.default_rng(seed)
    n, units = activity.shape[1], activity.shape[2]
    y = rng.integers(0, 2, size=(1, n))
    x = distinct_inputs(1, n, seed=seed)
    base = fixed_information(activity, 30, make_targets(x, y))
    samples = rng.permutation(n)
    unit_order = rng.permutation(units)
    moved = activity[:, samples][:, :, unit_order]
    permuted = fixed_information(moved, 30, make_targets(x[:, samples], y[:, samples]))
    assert permuted[0][0] == pytest.approx(base[0][0], abs=TOL)
    assert permuted[1][0] == pytest.approx(base[1][0], abs=TOL)
