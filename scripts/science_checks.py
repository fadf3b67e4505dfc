"""Slow scientific checks of the lessons at full size, with the papers' figures beside ours.

    .venv/bin/python scripts/science_checks.py [LESSON ...] [--out DIR]

Runs each lesson's own settings (its run, or its sweep with several seeds), and the ib-tanh and
ib-relu presets at their own length, prints what it measured against what the paper reports
(shared/science.md), and a verdict for the claim. Not part of the test run (minutes, not seconds); the fast tests are
tests/test_lessons_phenomena.py. Every run folder and sweep table is kept under --out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from playground.core.config import apply_overrides
from playground.core.experiments.catalog import get_preset
from playground.core.experiments.lessons import get_lesson
from playground.core.measures.meanfield import critical_sw2
from playground.core.experiments.sweep import SweepSpec, run_sweep, summarise
from playground.core.experiments.assembly import build_trainer


def table_of(records, name):
    parts = [r.tables[name] for r in records if name in r.tables]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def run_lesson(name, overrides=()):
    lesson = get_lesson(name)
    config = apply_overrides(lesson.config, list(overrides))
    trainer = build_trainer(config, lesson.hooks)
    records = list(trainer.epochs())
    return trainer, records


def run_preset(name, out, overrides=()):
    """A preset at its own length (as `playground run --preset NAME`), written to out/NAME;
    returns its info_plane table."""
    from playground.core.runs.runlog import RunWriter

    config = apply_overrides(get_preset(name).config(), list(overrides))
    trainer = build_trainer(config)
    writer = RunWriter(out / name, trainer.config, device=str(trainer.device), hooks=trainer.hooks)
    parts = []
    try:
        for record in trainer.epochs():
            writer.write(record)
            if "info_plane" in record.tables:
                parts.append(record.tables["info_plane"])
    finally:
        writer.finish(trainer.stop_reason)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def layer_curves(info, member, layer):
    """(epochs, I(X;T), I(T;Y)) of one member's layer, in epoch order."""
    sel = (info["member"] == member) & (info["layer"] == layer)
    order = np.argsort(info["epoch"][sel])
    return info["epoch"][sel][order], info["i_xt"][sel][order], info["i_ty"][sel][order]


def print_layers(info):
    """Per member and layer: I(X;T) first -> peak (epoch) -> final, final/peak, final I(T;Y)."""
    ratios, drops = {}, {}
    for member in np.unique(info["member"]):
        print(f"  member {member}: layer  I(X;T) first -> peak (epoch) -> final  final/peak  I(T;Y) final")
        for layer in np.unique(info["layer"]):
            epochs, ixt, ity = layer_curves(info, member, layer)
            k = int(np.argmax(ixt))
            ratios[member, layer] = ixt[-1] / ixt[k] if ixt[k] > 0 else 1.0
            drops[member, layer] = ixt[k] - ixt[-1]
            print(f"  {layer:>15}  {ixt[0]:6.2f} -> {ixt[k]:6.2f} ({epochs[k]:>4}) -> {ixt[-1]:6.2f}"
                  f"  {ratios[member, layer]:9.3f}  {ity[-1]:11.3f}")
    return ratios, drops


def check_preset_ib_relu(out):
    """ib-relu at its own length (8000 epochs), 3 seeds, with its fixed-width bins (0.07)."""
    info = run_preset("ib-relu", out, ["train.ensemble=3"])
    ratios, _ = print_layers(info)
    hidden = {key: r for key, r in ratios.items() if key[1] < info["layer"].max()}
    worst = min(hidden, key=hidden.get)
    print("  paper (Saxe et al.): ReLU layers do not compress (the softmax output, which saturates, may)")
    return verdict(hidden[worst] >= 0.9, f"every hidden layer ends at >= 0.9 of its peak I(X;T); lowest "
                   f"{hidden[worst]:.3f} (member {worst[0]}, layer {worst[1]})")


