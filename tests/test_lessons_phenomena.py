"""Each lesson's phenomenon, from the lesson's own settings scaled down (few epochs, small
sizes, several seeds). The full-size figures are scripts/science_checks.py's."""

import dataclasses

import numpy as np

from playground.core.config import apply_overrides
from playground.core.experiments.lessons import get_lesson
from playground.core.experiments.sweep import SweepSpec, run_sweep, summarise
from playground.core.experiments.assembly import build_trainer


def train(name, overrides=(), hooks=None):
    """Run lesson `name` with `overrides`; its hooks (optionally changed) are returned too."""
    lesson = get_lesson(name)
    config = apply_overrides(lesson.config, list(overrides))
    settings = {k: dict(v) for k, v in lesson.hooks.items()}
    for hook, changes in (hooks or {}).items():
        settings[hook].update(changes)
    from playground.core.measures.hook_kinds import resolve_hooks

    resolved = resolve_hooks(settings, config)
    trainer = build_trainer(config, resolved)
    extra = trainer.hooks[len(trainer.hooks) - len(resolved):]  # the lesson's come last
    records = list(trainer.epochs())
    assert trainer.stop_reason == "completed", trainer.stop_reason
    return trainer, records, extra


def final_test_acc(records):
    return records[-1].test_acc


def layer_series(records, table, column, layer, member):
    """A layer's column over the probed epochs for one member (first estimator's rows)."""
    out = []
    for record in records:
        rows = record.tables.get(table)
        if rows is None:
            continue
        picked = (rows["layer"] == layer) & (rows["member"] == member)
        if "estimator" in rows:
            picked &= rows["estimator"] == rows["estimator"][0]
        out.append((record.epoch, float(np.asarray(rows[column])[picked][0])))
    return np.array(out)


def test_fitting_then_compression_in_the_last_hidden_layer_of_tanh():
    quick = ["train.epochs=400", "train.ensemble=3", "probes.points=25", "probes.layer_stats=false"]
    _, records, _ = train("fitting-compression", quick)
    for member in range(3):
        ixt = layer_series(records, "info_plane", "i_xt", 5, member)[:, 1]
        ity = layer_series(records, "info_plane", "i_ty", 5, member)[:, 1]
        peak = int(np.argmax(ixt))
        assert ixt[peak] > ixt[0] + 0.5  # fitting: I(X;T) rises ...
        assert ity[-1] > ity[0] + 0.5  # ... and I(T;Y) with it
        assert ixt[-1] < ixt[peak] - 0.5  # compression: I(X;T) falls by over half a bit
        assert ity[-1] > 0.8  # while I(T;Y) stays high (H(Y) = 0.999 bits)


def test_relu_barely_compresses_with_fixed_width_bins_tanh_does():
    lesson = get_lesson("relu-compression")
    config = apply_overrides(lesson.config, ["train.epochs=250", "probes.points=12"])
    spec = dataclasses.replace(lesson.sweep, seeds=2)  # tanh with 30 fixed bins, ReLU with width 0.07
    table = run_sweep(config, spec, lesson.hooks).table
    assert lesson.sweep.show in table  # the column the app plots is one the sweep writes
    compression = {v: mean for v, mean, _, _ in summarise(table, "compression")}
    assert compression["tanh"] > 1.0 and compression["relu"] < compression["tanh"] - 0.8


def test_drift_then_diffusion_later_in_deeper_layers():
    quick = ["train.epochs=400", "train.ensemble=2", "probes.points=40"]
    _, records, _ = train("drift-diffusion", quick)
    for member in range(2):
        snr = layer_series(records, "layer_stats", "snr", 5, member)[:, 1]
        assert np.nanmax(snr) > 2 and snr[-1] < 1  # drift, then diffusion
        first = layer_series(records, "layer_stats", "diffusion_epoch", 1, member)[-1, 1]
        last_hidden = layer_series(records, "layer_stats", "diffusion_epoch", 5, member)[-1, 1]
        assert 0 < first < last_hidden


def test_parity_wall_small_n_learned_large_n_at_chance_in_the_same_budget():
    budget = ["train.epochs=6", "train.steps_per_epoch=100", "train.ensemble=3", "task.test_samples=2000"]
    _, small, small_hooks = train("parity-wall", ["task.n=4", *budget])
    _, large, large_hooks = train("parity-wall", ["task.n=24", *budget])
    assert np.all(final_test_acc(small) >= 0.95)
    assert abs(np.mean(final_test_acc(large)) - 0.5) < 0.05
    # The gradient at initialisation tells the small subset apart, not the large one.
    small_signal = small_hooks[0].result.signal
    large = large_hooks[0].result
    assert np.all(small_signal > 1e-3)
    assert np.all(np.abs(large.signal) < 4 * large.stderr + 1e-6)


