"""Autosave: every GUI run is written, as it trains, to its own folder under the runs folder
(timestamp + task name), in the same layout as `playground run --out`.

The runs folder lives in the user's data directory (QStandardPaths AppDataLocation, e.g.
~/.local/share/Toy Network Playground/runs) unless the user chose another one (remembered
with QSettings). PLAYGROUND_DATA_DIR, when set, holds both the runs and the settings (a
portable install; the tests use it so they never touch the user's own folders).

A `RunRecorder` is made in the GUI thread but used only by the training worker's thread: it
creates the folder and the core `RunWriter` there, feeds it every record and finishes the
summary with the stop reason. Problems (a full or read-only disk) never stop training; they
are reported through the `problem` signal and saving stops.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

from playground.core.config import Config
from playground.core.base.fileio import RunFileError

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


def run_folder_name(config: Config, when: float | None = None) -> str:
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S", time.localtime(when))
    task = re.sub(r"[^A-Za-z0-9_-]+", "-", config.task.name)
    if config.continual.tasks > 1:
        task += f"-{config.continual.family}x{config.continual.tasks}"
    return f"{stamp}_{task}"


def make_unique_dir(parent: Path, name: str) -> Path:
    """Create parent/name, or name-2, name-3, ... if taken (never reuse a run's folder)."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunFileError(f"{parent}: cannot create the runs folder ({exc.strerror or exc})") from None
    for attempt in range(1, 1000):
        path = parent / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise RunFileError(f"{path}: cannot create ({exc.strerror or exc})") from None
    raise RunFileError(f"{parent}: too many runs named {name}")


class RunRecorder(QObject):
    """Writes one run's folder from the worker thread. Never raises into the training loop."""

    opened = Signal(str)  # the run folder, once created
    problem = Signal(str)  # why saving stopped

    def __init__(self, parent_dir: Path, config: Config):
        super().__init__()
        self.parent_dir = Path(parent_dir)
        self.config = config
        self.run_dir: Path | None = None
        self.writer = None
        self.error: str | None = None
        self.stop_reason: str | None = None

    def open(self, trainer) -> None:
        from playground.core.runs.runlog import RunWriter

        try:
            self.run_dir = make_unique_dir(self.parent_dir, run_folder_name(trainer.config))
            self.writer = RunWriter(self.run_dir, trainer.config, device=str(trainer.device), hooks=trainer.hooks)
        except (RunFileError, OSError) as exc:
            self._fail(exc)
            return
        self.opened.emit(str(self.run_dir))

    def write(self, record) -> None:
        if self.writer is None:
            return
        try:
            self.writer.write(record)
        except (RunFileError, OSError) as exc:
            self._fail(exc)

    def finish(self, trainer, stop_reason: str) -> None:
        """The summary with the stop reason, and the network's final state."""
        from playground.core.runs import final_state

        self.stop_reason = stop_reason
        if self.writer is None:
            return
        writer, self.writer = self.writer, None
        try:
            writer.finish(stop_reason)
            if trainer is not None and trainer.last_record is not None:
                final_state.write(trainer, self.run_dir)
        except Exception as exc:  # a failing save must not turn a finished run into a failed one
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        self.error = f"Autosave stopped: {exc}"
        self.writer = None
        self.problem.emit(self.error)