def check_preset_ib_tanh(out):
    """ib-tanh at its own length (8000 epochs), 2 seeds, with 30 fixed bins on [-1, 1]."""
    info = run_preset("ib-tanh", out, ["train.ensemble=2"])
    _, drops = print_layers(info)
    members = np.unique(info["member"])
    fitted = all(layer_curves(info, m, 5)[1].max() > layer_curves(info, m, 5)[1][0] + 0.5 for m in members)
    deep = min(drops[m, 5] for m in members)
    shallow = max(drops[m, 1] for m in members)
    print("  paper (Shwartz-Ziv & Tishby): fitting, then compression, strongest in the deeper layers")
    return verdict(fitted and deep > 1.0 and shallow < 0.1,
                   f"last hidden layer fits, then loses at least {deep:.2f} bits in every member; layer 1 at most {shallow:.2f}")


def sweep(name, out, overrides=(), spec=None, hooks=None):
    lesson = get_lesson(name)
    config = apply_overrides(lesson.config, list(overrides))
    result = run_sweep(config, spec or lesson.sweep, lesson.hooks if hooks is None else hooks, out=out)
    return result.table


def means(table, column):
    return {v: (m, s) for v, m, s, _ in summarise(table, column)}


def show(table, columns, param):
    print(f"  {param:>14} " + " ".join(f"{c:>24}" for c in columns))
    rows = {c: summarise(table, c) for c in columns}
    for i, row in enumerate(rows[columns[0]]):
        cells = [f"{rows[c][i][1]:>12.4g} +- {rows[c][i][2]:<8.2g}" for c in columns]
        print(f"  {str(row[0]):>14} " + " ".join(cells))


def verdict(ok, text):
    print(f"  -> {'AGREES' if ok else 'DIFFERS'}: {text}")
    return ok


# ---------------------------------------------------------------- the lessons


def check_fitting_compression(out):
    trainer, records = run_lesson("fitting-compression")
    info = table_of(records, "info_plane")
    epochs = np.unique(info["epoch"])
    print("  layer  I(X;T) first -> peak (epoch) -> final   I(T;Y) first -> final   (mean of 5 networks, bits)")
    drops = {}
    for layer in range(1, info["layer"].max() + 1):
        sel = info["layer"] == layer
        ixt = np.array([info["i_xt"][sel & (info["epoch"] == e)].mean() for e in epochs])
        ity = np.array([info["i_ty"][sel & (info["epoch"] == e)].mean() for e in epochs])
        k = int(np.argmax(ixt))
        drops[layer] = ixt[k] - ixt[-1]
        print(f"  {layer:>5}  {ixt[0]:6.2f} -> {ixt[k]:6.2f} ({epochs[k]:>4}) -> {ixt[-1]:6.2f}"
              f"        {ity[0]:.3f} -> {ity[-1]:.3f}")
    print("  paper: a fitting phase (both rise), then compression of the deeper layers with I(T;Y) near 0.99")
    return verdict(drops[5] > 1.0 and drops[4] > 0.3 and drops[1] < 0.1,
                   f"last hidden layer compresses by {drops[5]:.2f} bits, layer 4 by {drops[4]:.2f}, layer 1 by {drops[1]:.2f}")


def check_relu_compression(out):
    # The lesson's sweep (tanh: 30 fixed bins; ReLU: width 0.07) plus a linear network, whose
    # unbounded activity gets the lesson's base estimator, the fixed width.
    lesson_spec = get_lesson("relu-compression").sweep
    spec = SweepSpec("network.activation", ("tanh", "relu", "linear"), 3, lesson_spec.show, lesson_spec.settings)
    table = sweep("relu-compression", out / "relu-compression", spec=spec)
    show(table, ["ixt_peak", "ixt_final", "compression", "ity_final", "final_test_acc"], "activation")
    c = means(table, "compression")
    print("  paper (Saxe et al.): tanh compresses; ReLU does not (nor linear networks, by an exact calculation with noise)")
    print(f"  note: the linear network's last hidden layer (fixed width 0.07) loses {c['linear'][0]:.2f} bits")
    return verdict(c["tanh"][0] > 1.0 and c["relu"][0] < 0.5 * c["tanh"][0],
                   f"compression of the last hidden layer: tanh {c['tanh'][0]:.2f}, relu {c['relu'][0]:.2f} bits "
                   f"(linear {c['linear'][0]:.2f}, see the note)")


