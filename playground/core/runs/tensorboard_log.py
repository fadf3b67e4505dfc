"""Optional TensorBoard event files beside a run's CSV tables (needs the `tensorboard` package).

Every numeric column of every run table becomes a scalar series, tagged
`<table>/<column>[/layer<L>|/task<T>]/member<K>`; weights become histograms per layer.
The same code converts a saved run folder (`playground tensorboard RUN_DIR`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from playground.core.base.fileio import RunFileError
from playground.core.base.records import Table

INSTALL_HINT = "TensorBoard export needs the tensorboard package: .venv/bin/pip install tensorboard"
# Columns that locate a row rather than measure something.
INDEX_COLUMNS = ("epoch", "member", "layer", "task", "after_task", "estimator")


def tensorboard_available() -> bool:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True


class TensorBoardLog:
    def __init__(self, log_dir: str | Path):
        if not tensorboard_available():
            raise RunFileError(INSTALL_HINT)
        from torch.utils.tensorboard import SummaryWriter

        self.log_dir = Path(log_dir)
        try:
            self._writer = SummaryWriter(log_dir=str(self.log_dir))
        except OSError as exc:
            raise RunFileError(f"{self.log_dir}: cannot write TensorBoard files ({exc})") from None

    def add_table(self, name: str, table: Table) -> None:
        if "epoch" not in table:
            return
        epochs = np.asarray(table["epoch"]).astype(int)
        members = np.asarray(table.get("member", np.zeros(len(epochs)))).astype(int)
        where = self._locations(table)
        for column, values in table.items():
            if column in INDEX_COLUMNS or np.asarray(values).dtype == object:
                continue
            for i, value in enumerate(np.asarray(values, dtype=float)):
                if np.isfinite(value):
                    tag = f"{name}/{column}{where[i]}/member{members[i]}"
                    self._writer.add_scalar(tag, value, int(epochs[i]))

    @staticmethod
    def _locations(table: Table) -> list[str]:
        rows = len(table["epoch"])
        parts = [""] * rows
        # changes.csv holds several keys in one column: each key is its own series.
        for key, prefix in (("key", "/"), ("estimator", "/"), ("layer", "/layer"), ("task", "/task")):
            if key in table:
                parts = [p + f"{prefix}{v}" for p, v in zip(parts, table[key])]
        return parts

    def add_weights(self, epoch: int, weights: Sequence[np.ndarray]) -> None:
        """Histograms of each layer's weights, all members pooled."""
        for layer, w in enumerate(weights, start=1):
            self._writer.add_histogram(f"weights/layer{layer}", np.asarray(w).ravel(), epoch)

    def close(self) -> None:
        self._writer.flush()
        self._writer.close()


def export_run(run_dir: str | Path, log_dir: str | Path | None = None) -> Path:
    """Write a saved run's tables as TensorBoard event files (default RUN_DIR/tensorboard)."""
    from playground.core.runs.runlog import read_run

    run = read_run(run_dir)
    target = Path(log_dir) if log_dir else run.path / "tensorboard"
    log = TensorBoardLog(target)
    for name, table in run.tables.items():
        log.add_table(name, table)
    log.close()
    return target
