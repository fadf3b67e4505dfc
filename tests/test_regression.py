"""Regression tasks (reg-plane, reg-gauss, reg-csv): targets, the mse loss against its formula,
the config checks, and the run files (no accuracy)."""

import csv
import json
import math

import numpy as np
import pytest
import torch

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides, from_dict, validate
from playground.core.experiments.assembly import build_trainer
from playground.core.runs.runlog import read_run
from playground.core.tasks import get_task
from playground.core.tasks.regression import BUMPS, BUMP_WIDTH


def regression_trainer(task="reg-plane", *overrides):
    cfg = from_dict({"task": {"name": task, "samples": 80}, "train": {"loss": "mse"}})
    return build_trainer(validate(apply_overrides(cfg, ["network.hidden=[5]", "train.ensemble=2", *overrides])))


def test_clean_targets_equal_the_formulas_point_by_point():
    plane = get_task("reg-plane")
    data = plane.build(plane.resolve({"noise": 0.0, "samples": 50}), 1)
    for (a, b), y in zip(data.plane_train, data.y_train):
        assert y == pytest.approx((float(a) + float(b)) / 2, abs=1e-6)
    gauss = get_task("reg-gauss")
    data = gauss.build(gauss.resolve({"noise": 0.0, "samples": 50}), 1)
    for (a, b), y in zip(data.plane_test, data.y_test):
        expected = sum(sign * math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * BUMP_WIDTH ** 2))
                       for cx, cy, sign in BUMPS)
        assert y == pytest.approx(expected, abs=1e-5)
    assert data.y_test.dtype == np.float32 and data.n_classes == 1 and data.regression


def test_noise_is_added_to_the_targets_with_its_standard_deviation():
    spec = get_task("reg-plane")
    clean = spec.build(spec.resolve({"noise": 0.0, "samples": 20_000}), 3)
    noisy = spec.build(spec.resolve({"noise": 0.3, "samples": 20_000}), 3)
    np.testing.assert_array_equal(clean.plane_train, noisy.plane_train)
    assert np.std(noisy.y_train - clean.y_train) == pytest.approx(0.3, rel=0.03)
    assert len(clean.x_train) == 10_000  # train_fraction 0.5


def test_mse_equals_its_formula_on_one_linear_output_unit():
    trainer = regression_trainer()
    assert trainer.model.sizes[-1] == 1
    trainer.run_epoch()
    data = trainer.task
    loss, accuracy = trainer.evaluate(data.x_test, data.y_test, data)
    assert np.all(np.isnan(accuracy))
    for member in range(2):
        x = data.x_test[member].numpy().astype(np.float64)
        h = np.tanh(x @ trainer.weights()[0][member] + trainer.model.biases[0][member].detach().numpy())
        prediction = (h @ trainer.weights()[1][member] + trainer.model.biases[1][member].detach().numpy())[:, 0]
        expected = np.mean((prediction - data.y_test[member].numpy()) ** 2)
        assert loss[member] == pytest.approx(expected, rel=1e-5)


def test_a_regression_learns_the_plane():
    trainer = regression_trainer("reg-plane", "train.lr=0.02", "train.epochs=150", "train.batch_size=20",
                                 "task.noise=0")
    record = list(trainer.epochs())[-1]
    assert np.all(record.test_loss < 0.01)  # the targets' own variance is 1/6


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge"])
def test_a_classification_loss_on_a_regression_task_is_a_config_error(loss):
    with pytest.raises(ConfigError, match=f"train.loss: reg-gauss is a regression task.*not '{loss}'"):
        validate(from_dict({"task": {"name": "reg-gauss"}, "train": {"loss": loss}}))


@pytest.mark.parametrize("settings, fragment", [
    ({"probes": {"enabled": True}}, "probes.enabled"),
    ({"continual": {"tasks": 2}}, "continual.tasks"),
    ({"train": {"stop_at": "test_acc >= 0.9"}}, "train.stop_at"),
])
def test_what_needs_classes_is_refused_on_a_regression(settings, fragment):
    data = {"task": {"name": "reg-plane"}, **settings}
    data["train"] = {"loss": "mse", **data.get("train", {})}
    with pytest.raises(ConfigError, match=fragment):
        validate(from_dict(data))


def test_mse_on_a_classification_task_still_trains_on_one_hot_targets():
    cfg = from_dict({"task": {"name": "xor", "samples": 40}, "train": {"loss": "mse"}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[4]"])))
    record = trainer.run_epoch()
    assert trainer.model.sizes[-1] == 2 and np.all(np.isfinite(record.test_acc))
    out = trainer.model(trainer.task.x_test)
    target = torch.nn.functional.one_hot(trainer.task.y_test, 2).float()
    expected = 0.5 * ((out - target) ** 2).sum(-1).mean(1)
    np.testing.assert_allclose(record.test_loss, expected.detach().numpy(), rtol=1e-5)


def test_metrics_leave_the_accuracy_columns_empty(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--set", "task.name=reg-plane", "--set", "train.loss=mse", "--set", "network.hidden=[4]",
                 "--epochs", "3", "--quiet", "--out", str(out)]) == 0
    with open(out / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and all(r["train_acc"] == "" and r["test_acc"] == "" for r in rows)
    assert all(float(r["test_loss"]) > 0 for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert "test_acc" not in summary["final"] and summary["final"]["test_loss"]["mean"] > 0
    table = read_run(out).tables["metrics"]
    assert np.all(np.isnan(table["test_acc"])) and table["test_loss"].dtype == np.float64


def test_reg_csv_reads_a_numeric_target_column(tmp_path):
    path = tmp_path / "data.csv"
    rows = [(i, i % 3, 0.5 * i - 1.0) for i in range(12)]
    path.write_text("a,b,price\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    spec = get_task("reg-csv")
    params = spec.resolve({"path": str(path), "standardize": False})
    data = spec.build(params, 0)
    assert spec.is_regression(params) and data.feature_names == ("a", "b")
    for x, y in zip(data.x_train, data.y_train):
        assert y == pytest.approx(0.5 * x[0] - 1.0)
    with pytest.raises(ConfigError, match="task.target_column: 'nope' is not a column"):
        spec.resolve({"path": str(path), "target_column": "nope"})
    bad = tmp_path / "bad.csv"
    bad.write_text("a,y\n1,cheap\n2,dear\n")
    with pytest.raises(ConfigError, match="row 2, column 'y': 'cheap' is not a number"):
        spec.resolve({"path": str(bad)})


def test_tasks_lists_the_new_tasks_with_their_options(capsys):
    assert main(["tasks"]) == 0
    text = capsys.readouterr().out
    for name in ("reg-plane", "reg-gauss", "reg-csv", "drawn"):
        assert f"\n{name}: " in text
    assert "features = ['x1', 'x2']" in text and "points = []" in text and "target_column = ''" in text


def test_playground_data_writes_a_regressions_targets_as_numbers(tmp_path):
    out = tmp_path / "reg.csv"
    assert main(["data", "reg-plane", "--set", "task.samples=30", "--set", "task.noise=0", "--out", str(out)]) == 0
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert float(row["y"]) == pytest.approx((float(row["x0"]) + float(row["x1"])) / 2, abs=1e-6)