def test_forgetting_plain_training_forgets_replay_remembers_joint_best():
    config = apply_overrides(get_lesson("forgetting").config, ["train.epochs=8"])
    spec = SweepSpec("continual.method", ("none", "replay", "joint"), seeds=2)
    table = run_sweep(config, spec).table
    assert get_lesson("forgetting").sweep.show in table
    average = {v: mean for v, mean, _, _ in summarise(table, "mean_task_acc")}
    forgetting = {v: mean for v, mean, _, _ in summarise(table, "forgetting")}
    assert average["none"] < 0.3 and forgetting["none"] > 0.7  # old tasks gone
    assert average["replay"] > average["none"] + 0.25 and forgetting["replay"] < forgetting["none"] - 0.3
    assert average["joint"] > 0.8 and average["joint"] > average["replay"]


def test_memorisation_random_labels_fit_to_high_train_acc_test_at_chance_and_slower():
    quick = ["task.train_fraction=0.25", "train.epochs=45", "train.lr=0.002", "train.batch_size=32", "train.ensemble=2"]
    _, random_runs, random_hooks = train("memorisation", ["task.random_labels=1.0", *quick])
    _, true_runs, true_hooks = train("memorisation", ["task.random_labels=0.0", *quick])
    assert np.all(random_runs[-1].train_acc >= 0.95)
    assert np.all(random_runs[-1].test_acc < 0.2)  # chance is 0.1
    assert np.all(true_runs[-1].test_acc > 0.9)
    fit_true = true_hooks[0].fit_epoch
    fit_random = random_hooks[0].fit_epoch
    assert np.all(np.isfinite(fit_true)) and np.all(np.isfinite(fit_random))
    assert np.all(fit_random > 2 * fit_true)


def test_learning_modes_strongest_first_and_half_way_times_near_prediction():
    trainer, records, hooks = train("learning-modes", ["train.lr=0.4", "train.epochs=250", "train.ensemble=2"])
    hook = hooks[0]
    observed, predicted = hook.observed(), hook.predicted
    assert np.all(np.isfinite(observed))
    assert np.all(np.diff(observed, axis=1) > 0)  # mode 1 before 2 before 3
    np.testing.assert_allclose(observed, predicted, rtol=0.15)
    np.testing.assert_allclose(hook.history[-1], np.broadcast_to(hook.s, hook.history[-1].shape), rtol=0.05)


def test_edge_of_chaos_trains_at_the_critical_sw2_only():
    spec = SweepSpec("network.sw2", (0.25, 1.76, 4.0), seeds=2)
    config = apply_overrides(get_lesson("edge-of-chaos").config, ["network.width=32", "train.epochs=8"])
    table = run_sweep(config, spec).table
    accuracy = {value: mean for value, mean, _, _ in summarise(table, "final_test_acc")}
    assert accuracy[1.76] > 0.3
    assert accuracy[0.25] < 0.15 and accuracy[4.0] < 0.15  # chance is 0.1


def test_critical_period_early_deficit_hurts_more_than_late():
    quick = ["network.hidden=[64, 64]", "train.epochs=40"]
    early = train("critical-periods", quick, {"deficit": {"start": 0, "length": 16}, "lr_decay": {"factor": 0.85}})[1]
    late = train("critical-periods", quick, {"deficit": {"start": 20, "length": 16}, "lr_decay": {"factor": 0.85}})[1]
    assert np.mean(final_test_acc(early)) < np.mean(final_test_acc(late)) - 0.05


def test_batch_size_full_batch_sharpness_at_two_over_lr_small_batches_flatter():
    quick = ["task.train_fraction=0.3", "network.hidden=[32, 32]", "train.lr=0.1", "train.epochs=30", "train.ensemble=2"]
    hooks = {"sharpness": {"every": 0}}
    full = train("batch-size", [*quick, "train.batch_size=4096"], hooks)[2][0].last
    small = train("batch-size", [*quick, "train.batch_size=16"], hooks)[2][0].last
    limit = 2 / 0.1
    assert np.all((full > 0.75 * limit) & (full < 1.1 * limit))
    assert np.mean(small) < 0.85 * np.mean(full)
