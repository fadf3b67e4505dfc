"""The app's run folders: their names, and finishing one from the parent when its training
process ended before it could (terminated after a stop's grace, or dead).

The parent has every record the child sent and its last snapshot, so it writes what the child
would have: summary.json with the stop reason, and final_state.npz from that snapshot (or, with
no snapshot, a note in the summary saying why there is none).
"""

from __future__ import annotations

import gc
import io
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from playground.core.base.fileio import RunFileError, atomic_write_bytes, atomic_write_text
from playground.core.config import Config
from playground.core.remote import protocol
from playground.core.remote.live import SNAPSHOT_KEYS


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


def final_state_arrays(live: dict[str, Any], meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """final_state.npz's arrays from a snapshot, as `runs.final_state.capture` makes them from a trainer."""
    from playground.core.runs.final_state import BOUNDARY_FIELDS, FORMAT_VERSION, snapshot_arrays

    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "layer_sizes": np.asarray(live["layer_sizes"], dtype=np.int64),
        "activations": np.asarray(list(live["activations"]), dtype=str),
        "feature_names": np.asarray(list(live["feature_names"]), dtype=str),
        "probe_layers": np.asarray(list(meta.get("probe_layers", ())), dtype=str),
        "task_names": np.asarray(list(meta.get("task_names", ())), dtype=str),
    }
    for index, weight in enumerate(live["weights"]):
        arrays[f"weights_{index}"] = np.asarray(weight).astype(np.float32)
    for index, bias in enumerate(live["biases"]):
        arrays[f"biases_{index}"] = np.asarray(bias).astype(np.float32)
    grid = live.get("boundary")
    if grid is not None:
        for name in BOUNDARY_FIELDS:
            arrays[f"boundary_{name}"] = np.asarray(getattr(grid, name))
    arrays.update(snapshot_arrays(live))
    return arrays


def write_final_state(live: dict[str, Any], meta: dict[str, Any], run_dir: Path) -> Path:
    from playground.core.runs.final_state import FINAL_STATE_FILE

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **final_state_arrays(live, meta))
    path = Path(run_dir) / FINAL_STATE_FILE
    atomic_write_bytes(path, buffer.getvalue())
    return path


class FolderKeeper:
    """The parent's view of a child's run folder: what it would need to finish it."""

    def __init__(self, config: Config):
        self.config = config
        self.writer = None  # an adopted RunWriter, once the child has opened the folder
        self.summary_done = False
        self.final_state_done = False
        self.live: dict[str, Any] = {}  # the last snapshot received
        self.snapshot_epoch: int | None = None
        self.meta: dict[str, Any] = {}
        self.writing: threading.Thread | None = None

    @property
    def run_dir(self) -> Path | None:
        return self.writer.out_dir if self.writer is not None else None

    def note(self, message: protocol.Message) -> None:
        from playground.core.runs.runlog import RunWriter

        kind, payload = message.kind, message.payload
        if kind == protocol.STARTED:
            self.meta = {key: payload.get(key, ()) for key in ("probe_layers", "task_names")}
        elif kind == protocol.OPENED:
            self.writer = RunWriter(payload["run_dir"], self.config, device=payload["device"], adopt=True)
            self.writer.started = payload["started"]
        elif kind == protocol.RECORD:
            if self.writer is not None and len(payload.batch_loss):
                self.writer.track(payload)
            if "weights" in payload.live:
                self.live = {key: payload.live[key] for key in SNAPSHOT_KEYS if key in payload.live}
                self.snapshot_epoch = payload.epoch
        elif kind == protocol.PROBLEM:
            self.writer = None  # autosave stopped: nothing more is written
        elif kind == protocol.CLOSED:
            self.summary_done = True
        elif kind == protocol.FINAL_STATE:
            self.final_state_done = True

    def finish(self, stop_reason: str, note: str | None = None) -> None:
        """What the child left undone: the summary now, final_state.npz in a background thread
        (a large network's takes seconds; the window must not wait for it)."""
        writer = self.writer
        if writer is None:
            return
        notes = [note] if note else []
        try:
            if not self.summary_done:
                writer.finish(stop_reason)
                self.summary_done = True
            if not self.final_state_done:
                if "weights" in self.live and self.live.get("layer_sizes"):
                    notes.append(f"final_state.npz is the network at epoch {self.snapshot_epoch}, the last "
                                 f"snapshot the app received")
                    self._write_in_background(writer.out_dir)
                else:
                    notes.append("final_state.npz skipped: no snapshot of the network arrived before the "
                                 "training process ended")
            if notes:
                add_notes(writer.out_dir, notes)
        except (RunFileError, OSError):
            pass  # a full disk: the child's own problem report has said so, or will not matter now

    def _write_in_background(self, run_dir: Path) -> None:
        # Automatic collection is paused while the thread runs and resumed by `wait` or `poll`:
        # a collection started in this thread could free the GUI's Qt objects outside its thread.
        _hold_collection()
        live, meta = self.live, self.meta
        self.writing = threading.Thread(target=_write_quietly, args=(live, meta, run_dir),
                                        name="final-state", daemon=False)
        self.writing.start()
        self.final_state_done = True

    def poll(self) -> bool:
        """True once no write is in flight (collection resumed)."""
        if self.writing is not None and not self.writing.is_alive():
            self.writing.join()
            self.writing = None
            _release_collection()
        return self.writing is None

    def wait(self, timeout_s: float | None = None) -> bool:
        if self.writing is not None:
            self.writing.join(timeout_s)
        return self.poll()


_holds = 0
_was_enabled = False


def _hold_collection() -> None:
    global _holds, _was_enabled
    if _holds == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holds += 1


def _release_collection() -> None:
    global _holds
    _holds -= 1
    if _holds == 0 and _was_enabled:
        gc.enable()


def _write_quietly(live, meta, run_dir) -> None:
    try:
        write_final_state(live, meta, run_dir)
    except (RunFileError, OSError, ValueError, KeyError):
        pass  # the summary already says the run ended; a missing state file is read as none


def add_notes(run_dir: Path, notes: list[str]) -> None:
    """Add lines to summary.json's "notes" (how the app ended the run)."""
    from playground.core.runs.runlog import SUMMARY_FILE

    path = Path(run_dir) / SUMMARY_FILE
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["notes"] = [*summary.get("notes", []), *notes]
    atomic_write_text(path, json.dumps(summary, indent=2) + "\n")