def check_drift_diffusion(out):
    trainer, records = run_lesson("drift-diffusion")
    stats = table_of(records, "layer_stats")
    last = stats["epoch"] == stats["epoch"].max()
    print("  layer  peak SNR  final SNR  drift-to-diffusion epoch (per member)")
    crossings = []
    for layer in range(1, stats["layer"].max() + 1):
        sel = stats["layer"] == layer
        peak = np.nanmax(stats["snr"][sel])
        final = np.nanmean(stats["snr"][sel & last])
        epochs = stats["diffusion_epoch"][sel & last]
        crossings.append(np.median(epochs))
        print(f"  {layer:>5}  {peak:8.2f}  {final:9.2f}  {epochs.tolist()}")
    print("  paper: high SNR early (drift), low SNR later (diffusion)")
    hidden = crossings[:-1]
    return verdict(all(np.diff(hidden) >= 0) and min(hidden) > 0,
                   f"every hidden layer crosses SNR = 1, deeper layers later (median epochs {hidden})")


def check_parity_wall(out):
    table = sweep("parity-wall", out / "parity-wall")
    show(table, ["final_test_acc", "gradient_signal", "gradient_signal_stderr", "gradient_signal_bound"], "n")
    acc = means(table, "final_test_acc")
    print("  paper: n = 5 and 10 learned; n ~ 30 no progress beyond chance (width 10n, 5e4 steps)")
    return verdict(acc[5][0] > 0.98 and acc[10][0] > 0.95 and abs(acc[30][0] - 0.5) < 0.03,
                   f"test accuracy n=5 {acc[5][0]:.3f}, n=10 {acc[10][0]:.3f}, n=20 {acc[20][0]:.3f}, n=30 {acc[30][0]:.3f}")


def check_forgetting(out):
    table = sweep("forgetting", out / "forgetting")
    show(table, ["mean_task_acc", "forgetting", "backward_transfer"], "method")
    acc = means(table, "mean_task_acc")
    print("  paper (van de Ven & Tolias, split MNIST, class-incremental): none ~20%, EWC ~20%, SI ~20%, replay ~90%, joint ~98%")
    return verdict(acc["none"][0] < 0.3 and acc["ewc"][0] < 0.35 and acc["replay"][0] > 0.6 and acc["joint"][0] > 0.9,
                   f"average accuracy: none {acc['none'][0]:.2f}, ewc {acc['ewc'][0]:.2f}, si {acc['si'][0]:.2f}, "
                   f"replay {acc['replay'][0]:.2f}, joint {acc['joint'][0]:.2f}")


def check_memorisation(out):
    table = sweep("memorisation", out / "memorisation")
    show(table, ["final_train_acc", "final_test_acc", "fit_epoch"], "random share")
    fit = means(table, "fit_epoch")
    train = means(table, "final_train_acc")
    test = means(table, "final_test_acc")
    ratio = fit[1.0][0] / fit[0.0][0]
    print("  paper (Zhang et al.): random labels fitted to 100% train, test at chance; 2-3x slower than true labels")
    return verdict(train[1.0][0] > 0.99 and abs(test[1.0][0] - 0.1) < 0.05 and ratio > 1.5,
                   f"random labels: train {train[1.0][0]:.3f}, test {test[1.0][0]:.3f}; fitted {ratio:.1f}x later than true labels")


