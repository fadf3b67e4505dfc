"""What one epoch of training hands out: plain floats and copied numpy arrays, no tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# A table is column-oriented: column name -> 1-D array, all of one length.
Table = dict[str, np.ndarray]


@dataclass(frozen=True)
class LiveChange:
    """A setting changed while training (a slider, `run --change`, a replayed changes.csv)."""

    epoch: int  # the epoch it took effect in, 1-based as in metrics.csv
    step: int  # optimizer steps taken before it took effect: it applies from step `step + 1` on
    key: str  # a config key of LIVE_KEYS, e.g. "train.lr"
    value: float


@dataclass
class EpochRecord:
    epoch: int  # epochs completed, 1-based
    step: int  # optimizer steps so far
    task_index: int  # which task of a sequential run was trained (0 otherwise)
    batch_loss: np.ndarray  # (members,) mean training loss over this epoch's batches
    elapsed: float  # seconds of training so far
    evaluated: bool = False
    train_loss: np.ndarray | None = None  # (members,) on the full training set
    train_acc: np.ndarray | None = None
    test_loss: np.ndarray | None = None
    test_acc: np.ndarray | None = None
    # Tables appended to the run files: file stem -> columns (e.g. "metrics", "info_plane").
    tables: dict[str, Table] = field(default_factory=dict)
    # Data for live views only (histograms, weights); not written to CSV.
    live: dict[str, Any] = field(default_factory=dict)
    # Whole files for the run folder: relative path (e.g. "activations/epoch_5.npz") -> bytes,
    # written atomically by the RunWriter (paths stay inside the run folder).
    files: dict[str, bytes] = field(default_factory=dict)
    # Live changes that took effect during this epoch, in order (the run folder's changes.csv).
    changes: list[LiveChange] = field(default_factory=list)
    stop_reason: str | None = None

    def add_table(self, name: str, table: Table) -> None:
        """Append rows to a table of this record (several hooks may write to one file)."""
        if name not in self.tables:
            self.tables[name] = {k: np.asarray(v) for k, v in table.items()}
            return
        current = self.tables[name]
        if list(current) != list(table):
            raise ValueError(f"table {name}: columns differ")
        self.tables[name] = {k: np.concatenate([current[k], np.asarray(table[k])]) for k in current}


def table_rows(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0
