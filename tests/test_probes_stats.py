"""Layer statistics: gradient moments against a per-batch loop, drift/diffusion detection,
saturation, histograms and weight statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.core.config import apply_overrides, from_dict
from playground.core.training.hooks import TrainerHook
from playground.core.measures.probes import probe_hooks
from playground.core.measures.probes.layer_stats import DiffusionDetector, LayerStatsHook, histogram, saturation
from playground.core.experiments.assembly import build_trainer
from playground.core.training.trainer import Trainer


def tiny_config(*overrides: str):
    cfg = from_dict({
        "task": {"name": "circle", "samples": 120, "train_fraction": 0.5},
        "network": {"hidden": [4, 3], "activation": "tanh", "init": "xavier"},
        "train": {"optimizer": "sgd", "lr": 0.1, "momentum": 0.5, "batch_size": 16, "epochs": 4, "ensemble": 3},
        "probes": {"enabled": True, "schedule": "every"},
    })
    return apply_overrides(cfg, list(overrides))


class GradientRecorder(TrainerHook):
    """The reference: every step's batch and each member's weight gradients, copied one by one."""

    def __init__(self):
        self.batches = []  # per epoch: list of steps; per step: [member][layer] arrays
        self.independent_ok = True
        self.activations = []

    def before_epoch(self, trainer):
        self.batches.append([])

    def transform_batch(self, trainer, x, y):
        self.last_batch = (x.clone(), y.clone())
        return x, y

    def after_backward(self, trainer):
        step = []
        for member in range(trainer.members):
            step.append([w.grad[member].detach().numpy().astype(np.float64).copy() for w in trainer.model.weights])
        self.batches[-1].append(step)
        self.check_against_single_network(trainer)

    def check_against_single_network(self, trainer):
        """Member e's slice of the batched gradient is the gradient of network e alone."""
        x, y = self.last_batch
        for member in range(trainer.members):
            ws = [w[member].detach().clone().requires_grad_(True) for w in trainer.model.weights]
            bs = [b[member, 0].detach().clone() for b in trainer.model.biases]
            h = x[member]
            for layer, (w, b) in enumerate(zip(ws, bs)):
                h = h @ w + b
                if layer < len(ws) - 1:
                    h = torch.tanh(h)
            loss = F.cross_entropy(h, y[member])
            grads = torch.autograd.grad(loss, ws)
            for g, w in zip(grads, trainer.model.weights):
                if not torch.allclose(g, w.grad[member], rtol=1e-5, atol=1e-7):
                    self.independent_ok = False


def reference_stats(steps):
    """grad_mean_norm, grad_std, snr per (member, layer) from a list of per-step gradients."""
    members, layers = len(steps[0]), len(steps[0][0])
    out = np.zeros((3, members, layers))
    for m in range(members):
        for layer in range(layers):
            gs = [step[m][layer] for step in steps]
            mean = sum(gs) / len(gs)
            spread = sum(float(((g - mean) ** 2).sum()) for g in gs) / len(gs)
            out[0, m, layer] = np.sqrt((mean ** 2).sum())
            out[1, m, layer] = np.sqrt(spread)
            out[2, m, layer] = out[0, m, layer] / out[1, m, layer]
    return out


def test_gradient_statistics_equal_a_per_batch_loop():
    cfg = tiny_config()
    recorder = GradientRecorder()
    trainer = Trainer(cfg, hooks=[*probe_hooks(cfg), recorder])
    records = list(trainer.epochs())
    assert recorder.independent_ok
    for record, steps in zip(records, recorder.batches):
        assert len(steps) == 4  # 60 training points in batches of 16
        table = record.tables["layer_stats"]
        members, layers = trainer.members, trainer.model.n_layers
        expected = reference_stats(steps)
        for k, name in enumerate(("grad_mean_norm", "grad_std", "snr")):
            assert np.allclose(table[name].reshape(members, layers), expected[k], rtol=1e-9, atol=1e-12), name