def check_learning_modes(out):
    table = sweep("learning-modes", out / "learning-modes", ["train.epochs=800"])
    columns = [c for c in table if c.startswith(("predicted_halfway", "observed_halfway"))]
    show(table, columns, "init sw2")
    mid = table["value"] == 0.0001
    errors = []
    for k in (1, 2, 3):
        predicted = np.asarray(table[f"predicted_halfway_{k}"][mid], float)
        observed = np.asarray(table[f"observed_halfway_{k}"][mid], float)
        errors.append(np.max(np.abs(observed / predicted - 1)))
    print("  paper (Saxe et al.): modes learned in order of strength; half-way at ln(s/u0 - 1)/(2 s lr) steps")
    return verdict(max(errors) < 0.06, "at the lesson's init (sw2 = 1e-4) observed half-way times are within "
                   + ", ".join(f"{100 * e:.1f}%" for e in errors) + " of the prediction (modes 1, 2, 3)")


def check_edge_of_chaos(out):
    results = {}
    for sb2 in (0.05, 0.0):
        print(f"  sb2 = {sb2}: critical sw2 by mean-field theory {critical_sw2(sb2):.3f}")
        table = sweep("edge-of-chaos", out / f"edge-of-chaos-sb2={sb2}", [f"network.sb2={sb2}"])
        show(table, ["final_train_acc", "final_test_acc"], "sw2")
        acc = means(table, "final_test_acc")
        best = max(acc, key=lambda v: acc[v][0])
        results[sb2] = (acc, best)
    acc, best = results[0.05]
    print("  paper: trainable only near the critical line (sw2 = 1 at sb2 -> 0, about 1.76 at sb2 = 0.05)")
    return verdict(acc[0.25][0] < 0.15 and acc[4.0][0] < 0.15 and 1.3 <= best <= 2.5 and acc[1.0][0] < 0.5 * acc[best][0],
                   f"sb2 = 0.05: best sw2 {best} ({acc[best][0]:.3f}); sw2 = 1: {acc[1.0][0]:.3f}; "
                   f"0.25: {acc[0.25][0]:.3f}; 4: {acc[4.0][0]:.3f}; sb2 = 0: best sw2 {results[0.0][1]}")


def check_critical_periods(out):
    table = sweep("critical-periods", out / "critical-periods")
    show(table, ["final_train_acc", "final_test_acc"], "deficit start")
    acc = means(table, "final_test_acc")
    constant = sweep("critical-periods", out / "critical-periods-constant-lr",
                     spec=SweepSpec("deficit.start", (0, 30, 100), 3),
                     hooks={"deficit": get_lesson("critical-periods").hooks["deficit"]})
    print("  without the learning-rate decay (constant lr):")
    show(constant, ["final_test_acc"], "deficit start")
    print("  paper (Achille et al.): an early deficit costs final accuracy for good; the same deficit later does not")
    control = acc[100][0]
    early = control - acc[0][0]
    later = max(control - acc[v][0] for v in (20, 30, 40))
    return verdict(early > 0.02 and early > 3 * max(later, 0.0),
                   f"cost in final test accuracy against no deficit ({control:.3f}): from epoch 0 {early:+.3f}, "
                   f"from 20-40 at most {later:+.3f}")


def check_batch_size(out):
    table = sweep("batch-size", out / "batch-size")
    show(table, ["final_train_acc", "final_test_acc", "sharpness"], "batch")
    sharp = means(table, "sharpness")
    lr = get_lesson("batch-size").config.train.lr
    print(f"  paper: full batch at the edge of stability, sharpness ~ 2/lr = {2 / lr:g} (Cohen et al.); small batches flatter (Keskar et al.)")
    values = sorted(sharp)
    return verdict(abs(sharp[values[-1]][0] / (2 / lr) - 1) < 0.1 and all(np.diff([sharp[v][0] for v in values]) > 0),
                   "sharpness rises with the batch: " + ", ".join(f"{v}: {sharp[v][0]:.1f}" for v in values))


# ---------------------------------------------------------------- issue 15's lessons


