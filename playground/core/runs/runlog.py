"""Run directories: written as the run goes, read back whole.

Layout: config.toml, metrics.csv, summary.json, plus one CSV per probe table
(info_plane.csv, layer_stats.csv, task_accuracy.csv, ...), and changes.csv where settings were
changed during the run (`playground run --config DIR/config.toml` replays them). CSV rows are appended and flushed
every epoch, so a run killed mid-way leaves valid files up to its last logged epoch. Whole
files a record carries in `record.files` (e.g. activations/epoch_<E>.npz) are written
atomically at their relative path.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from playground import __version__
from playground.core import config as config_module
from playground.core.config import Config, ConfigError
from playground.core.base.fileio import RunFileError, atomic_write_bytes, atomic_write_text, ensure_writable_dir
from playground.core.base.records import EpochRecord, LiveChange, Table, table_rows
from playground.core.config.schema import LIVE_KEYS, WEIGHT_KEY

CONFIG_FILE = "config.toml"
SUMMARY_FILE = "summary.json"
METRICS_FILE = "metrics.csv"
CHANGES_FILE = "changes.csv"
CHANGES_COLUMNS = ("epoch", "step", "key", "value")


def _format(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        # NaN (no value, e.g. a regression's accuracy) is an empty cell, as pandas writes it.
        return repr(float(value)) if not np.isnan(value) else ""
    return str(value)


def versions() -> dict[str, str]:
    import torch

    return {
        "playground": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
    }


def prepare_run_dir(path: Path) -> Path:
    """An empty folder, or an earlier run's folder (whose tables are cleared); never a
    foreign non-empty folder, whose files we must not touch."""
    if path.exists() and not path.is_dir():
        raise RunFileError(f"{path}: exists and is not a folder")
    if path.is_dir() and any(path.iterdir()):
        if not (path / CONFIG_FILE).exists():
            raise RunFileError(f"{path}: folder is not empty and holds no run; choose a new or empty folder")
        ensure_writable_dir(path)
        for stale in [*path.glob("*.csv"), *path.glob("activations/epoch_*.npz"), path / SUMMARY_FILE]:
            stale.unlink(missing_ok=True)  # a rerun must not append to the old run's tables
        return path
    return ensure_writable_dir(path)


class RunWriter:
    """Consumes epoch records and keeps a run directory current."""

    def __init__(self, out_dir: str | Path, config: Config, device: str = "cpu", hooks=(), adopt: bool = False):
        """`adopt`: a folder another process has been writing (the app's training process, ended
        before it could finish it): touch nothing in it; `track` records, then `finish`."""
        fresh = not Path(out_dir).exists()
        self.out_dir = Path(out_dir) if adopt else prepare_run_dir(Path(out_dir))
        self.config = config
        self.device = device
        self.started = time.time()
        self._headers: dict[str, list[str]] = {}
        self.last_record: EpochRecord | None = None
        self.last_evaluated: EpochRecord | None = None
        self._matrix_rows: list[Table] = []  # accuracy_matrix rows, for the summary's continual figures
        self.failure: str | None = None  # the write that failed mid-run (a full disk), for the summary
        if adopt:
            return
        try:
            config_module.save(config, self.out_dir / CONFIG_FILE)
            self._save_hooks(hooks)
            self.write_summary(status="running")
        except RunFileError:
            if fresh:  # a full disk: leave no empty run folder behind
                shutil.rmtree(self.out_dir, ignore_errors=True)
            raise

    def _save_hooks(self, hooks) -> None:
        """A lesson's hooks (a deficit window, measures) live outside the config: record them
        beside it, so `playground run --config DIR/config.toml` reruns the whole run."""
        from playground.core.measures.hook_kinds import HOOKS_FILE, hooks_toml, recorded_settings

        settings = recorded_settings(hooks)
        path = self.out_dir / HOOKS_FILE
        if settings:
            atomic_write_text(path, hooks_toml(settings))
        else:
            path.unlink(missing_ok=True)

    def write(self, record: EpochRecord) -> None:
        """Append the record's rows; a failed write (RunFileError, naming the file) is kept for
        the summary that `finish` still writes."""
        self.track(record)
        try:
            for name, table in record.tables.items():
                self._append(name, table)
            if record.changes:
                self._append(CHANGES_FILE.removesuffix(".csv"), changes_table(record.changes))
            for relative, data in record.files.items():
                self._write_file(relative, data)
        except RunFileError as exc:
            self.failure = str(exc)
            raise

    def track(self, record: EpochRecord) -> None:
        """What the summary reports of a record, without writing its tables."""
        self.last_record = record
        if record.evaluated:
            self.last_evaluated = record
        if "accuracy_matrix" in record.tables:
            self._matrix_rows.append(record.tables["accuracy_matrix"])

    def _write_file(self, relative: str, data: bytes) -> None:
        """A record's whole file (e.g. saved activations), atomically, inside the run folder."""
        path = (self.out_dir / relative).resolve()
        if Path(relative).is_absolute() or self.out_dir.resolve() not in path.parents:
            raise ValueError(f"{relative}: a record's file must stay inside the run folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunFileError(f"{path.parent}: cannot create ({exc.strerror or exc})") from None
        atomic_write_bytes(path, data)

    def _append(self, name: str, table: Table) -> None:
        rows = table_rows(table)
        if rows == 0:
            return
        path = self.out_dir / f"{name}.csv"
        columns = list(table)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if name not in self._headers:
            self._headers[name] = columns
            writer.writerow(columns)
        elif self._headers[name] != columns:
            raise ValueError(f"{path}: columns changed during the run")
        data = [table[c] for c in columns]
        for i in range(rows):
            writer.writerow([_format(col[i]) for col in data])
        try:
            # One write per epoch keeps rows whole if the process dies.
            with open(path, "a", encoding="utf-8", newline="") as handle:
                handle.write(buffer.getvalue())
                handle.flush()
        except OSError as exc:
            raise RunFileError(f"{path}: cannot write ({exc.strerror or exc})") from None

    def write_summary(self, status: str, stop_reason: str | None = None, wall_time: float | None = None) -> None:
        summary: dict[str, Any] = {
            "status": status,
            "stop_reason": stop_reason,
            "task": self.config.task.name,
            "seed": self.config.train.seed,
            "ensemble": self.config.train.ensemble,
            "device": self.device,
            "wall_time_s": round(wall_time if wall_time is not None else time.time() - self.started, 3),
            "versions": versions(),
        }
        if self.last_record is not None:
            summary["epochs_completed"] = self.last_record.epoch
            summary["steps"] = self.last_record.step
            summary["training_time_s"] = round(self.last_record.elapsed, 3)
        record = self.last_evaluated
        if record is not None:
            final = {}
            for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
                values = getattr(record, key)
                if np.all(np.isnan(values)):
                    continue  # a regression has no accuracy
                final[key] = {"mean": float(np.mean(values)), "per_member": [float(v) for v in values]}
            summary["final"] = {"epoch": record.epoch, **final}
        if self._matrix_rows:
            summary["continual"] = continual_summary(self._matrix_rows)
        path = self.out_dir / SUMMARY_FILE
        text = json.dumps(summary, indent=2) + "\n"
        try:
            atomic_write_text(path, text)
        except RunFileError:
            if not path.exists():
                raise
            # A full disk has no room for a new file, but still has the old summary's blocks.
            try:
                with open(path, "r+", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.truncate()
            except OSError:
                pass
            else:
                return
            raise

    def finish(self, stop_reason: str | None) -> None:
        if self.failure is not None:
            stop_reason = f"failed: {self.failure}"
        self.write_summary(status="finished", stop_reason=stop_reason)


def continual_summary(matrix_tables: list[Table]) -> dict[str, Any]:
    """Average accuracy (tasks weighing equally), backward transfer and forgetting (both
    conventions) after the last finished task, from the accuracy matrix rows written so far
    (mean over members, and per member)."""
    from playground.core.continual import metrics

    table = {column: np.concatenate([t[column] for t in matrix_tables]) for column in matrix_tables[0]}
    R = metrics.matrix_from_table(table)
    # Forgetting by both conventions: the best earlier accuracy minus now (the app's and the
    # sweeps' "forgetting"), and the accuracy right after training minus now (Avalanche's, = -BWT).
    figures = {
        "average_accuracy": metrics.average_accuracy(R),
        "backward_transfer": metrics.backward_transfer(R),
        "forgetting_max": metrics.average_forgetting(R, convention="max"),
        "forgetting_last": metrics.average_forgetting(R, convention="last"),
    }

    def plain(values: np.ndarray) -> dict[str, Any]:
        values = np.asarray(values, dtype=float)
        finite = values[np.isfinite(values)]
        return {"mean": float(finite.mean()) if finite.size else None,
                "per_member": [float(v) if np.isfinite(v) else None for v in values]}

    return {"after_task": int(table["after_task"].max()), **{k: plain(v) for k, v in figures.items()}}


def changes_table(changes: list[LiveChange]) -> Table:
    return {
        "epoch": np.array([c.epoch for c in changes]),
        "step": np.array([c.step for c in changes]),
        "key": np.array([c.key for c in changes], dtype=object),
        "value": np.array([float(c.value) for c in changes]),
    }


# ---------------------------------------------------------------- reading


@dataclass
class RunData:
    path: Path
    config: Config
    summary: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)


def read_table(path: Path) -> Table:
    """A CSV run table as columns; numeric columns become arrays of numbers."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFileError(f"{path}: cannot read ({exc})") from None
    if not rows:
        raise RunFileError(f"{path}: empty file (no header row)")
    header, body = rows[0], rows[1:]
    # A run killed mid-write may leave one short last line; everything before it is valid.
    if body and len(body[-1]) != len(header):
        body = body[:-1]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise RunFileError(f"{path}: line {number} has {len(row)} fields, the header has {len(header)}")
    table: Table = {}
    for j, name in enumerate(header):
        column = [row[j] for row in body]
        try:
            values = np.array([float(v) if v != "" else np.nan for v in column])
            if values.size and np.all(values == np.round(values)) and all("." not in v and "e" not in v.lower() for v in column):
                values = values.astype(np.int64)
            table[name] = values
        except ValueError:
            table[name] = np.array(column, dtype=object)
    return table


def read_run(path: str | Path) -> RunData:
    path = Path(path)
    if not path.is_dir():
        raise RunFileError(f"{path}: not a run folder")
    config_path = path / CONFIG_FILE
    if not config_path.exists():
        raise RunFileError(f"{path}: no {CONFIG_FILE}; is this a run folder?")
    try:
        config = config_module.load(config_path)
    except ConfigError as exc:
        raise RunFileError(str(exc)) from None
    summary: dict[str, Any] = {}
    summary_path = path / SUMMARY_FILE
    if summary_path.exists():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RunFileError(f"{summary_path}: not valid JSON ({exc})") from None
    tables = {csv_path.stem: read_table(csv_path) for csv_path in sorted(path.glob("*.csv"))}
    return RunData(path=path, config=config, summary=summary, tables=tables)


def read_changes(path: str | Path) -> list[LiveChange]:
    """A changes.csv as LiveChanges, in file order; RunFileError on a damaged or foreign file."""
    path = Path(path)
    table = read_table(path)
    if tuple(table) != CHANGES_COLUMNS:
        raise RunFileError(f"{path}: expected the columns {', '.join(CHANGES_COLUMNS)}, got {', '.join(table)}")
    changes = []
    for line, (epoch, step, key, value) in enumerate(zip(*table.values()), start=2):
        if not (_is_count(epoch, 1) and _is_count(step, 0)):
            raise RunFileError(f"{path}: line {line}: epoch and step must be whole numbers (epoch >= 1, step >= 0)")
        if key not in LIVE_KEYS and not WEIGHT_KEY.match(str(key)):
            raise RunFileError(f"{path}: line {line}: {key!r} cannot change during a run; allowed: {', '.join(LIVE_KEYS)} or weight.MEMBER.LAYER.FROM.TO")
        if isinstance(value, str) or not np.isfinite(value):
            raise RunFileError(f"{path}: line {line}: value {value!r} is not a finite number")
        changes.append(LiveChange(int(epoch), int(step), str(key), float(value)))
    return changes


def _is_count(value: Any, low: int) -> bool:
    return isinstance(value, (int, np.integer)) and value >= low


def changes_beside(config_path: str | Path) -> list[LiveChange]:
    """The changes.csv of the run folder a config.toml lies in; none where there is no such file."""
    path = Path(config_path).parent / CHANGES_FILE
    return read_changes(path) if path.exists() else []
