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
