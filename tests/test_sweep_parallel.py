"""Sweeps in worker processes and on a Dask cluster give the same sweep.csv and run folders as
in one process, whatever the number of workers (issue 12)."""

import sys

import numpy as np
import pytest

from playground.cli import main
from playground.core.base.control import RunControl
from playground.core.base.errors import ConfigError
from playground.core.config import Config, apply_overrides
from playground.core.experiments.sweep import SweepSpec, read_sweep, run_sweep
from playground.core.runs.runlog import read_run

SPEC = SweepSpec("train.lr", (0.003, 0.03, 0.3), seeds=2)
HOOKS = {"fit_time": {"threshold": 0.6}}  # a lesson hook's summary column in sweep.csv too


def small_config(epochs=4):
    return apply_overrides(Config(), ["task.name=circle", "task.samples=120", "network.hidden=[6]",
                                      f"train.epochs={epochs}", "train.batch_size=30"])


def sweep_files(folder):
    """sweep.csv's text and every run folder's tables, by relative path."""
    files = {"sweep.csv": (folder / "sweep.csv").read_text()}
    for run in sorted((folder / "runs").iterdir()):
        for table in sorted(run.glob("*.csv")):
            files[f"{run.name}/{table.name}"] = table.read_text()
        files[f"{run.name}/config.toml"] = (run / "config.toml").read_text()
    return files


@pytest.fixture(scope="module")
def in_one_process(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "jobs1"
    finished = []
    result = run_sweep(small_config(), SPEC, HOOKS, out=out, jobs=1,
                       on_finished=lambda value, rows: finished.append((value, list(rows["member"]))))
    return out, result, finished


def test_one_job_reports_each_finished_value_in_order(in_one_process):
    out, result, finished = in_one_process
    assert result.stop_reason == "completed"
    assert finished == [(0.003, [0, 1]), (0.03, [0, 1]), (0.3, [0, 1])]
    assert list(read_sweep(out)["value"]) == [0.003, 0.003, 0.03, 0.03, 0.3, 0.3]
    assert "fit_epoch" in read_sweep(out)


def test_two_worker_processes_write_the_same_files(in_one_process, tmp_path):
    reference, _, _ = in_one_process
    finished, tables = [], []
    result = run_sweep(small_config(), SPEC, HOOKS, out=tmp_path / "jobs2", jobs=2,
                       on_finished=lambda value, rows: finished.append(value), on_value=tables.append)
    assert result.stop_reason == "completed"
    assert sorted(finished) == [0.003, 0.03, 0.3]  # each once, in the order they finished
    assert [len(t["value"]) for t in tables] == [2, 4, 6]
    assert sweep_files(tmp_path / "jobs2") == sweep_files(reference)
    assert [d.name for d in result.run_dirs] == ["00_lr=0.003", "01_lr=0.03", "02_lr=0.3"]


def test_a_local_dask_cluster_writes_the_same_files(in_one_process, tmp_path):
    pytest.importorskip("distributed")
    reference, _, _ = in_one_process
    finished = []
    result = run_sweep(small_config(), SPEC, HOOKS, out=tmp_path / "dask", jobs=2, scheduler="local",
                       on_finished=lambda value, rows: finished.append(value))
    assert result.stop_reason == "completed" and sorted(finished) == [0.003, 0.03, 0.3]
    assert sweep_files(tmp_path / "dask") == sweep_files(reference)
    summary = read_run(result.run_dirs[2]).summary  # shipped back from the worker whole
    assert summary["status"] == "finished" and summary["ensemble"] == 2


def test_a_stop_keeps_the_finished_values_in_sweep_order(tmp_path):
    control = RunControl()
    spec = SweepSpec("train.lr", (0.01, 0.02, 0.03, 0.04, 0.05), seeds=1)
    finished = []

    def stop_after_the_first(value, rows):
        finished.append(value)
        control.stop()

    result = run_sweep(small_config(epochs=400), spec, out=tmp_path, jobs=2, control=control,
                       on_finished=stop_after_the_first)
    assert result.stop_reason == "stopped by user"
    table = read_sweep(tmp_path)
    values = list(table["value"])
    # The values started before the stop (in sweep order, the first ones); the rest never started.
    assert 1 <= len(values) < len(spec.values) and values == list(spec.values[:len(values)])
    assert set(table["stop_reason"]) <= {"completed", "stopped by user"}
    assert "stopped by user" in set(table["stop_reason"])  # the one running was stopped mid-way
    stopped = table["stop_reason"] == "stopped by user"
    assert np.all(table["epochs"][stopped] < 400)


def test_a_missing_dask_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match=r"pip install 'toy-network-playground\[cluster\]'"):
        run_sweep(small_config(), SPEC, out=tmp_path / "never", scheduler="local")
    assert main(["sweep", "--preset", "circle", "--param", "train.lr", "--values", "0.1", "--seeds", "1",
                 "--scheduler", "tcp://127.0.0.1:1", "--quiet", "--out", str(tmp_path / "never")]) == 2
    err = capsys.readouterr().err.strip()
    assert "distributed" in err and "\n" not in err
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("jobs", ["0", "-2", "5000"])
def test_a_bad_number_of_jobs_is_refused(tmp_path, capsys, jobs):
    assert main(["sweep", "--preset", "circle", "--param", "train.lr", "--values", "0.1", "--jobs", jobs,
                 "--quiet", "--out", str(tmp_path / "never")]) == 2
    assert "jobs" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_the_sweep_benchmark_is_registered_with_playground_bench():
    from playground.core.bench import suite, sweeps

    assert suite.BENCHMARKS["sweeps: worker processes"] is sweeps.sweep_speedup
    assert sweeps.LESSON == "parity-wall" and sweeps.QUICK_EPOCHS < sweeps.FULL_EPOCHS