def test_weight_statistics_and_table_layout():
    cfg = tiny_config("train.epochs=1")
    trainer = build_trainer(cfg)
    record = trainer.run_epoch()
    table = record.tables["layer_stats"]
    assert list(table) == ["epoch", "member", "layer", "units", "weight_norm", "weight_mean", "weight_std",
                           "grad_mean_norm", "grad_std", "snr", "saturation", "diffusion_epoch"]
    weights = trainer.weights()
    for row in range(len(table["epoch"])):
        w = weights[table["layer"][row] - 1][table["member"][row]].astype(np.float64)
        assert table["units"][row] == w.shape[1]
        assert table["weight_norm"][row] == pytest.approx(np.linalg.norm(w), rel=1e-12)
        assert table["weight_mean"][row] == pytest.approx(w.mean(), rel=1e-9, abs=1e-15)
        assert table["weight_std"][row] == pytest.approx(w.std(), rel=1e-9)
    live = record.live
    assert live["layer_stats"]["snr"].shape == (3, 3)
    assert live["layer_stats"]["diffusion_epoch"].dtype == np.int64
    assert len(live["weight_hist"]) == 3 and live["weight_hist"][0]["counts"].shape == (3, 30)
    assert live["weight_hist"][0]["counts"].sum(axis=1).tolist() == [2 * 4] * 3
    assert live["activation_hist"][2]["counts"].sum(axis=1).tolist() == [120 * 2] * 3
    assert live["probe_layers"] == ["tanh 4", "tanh 3", "softmax 2"]


def test_gradients_are_summed_only_on_probed_epochs():
    cfg = tiny_config("train.epochs=40", "probes.schedule=log", "probes.points=5", "train.ensemble=1")
    trainer = build_trainer(cfg)
    hook = next(h for h in trainer.hooks if isinstance(h, LayerStatsHook))
    probed = []
    for record in trainer.epochs():
        if "layer_stats" in record.tables:
            probed.append(record.epoch)
            assert hook.moments.count == 4
        elif record.epoch > 1:
            assert hook.moments.count in (0, 4) and not hook.collecting
    assert probed[0] == 1 and probed[-1] == 40 and len(probed) < 40


# ---------------------------------------------------------------- drift and diffusion


def test_diffusion_epoch_on_a_constructed_sequence():
    # Early sub-1 SNR (before drift), a three-probe dip during drift, then lasting diffusion at 11.
    snr = [0.5, 0.4, 2.0, 3.0, 5.0, 0.9, 0.8, 0.7, 1.5, 4.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    detector = DiffusionDetector((1, 1))
    assert detector.patience == 5
    seen = [int(detector.update(epoch, np.array([[value]]))[0, 0]) for epoch, value in enumerate(snr, start=1)]
    assert seen[:14] == [-1] * 14  # confirmed only after 5 probes below 1
    assert seen[14:] == [11, 11]


def test_diffusion_detector_cells_are_independent_and_nan_is_ignored():
    detector = DiffusionDetector((2, 2), patience=3)
    sequence = [
        [[2.0, 0.5], [3.0, np.nan]],
        [[0.5, 0.5], [np.nan, 2.0]],
        [[np.nan, 0.5], [0.9, 0.5]],
        [[0.5, 0.5], [0.9, 0.5]],
        [[0.5, 0.5], [0.9, 0.5]],
    ]
    for epoch, values in enumerate(sequence, start=10):
        result = detector.update(epoch, np.array(values))
    assert result.tolist() == [[11, -1], [12, 12]]


# ---------------------------------------------------------------- saturation and histograms


def test_saturation_by_kind():
    tanh = np.array([[[0.995, -0.999], [0.5, -0.991]]])  # 3 of 4 beyond 0.99
    assert saturation(tanh, "tanh")[0] == pytest.approx(0.75)
    probs = np.array([[[0.995, 0.005], [0.6, 0.4]]])
    assert saturation(probs, "softmax")[0] == pytest.approx(0.5)
    assert saturation(probs, "sigmoid")[0] == pytest.approx(0.5)
    relu = np.array([[[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]])
    assert saturation(relu, "relu").tolist() == [pytest.approx(1 / 3), 0.0]  # unit 0 of member 0 is dead
    assert saturation(relu, "linear").tolist() == [0.0, 0.0]


def test_histogram_matches_numpy():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 50, 7))
    result = histogram(values, 12)
    for e in range(2):
        counts, edges = np.histogram(values[e], bins=12, range=(values.min(), values.max()))
        assert np.array_equal(result["counts"][e], counts)
        assert np.allclose(result["edges"], edges)
    fixed = histogram(np.full((1, 5), 2.0), 4, -1.0, 1.0)  # outside the range: last bin
    assert fixed["counts"].tolist() == [[0, 0, 0, 5]]
