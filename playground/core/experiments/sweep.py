"""Sweeps: one setting over a range of values, several seeds each, and a summary table.

A sweep trains one ensemble per value (its members are the seeds `train.seed + k`, k <
seeds; trial.py), in the caller's thread (the CLI directly, the GUI in its worker), or several
values at once in worker processes or on a Dask cluster (sweep_workers.py), with the same
results. Between steps it honours a `RunControl` (pause, stop); in the caller's thread it
reports each epoch to a progress callback, and every finished value to `on_finished`.

The parameter is a config key (`task.n`, `network.sw2`, `network.depth`, `train.lr`,
`train.batch_size`, `continual.method`, ...) or an option of a lesson hook
(`deficit.start`). Output folder:

    sweep.toml    the base config, the sweep and the hooks
    sweep.csv     one row per (value, seed): value, seed, member, epochs, stop_reason, diverged,
                  final_train_loss, final_train_acc, final_test_loss, final_test_acc (of the
                  task trained last), for a sequence of tasks mean_task_acc, forgetting,
                  backward_transfer, then the hooks' summary columns (e.g. gradient_signal,
                  sharpness, fit_epoch)
    runs/NN_<param>=<value>/   each value's full run folder (config.toml, metrics.csv, ...)
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import tomli_w

from playground.core.config import Config, ConfigError, apply_overrides, from_dict, parse_scalar, to_dict, validate
from playground.core.base.control import RunControl
from playground.core.base.fileio import atomic_write_text, ensure_writable_dir
from playground.core.base.records import EpochRecord, Table

SWEEP_FILE = "sweep.csv"
SPEC_FILE = "sweep.toml"
RUNS_DIR = "runs"
BASE_COLUMNS = (
    "value", "seed", "member", "epochs", "stop_reason", "diverged",
    "final_train_loss", "final_train_acc", "final_test_loss", "final_test_acc",
)


@dataclass(frozen=True)
class SweepSpec:
    param: str
    values: tuple[Any, ...]
    seeds: int = 3
    # The summary column the app plots beside the accuracy ("" = the first the hooks add).
    show: str = ""
    # Settings that go with a value (config-shaped, keyed by the value as text), e.g. the
    # estimator that suits each nonlinearity: {"relu": {"probes": {"estimator": "binwidth"}}}.
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass
class SweepProgress:
    trial: int  # 0-based index of the value being trained
    trials: int
    value: Any
    epoch: int
    total_epochs: int
    record: EpochRecord | None = None

    @property
    def fraction(self) -> float:
        """Share of the whole sweep done, 0..1."""
        return (self.trial + self.epoch / max(self.total_epochs, 1)) / max(self.trials, 1)


@dataclass
class SweepResult:
    spec: SweepSpec
    table: Table
    stop_reason: str
    out: Path | None = None
    run_dirs: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------- the sweep's values


def parse_values(text: str) -> tuple[Any, ...]:
    """"5,10,20" or "tanh,relu" -> typed values (TOML syntax where it parses)."""
    try:
        values = tuple(parse_scalar(v.strip()) for v in str(text).split(",") if v.strip())
    except ConfigError as exc:
        raise ConfigError(f"sweep values: {exc}") from None
    if not values:
        raise ConfigError(f"sweep values: expected values separated by commas, got {text!r}")
    return values


def spec_from_mapping(data: Mapping[str, Any], prefix: str = "sweep") -> SweepSpec:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{prefix}: expected a table")
    allowed = {"param", "values", "seeds", "show", "settings"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"unknown key '{prefix}.{key}'; allowed: {', '.join(sorted(allowed))}")
    param = data.get("param")
    if not isinstance(param, str) or "." not in param:
        raise ConfigError(f"{prefix}.param: expected a setting such as 'task.n', got {param!r}")
    values = data.get("values")
    if isinstance(values, str):
        values = parse_values(values)
    if not isinstance(values, (list, tuple)) or not values:
        raise ConfigError(f"{prefix}.values: expected a non-empty list, got {values!r}")
    seeds = data.get("seeds", 3)
    if isinstance(seeds, bool) or not isinstance(seeds, int) or not 1 <= seeds <= 1000:
        raise ConfigError(f"{prefix}.seeds: expected an integer between 1 and 1000, got {seeds!r}")
    show = data.get("show", "")
    if not isinstance(show, str):
        raise ConfigError(f"{prefix}.show: expected the name of a column of sweep.csv, got {show!r}")
    settings = data.get("settings", {})
    labels = {str(v) for v in values}
    if not isinstance(settings, Mapping) or not all(isinstance(s, Mapping) for s in settings.values()):
        raise ConfigError(f"{prefix}.settings: expected a table of settings per value, e.g. [{prefix}.settings.relu]")
    for key in settings:
        if str(key) not in labels:
            raise ConfigError(f"{prefix}.settings.{key}: not one of the values {', '.join(sorted(labels))}")
    return SweepSpec(param=param, values=tuple(values), seeds=seeds, show=show,
                     settings={str(k): dict(v) for k, v in settings.items()})


def with_value(
    config: Config, hooks: Mapping[str, Mapping[str, Any]], param: str, value: Any,
    linked: Mapping[str, Any] | None = None,
) -> tuple[Config, dict[str, dict[str, Any]]]:
    """The config and hook settings of one value of the sweep (validated), with the settings
    that go with that value (`SweepSpec.settings`) applied first."""
    from playground.core.measures.hook_kinds import get_hook_kind

    if linked:
        config = from_dict(linked, base=config)
    section, key = param.split(".", 1)
    hooks = {name: dict(settings) for name, settings in hooks.items()}
    if section in hooks:
        kind = get_hook_kind(section)
        hooks[section] = kind.resolve({**hooks[section], key: value})
        config = validate(config)
        kind.check(hooks[section], config)
        return config, hooks
    try:
        config = validate(apply_overrides(config, [f"{param}={json.dumps(value)}"]))
    except ConfigError as exc:
        if "unknown section" in str(exc) and hooks:
            raise ConfigError(f"{exc}; or a hook option: {', '.join(f'{h}.*' for h in hooks)}") from None
        raise
    return config, hooks


def check_spec(spec: SweepSpec, config: Config, hooks: Mapping[str, Mapping[str, Any]]) -> None:
    """Every value must make a valid run; errors name the value."""
    for value in spec.values:
        try:
            with_value(config, hooks, spec.param, value, spec.settings.get(str(value)))
        except ConfigError as exc:
            raise ConfigError(f"sweep {spec.param} = {value!r}: {exc}") from None


def value_label(param: str, value: Any) -> str:
    text = f"{param.split('.')[-1]}={value}"
    return re.sub(r"[^A-Za-z0-9_.=+-]", "_", text)


# ---------------------------------------------------------------- running


def run_sweep(
    config: Config,
    spec: SweepSpec,
    hooks: Mapping[str, Mapping[str, Any]] | None = None,
    out: str | Path | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
    control: RunControl | None = None,
    on_value: Callable[[Table], None] | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    on_finished: Callable[[Any, Table], None] | None = None,
) -> SweepResult:
    """Train every value of the sweep: in this thread (jobs 1, with `progress` every epoch),
    in `jobs` spawned worker processes, or on the Dask scheduler at `scheduler` ("local": a
    cluster of `jobs` processes here). sweep.csv and the run folders come out the same
    whichever; rows are always in sweep order.

    As each value finishes (in any order when in parallel): sweep.csv is rewritten with every
    finished value (when `out`), `on_finished(value, its rows)` is called, and `on_value` gets
    the table so far. A stop request (`control`) stops the running values at their next step
    and starts no more."""
    from playground.core.experiments import sweep_workers as workers

    hooks = dict(hooks or {})
    check_spec(spec, config, hooks)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 1024:
        raise ConfigError(f"jobs: expected a number of worker processes between 1 and 1024, got {jobs!r}")
    out_path = Path(out) if out is not None else None
    trial_jobs = _trial_jobs(config, spec, hooks, out_path)
    concurrent = min(jobs, len(trial_jobs))
    if scheduler is None or scheduler == "local":
        _check_memory(spec, trial_jobs, concurrent)
    if scheduler is not None:
        workers.require_dask()
    if out_path is not None:
        _prepare(out_path, config, spec, hooks)

    def on_record(job: workers.TrialJob, record: EpochRecord) -> None:
        if progress is not None:
            progress(SweepProgress(job.index, len(trial_jobs), job.value, record.epoch,
                                   record_total(job.config), record))

    if scheduler is not None:
        outcomes = workers.dask_outcomes(scheduler, trial_jobs, concurrent, control)
    elif concurrent > 1:
        outcomes = workers.pool_outcomes(trial_jobs, concurrent, control)
    else:
        outcomes = workers.sequential_outcomes(trial_jobs, control, on_record)
    finished: dict[int, Table] = {}
    stopped = False
    for outcome in outcomes:
        job = trial_jobs[outcome.index]
        if outcome.files is not None and job.run_dir is not None:
            _write_run_files(job.run_dir, outcome.files)
        members = len(outcome.columns["seed"])
        finished[outcome.index] = {"value": np.array([job.value] * members, dtype=object), **outcome.columns}
        stopped = stopped or outcome.stop_reason == "stopped by user"
        table = merge_rows([finished[i] for i in sorted(finished)])
        if out_path is not None:
            write_table(out_path / SWEEP_FILE, table)
        if on_finished is not None:
            on_finished(job.value, merge_rows([finished[outcome.index]]))
        if on_value is not None:
            on_value(table)
    if control is not None and control.stop_requested:
        stopped = True
    run_dirs = [job.run_dir for job in trial_jobs if job.index in finished and job.run_dir is not None]
    return SweepResult(spec, merge_rows([finished[i] for i in sorted(finished)]),
                       "stopped by user" if stopped else "completed", out_path, run_dirs)


def trial_settings(
    config: Config, spec: SweepSpec, hooks: Mapping[str, Any], value: Any,
) -> tuple[Config, dict[str, dict[str, Any]]]:
    """The config and hook settings one value of the sweep trains with: its own settings, the
    value itself, and one ensemble member per seed."""
    trial_config, trial_hooks = with_value(config, hooks, spec.param, value, spec.settings.get(str(value)))
    return replace(trial_config, train=replace(trial_config.train, ensemble=spec.seeds)), trial_hooks


def _trial_jobs(config: Config, spec: SweepSpec, hooks: Mapping[str, Any], out: Path | None) -> list:
    from playground.core.experiments.sweep_workers import TrialJob

    trial_jobs = []
    for index, value in enumerate(spec.values):
        trial_config, trial_hooks = trial_settings(config, spec, hooks, value)
        run_dir = out / RUNS_DIR / f"{index:02d}_{value_label(spec.param, value)}" if out is not None else None
        trial_jobs.append(TrialJob(index, value, trial_config, trial_hooks, run_dir))
    return trial_jobs


def _check_memory(spec: SweepSpec, trial_jobs: Sequence, concurrent: int) -> None:
    """Refuse a sweep whose largest value, `concurrent` times at once, the machine cannot hold."""
    from playground.core.training.memory import check_memory, estimate

    largest = max(trial_jobs, key=lambda job: estimate(job.config).total)
    try:
        check_memory(largest.config, copies=concurrent)
    except ConfigError as exc:
        raise ConfigError(f"sweep {spec.param} = {largest.value!r}: {exc}") from None


def _write_run_files(run_dir: Path, files: Mapping[str, bytes]) -> None:
    """A run folder trained elsewhere (a cluster's worker), written here."""
    from playground.core.base.fileio import atomic_write_bytes
    from playground.core.runs.runlog import prepare_run_dir

    from playground.core.base.fileio import RunFileError

    prepare_run_dir(run_dir)
    for relative, data in files.items():
        path = run_dir / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFileError(f"{path.parent}: cannot create ({exc.strerror or exc})") from None
        atomic_write_bytes(path, data)


def record_total(config: Config) -> int:
    per_task = config.continual.epochs_per_task or config.train.epochs
    return per_task * max(config.continual.tasks, 1)


def _prepare(out: Path, config: Config, spec: SweepSpec, hooks: Mapping[str, Any]) -> None:
    from playground.core.base.fileio import RunFileError

    if out.exists() and out.is_dir() and any(out.iterdir()) and not (out / SPEC_FILE).exists():
        raise RunFileError(f"{out}: folder is not empty and holds no sweep; choose a new or empty folder")
    ensure_writable_dir(out)
    (out / SWEEP_FILE).unlink(missing_ok=True)
    document = {
        "sweep": {"param": spec.param, "values": list(spec.values), "seeds": spec.seeds,
                  **({"settings": {k: dict(v) for k, v in spec.settings.items()}} if spec.settings else {})},
        "hooks": {name: dict(settings) for name, settings in hooks.items()},
        "config": to_dict(config),
    }
    atomic_write_text(out / SPEC_FILE, tomli_w.dumps(document))


def merge_rows(rows: Sequence[Mapping[str, np.ndarray]]) -> Table:
    """Stack trials' columns; a column some trials lack is NaN there."""
    names: list[str] = list(BASE_COLUMNS)
    for row in rows:
        names += [name for name in row if name not in names]
    table: Table = {}
    for name in names:
        parts = []
        for row in rows:
            count = len(row["seed"])
            parts.append(np.asarray(row[name], dtype=object) if name in row else np.full(count, np.nan, dtype=object))
        table[name] = np.concatenate(parts) if parts else np.array([], dtype=object)
    return table


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def write_table(path: Path, table: Table) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(table)
    writer.writerow(columns)
    rows = len(table[columns[0]]) if columns else 0
    for i in range(rows):
        writer.writerow([_cell(table[c][i]) for c in columns])
    atomic_write_text(path, buffer.getvalue())


def read_sweep(path: str | Path) -> Table:
    """A sweep folder's (or a sweep.csv file's) summary table."""
    from playground.core.runs.runlog import read_table

    path = Path(path)
    return read_table(path / SWEEP_FILE if path.is_dir() else path)


def summarise(table: Table, column: str) -> list[tuple[Any, float, float, int]]:
    """(value, mean, standard deviation, seeds) of `column` for each value, in sweep order."""
    values = table["value"]
    out = []
    seen: list[Any] = []
    for v in values:
        if not any(_same(v, s) for s in seen):
            seen.append(v)
    for v in seen:
        picked = np.array([float(x) for x, w in zip(table[column], values) if _same(w, v)], dtype=float)
        finite = picked[np.isfinite(picked)]
        mean = float(np.mean(finite)) if finite.size else math.nan
        std = float(np.std(finite)) if finite.size else math.nan
        out.append((v, mean, std, int(picked.size)))
    return out


def _same(a: Any, b: Any) -> bool:
    return str(a) == str(b)
