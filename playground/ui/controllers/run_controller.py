"""The run buttons' logic without Qt: Start, Pause/Resume, Step, Stop, Reset; the state a run is
in; what the buttons and the status bar show; when a settings change asks "Reset now?" and what
each answer does.

The controller talks to the window through `RunView` and to the training session through
`Session` (the public API of `playground.ui.session.worker.TrainingSession`). The window wires the
session's signals to `on_started`, `on_step_done`, `on_failed` and `on_finished`.

Every run gets a run id (a generation counter). The controller awaits the session's events of
one run at a time, from its start until its "finished" or until a Reset; an event that comes
after that, or that is tagged with another run's id, belongs to an old run and is dropped, so a
late "finished" can no longer turn a reset window from ready into stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Protocol

import numpy as np

from playground.core.config import Config, ConfigError, validate
from playground.core.experiments.catalog import all_presets, get_preset
from playground.ui.model.run_state import RunState, state_after

READY, RUNNING, PAUSED, STEPPING, STOPPING = (RunState.READY, RunState.RUNNING, RunState.PAUSED,
                                              RunState.STEPPING, RunState.STOPPING)


class Session(Protocol):
    """What the controller needs of a training session (TrainingSession's public API)."""

    @property
    def active(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    def start(self, config: Config, steps: int | None = None) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def step(self, epochs: int = 1) -> None: ...

    def stop(self) -> None: ...

    def shutdown(self) -> None: ...

    def set_optimizer_params(self, **values: float) -> None: ...

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> None:
        """One weight (layer 1-based), applied and recorded before the next step; ConfigError
        for one the network does not have."""

    def take(self) -> list: ...


@dataclass(frozen=True)
class Buttons:
    """What the run buttons show in one state."""

    start: bool
    start_text: str
    pause: bool
    pause_text: str
    step: bool
    stop: bool
    reset: bool


class RunView(Protocol):
    """What the controller asks of the window."""

    def read_settings(self) -> Config:
        """The settings in the controls; raises ConfigError when they cannot make a run."""

    def live_params(self) -> dict[str, float]:
        """The settings a run takes while it trains (learning rate, momentum, weight decay)."""

    def load_settings(self, config: Config) -> None:
        """Put `config` into the controls (after a Reset, or to restore the run's own settings)."""

    def show_state(self, state: RunState, buttons: Buttons) -> None:
        """Set the run buttons and refresh the status bar."""

    def refresh_status(self) -> None: ...

    def refuse(self, message: str) -> None:
        """Say in one line why an action was refused (bad settings)."""

    def show_banner(self, text: str) -> None:
        """A message over the views that stays until the next run (diverged, could not train)."""

    def say(self, text: str) -> None:
        """A passing note in the status bar."""

    def ask(self, question: str) -> bool:
        """A yes/no question; True for yes."""

    def clear_run(self, keep_preview: bool = False) -> None:
        """Forget what the views show: a new history, empty views, no banner or message; with
        `keep_preview`, the preview of the untrained network stays until the first record."""

    def prepare_run(self, config: Config) -> None:
        """A run of `config` is starting: its history's config, the view it is about brought forward."""

    def show_run_config(self, config: Config) -> None:
        """The running run's settings changed live (the history keeps them)."""

    def show_preview(self) -> None:
        """Before a run: the settings' data and initial network."""

    def preset_loaded(self, name: str) -> None:
        """A preset replaced the settings: what belonged to the old ones (an overlaid run) goes."""

    def drain(self) -> None:
        """Take the session's last records now and redraw (the run has ended)."""


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else f"{seconds // 60}:{seconds % 60:02d}"


def buttons_for(state: RunState, busy: bool = False) -> Buttons:
    """The buttons in `state`; `busy`: something else trains (a lesson's sweep), so nothing may start."""
    idle = state.idle and not busy
    return Buttons(start=idle, start_text="▶  Start" if state is READY else "▶  Start again" if idle else "Training…",
                   pause=state in (RUNNING, PAUSED), pause_text="Resume" if state is PAUSED else "Pause",
                   step=idle or state is PAUSED, stop=state.live, reset=state is not STOPPING)


def task_classes(config: Config) -> int | None:
    """The number of classes the settings' task has (None where it cannot be told, e.g. a CSV
    task without its file yet)."""
    from playground.core.tasks import get_task

    try:
        return int(get_task(config.task.name).n_classes(config.task.params))
    except Exception:  # any task error: the window only wants to know whether it changed
        return None


def metrics_readout(metrics: Mapping[str, np.ndarray]) -> tuple[str, str]:
    """(text, tooltip): the latest evaluated epoch's train and test loss and accuracy, each the
    mean over the ensemble's members; ("", "") before the first evaluation."""
    epochs = np.asarray(metrics.get("epoch", ()))
    if epochs.size == 0:
        return "", ""
    latest = epochs == epochs.max()
    mean = {name: float(np.mean(np.asarray(metrics[name], dtype=float)[latest]))
            for name in ("train_loss", "train_acc", "test_loss", "test_acc") if name in metrics}
    if len(mean) < 4:
        return "", ""
    text = (f"train: loss {mean['train_loss']:.3g}, acc {100 * mean['train_acc']:.1f} %  ·  "
            f"test: loss {mean['test_loss']:.3g}, acc {100 * mean['test_acc']:.1f} %")
    members = int(latest.sum())
    tip = (f"at epoch {int(epochs.max())}; " +
           (f"mean over the {members} networks of the ensemble" if members > 1 else "one network"))
    return text, tip


def reset_question(what: str, state: RunState) -> str:
    running = not state.over
    return f"Changing {what} needs a new run: the current run {'stops and ' if running else ''}is cleared. Reset now?"


class RunController:
    def __init__(self, view: RunView, session: Session):
        self.view = view
        self.session = session
        self.state = READY
        # The settings of the run on screen (with its live changes); None exactly when READY.
        self.run_config: Config | None = None
        self.run_id = 0  # the latest run's id; every Start or Step from idle makes a new one
        self._awaited: int | None = None  # the run whose session events are still to come
        self.device_name = "cpu"
        self.total_epochs = 0
        self.busy: str | None = None  # why nothing may start now (a lesson's sweep trains)

    # ------------------------------------------------------------ the buttons

    def start(self) -> None:
        if not self.state.idle or self._refused_busy():
            return
        config = self._settings()
        if config is not None:
            self._begin(config, steps=None)

    def toggle_pause(self) -> None:
        if self.state is RUNNING:
            self.session.pause()
            self._set_state(PAUSED)
        elif self.state is PAUSED:
            self.session.resume()
            self._set_state(RUNNING)

    def step(self) -> None:
        if self.state is PAUSED:
            self.session.step(1)
            self._set_state(STEPPING)
        elif self.state.idle and not self._refused_busy():
            config = self._settings()
            if config is not None:
                self._begin(config, steps=1)

    def stop(self) -> None:
        if self.state.live:
            self.session.stop()
            self._set_state(STOPPING)

    def reset(self) -> None:
        self.session.shutdown()
        self._awaited = None  # whatever the old run still sends is stale from now on
        self.session.take()
        self.view.clear_run()
        self.run_config = None
        self._set_state(READY)
        self.view.show_preview()

    def close(self) -> None:
        """The window closes: end the run; nothing it sends later is handled."""
        self._awaited = None
        self.session.shutdown()

    def set_busy(self, reason: str | None, total_epochs: int = 0) -> None:
        """Something other than this controller's session trains and feeds the views (a lesson's
        sweep, `reason` says so) or, given None, no longer does."""
        self.busy = reason
        self.total_epochs = total_epochs if reason else 0
        self._set_state(self.state)

    def _refused_busy(self) -> bool:
        if self.busy:
            self.view.refuse(self.busy)
        return bool(self.busy)

    def _settings(self) -> Config | None:
        try:
            return self.view.read_settings()
        except ConfigError as exc:
            self.view.refuse(str(exc))
            return None

    def _begin(self, config: Config, steps: int | None) -> None:
        self.session.shutdown()
        self.session.take()  # nothing of an earlier run may reach this one
        self.view.clear_run(keep_preview=self.state is READY)
        self.run_id += 1
        self._awaited = self.run_id
        self.run_config = config
        self.total_epochs = 0
        self.view.prepare_run(config)
        self.session.start(config, steps=steps)
        self._set_state(STEPPING if steps else RUNNING)

    def _set_state(self, state: RunState) -> None:
        self.state = state
        self.view.show_state(state, buttons_for(state, bool(self.busy)))

    # ------------------------------------------------------------ the session's events

    def awaits(self, run_id: int | None = None) -> bool:
        """Whether an event belongs to the run on screen: the awaited run's, or (untagged, as
        TrainingSession's signals are) whatever arrives while a run is awaited."""
        return self._awaited is not None and (run_id is None or run_id == self._awaited)

    def on_started(self, info: tuple[str, int, int], run_id: int | None = None) -> None:
        if not self.awaits(run_id):
            return
        self.device_name, self.total_epochs, _members = info
        self.view.refresh_status()

    def on_step_done(self, epoch: int, run_id: int | None = None) -> None:
        if self.awaits(run_id) and self.state is STEPPING:
            self._set_state(PAUSED)

    def on_failed(self, message: str, run_id: int | None = None) -> None:
        if self.awaits(run_id):
            self.view.show_banner(f"Could not train: {message}")

    def on_finished(self, reason: str, run_id: int | None = None) -> None:
        if not self.awaits(run_id):
            return
        self._awaited = None
        state = state_after(reason)
        if state is RunState.DIVERGED:
            self.view.show_banner(f"Training diverged. {reason[len('diverged: '):]}. "
                                  f"Change the settings and press Start again.")
        self._set_state(state)
        self.view.drain()

    def take_records(self) -> list:
        """The session's new records, for the run on screen: none while READY (the preview or
        a reopened run is shown, and an old run's records must not be drawn into it)."""
        records = self.session.take()
        return records if self.state is not READY else []

    # ------------------------------------------------------------ the settings

    def may_discard(self, question: str) -> bool:
        """Ask before something clears the run on screen; nothing to ask while READY."""
        return self.state is READY or self.view.ask(question)

    def on_settings_changed(self, kind: str, what: str) -> None:
        """A control changed: live settings go to the running run; any other change needs a
        new run, so a run on screen is reset (if the user agrees) or its settings restored."""
        if kind == "live":
            params = self.view.live_params()
            if self.run_config is not None:
                self.run_config = replace(self.run_config, train=replace(self.run_config.train, **params))
                self.view.show_run_config(self.run_config)
            self.session.set_optimizer_params(**params)
            return
        if self.state is READY:
            self.view.show_preview()
            return
        if self.view.ask(reset_question(what, self.state)):
            self.reset()
        else:
            self.view.load_settings(self.run_config)

    def weight_edit_note(self) -> str:
        """Why a weight cannot be edited now ("" when it can: a run is paused)."""
        if self.state is PAUSED:
            return ""
        if self.state is READY:
            return "Press Step first: a weight is edited in a paused run (Step trains one epoch and pauses)."
        if self.state in (RUNNING, STEPPING):
            return "Pause first: a weight is edited while the run is paused."
        return "This run has ended: press Step to start a new one, and edit its weights while it is paused."

    def set_weight(self, member: int, layer: int, source: int, target: int, value: float) -> bool:
        """Edit one weight of the paused run: applied before its next step, recorded in its
        changes (changes.csv). False, with the reason said, when it cannot be."""
        note = self.weight_edit_note()
        if note:
            self.view.refuse(note)
            return False
        try:
            self.session.set_weight(member, layer, source, target, value)
        except ConfigError as exc:
            self.view.refuse(str(exc))
            return False
        self.view.say(f"weight of layer {layer}, {source} → {target} (member {member}) set to {value:g}: "
                      f"it takes effect at the next step")
        return True

    def load_preset(self, name: str) -> bool:
        """Replace the settings by a preset's (asking first if a run is on screen)."""
        if not self.may_discard(f"Loading the preset {name} clears the current run. Go on?"):
            return False
        self.reset()
        self.view.load_settings(validate(get_preset(name).config()))
        self.view.preset_loaded(name)
        self.view.say(f"{name}: {all_presets()[name].description}")
        return True

    # ------------------------------------------------------------ the status bar

    def status_texts(self, epoch: int, rate: float, elapsed: float) -> tuple[str, ...]:
        """(state, epoch, rate, device, training time), as the status bar shows them."""
        total = f" / {self.total_epochs}" if self.total_epochs else ""
        state = "sweep" if self.busy and self.state is READY else str(self.state)
        return (f"<b>{state}</b>", f"epoch {epoch}{total}",
                f"{rate:.1f} epochs/s" if self.state is RUNNING else "",
                f"device: {self.device_name}", f"training time {format_duration(elapsed)}")

