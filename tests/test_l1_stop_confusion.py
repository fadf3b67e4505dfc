"""train.l1 against the closed-form gradient, train.stop_at against a full run's curve, and the
test set's confusion matrix against a count by hand."""

import json

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides, from_dict, validate
from playground.core.config.stopping import TARGET_REACHED, parse_stop_at
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.confusion import confusion_counts, confusion_on_test_set
from playground.core.training.hooks import TrainerHook
from playground.core.training.trainer import Trainer


class GradientCapture(TrainerHook):
    def after_backward(self, trainer):
        self.weights = [w.grad.detach().numpy().copy() for w in trainer.model.weights]
        self.biases = [b.grad.detach().numpy().copy() for b in trainer.model.biases]


def linear_regression(l1):
    """A network with no hidden layer on reg-plane, one full batch: its gradient has a closed form."""
    cfg = from_dict({"task": {"name": "reg-plane", "samples": 40, "noise": 0.2},
                     "network": {"hidden": []},
                     "train": {"loss": "mse", "optimizer": "sgd", "lr": 0.1, "batch_size": 1000, "l1": l1,
                               "ensemble": 2}})
    capture = GradientCapture()
    return Trainer(validate(cfg), hooks=[capture]), capture


def test_the_l1_gradient_equals_the_closed_form():
    l1 = 0.3
    trainer, capture = linear_regression(l1)
    w = trainer.weights()[0].astype(np.float64)  # (E, 2, 1), before the step
    b = trainer.model.biases[0].detach().numpy().astype(np.float64)  # (E, 1, 1)
    trainer.run_epoch()
    data = trainer.task
    for member in range(2):
        x = data.x_train[member].numpy().astype(np.float64)
        y = data.y_train[member].numpy().astype(np.float64)[:, None]
        residual = x @ w[member] + b[member] - y
        grad_w = 2 * x.T @ residual / len(x) + l1 * np.sign(w[member])  # d/dw [mean r^2 + l1 |w|]
        grad_b = 2 * residual.mean(axis=0)  # biases are not penalised
        np.testing.assert_allclose(capture.weights[0][member], grad_w, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(capture.biases[0][member], grad_b[None, :], rtol=1e-4, atol=1e-6)


def test_l1_changes_live_and_adds_l1_sign_w_to_the_gradient():
    trainer, capture = linear_regression(0.0)
    trainer.run_epoch()
    w = trainer.weights()[0]
    trainer.run_epoch()
    without = capture.weights[0]
    trainer2, capture2 = linear_regression(0.0)
    trainer2.run_epoch()
    trainer2.set_optimizer_params(l1=0.5)
    trainer2.run_epoch()
    assert trainer2.config.train.l1 == 0.5
    np.testing.assert_allclose(capture2.weights[0] - without, 0.5 * np.sign(w), atol=1e-6)


def test_l1_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="train.l1: must be between 0 and 10"):
        validate(from_dict({"train": {"l1": -0.1}}))


# ---------------------------------------------------------------- stop_at


@pytest.mark.parametrize("text, fragment", [
    ("test_acc > 0.9", "test_acc takes >=, not >"),
    ("train_loss >= 0.1", "train_loss takes <=, not >="),
    ("val_acc >= 0.9", "unknown metric 'val_acc'"),
    ("test_acc >= 1.5", "between 0 \\(excluded\\) and 1"),
    ("train_loss <= 0", "must be a number > 0"),
    ("test_acc >= lots", "'lots' is not a number"),
    ("0.95", "is not a target"),
])
def test_unclear_targets_are_one_line_errors(text, fragment):
    with pytest.raises(ConfigError, match=f"train.stop_at: .*{fragment}"):
        validate(from_dict({"train": {"stop_at": text}}))


def test_targets_parse_to_a_metric_and_a_threshold():
    assert parse_stop_at("") is None and parse_stop_at("  ") is None
    target = parse_stop_at("test_acc>=0.9")
    assert (target.metric, target.threshold) == ("test_acc", 0.9) and target.reached(0.9) and not target.reached(0.89)
    target = parse_stop_at(" train_loss <= 0.05 ")
    assert target.reached(0.05) and not target.reached(0.0501)


def circle_config(*overrides):
    cfg = from_dict({"task": {"name": "circle", "samples": 120, "noise": 0.1}})
    return validate(apply_overrides(cfg, ["network.hidden=[6]", "train.lr=0.02", "train.batch_size=16",
                                          "train.epochs=25", "train.ensemble=2", *overrides]))


@pytest.mark.parametrize("metric, op, column", [("test_acc", ">=", "test_acc"), ("train_loss", "<=", "train_loss")])
def test_a_run_stops_at_the_first_epoch_its_curve_reaches_the_target(metric, op, column):
    reference = build_trainer(circle_config())
    curve = [float(np.mean(getattr(record, column))) for record in reference.epochs()]
    threshold = curve[9]
    reached = [(v >= threshold) if op == ">=" else (v <= threshold) for v in curve]
    expected_epoch = reached.index(True) + 1
    # The target is checked every epoch, whatever the evaluation schedule.
    trainer = build_trainer(circle_config(f"train.stop_at={metric} {op} {threshold!r}", "train.eval_schedule=log",
                                          "train.eval_points=3"))
    records = list(trainer.epochs())
    assert trainer.epoch == expected_epoch and trainer.stop_reason == TARGET_REACHED
    assert records[-1].evaluated and records[-1].stop_reason == TARGET_REACHED


def test_the_cli_reports_target_reached_in_the_summary(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--preset", "circle", "--set", "train.stop_at=train_loss <= 10", "--quiet",
                 "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stop_reason"] == "target reached" and summary["epochs_completed"] == 1


# ---------------------------------------------------------------- confusion


def test_confusion_counts_equal_a_count_by_hand():
    rng = np.random.default_rng(0)
    true, predicted = rng.integers(0, 4, size=(3, 50)), rng.integers(0, 4, size=(3, 50))
    counts = confusion_counts(true, predicted, 4)
    for e in range(3):
        by_hand = np.zeros((4, 4), dtype=int)
        for t, p in zip(true[e], predicted[e]):
            by_hand[t, p] += 1
        np.testing.assert_array_equal(counts[e], by_hand)


def test_the_test_confusion_matches_a_numpy_forward_pass_and_the_accuracy(tmp_path):
    cfg = from_dict({"task": {"name": "gauss", "classes": 3, "samples": 90}})
    trainer = build_trainer(validate(apply_overrides(cfg, ["network.hidden=[5]", "train.ensemble=2"])))
    record = trainer.run_epoch()
    counts = confusion_on_test_set(trainer)
    data = trainer.task
    for member in range(2):
        x = data.x_test[member].numpy().astype(np.float64)
        h = np.tanh(x @ trainer.weights()[0][member] + trainer.model.biases[0][member].detach().numpy())
        logits = h @ trainer.weights()[1][member] + trainer.model.biases[1][member].detach().numpy()
        by_hand = np.zeros((3, 3), dtype=int)
        for t, p in zip(data.y_test[member].numpy(), logits.argmax(axis=1)):
            by_hand[t, p] += 1
        np.testing.assert_array_equal(counts[member], by_hand)
        assert np.trace(counts[member]) / counts[member].sum() == pytest.approx(record.test_acc[member])
    from playground.core.runs import final_state

    final_state.write(trainer, tmp_path)
    live = final_state.read(tmp_path)
    np.testing.assert_array_equal(live["confusion"]["counts"], counts)
    np.testing.assert_allclose(live["confusion"]["mean"], counts.mean(axis=0))
