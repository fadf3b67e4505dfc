"""What the views draw from: bounded, growing column buffers of a run's tables, plus its latest live data.

No Qt here: the GUI thread fills a `History` from drained epoch records (`extend`), or from a
saved run folder (`History.from_run`), and every view redraws from it. Buffers double when
full; past `max_rows` a table is thinned to every second logged epoch, so a long run keeps
its whole span (the start of an information-plane trajectory matters) at lower resolution.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from playground.core.base.records import EpochRecord, Table, table_rows

# The run-file tables the views know; others are kept too (a probe may add its own).
KNOWN_TABLES = ("metrics", "info_plane", "layer_stats", "task_accuracy", "accuracy_matrix")
# Per-epoch mean training loss of each member (not a run file: records carry it every epoch).
BATCH_LOSS = "batch_loss"
DEFAULT_MAX_ROWS = 200_000
# Live data kept over time, not just the latest value (histograms over time), and how many
# snapshots of each: past that, every second one is dropped.
LIVE_SERIES = ("weight_hist", "activation_hist")
MAX_SNAPSHOTS = 400


class TableBuffer:
    """Column arrays with spare capacity; `column(name)` returns views of the filled part."""

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS, capacity: int = 256):
        self.max_rows = max(int(max_rows), 4)
        self._capacity = capacity
        self._columns: dict[str, np.ndarray] = {}
        self.rows = 0
        self.revision = 0  # bumped on every change; views skip redraws when it has not moved

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def capacity(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def column(self, name: str) -> np.ndarray:
        return self._columns[name][: self.rows]

    def has(self, name: str) -> bool:
        return name in self._columns

    def as_table(self) -> Table:
        return {name: self.column(name) for name in self._columns}

    def append(self, table: Mapping[str, Any]) -> None:
        n = table_rows(dict(table))
        if n == 0:
            return
        if not self._columns:
            for name, values in table.items():
                values = np.asarray(values)
                dtype = object if values.dtype.kind in "OUS" else values.dtype
                self._columns[name] = np.empty(max(self._capacity, n), dtype=dtype)
        elif set(table) != set(self._columns):
            raise ValueError(f"columns differ: {list(table)} vs {list(self._columns)}")
        self._reserve(self.rows + n)
        for name in self._columns:
            values = np.asarray(table[name])
            stored = self._columns[name]
            if stored.dtype.kind in "iub" and values.dtype.kind == "f":
                # A column read back as integers (all whole numbers so far) meets fractions.
                self._columns[name] = stored = stored.astype(np.float64)
            stored[self.rows: self.rows + n] = values
        self.rows += n
        self.revision += 1
        while self.rows > self.max_rows:
            self._thin()

    def _reserve(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        size = self.capacity
        while size < needed:
            size *= 2
        for name, old in self._columns.items():
            grown = np.empty(size, dtype=old.dtype)
            grown[: self.rows] = old[: self.rows]
            self._columns[name] = grown

    def _thin(self) -> None:
        """Keep every second distinct value of the first column (the epoch), and the last."""
        key = self.column(next(iter(self._columns)))
        distinct = np.unique(key)
        if len(distinct) < 2:
            # One epoch alone overflows: keep its newest rows.
            keep = np.zeros(self.rows, dtype=bool)
            keep[-self.max_rows:] = True
        else:
            kept = np.union1d(distinct[::2], distinct[-1:])
            keep = np.isin(key, kept)
        count = int(keep.sum())
        for values in self._columns.values():
            values[:count] = values[: self.rows][keep]
        self.rows = count

    def clear(self) -> None:
        self._columns.clear()
        self.rows = 0
        self.revision += 1


class History:
    """Everything a run has shown so far: tables, latest live data, progress."""

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS):
        self.max_rows = max_rows
        self.tables: dict[str, TableBuffer] = {}
        self.live: dict[str, Any] = {}
        self.live_revision = 0
        # key -> [(epoch, value), ...] for the keys in LIVE_SERIES
        self.live_series: dict[str, list[tuple[int, Any]]] = {}
        self.config = None
        self.epoch = 0
        self.step = 0
        self.task_index = 0
        self.elapsed = 0.0
        self.stop_reason: str | None = None
        self.source = "live"  # or the path of a run folder it was read from
        self.revision = 0

    # ------------------------------------------------------------ filling

    def table(self, name: str) -> TableBuffer:
        if name not in self.tables:
            self.tables[name] = TableBuffer(self.max_rows)
        return self.tables[name]

    def add(self, record: EpochRecord) -> None:
        self.extend([record])

    def extend(self, records: Iterable[EpochRecord]) -> None:
        """Append a batch of records; each table grows by one concatenated block."""
        records = list(records)
        if not records:
            return
        pending: dict[str, list[Mapping[str, np.ndarray]]] = {}
        losses = []
        for record in records:
            members = len(record.batch_loss)
            losses.append({
                "epoch": np.full(members, record.epoch),
                "member": np.arange(members),
                "loss": np.asarray(record.batch_loss, dtype=float),
            })
            for name, table in record.tables.items():
                pending.setdefault(name, []).append(table)
            if record.live:
                self.live.update(record.live)
                self.live_revision += 1
                self._add_snapshots(record)
        pending[BATCH_LOSS] = losses
        for name, blocks in pending.items():
            self.table(name).append(_concat(blocks))
        last = records[-1]
        self.epoch, self.step, self.task_index, self.elapsed = last.epoch, last.step, last.task_index, last.elapsed
        for record in records:
            if record.stop_reason:
                self.stop_reason = record.stop_reason
        self.revision += 1

    def _add_snapshots(self, record: EpochRecord) -> None:
        for key in LIVE_SERIES:
            if key in record.live:
                series = self.live_series.setdefault(key, [])
                series.append((record.epoch, record.live[key]))
                if len(series) > MAX_SNAPSHOTS:
                    series[:] = series[:-1][::2] + series[-1:]

    def clear(self) -> None:
        self.tables.clear()
        self.live.clear()
        self.live_series.clear()
        self.live_revision += 1
        self.epoch = self.step = self.task_index = 0
        self.elapsed = 0.0
        self.stop_reason = None
        self.revision += 1

    @classmethod
    def from_run(cls, run, max_rows: int = DEFAULT_MAX_ROWS) -> "History":
        """A History holding a saved run (a `RunData` from `read_run`), for every view."""
        history = cls(max_rows)
        history.config = run.config
        history.source = str(run.path)
        for name, table in run.tables.items():
            if table_rows(table):
                history.table(name).append(table)
        metrics = run.tables.get("metrics")
        if metrics is not None and table_rows(metrics):
            history.epoch = int(np.max(metrics["epoch"]))
        history.epoch = int(run.summary.get("epochs_completed", history.epoch))
        history.step = int(run.summary.get("steps", 0))
        history.elapsed = float(run.summary.get("training_time_s", 0.0))
        history.stop_reason = run.summary.get("stop_reason")
        history.revision += 1
        return history

    # ------------------------------------------------------------ reading

    def has(self, name: str) -> bool:
        return name in self.tables and self.tables[name].rows > 0

    def rows(self, name: str) -> int:
        return self.tables[name].rows if name in self.tables else 0

    def revision_of(self, name: str) -> int:
        return self.tables[name].revision if name in self.tables else -1

    def columns(self, name: str) -> Table:
        return self.tables[name].as_table() if name in self.tables else {}


def _concat(blocks: list[Mapping[str, np.ndarray]]) -> Table:
    if len(blocks) == 1:
        return {k: np.asarray(v) for k, v in blocks[0].items()}
    names = list(blocks[0])
    return {name: np.concatenate([np.asarray(block[name]) for block in blocks]) for name in names}