def member_means(table, value_column, group_columns):
    """Mean of `value_column` over members for each combination of `group_columns`."""
    keys = sorted(set(zip(*(table[c].tolist() for c in group_columns))))
    out = {}
    for key in keys:
        picked = np.all([table[c] == k for c, k in zip(group_columns, key)], axis=0)
        out[key if len(key) > 1 else key[0]] = float(np.mean(np.asarray(table[value_column], float)[picked]))
    return out


def check_adversarial_examples(out):
    table = sweep("adversarial-examples", out / "adversarial-examples")
    show(table, ["clean_acc", "fgsm_acc", "pgd_acc", "fgsm_transfer_acc"], "adversarial_eps")
    clean, own, transfer = means(table, "clean_acc"), means(table, "fgsm_acc"), means(table, "fgsm_transfer_acc")
    cost = clean[0.0][0] - own[0.0][0]
    transfer_cost = clean[0.0][0] - transfer[0.0][0]
    recovered = (own[0.1][0] - own[0.0][0]) / cost
    print("  paper: imperceptible perturbations fool networks and transfer to others (Szegedy et al.); "
          "adversarial training makes them more robust (Goodfellow et al.); on 8x8 digits eps ~0.1 costs tens of points")
    return verdict(cost > 0.2 and transfer_cost > 0.1 and recovered > 0.5,
                   f"FGSM at eps 0.1 costs {cost:.2f} of {clean[0.0][0]:.3f} (transferred from other members "
                   f"{transfer_cost:.2f}); adversarial training at 0.1 brings FGSM accuracy to {own[0.1][0]:.3f} "
                   f"({100 * recovered:.0f}% of the cost recovered)")


def check_fooling_images(out):
    trainer, records = run_lesson("fooling-images")
    table = table_of(records, "fooling")
    last = table["step"] == table["step"].max()
    confidence = np.asarray(table["confidence"], float)[last]
    start = np.asarray(table["confidence"], float)[table["step"] == 0]
    print(f"  confidence from noise: {start.mean():.3f} at step 0 -> mean {confidence.mean():.6f}, "
          f"min {confidence.min():.6f} after {table['step'].max()} steps (10 classes x {trainer.members} networks)")
    print("  paper (Nguyen et al.): unrecognisable images classified with >= 99.99% confidence")
    return verdict(confidence.min() >= 0.99, f"every fooling image reaches a confidence of at least {confidence.min():.6f} "
                   f"(1 - min = {1 - confidence.min():.1e})")


def check_one_pixel(out):
    trainer, records = run_lesson("one-pixel")
    table = table_of(records, "one_pixel")
    fractions = np.asarray(table["fraction"], float)
    print(f"  fooled by one pixel (per network): {', '.join(f'{f:.3f}' for f in fractions)} "
          f"of {', '.join(str(t) for t in table['total'])} correctly classified test images")
    print("  paper (Su et al.): one pixel fools 68-74% of attacked CIFAR-10 images (32x32; 64 pixels here)")
    return verdict(fractions.min() > 0.1, f"single pixels fool {fractions.mean():.3f} on average")


def check_pruning(out):
    trainer, records = run_lesson("pruning")
    table = table_of(records, "pruning")
    acc = member_means(table, "accuracy", ["sparsity", "method"])
    dense = acc[0.0, "none"]
    print(f"  dense test accuracy {dense:.3f} (mean of {trainer.members} networks)")
    print("  sparsity   none  finetune  rewind  reinit")
    for sparsity in sorted({k[0] for k in acc if k[0] > 0}):
        print(f"  {sparsity:8.2f}  " + "  ".join(f"{acc[sparsity, m]:6.3f}" for m in ("none", "finetune", "rewind", "reinit")))
    print("  paper: retrained, 90%+ sparsity keeps the accuracy (Han et al.); rewound tickets match the dense "
          "network, reinitialised ones do worse (Frankle & Carbin)")
    return verdict(acc[0.9, "rewind"] > dense - 0.03 and acc[0.9, "none"] < 0.6 and acc[0.95, "rewind"] > acc[0.95, "reinit"],
                   f"at 90%: rewind {acc[0.9, 'rewind']:.3f}, no retraining {acc[0.9, 'none']:.3f}, reinit "
                   f"{acc[0.9, 'reinit']:.3f}; at 95%: rewind {acc[0.95, 'rewind']:.3f}, reinit {acc[0.95, 'reinit']:.3f}")


