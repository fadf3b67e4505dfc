"""Probe run files: info_plane.csv, layer_stats.csv and activations/epoch_<E>.npz from `playground run`."""

from __future__ import annotations

import numpy as np
import pytest

from playground.cli import main
from playground.core.config import Config
from playground.core.measures.probes.binning import fixed_information
from playground.core.measures.probes.targets import make_targets
from playground.core.base.records import EpochRecord
from playground.core.runs.runlog import RunWriter, read_run

INFO_COLUMNS = ["epoch", "member", "layer", "estimator", "i_xt", "i_ty"]
STATS_COLUMNS = ["epoch", "member", "layer", "units", "weight_norm", "weight_mean", "weight_std",
                 "grad_mean_norm", "grad_std", "snr", "saturation", "diffusion_epoch"]


def run(out, *args: str) -> None:
    assert main(["run", "--quiet", "--out", str(out), *args]) == 0


def test_ib_run_writes_documented_tables_and_activations(tmp_path):
    out = tmp_path / "ib"
    run(out, "--preset", "ib-tanh", "--epochs", "3", "--ensemble", "2", "--set", "probes.save_activations=true")
    data = read_run(out)
    info, stats = data.tables["info_plane"], data.tables["layer_stats"]
    assert list(info) == INFO_COLUMNS
    assert list(stats) == STATS_COLUMNS
    assert len(info["epoch"]) == 3 * 2 * 6 and len(stats["epoch"]) == 3 * 2 * 6
    assert set(info["estimator"]) == {"binning"}
    assert info["layer"].min() == 1 and info["layer"].max() == 6
    assert np.all(info["i_xt"] <= 12 + 1e-9) and np.all(info["i_ty"] <= 0.99916 + 1e-5)
    # The first hidden layer of 10 tanh units keeps (nearly) all 12 bits at initialisation.
    first = (info["epoch"] == 1) & (info["layer"] == 1)
    assert np.all(info["i_xt"][first] > 11)

    files = sorted(p.name for p in (out / "activations").iterdir())
    assert files == ["epoch_1.npz", "epoch_2.npz", "epoch_3.npz"]
    with np.load(out / "activations" / "epoch_3.npz") as saved:
        widths = [10, 7, 5, 4, 3, 2]
        assert sorted(saved.files) == sorted([f"layer{i}" for i in range(1, 7)] + ["x", "y"])
        for i, width in enumerate(widths, start=1):
            assert saved[f"layer{i}"].shape == (2, 4096, width)
        assert saved["y"].shape == (2, 4096) and saved["x"].shape == (2, 4096, 12)
        # The saved activity reproduces the table: a scientist's own estimator sees the same data.
        targets = make_targets(saved["x"], saved["y"])
        for layer in range(1, 7):
            i_xt, i_ty = fixed_information(saved[f"layer{layer}"], 30, targets)
            rows = (info["epoch"] == 3) & (info["layer"] == layer)
            assert np.allclose(info["i_xt"][rows], i_xt, atol=1e-12)
            assert np.allclose(info["i_ty"][rows], i_ty, atol=1e-12)

    # A rerun into the same folder leaves no stale activation files behind.
    run(out, "--preset", "ib-tanh", "--epochs", "1", "--set", "probes.save_activations=true")
    assert sorted(p.name for p in (out / "activations").iterdir()) == ["epoch_1.npz"]


def test_kde_writes_upper_and_lower_rows(tmp_path):
    out = tmp_path / "kde"
    run(out, "--set", "task.name=circle", "--set", "network.hidden=[5,3]", "--set", "probes.enabled=true",
        "--set", "probes.estimator=kde", "--set", "probes.schedule=every", "--epochs", "2")
    info = read_run(out).tables["info_plane"]
    assert list(info) == INFO_COLUMNS
    assert len(info["epoch"]) == 2 * 2 * 3
    upper = info["estimator"] == "kde_upper"
    lower = info["estimator"] == "kde_lower"
    assert upper.sum() == lower.sum() == 6
    assert np.all(info["i_xt"][upper] >= info["i_xt"][lower] - 1e-9)


def test_adaptive_binning_with_repeated_inputs(tmp_path):
    out = tmp_path / "parity"
    run(out, "--preset", "parity", "--set", "network.hidden=[8]", "--set", "probes.enabled=true",
        "--set", "probes.estimator=adaptive", "--set", "probes.schedule=every", "--epochs", "2",
        "--set", "train.steps_per_epoch=5")
    info = read_run(out).tables["info_plane"]
    assert set(info["estimator"]) == {"adaptive"}
    assert len(info["epoch"]) == 2 * 2  # two layers: ReLU and the hinge score
    # The probe set repeats inputs (3000 draws of 1024 patterns): I(X;T) <= H(X) < log2(3000).
    from playground.core.tasks import get_task

    spec = get_task("parity")
    dataset = spec.build(spec.resolve({"n": 10, "k": 5, "online": True}), 0)
    targets = make_targets(dataset.x_probe, dataset.y_probe)
    assert targets.x_groups is not None and targets.h_x[0] < np.log2(len(dataset.x_probe)) - 0.5
    assert np.all(info["i_xt"] <= targets.h_x[0] + 1e-9)
    assert np.all(info["i_ty"] <= targets.h_y[0] + 1e-9)


def test_record_files_stay_inside_the_run_folder(tmp_path):
    writer = RunWriter(tmp_path / "run", Config())
    record = EpochRecord(epoch=1, step=1, task_index=0, batch_loss=np.zeros(1), elapsed=0.0)
    record.files["deeper/one.bin"] = b"abc"
    writer.write(record)
    assert (tmp_path / "run" / "deeper" / "one.bin").read_bytes() == b"abc"
    for bad in ("../escape.bin", str(tmp_path / "absolute.bin")):
        record.files = {bad: b"x"}
        with pytest.raises(ValueError, match="inside the run folder"):
            writer.write(record)
    assert not (tmp_path / "escape.bin").exists() and not (tmp_path / "absolute.bin").exists()
