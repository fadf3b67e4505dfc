"""Run folders read back whole, and bad or partial ones give a clear message naming the file."""

import errno
import os

import pytest

from playground.cli import main
from playground.core import config as C
from playground.core.config import Config, ConfigError
from playground.core.base.fileio import RunFileError, atomic_write_text
from playground.core.runs.runlog import read_run

QUICK = ["--set", "train.epochs=3", "--set", "network.hidden=[4]", "--quiet"]


@pytest.fixture
def run_dir(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--preset", "circle", *QUICK, "--out", str(out)]) == 0
    return out


def test_read_run_round_trip(run_dir):
    run = read_run(run_dir)
    assert run.config.task.name == "circle"
    assert run.summary["stop_reason"] == "completed"
    assert list(run.tables["metrics"]["epoch"]) == [1, 2, 3]


def test_not_a_run_folder(tmp_path):
    with pytest.raises(RunFileError, match="no config.toml"):
        read_run(tmp_path)
    with pytest.raises(RunFileError, match="not a run folder"):
        read_run(tmp_path / "missing")


def test_broken_toml_in_a_run_names_the_file(run_dir):
    (run_dir / "config.toml").write_text("[train\n")
    with pytest.raises(RunFileError, match="config.toml: not valid TOML"):
        read_run(run_dir)


def test_unknown_key_names_file_and_key(run_dir):
    text = (run_dir / "config.toml").read_text().replace("[train]", "[train]\nturbo = true")
    (run_dir / "config.toml").write_text(text)
    with pytest.raises(RunFileError, match=r"config.toml: unknown key 'train.turbo'"):
        read_run(run_dir)


def test_config_from_a_newer_version(run_dir):
    text = (run_dir / "config.toml").read_text().replace("version = 1", "version = 99")
    (run_dir / "config.toml").write_text(text)
    with pytest.raises(RunFileError, match="newer playground"):
        read_run(run_dir)


def test_corrupt_table_and_summary_name_the_file(run_dir):
    (run_dir / "metrics.csv").write_text("epoch,member,train_loss\n1,0\n2,0,0.5\n")
    with pytest.raises(RunFileError, match="metrics.csv: line 2"):
        read_run(run_dir)
    (run_dir / "metrics.csv").write_text("")
    with pytest.raises(RunFileError, match="metrics.csv: empty"):
        read_run(run_dir)
    (run_dir / "metrics.csv").unlink()
    (run_dir / "summary.json").write_text("{oops")
    with pytest.raises(RunFileError, match="summary.json: not valid JSON"):
        read_run(run_dir)


def test_partial_run_without_summary_still_reads(run_dir):
    (run_dir / "summary.json").unlink()
    run = read_run(run_dir)
    assert run.summary == {} and len(run.tables["metrics"]["epoch"]) == 3


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "config.toml"
    target.write_text("old")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(RunFileError, match="config.toml: cannot write"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_read_only_target_gives_a_clear_error(tmp_path, monkeypatch):
    import tempfile

    def read_only(*args, **kwargs):  # as root a chmod is not enough, so simulate the mount
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(RunFileError, match="c.toml: cannot write .Read-only file system"):
        C.save(Config(), tmp_path / "c.toml")
    assert list(tmp_path.iterdir()) == []


def test_saving_a_config_never_leaves_a_partial_file_when_validation_fails(tmp_path):
    with pytest.raises(ConfigError):
        C.load(tmp_path / "absent.toml")
    assert list(tmp_path.iterdir()) == []


def test_atomic_writes_get_the_usual_file_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "shared.toml", "x = 1\n")
    finally:
        os.umask(old)
    assert (tmp_path / "shared.toml").stat().st_mode & 0o777 == 0o644


def test_summary_of_a_sequential_run_has_its_continual_figures(tmp_path):
    """average accuracy, BWT and forgetting after the last task, equal to the metrics applied to
    the accuracy matrix the run wrote."""
    import json

    import numpy as np

    from playground.core.continual import metrics

    out = tmp_path / "seq"
    assert main(["run", "--preset", "forgetting-split", "--set", "continual.tasks=2",
                 "--set", "continual.epochs_per_task=2", "--ensemble", "2", "--quiet", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())["continual"]
    R = metrics.matrix_from_table(read_run(out).tables["accuracy_matrix"])
    assert summary["after_task"] == 2
    np.testing.assert_allclose(summary["average_accuracy"]["per_member"], metrics.average_accuracy(R))
    np.testing.assert_allclose(summary["backward_transfer"]["mean"], metrics.backward_transfer(R).mean())
    # by hand for member 0: BWT = R[1,0] - R[0,0]; average = (R[1,0] + R[1,1]) / 2
    assert summary["backward_transfer"]["per_member"][0] == pytest.approx(R[0, 1, 0] - R[0, 0, 0])
    assert summary["average_accuracy"]["per_member"][0] == pytest.approx((R[0, 1, 0] + R[0, 1, 1]) / 2)