def check_loss_landscape(out):
    trainer, records = run_lesson("loss-landscape")
    line = table_of(records, "landscape_line")
    inside = (line["alpha"] >= 0) & (line["alpha"] <= 1)
    rises = []
    for member in range(trainer.members):
        loss = np.asarray(line["train_loss"], float)[inside & (line["member"] == member)]
        rises.append(float(np.max(loss - np.minimum.accumulate(loss))))
        print(f"  member {member}: train loss along the line {loss[0]:.3f} -> {loss[-1]:.4f}, largest rise {rises[-1]:.2e}")
    curvature = table_of(records, "curvature")
    by_epoch = member_means(curvature, "min_eig", ["epoch"])
    top = member_means(curvature, "max_eig", ["epoch"])
    print("  epoch  max_eig  min_eig  (mean of members)")
    for epoch in sorted(by_epoch):
        print(f"  {epoch:5d}  {top[epoch]:7.3f}  {by_epoch[epoch]:8.4f}")
    first, last = min(by_epoch), max(by_epoch)
    print("  paper: the straight path descends monotonically (Goodfellow et al.); saddles, negative eigenvalues, early (Dauphin et al.)")
    return verdict(max(rises) < 1e-6 and by_epoch[first] < -0.05 * top[first] and abs(by_epoch[last]) < 0.1 * abs(by_epoch[first]),
                   f"the line only falls (largest rise {max(rises):.1e}); smallest eigenvalue {by_epoch[first]:.3f} at "
                   f"initialisation (largest {top[first]:.2f}), {by_epoch[last]:.4f} at the end")


def check_lazy_training(out):
    table = sweep("lazy-training", out / "lazy-training")
    show(table, ["final_test_acc", "relative_change_1", "relative_change_2", "relative_change", "linear_relative_distance"], "width")
    change, distance = means(table, "relative_change"), means(table, "linear_relative_distance")
    widths = sorted(change)
    slope = np.polyfit(np.log(widths), np.log([change[w][0] for w in widths]), 1)[0]
    print("  standard parameterisation, lr 0.05:")
    standard = sweep("lazy-training", out / "lazy-training-standard",
                     ["network.parameterisation=standard", "train.lr=0.05"], spec=SweepSpec("network.width", (16, 256, 4096), 3))
    show(standard, ["final_test_acc", "relative_change_1", "relative_change_2"], "width")
    print("  paper (Jacot et al.; Lee et al.): relative change ~ 1/sqrt(width) in the NTK parameterisation; "
          "the network stays close to its linearisation")
    falling = all(np.diff([change[w][0] for w in widths]) < 0) and all(np.diff([distance[w][0] for w in widths]) < 0)
    return verdict(falling and -0.75 < slope < -0.3,
                   f"relative weight change falls with width, log-log slope {slope:.2f} (theory -0.5); "
                   f"linearisation distance / output change {distance[widths[0]][0]:.2f} -> {distance[widths[-1]][0]:.2f}")


def check_layer_separation(out):
    trainer, records = run_lesson("layer-separation")
    table = table_of(records, "separation")
    first, last = table["epoch"].min(), table["epoch"].max()
    at_start = member_means({k: v[table["epoch"] == first] for k, v in table.items()}, "probe_accuracy", ["layer"])
    at_end = member_means({k: v[table["epoch"] == last] for k, v in table.items()}, "probe_accuracy", ["layer"])
    layers = sorted(at_end)
    print("  layer (0 = input, last = output): probe test accuracy at initialisation -> at the end")
    for layer in layers:
        print(f"  {layer:5d}  {at_start[layer]:.3f} -> {at_end[layer]:.3f}")
    hidden = [at_end[layer] for layer in layers[:-1]]
    print("  paper (Cohen et al.): class manifolds separate more with depth in trained networks, not in untrained ones")
    return verdict(all(np.diff(hidden) > 0) and hidden[-1] > hidden[0] + 0.1,
                   f"after training the probe rises from {hidden[0]:.3f} (input) to {hidden[-1]:.3f} (last hidden "
                   f"layer); at initialisation it falls from {at_start[layers[0]]:.3f} to {at_start[layers[-2]]:.3f}")


