"""The bad inputs a random drive of the command line found (issue 12): each is a one-line error,
exit status 2, and leaves nothing written; a run told to stop (SIGTERM) finishes its files."""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.cli import main
from playground.core.base.fileio import RunFileError
from playground.core.runs import runlog

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--preset", "circle", "--set", "train.epochs=3", "--set", "network.hidden=[4]", "--quiet"]
BIG = "9" * 310
HUGE = "9" * 5000  # past Python's 4300-digit limit for turning text into an integer


def run_cli(*args):
    return main([str(a) for a in args])


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("playground: error:") and "\n" not in err and "Traceback" not in err
    return err


# ---------------------------------------------------------------- configs


def test_a_config_file_that_is_not_utf8_is_refused(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes('version = 1\n[train]\n# taux réduit\nlr = 0.01\n'.encode("latin-1"))
    assert run_cli("run", "--config", path, "--quiet", "--out", tmp_path / "never") == 2
    err = one_line_error(capsys)
    assert str(path) in err and "not a UTF-8 text file" in err and "0xe9" in err
    assert not (tmp_path / "never").exists()


def test_open_config_in_the_app_shows_the_encoding_error(qtbot, tmp_path):
    from helpers_files import FakeDialogs, open_window, small_config

    window = open_window(qtbot, small_config())
    window.file_actions.dialogs = FakeDialogs()
    try:
        path = tmp_path / "latin1.toml"
        path.write_bytes(b"version = 1\n# caf\xe9\n")
        before = window.controls.config()
        assert not window.file_actions.open_config(str(path))
        (title, message), = window.file_actions.dialogs.errors
        assert str(path) in message and "not a UTF-8 text file" in message
        assert window.controls.config() == before
    finally:
        window.shutdown()


@pytest.mark.parametrize("digits", [BIG, HUGE])
@pytest.mark.parametrize("key", ["train.epochs", "train.lr", "network.width", "network.hidden", "task.samples"])
def test_an_integer_of_hundreds_of_digits_is_refused_on_the_command_line(tmp_path, capsys, key, digits):
    value = f"[{digits}]" if key == "network.hidden" else digits
    assert run_cli("run", *QUICK, "--set", f"{key}={value}", "--out", tmp_path / "never") == 2
    err = one_line_error(capsys)
    assert key in err and "more than 15 digits" in err and len(err) < 200
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("digits", [BIG, HUGE])
def test_an_integer_of_hundreds_of_digits_is_refused_in_a_config_file(tmp_path, capsys, digits):
    path = tmp_path / "big.toml"
    path.write_text(f"version = 1\n[train]\nepochs = {digits}\n")
    assert run_cli("run", "--config", path, "--quiet", "--out", tmp_path / "never") == 2
    err = one_line_error(capsys)
    assert str(path) in err and "digits" in err and len(err) < 300
    assert not (tmp_path / "never").exists()


def test_an_integer_of_hundreds_of_digits_is_refused_as_a_sweep_value(tmp_path, capsys):
    assert run_cli("sweep", "--preset", "circle", "--param", "train.epochs", "--values", f"2,{BIG}",
                   "--quiet", "--out", tmp_path / "never") == 2
    assert "sweep values" in one_line_error(capsys)
    assert not (tmp_path / "never").exists()


# ---------------------------------------------------------------- sizes the machine cannot hold


def test_a_size_that_cannot_be_allocated_is_refused_with_the_estimate(tmp_path, capsys):
    out = tmp_path / "never"
    started = time.perf_counter()
    assert run_cli("run", "--preset", "circle", "--set", "network.width=4096", "--set", "network.depth=64",
                   "--set", "train.ensemble=1000", "--quiet", "--out", out) == 2
    assert time.perf_counter() - started < 60  # refused from the shapes: nothing was allocated
    err = one_line_error(capsys)
    # 1000 members x 63 layers of 4096 x 4096 float32 weights: 4.2 TB, before gradients and Adam.
    assert "memory" in err and "weights 4.2 TB" in err and "available" in err
    assert not out.exists()


def test_a_sweep_counts_the_values_that_train_at_once(tmp_path, capsys, monkeypatch):
    from playground.core.config import apply_overrides, validate
    from playground.core.experiments.catalog import get_preset
    from playground.core.training import memory

    sizes = ["network.hidden=[64]", "train.ensemble=20"]
    one = memory.estimate(validate(apply_overrides(get_preset("circle").config(), sizes))).total
    monkeypatch.setattr(memory, "available_memory", lambda device="cpu": int(1.5 * one))  # one fits, two do not
    assert run_cli("sweep", "--preset", "circle", "--set", sizes[0], "--param", "train.lr", "--values", "0.1,0.2",
                   "--seeds", "20", "--jobs", "2", "--quiet", "--out", tmp_path / "never") == 2
    err = one_line_error(capsys)
    assert "2 runs at once" in err and "use fewer members" in err
    assert not (tmp_path / "never").exists()


# ---------------------------------------------------------------- plot


def test_plot_refuses_a_final_state_of_another_run(tmp_path, capsys):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert run_cli("run", *QUICK, "--out", ours) == 0
    assert run_cli("run", *QUICK, "--set", "network.hidden=[5, 3]", "--out", theirs) == 0
    capsys.readouterr()
    shutil.copy(theirs / "final_state.npz", ours / "final_state.npz")
    assert run_cli("plot", ours, "--out", tmp_path / "figures") == 2
    err = one_line_error(capsys)
    assert "final_state.npz: belongs to another run" in err and "5-3" in err
    assert not (tmp_path / "figures").exists()
    # Its own state still draws.
    assert run_cli("plot", theirs, "--out", tmp_path / "figures") == 0


def test_a_final_state_with_another_ensemble_is_refused_too(tmp_path):
    from playground.core.runs import final_state

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert run_cli("run", *QUICK, "--out", ours) == 0
    assert run_cli("run", *QUICK, "--ensemble", "2", "--out", theirs) == 0
    shutil.copy(theirs / "final_state.npz", ours / "final_state.npz")
    with pytest.raises(RunFileError, match="2 members"):
        final_state.read(ours)


# ---------------------------------------------------------------- a full disk


def no_space(path):
    raise RunFileError(f"{path}: cannot write ({os.strerror(errno.ENOSPC)})")


def test_a_disk_already_full_leaves_no_empty_run_folder(tmp_path, capsys, monkeypatch):
    from playground.core.base import fileio

    monkeypatch.setattr(fileio, "atomic_write_bytes", lambda path, data: no_space(path))
    out = tmp_path / "run"
    assert run_cli("run", *QUICK, "--out", out) == 2
    err = one_line_error(capsys)
    assert "config.toml: cannot write (No space left on device)" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_disk_that_fills_mid_run_names_the_table_and_still_finishes_the_summary(tmp_path, capsys, monkeypatch):
    appended = []
    real_open = open

    def filling_open(path, mode="r", *args, **kwargs):
        if "a" in mode:
            appended.append(Path(path).name)
            if len(appended) > 2:  # two epochs of metrics.csv fit, then the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(runlog, "open", filling_open, raising=False)
    out = tmp_path / "run"
    assert run_cli("run", *QUICK, "--set", "train.epochs=50", "--out", out) == 2
    err = one_line_error(capsys)
    assert "metrics.csv: cannot write (No space left on device)" in err and "epoch 3" in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["epochs_completed"] == 3
    assert summary["stop_reason"].startswith("failed: ") and "metrics.csv" in summary["stop_reason"]
    assert len((out / "metrics.csv").read_text().splitlines()) == 1 + 2  # header and the two rows that fit
    assert not (out / "final_state.npz").exists()


def test_the_summary_is_finished_in_place_when_no_new_file_fits(tmp_path, monkeypatch):
    from playground.core.base import fileio
    from playground.core.config import Config

    writer = runlog.RunWriter(tmp_path / "run", Config())
    monkeypatch.setattr(fileio, "atomic_write_bytes", lambda path, data: no_space(path))
    monkeypatch.setattr(runlog, "atomic_write_text", lambda path, text: no_space(path))
    writer.finish("completed")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["stop_reason"] == "completed"


# ---------------------------------------------------------------- SIGTERM


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_sigterm_finishes_the_summary_as_terminated(tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "playground", "run", "--preset", "circle", "--set", "train.epochs=1000000",
         "--set", "network.hidden=[4]", "--quiet", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        metrics = out / "metrics.csv"
        while not (metrics.exists() and len(metrics.read_text().splitlines()) > 3):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert stdout.startswith("terminated: ")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["stop_reason"] == "terminated"
    assert summary["epochs_completed"] >= 3 and (out / "final_state.npz").exists()


def test_sigterm_helper_stops_the_control_and_restores_the_handler():
    from playground.core.base.control import RunControl
    from playground.core.base.termination import stop_on_sigterm

    before = signal.getsignal(signal.SIGTERM)
    control = RunControl()
    with stop_on_sigterm(control) as termination:
        assert termination.installed and not control.stop_requested
        signal.raise_signal(signal.SIGTERM)
        assert termination.received and control.stop_requested
    assert signal.getsignal(signal.SIGTERM) is before
