"""Input features of the 2-D tasks (task.features) against their formulas, written out per point."""

import math

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.boundary import compute_boundary
from playground.core.tasks import get_task
from playground.core.tasks.features import NAMES

ALL = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
BY_HAND = {
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1^2": lambda a, b: a ** 2, "x2^2": lambda a, b: b ** 2,
    "x1*x2": lambda a, b: a * b, "sin(x1)": lambda a, b: math.sin(a), "sin(x2)": lambda a, b: math.sin(b),
}


@pytest.mark.parametrize("task", ["spiral", "circle", "reg-gauss"])
def test_every_feature_equals_its_formula_at_every_point(task):
    spec = get_task(task)
    data = spec.build(spec.resolve({"features": ALL, "samples": 60}), 4)
    assert data.input_dim == 7 and data.feature_names == tuple(ALL)
    for inputs, plane in ((data.x_train, data.plane_train), (data.x_test, data.plane_test)):
        for row, (a, b) in zip(inputs, plane.astype(np.float64)):
            expected = [BY_HAND[name](a, b) for name in ALL]
            np.testing.assert_allclose(row, expected, rtol=1e-6, atol=1e-7)


def test_features_keep_the_points_and_the_default_keeps_the_inputs():
    spec = get_task("spiral")
    plain = spec.build(spec.resolve({}), 2)
    squared = spec.build(spec.resolve({"features": ["x1^2", "x2^2"]}), 2)
    np.testing.assert_array_equal(plain.x_train, plain.plane_train)  # x1, x2: the points themselves
    np.testing.assert_array_equal(squared.plane_train, plain.plane_train)
    np.testing.assert_array_equal(squared.y_train, plain.y_train)
    np.testing.assert_allclose(squared.x_train, plain.x_train ** 2, rtol=1e-6)


@pytest.mark.parametrize("value, fragment", [
    (["x1", "x3"], "unknown feature 'x3'; allowed: " + ", ".join(NAMES)),
    ([], "at least one feature"),
    (["x1", "x1"], "listed twice"),
    (3, "expected a list of feature names"),
])
def test_bad_features_are_one_line_errors(value, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("^", r"\^").replace("(", r"\(").replace(")", r"\)")
                       .replace("*", r"\*")) as caught:
        validate(from_dict({"task": {"name": "xor", "features": value}}))
    assert "\n" not in str(caught.value) and str(caught.value).startswith("task.features")


def test_an_unknown_feature_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--preset", "spiral", "--set", 'task.features=["x1","cos(x1)"]', "--out", str(out)]) == 2
    assert "unknown feature 'cos(x1)'" in capsys.readouterr().err and not out.exists()


def test_spiral_trains_with_seven_input_units(tmp_path):
    out = tmp_path / "run"
    features = 'task.features=["x1","x2","x1^2","x2^2","x1*x2","sin(x1)","sin(x2)"]'
    assert main(["run", "--preset", "spiral", "--set", features, "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    from playground.core.runs import final_state

    live = final_state.read(out)
    assert live["layer_sizes"][0] == 7 and live["feature_names"] == ALL
    assert live["boundary"].points.shape[1] == 2  # the boundary stays in the (x1, x2) plane


def test_the_boundary_grid_goes_through_the_feature_map():
    cfg = from_dict({"task": {"name": "circle", "samples": 80, "features": ["x1^2", "x2^2", "x1*x2"]}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[4]", "train.ensemble=2"])))
    trainer.run_epoch()
    grid = compute_boundary(trainer, resolution=6)
    np.testing.assert_array_equal(grid.points, trainer.task.datasets[0].plane_train)
    weights, biases = trainer.weights(), [b.detach().numpy().reshape(2, -1) for b in trainer.model.biases]
    for member in range(2):
        for j, i in [(0, 0), (2, 5), (5, 1)]:
            a, b = grid.xs[i], grid.ys[j]
            h = np.array([a * a, b * b, a * b])
            h = np.tanh(h @ weights[0][member] + biases[0][member])
            logits = h @ weights[1][member] + biases[1][member]
            expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
            np.testing.assert_allclose(grid.probs[member, j, i], expected, rtol=1e-4, atol=1e-6)


def test_the_apps_preview_draws_the_points_in_the_plane_not_the_features():
    from playground.ui.model.preview import preview

    cfg = validate(from_dict({"task": {"name": "circle", "samples": 40, "features": ["x1^2", "x2^2", "sin(x1)"]}}))
    live = preview(cfg)
    data = get_task("circle").build(cfg.task.params, cfg.train.seed)
    np.testing.assert_array_equal(live["preview"].points, data.plane_train)
    assert live["layer_sizes"][0] == 3 and live["feature_names"] == ["x1^2", "x2^2", "sin(x1)"]


def test_the_control_panel_keeps_features_and_drawn_points_it_has_no_field_for(qtbot):
    from playground.ui.panels.controls import ControlPanel

    panel = ControlPanel(validate(from_dict({"task": {"name": "spiral"}})))
    qtbot.addWidget(panel)
    for task in ({"name": "spiral", "features": ["x1^2", "sin(x2)"]},
                 {"name": "drawn", "points": [[0.0, 1.0, 0], [1.0, 0.0, 1]], "features": ["x1*x2"]}):
        cfg = validate(from_dict({"task": task}))
        panel.set_config(cfg)
        assert panel.config() == cfg