def check_vanishing_gradients(out):
    table = sweep("vanishing-gradients", out / "vanishing-gradients")
    layers = sorted(int(c.split("_")[-1]) for c in table if c.startswith("grad_norm_"))
    show(table, ["final_test_acc", "grad_ratio_first_last", f"grad_norm_{layers[0]}", f"grad_norm_{layers[-1]}"], "activation")
    ratio = means(table, "grad_ratio_first_last")
    print("  paper (Glorot & Bengio): in deep sigmoid networks gradients shrink towards the input")
    return verdict(ratio["sigmoid"][0] < 1e-3 and all(0.1 < ratio[a][0] < 10 for a in ("tanh", "relu")),
                   f"first/last layer gradient at initialisation: sigmoid {ratio['sigmoid'][0]:.1e}, tanh "
                   f"{ratio['tanh'][0]:.2f}, relu {ratio['relu'][0]:.2f}")


def check_double_descent(out):
    table = sweep("double-descent", out / "double-descent")
    show(table, ["rf_train_error", "rf_test_error", "rf_test_mse", "final_train_acc", "final_test_acc"], "width")
    error = means(table, "rf_test_error")
    widths = sorted(error)
    samples = int(np.asarray(table["samples"], float)[0])
    peak = max(widths, key=lambda w: error[w][0])
    below = min(error[w][0] for w in widths if w < 0.7 * samples)
    above = error[widths[-1]][0]
    print(f"  {samples} training points (20% of their labels random)")
    print("  paper (Belkin et al.): test error peaks where the model just interpolates, and falls beyond it")
    return verdict(0.8 * samples <= peak <= 1.25 * samples and error[peak][0] > 2 * max(below, above),
                   f"random-features test error peaks at width {peak} ({error[peak][0]:.3f}) against "
                   f"{below:.3f} below and {above:.3f} at width {widths[-1]}")


CHECKS = {
    "ib-tanh": check_preset_ib_tanh,
    "ib-relu": check_preset_ib_relu,
    "fitting-compression": check_fitting_compression,
    "relu-compression": check_relu_compression,
    "drift-diffusion": check_drift_diffusion,
    "parity-wall": check_parity_wall,
    "forgetting": check_forgetting,
    "memorisation": check_memorisation,
    "learning-modes": check_learning_modes,
    "edge-of-chaos": check_edge_of_chaos,
    "critical-periods": check_critical_periods,
    "batch-size": check_batch_size,
    "adversarial-examples": check_adversarial_examples,
    "fooling-images": check_fooling_images,
    "one-pixel": check_one_pixel,
    "pruning": check_pruning,
    "loss-landscape": check_loss_landscape,
    "lazy-training": check_lazy_training,
    "layer-separation": check_layer_separation,
    "vanishing-gradients": check_vanishing_gradients,
    "double-descent": check_double_descent,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help=f"lessons or presets; default: all of {', '.join(CHECKS)}")
    parser.add_argument("--out", default="runs/science", help="folder for the runs and sweep tables")
    args = parser.parse_args(argv)
    unknown = [name for name in args.lessons if name not in CHECKS]
    if unknown:
        parser.error(f"unknown lesson {unknown[0]!r}; choose from {', '.join(CHECKS)}")
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for name in args.lessons or list(CHECKS):
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        results[name] = CHECKS[name](out)
        print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
    print("\n" + "\n".join(f"{'AGREES ' if ok else 'DIFFERS'}  {name}" for name, ok in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
