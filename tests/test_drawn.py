"""The drawn task: points kept in the config reproduce the run from its folder."""

import numpy as np
import pytest

from playground.cli import main
from playground.core import config as config_module
from playground.core.config import ConfigError, from_dict, validate
from playground.core.tasks import get_task

POINTS = [[-0.5, -0.5, 0], [0.5, 0.5, 1], [-0.4, 0.6, 0], [0.6, -0.4, 1], [0.1, 0.9, 2], [-0.9, 0.1, 2],
          [0.3, 0.3, 1], [-0.2, -0.7, 0]]


def test_the_points_are_the_data_and_the_labels_give_the_classes():
    spec = get_task("drawn")
    params = spec.resolve({"points": POINTS, "train_fraction": 0.5})
    data = spec.build(params, 0)
    assert spec.n_classes(params) == 3 and data.n_classes == 3 and not spec.is_regression(params)
    got = sorted(tuple(map(float, p)) + (int(y),) for p, y in
                 zip(np.concatenate([data.plane_train, data.plane_test]), np.concatenate([data.y_train, data.y_test])))
    assert got == sorted((float(np.float32(a)), float(np.float32(b)), c) for a, b, c in POINTS)
    assert len(data.x_train) == 4


def test_drawn_regression_takes_numeric_targets():
    spec = get_task("drawn")
    params = spec.resolve({"points": [[0, 0, 0.25], [1, 1, -1.5], [0.5, 0.2, 3.0]], "regression": True})
    data = spec.build(params, 0)
    assert spec.is_regression(params) and data.y_train.dtype == np.float32
    assert set(np.concatenate([data.y_train, data.y_test]).tolist()) == {0.25, -1.5, 3.0}


@pytest.mark.parametrize("points, fragment", [
    ([], "the drawn task needs at least 2 points, has 0"),
    ([[0, 0, 0], [1, 1]], "point 2 should be \\[x1, x2, label\\]"),
    ([[0, 0, 0], [1, "a", 1]], "point 2 should be"),
    ([[0, 0, 0], [1, 1, 0.5]], "point 2 has label 0.5"),
    ([[0, 0, 0], [1, 1, 9]], "point 2 has label 9"),
    ("0,0,1", "expected a list of \\[x1, x2, label\\] points"),
])
def test_bad_points_are_one_line_errors(points, fragment):
    with pytest.raises(ConfigError, match=f"task.points: {fragment}"):
        validate(from_dict({"task": {"name": "drawn", "points": points}}))


def test_a_saved_config_round_trips_the_points_exactly(tmp_path):
    cfg = validate(from_dict({"task": {"name": "drawn", "points": POINTS + [[0.123456789, -2.5, 1]]}}))
    config_module.save(cfg, tmp_path / "config.toml")
    assert config_module.load(tmp_path / "config.toml") == cfg


def test_run_config_retrains_the_drawn_points_headless(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    points = str(POINTS).replace(" ", "")
    assert main(["run", "--set", "task.name=drawn", "--set", f"task.points={points}", "--set", "network.hidden=[4]",
                 "--epochs", "3", "--quiet", "--out", str(first)]) == 0
    assert main(["run", "--config", str(first / "config.toml"), "--quiet", "--out", str(second)]) == 0
    assert (first / "metrics.csv").read_text() == (second / "metrics.csv").read_text()
    assert config_module.load(second / "config.toml").task.params["points"] == tuple(tuple(p) for p in POINTS)
