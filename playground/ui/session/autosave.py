"""Autosave: every GUI run is written, as it trains, to its own folder under the runs folder
(timestamp + task name), in the same layout as `playground run --out`.

The runs folder lives in the user's data directory (QStandardPaths AppDataLocation, e.g.
~/.local/share/Toy Network Playground/runs) unless the user chose another one (remembered
with QSettings). PLAYGROUND_DATA_DIR, when set, holds both the runs and the settings (a
portable install; the tests use it so they never touch the user's own folders).

The training process creates the folder and writes it (the core `RunWriter`); a `RunRecorder`
is the GUI's record of it: where runs go, and what the process reported (the folder, a
problem, the stop reason). Problems (a full or read-only disk) never stop training; they are
reported through the `problem` signal and saving stops.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

from playground.core.config import Config

DATA_DIR_ENV = "PLAYGROUND_DATA_DIR"
RUNS_KEY = "autosave/runs_dir"


def settings() -> QSettings:
    base = os.environ.get(DATA_DIR_ENV)
    if base:
        return QSettings(str(Path(base) / "settings.ini"), QSettings.Format.IniFormat)
    return QSettings("ToyNetworkPlayground", "playground")


def data_dir() -> Path:
    base = os.environ.get(DATA_DIR_ENV)
    if base:
        return Path(base)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".local" / "share" / "toy-network-playground"


def default_runs_dir() -> Path:
    return data_dir() / "runs"


def runs_dir() -> Path:
    chosen = settings().value(RUNS_KEY, "", type=str)
    return Path(chosen) if chosen else default_runs_dir()


def set_runs_dir(path: str | Path | None) -> None:
    """Remember the runs folder; None goes back to the default."""
    store = settings()
    if path is None:
        store.remove(RUNS_KEY)
    else:
        store.setValue(RUNS_KEY, str(Path(path)))
    store.sync()


class RunRecorder(QObject):
    """The GUI's record of one run's folder, which the training process writes: where it is
    created (`parent_dir`), and, as the process reports them, the folder, a problem, the end."""

    opened = Signal(str)  # the run folder, once created
    problem = Signal(str)  # why saving stopped

    def __init__(self, parent_dir: Path, config: Config):
        super().__init__()
        self.parent_dir = Path(parent_dir)
        self.config = config
        self.run_dir: Path | None = None
        self.error: str | None = None
        self.stop_reason: str | None = None

    def opened_at(self, run_dir: str) -> None:
        self.run_dir = Path(run_dir)
        self.opened.emit(run_dir)

    def failed(self, message: str) -> None:
        self.error = message
        self.problem.emit(message)

    def finished(self, stop_reason: str) -> None:
        self.stop_reason = stop_reason
