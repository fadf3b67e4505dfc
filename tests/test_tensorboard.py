import builtins

import pytest

from playground.cli import main
from playground.core.base.fileio import RunFileError
from playground.core.runs import tensorboard_log

QUICK = ["--set", "train.epochs=3", "--set", "network.hidden=[4]", "--quiet"]


def read_scalars(log_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_run_with_tensorboard_writes_scalars_and_histograms(tmp_path):
    pytest.importorskip("tensorboard")
    out = tmp_path / "run"
    assert main(["run", "--preset", "circle", "--ensemble", "2", "--tensorboard", *QUICK, "--out", str(out)]) == 0
    acc = read_scalars(out / "tensorboard")
    tags = acc.Tags()
    assert "metrics/test_acc/member1" in tags["scalars"]
    assert [e.step for e in acc.Scalars("metrics/train_loss/member0")] == [1, 2, 3]
    assert "weights/layer1" in tags["histograms"]


def test_saved_run_converts_to_the_same_values(tmp_path):
    pytest.importorskip("tensorboard")
    from playground.core.runs.runlog import read_run

    out = tmp_path / "run"
    assert main(["run", "--preset", "circle", *QUICK, "--out", str(out)]) == 0
    assert main(["tensorboard", str(out), "--out", str(tmp_path / "tb")]) == 0
    acc = read_scalars(tmp_path / "tb")
    values = [e.value for e in acc.Scalars("metrics/test_loss/member0")]
    expected = read_run(out).tables["metrics"]["test_loss"]
    assert values == pytest.approx(list(expected), rel=1e-6)


def test_without_the_package_the_option_says_what_to_install(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_tensorboard(name, *args, **kwargs):
        if name == "tensorboard" or name.startswith("tensorboard."):
            raise ImportError("no tensorboard here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    out = tmp_path / "run"
    assert main(["run", "--preset", "circle", "--tensorboard", *QUICK, "--out", str(out)]) == 2
    assert "pip install tensorboard" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(RunFileError, match="pip install tensorboard"):
        tensorboard_log.TensorBoardLog(tmp_path / "tb")


def test_live_changes_are_one_series_per_key(tmp_path):
    pytest.importorskip("tensorboard")
    out = tmp_path / "run"
    changes = ["--change", "2:train.lr=0.05", "--change", "3:train.momentum=0.5", "--set", "train.optimizer=sgd"]
    assert main(["run", "--preset", "circle", *QUICK, *changes, "--out", str(out)]) == 0
    assert main(["tensorboard", str(out), "--out", str(tmp_path / "tb")]) == 0
    acc = read_scalars(tmp_path / "tb")
    assert [(e.step, e.value) for e in acc.Scalars("changes/value/train.lr/member0")] == [(2, pytest.approx(0.05))]
    assert [(e.step, e.value) for e in acc.Scalars("changes/value/train.momentum/member0")] == [(3, 0.5)]
