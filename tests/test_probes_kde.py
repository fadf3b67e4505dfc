"""KDE bounds against a direct double loop over samples, in plain Python floats."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.measures.probes.kde import kde_information, kde_layer, kernel_sums
from playground.core.measures.probes.targets import make_targets

TOL = 1e-9


def mixture_entropy(points: list[list[float]], var: float) -> float:
    """Kolchinsky-Tracey entropy (nats) of equal-weight Gaussians of variance `var` at `points`:
    d/2 + (d/2) ln(2 pi var) - (1/P) sum_i ln[(1/P) sum_j exp(-||h_i - h_j||^2 / (2 var))]."""
    count, d = len(points), len(points[0])
    total = 0.0
    for a in points:
        inner = 0.0
        for b in points:
            distance = sum((u - v) ** 2 for u, v in zip(a, b))
            inner += math.exp(-distance / (2 * var))
        total += math.log(inner / count)
    return d / 2 + (d / 2) * math.log(2 * math.pi * var) - total / count


def reference(h: np.ndarray, y: np.ndarray, var: float) -> dict[str, float]:
    points = h.tolist()
    labels = y.tolist()
    d = len(points[0])
    classes = sorted(set(labels))
    h_given_x = (d / 2) * (math.log(2 * math.pi * var) + 1)
    out = {}
    for name, v, shift in (("upper", var, 0.0), ("lower", 4 * var, (d / 2) * math.log(0.25))):
        whole = mixture_entropy(points, v) + shift
        by_class = 0.0
        for c in classes:
            members = [p for p, label in zip(points, labels) if label == c]
            by_class += len(members) / len(points) * (mixture_entropy(members, v) + shift)
        out[f"i_xt_{name}"] = (whole - h_given_x) / math.log(2)
        out[f"i_ty_{name}"] = (whole - by_class) / math.log(2)
    return out


@pytest.mark.parametrize("chunk", [1, 7, 16, 1024])
def test_bounds_equal_double_loop(chunk):
    rng = np.random.default_rng(0)
    h = np.tanh(rng.normal(size=(37, 3)) * 2)
    y = rng.integers(0, 3, size=37)
    result = kde_layer(h, y, 3, 0.1, chunk=chunk)
    expected = reference(h, y, 0.1)
    for key, value in expected.items():
        assert result[key] == pytest.approx(value, abs=TOL), key


def test_bounds_with_duplicates_absent_class_and_wide_spread():
    rng = np.random.default_rng(1)
    h = np.maximum(rng.normal(size=(25, 2)) * 20, 0)  # ReLU-like: exact zeros, far-apart points
    h[10:15] = h[0]
    y = rng.choice([0, 2], size=25)  # class 1 never occurs
    result = kde_layer(h, y, 3, 0.05, chunk=8)
    expected = reference(h, y, 0.05)
    for key, value in expected.items():
        assert result[key] == pytest.approx(value, abs=TOL), key


def test_kernel_sums_are_per_class_sums_of_the_kernel():
    rng = np.random.default_rng(2)
    h = rng.normal(size=(30, 4))
    y = rng.integers(0, 2, size=30)
    sums, wide = kernel_sums(h, y, 2, 0.3, chunk=9)
    d2 = ((h[:, None, :] - h[None, :, :]) ** 2).sum(-1)
    for c in range(2):
        assert np.allclose(sums[:, c], np.exp(-d2 / 0.6)[:, y == c].sum(1), rtol=1e-12, atol=0)
        assert np.allclose(wide[:, c], np.exp(-d2 / 2.4)[:, y == c].sum(1), rtol=1e-12, atol=0)


def test_ensemble_rows_are_members():
    rng = np.random.default_rng(3)
    activity = rng.uniform(-1, 1, size=(2, 20, 3))
    y = rng.integers(0, 2, size=(2, 20))
    x = np.arange(40, dtype=np.float32).reshape(2, 20, 1)
    result = kde_information(activity, make_targets(x, y), 0.1, chunk=6)
    for e in range(2):
        expected = reference(activity[e], y[e], 0.1)
        for key, value in expected.items():
            assert result[key][e] == pytest.approx(value, abs=TOL)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 40), d=st.integers(1, 4),
       var=st.sampled_from([1e-3, 0.1, 1.0]), scale=st.sampled_from([0.01, 1.0, 30.0]))
def test_upper_bound_is_above_lower_bound(seed, n, d, var, scale):
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, d)) * scale
    y = rng.integers(0, 2, size=n)
    result = kde_layer(h, y, 2, var, chunk=16)
    assert result["i_xt_upper"] >= result["i_xt_lower"] - TOL
    # I(X;T) under noise is at most log2 P (the mixture has P components).
    assert result["i_xt_upper"] <= math.log2(n) + 1e-6
