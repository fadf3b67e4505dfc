import itertools

import numpy as np
import pytest

from playground.core.config import ConfigError
from playground.core.tasks import TASKS, get_task
from playground.core.tasks import ib
from playground.core.tasks.parity import hidden_subset


def entropy_bits(p):
    p = np.asarray([q for q in p if q > 0])
    return float(-(p * np.log2(p)).sum())


def test_ib_dataset_statistics_match_the_study():
    x, y = ib.ib_data()
    assert x.shape == (4096, 12)
    assert len({tuple(row) for row in x}) == 4096
    # Counting order, most significant bit first.
    assert list(x[1]) == [0] * 11 + [1] and list(x[2048]) == [1] + [0] * 11
    assert y.mean() == pytest.approx(0.51709, abs=5e-6)
    assert entropy_bits([y.mean(), 1 - y.mean()]) == pytest.approx(0.99916, abs=5e-6)


def test_ib_labels_equal_a_pair_by_pair_reference():
    """Recount neighbour and antipodal pairs with plain loops and Floyd-Warshall distances."""
    inf = 99
    dist = [[0 if i == j else (1 if j in ib.NEIGHBOURS[i] else inf) for j in range(12)] for i in range(12)]
    for k, i, j in itertools.product(range(12), repeat=3):
        dist[i][j] = min(dist[i][j], dist[i][k] + dist[k][j])
    x, y = ib.ib_data()
    for index in range(0, 4096, 7):
        on = [b for b in range(12) if x[index, b]]
        w = len(on)
        n1 = sum(1 for a, b in itertools.combinations(on, 2) if dist[a][b] == 1)
        n3 = sum(1 for a, b in itertools.combinations(on, 2) if dist[a][b] == 3)
        expected = (w >= 8 or (w == 7 and not (n1 == 8 and n3 == 2))
                    or (w == 6 and (n1 >= 7 or (n1 == 6 and n3 == 0))) or (w == 5 and n1 == 7))
        assert y[index] == int(expected), index


def test_ib_split_is_shuffled_by_seed_and_sized():
    spec = get_task("ib")
    params = spec.resolve({})
    a, b = spec.build(params, 0), spec.build(params, 1)
    assert len(a.x_train) == round(0.8 * 4096) and len(a.x_test) == 4096 - len(a.x_train)
    assert not np.array_equal(a.x_train, b.x_train)
    # A shuffled split keeps the label balance (the counting-order split would not).
    assert abs(a.y_train.mean() - 0.517) < 0.03
    np.testing.assert_array_equal(a.x_probe, ib.ib_data()[0].astype(np.float32))


def test_parity_labels_equal_brute_force_product():
    spec = get_task("parity")
    params = spec.resolve({"n": 7, "k": 3, "online": False, "samples": 200})
    data = spec.build(params, 3)
    subset = hidden_subset(params)
    assert len(subset) == 3
    for row, label in zip(data.x_train, data.y_train):
        product = 1
        for i in subset:
            product *= int(row[i])
        assert label == (1 if product == 1 else 0)
    assert set(np.unique(data.x_train)) == {-1.0, 1.0}


def test_parity_online_sampler_draws_fresh_correct_samples():
    spec = get_task("parity")
    params = spec.resolve({"n": 9})
    data = spec.build(params, 0)
    assert data.sampler is not None
    rng = np.random.default_rng(0)
    x1, y1 = data.sampler(rng, 64)
    x2, _ = data.sampler(rng, 64)
    assert not np.array_equal(x1, x2)
    subset = hidden_subset(params)
    np.testing.assert_array_equal(y1, (np.prod(x1[:, subset], axis=1) > 0).astype(int))
    assert len(subset) == 4  # default k = n // 2


def test_random_labels_replace_the_asked_fraction():
    spec = get_task("ib")
    clean = spec.build(spec.resolve({}), 5)
    noisy = spec.build(spec.resolve({"random_labels": 1.0}), 5)
    np.testing.assert_array_equal(clean.x_train, noisy.x_train)
    agree = (clean.y_train == noisy.y_train).mean()
    assert 0.4 < agree < 0.6  # random binary labels agree half the time
    np.testing.assert_array_equal(clean.y_test, noisy.y_test)


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral"])
def test_two_d_sets_have_two_features_and_both_classes(name):
    spec = get_task(name)
    data = spec.build(spec.resolve({"samples": 200}), 0)
    assert data.input_dim == 2
    assert len(data.x_train) == 100
    assert set(np.unique(data.y_train)) == {0, 1}


def test_xor_clean_labels_are_the_sign_product():
    spec = get_task("xor")
    data = spec.build(spec.resolve({"noise": 0.0, "samples": 300}), 0)
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))


def test_gauss_supports_more_than_two_classes():
    spec = get_task("gauss")
    data = spec.build(spec.resolve({"classes": 5, "samples": 500}), 0)
    assert data.n_classes == 5 and set(np.unique(data.y_train)) == set(range(5))


def test_csv_task_reads_features_and_any_number_of_classes(tmp_path):
    path = tmp_path / "d.csv"
    rows = ["a,b,kind"] + [f"{i},{i % 3},{['cat', 'dog', 'eel'][i % 3]}" for i in range(30)]
    path.write_text("\n".join(rows) + "\n")
    spec = get_task("csv")
    params = spec.resolve({"path": str(path), "standardize": False})
    data = spec.build(params, 0)
    assert data.n_classes == 3 and spec.n_classes(params) == 3
    assert data.input_dim == 2
    # class names sorted: cat=0, dog=1, eel=2; b column equals the class here
    np.testing.assert_array_equal(data.x_train[:, 1].astype(int), data.y_train)


@pytest.mark.parametrize("content, fragment", [
    ("a,b,y\n1,2,0\n1,oops,1\n3,4,1\n", "row 3, column 'b': 'oops' is not a number"),
    ("a,b,y\n1,2,0\n1,2\n3,4,1\n", "row 3 has 2 columns"),
    ("a,b,y\n1,2,0\n1,2,0\n", "only one class"),
    ("a,y\n1,0\n", "at least two data rows"),
])
def test_malformed_csv_names_row_and_column(tmp_path, content, fragment):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    spec = get_task("csv")
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(")):
        spec.resolve({"path": str(path)})


def test_every_task_has_a_description_and_builds_with_defaults(tmp_path):
    for name, spec in TASKS.items():
        assert spec.description
        if name in ("csv", "reg-csv", "drawn"):  # their data come from a file or the config
            continue
        params = spec.resolve({})
        data = spec.build(params, 0)
        target = np.float32 if spec.is_regression(params) else np.int64
        assert data.x_train.dtype == np.float32 and data.y_train.dtype == target and data.regression == (target == np.float32)
        assert len(data.x_train) > 0 and len(data.x_test) > 0
