"""Run directories: written as the run goes, read back whole.

Layout: config.toml, metrics.csv, summary.json, plus one CSV per probe table
(info_plane.csv, layer_stats.csv, task_accuracy.csv, ...). CSV rows are appended and flushed
every epoch, so a run killed mid-way leaves valid files up to its last logged epoch. Whole
files a record carries in `record.files` (e.g. activations/epoch_<E>.npz) are written
atomically at their relative path.
"""

from __future__ import annotations

import csv
import io
import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from playground import __version__
from playground.core import config as config_module
from playground.core.config import Config, ConfigError
from playground.core.base.fileio import RunFileError, atomic_write_bytes, atomic_write_text, ensure_writable_dir
from playground.core.base.records import EpochRecord, Table, table_rows

CONFIG_FILE = "config.toml"
SUMMARY_FILE = "summary.json"
METRICS_FILE = "metrics.csv"


def _format(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
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
        self.out_dir = Path(out_dir) if adopt else prepare_run_dir(Path(out_dir))
        self.config = config
        self.device = device
        self.started = time.time()
        self._headers: dict[str, list[str]] = {}
        self.last_record: EpochRecord | None = None
        self.last_evaluated: EpochRecord | None = None
        self._matrix_rows: list[Table] = []  # accuracy_matrix rows, for the summary's continual figures
        if adopt:
            return
        config_module.save(config, self.out_dir / CONFIG_FILE)
        self._save_hooks(hooks)
        self.write_summary(status="running")

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
        self.track(record)
        for name, table in record.tables.items():
            self._append(name, table)
        for relative, data in record.files.items():
            self._write_file(relative, data)

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
                final[key] = {"mean": float(np.mean(values)), "per_member": [float(v) for v in values]}
            summary["final"] = {"epoch": record.epoch, **final}
        if self._matrix_rows:
            summary["continual"] = continual_summary(self._matrix_rows)
        atomic_write_text(self.out_dir / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")

    def finish(self, stop_reason: str | None) -> None:
        self.write_summary(status="finished", stop_reason=stop_reason)


def continual_summary(matrix_tables: list[Table]) -> dict[str, Any]:
    """Average accuracy, backward transfer and forgetting after the last finished task, from the
    accuracy matrix rows written so far (mean over members, and per member)."""
    from playground.core.continual import metrics

    table = {column: np.concatenate([t[column] for t in matrix_tables]) for column in matrix_tables[0]}
    R = metrics.matrix_from_table(table)
    figures = {
        "average_accuracy": metrics.average_accuracy(R),
        "backward_transfer": metrics.backward_transfer(R),
        "average_forgetting": metrics.average_forgetting(R),
    }

    def plain(values: np.ndarray) -> dict[str, Any]:
        values = np.asarray(values, dtype=float)
        finite = values[np.isfinite(values)]
        return {"mean": float(finite.mean()) if finite.size else None,
                "per_member": [float(v) if np.isfinite(v) else None for v in values]}

    return {"after_task": int(table["after_task"].max()), **{k: plain(v) for k, v in figures.items()}}


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
            values = np.array([float(v) for v in column])
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
