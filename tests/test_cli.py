import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.cli import main
from playground.core.runs.runlog import read_run

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--set", "train.epochs=4", "--set", "network.hidden=[6, 4]", "--quiet"]


def run_cli(*args):
    return main([str(a) for a in args])


def test_run_writes_config_metrics_and_summary(tmp_path):
    out = tmp_path / "run"
    assert run_cli("run", "--preset", "circle", "--ensemble", "2", *QUICK, "--out", out) == 0
    with open(out / "metrics.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["epoch", "member", "train_loss", "train_acc", "test_loss", "test_acc"]
    assert len(rows) == 4 * 2
    assert {r["member"] for r in rows} == {"0", "1"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["stop_reason"] == "completed"
    assert summary["epochs_completed"] == 4 and summary["ensemble"] == 2
    assert summary["final"]["test_acc"]["mean"] == pytest.approx(
        np.mean([float(r["test_acc"]) for r in rows if r["epoch"] == "4"]))
    assert "torch" in summary["versions"]


def test_config_file_reproduces_the_run(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_cli("run", "--preset", "spiral", "--seed", "3", *QUICK, "--out", first) == 0
    assert run_cli("run", "--config", first / "config.toml", "--quiet", "--out", second) == 0
    a, b = read_run(first), read_run(second)
    assert a.config == b.config
    for column in ("train_loss", "test_acc"):
        np.testing.assert_array_equal(a.tables["metrics"][column], b.tables["metrics"][column])


@pytest.mark.parametrize("args, fragment", [
    (["--preset", "nope"], "unknown preset 'nope'"),
    (["--preset", "circle", "--set", "train.lr=0"], "train.lr"),
    (["--preset", "circle", "--set", "network.hidden=[0]"], "network.hidden"),
    (["--preset", "circle", "--set", "task.train_fraction=1.5"], "task.train_fraction"),
    (["--preset", "parity", "--set", "task.k=40"], "task.k"),
    (["--preset", "circle", "--set", "train.warp=9"], "unknown key 'train.warp'"),
    (["--preset", "circle", "--set", "task.name=nosuch"], "unknown task 'nosuch'"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, fragment):
    out = tmp_path / "never"
    assert run_cli("run", *args, "--out", out) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_unwritable_output_folder_is_refused(tmp_path, capsys):
    if os.geteuid() == 0:
        target = Path("/proc/playground-cannot-write-here")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "run"
    assert run_cli("run", "--preset", "circle", *QUICK, "--out", target) == 2
    assert "not writable" in capsys.readouterr().err


def test_a_foreign_non_empty_folder_is_not_touched(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.csv").write_text("precious\n")
    assert run_cli("run", "--preset", "circle", *QUICK, "--out", folder) == 2
    assert (folder / "notes.csv").read_text() == "precious\n"
    assert "not empty" in capsys.readouterr().err


def test_diverging_run_records_its_reason(tmp_path):
    out = tmp_path / "boom"
    code = run_cli("run", "--preset", "circle", "--set", "task.name=gauss", "--set", "task.random_labels=0.5",
                   "--set", "network.hidden=[32, 32, 32]", "--set", "network.activation=linear",
                   "--set", "train.optimizer=sgd", "--set", "train.lr=50", "--quiet", "--out", out)
    assert code == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["stop_reason"].startswith("diverged")


def test_data_command_writes_inputs_labels_and_split(tmp_path):
    out = tmp_path / "ib.csv"
    assert run_cli("data", "ib", "--out", out) == 0
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4096
    assert list(rows[0]) == [f"x{i}" for i in range(12)] + ["y", "split"]
    assert sum(r["split"] == "train" for r in rows) == round(0.8 * 4096)
    assert sum(int(r["y"]) for r in rows) == 2118


def test_presets_lists_the_required_ones(capsys):
    assert run_cli("presets") == 0
    text = capsys.readouterr().out
    for name in ("ib-tanh", "ib-relu", "parity", "random-labels", "spiral"):
        assert name in text


def test_module_entry_point_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "playground", "presets"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "ib-tanh" in result.stdout


def test_truncated_last_line_of_a_killed_run_is_ignored(tmp_path):
    out = tmp_path / "run"
    assert run_cli("run", "--preset", "circle", *QUICK, "--out", out) == 0
    with open(out / "metrics.csv", "a") as handle:
        handle.write("5,0,0.1")  # a row cut short by a kill
    run = read_run(out)
    assert len(run.tables["metrics"]["epoch"]) == 4


def test_output_into_a_closed_pipe_ends_quietly(monkeypatch):
    import os
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as `| head -1` does after its line
    saved = os.dup(1)
    try:
        closed = open(write_end, "w", buffering=1)
        monkeypatch.setattr(sys, "stdout", closed)
        assert main(["tasks"]) == 0
    finally:
        os.dup2(saved, 1)
        os.close(saved)
