"""Probe benchmarks: information-plane estimators on the ib-tanh network, and what probing costs
training. Registered with `playground bench`."""

from __future__ import annotations

import numpy as np
import torch

from playground.core.bench.suite import Result, ib_config, median_time, register
from playground.core.config import apply_overrides
from playground.core.experiments.assembly import build_trainer
from playground.core.measures.probes.binning import fixed_edges, fixed_information, width_information
from playground.core.measures.probes.kde import kde_information
from playground.core.measures.probes.targets import make_targets

# The original study's estimator, measured on this kind of machine (issue 3).
ORIGINAL_SECONDS_PER_EPOCH = 2.3


def ib_activity(epochs: int = 200, activation: str = "tanh"):
    """Activity of all six layers of one ib network after some training, and its targets."""

    cfg = apply_overrides(ib_config(1), [f"train.epochs={epochs}", f"network.activation={activation}"])
    trainer = build_trainer(cfg)
    for _ in range(epochs):
        trainer.run_epoch()
    activity = [a.cpu().numpy().astype(np.float32) for a in trainer.layer_activations()]
    data = trainer.task
    return activity, make_targets(data.x_probe.cpu().numpy(), data.y_probe.cpu().numpy())


def naive_binning(activity: list[np.ndarray], y: np.ndarray, bins: int, width: float = 0.0) -> list[tuple[float, float]]:
    """The reference: np.digitize (or floor(h / width) when a width is given), then np.unique
    over rows, one layer at a time."""
    edges = fixed_edges(bins)
    labels = y[0]
    p_y = np.bincount(labels) / len(labels)
    out = []
    for layer in activity:
        symbols = np.floor(layer[0] / width) if width else np.digitize(layer[0], edges)

        def h(rows):
            _, counts = np.unique(rows, axis=0, return_counts=True)
            p = counts / counts.sum()
            return float(-(p * np.log2(p)).sum())

        h_t = h(symbols)
        h_t_y = sum(p_y[c] * h(symbols[labels == c]) for c in range(len(p_y)) if p_y[c] > 0)
        out.append((h_t, h_t - h_t_y))
    return out


def estimator_speed(quick: bool) -> list[Result]:
    torch.set_num_threads(1)
    activity, targets = ib_activity(50 if quick else 200)

    def binning():
        return [fixed_information(a, 30, targets) for a in activity]

    fast = binning()
    slow = naive_binning(activity, targets.y, 30)
    for (i_xt, i_ty), (ref_xt, ref_ty) in zip(fast, slow):
        if abs(i_xt[0] - ref_xt) > 1e-9 or abs(i_ty[0] - ref_ty) > 1e-9:
            raise AssertionError("binning benchmark: fast and naive estimators disagree")
    per_epoch = median_time(binning, 50 if quick else 300)
    naive = median_time(lambda: naive_binning(activity, targets.y, 30), 5 if quick else 20)
    results = [Result(
        "info plane: binning, 6 layers x 4096 inputs", per_epoch * 1e3, "ms/epoch",
        naive * 1e3, naive / per_epoch,
        f"target <= 2 ms; {ORIGINAL_SECONDS_PER_EPOCH / per_epoch:.0f}x the original study's "
        f"{ORIGINAL_SECONDS_PER_EPOCH} s/epoch",
    )]
    relu, relu_targets = ib_activity(50 if quick else 200, "relu")
    fast = [width_information(a, 0.07, relu_targets) for a in relu]
    slow = naive_binning(relu, relu_targets.y, 0, width=0.07)
    for (i_xt, i_ty), (ref_xt, ref_ty) in zip(fast, slow):
        if abs(i_xt[0] - ref_xt) > 1e-9 or abs(i_ty[0] - ref_ty) > 1e-9:
            raise AssertionError("binwidth benchmark: fast and naive estimators disagree")
    width_time = median_time(lambda: [width_information(a, 0.07, relu_targets) for a in relu], 50 if quick else 300)
    naive_width = median_time(lambda: naive_binning(relu, relu_targets.y, 0, width=0.07), 5 if quick else 20)
    results.append(Result(
        "info plane: binwidth (0.07) on ib-relu, 6 layers x 4096 inputs", width_time * 1e3, "ms/epoch",
        naive_width * 1e3, naive_width / width_time, f"target: as fast as binning ({per_epoch * 1e3:.2f} ms)",
    ))
    kde = median_time(lambda: [kde_information(a, targets, 0.1) for a in activity], 2 if quick else 5)
    results.append(Result("info plane: KDE bounds, 6 layers x 4096 inputs", kde, "s/epoch",
                          note="target <= 0.5 s; upper and lower bounds together"))
    return results


def interleaved_times(functions: list, repeats: int) -> list[float]:
    """Median seconds of each function, measured in alternating rounds so that a change in the
    machine's load hits all of them alike."""
    import time

    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for slot, function in enumerate(functions):
            start = time.perf_counter()
            function()
            times[slot].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]


def training_cost(quick: bool) -> list[Result]:
    """Epochs/s of ib-tanh without probes, with probes on a probed epoch and on an unprobed
    one, and the average over the preset's 8000-epoch run with its 400-point log schedule."""
    from playground.core.measures.probes.shared import ProbeContext
    from playground.core.base.schedule import log_epochs

    torch.set_num_threads(1)
    plain = build_trainer(ib_config(1))
    probed_cfg = apply_overrides(ib_config(1), ["probes.enabled=true", "probes.schedule=every"])
    probed = build_trainer(probed_cfg)
    # Hooks installed, schedule never due: what the unprobed epochs of a log schedule cost.
    idle = build_trainer(probed_cfg)
    for trainer in (plain, probed, idle):
        trainer.run_epoch()
    for hook in idle.hooks:
        context = getattr(hook, "context", None)
        if isinstance(context, ProbeContext):
            context.schedule.due = lambda epoch: False
    t_plain, t_probed, t_idle = interleaved_times(
        [plain.run_epoch, probed.run_epoch, idle.run_epoch], 10 if quick else 40)

    total, points = 8000, 400
    due = len(log_epochs(total, points))
    average = (due * t_probed + (total - due) * t_idle) / total
    return [
        Result("train ib-tanh, no probes", 1 / t_plain, "epochs/s"),
        Result("train ib-tanh, probed epoch (binning + stats)", 1 / t_probed, "epochs/s", 1 / t_plain,
               t_plain / t_probed, "reference: the same network without probes"),
        Result("train ib-tanh, unprobed epoch (probes on)", 1 / t_idle, "epochs/s", 1 / t_plain,
               t_plain / t_idle, "reference: without probes"),
        Result(f"train ib-tanh, probes, {total} epochs / {due} probed", 1 / average, "epochs/s", 1 / t_plain,
               t_plain / average, "average over the preset's log schedule; reference: without probes"),
    ]


register("probes: estimators", estimator_speed)
register("probes: training cost", training_cost)
