"""The lessons panel's logic without Qt: which lesson a choice opens, what opening one does
(settings, hooks, its own views first and the others hidden, text paged as steps, asking first
if a run would be lost), what the panel's buttons allow, what the state line says as the run
goes, when a sweep may start, what its progress and end say and how its current value's run
feeds the views, and what a preset chosen in the run bar does to the open lesson.

It reaches the panel (and through it the window) through `LessonView`;
`playground.ui.panels.lessons_panel.LessonsPanel` is the Qt side, which also owns the sweep's
thread.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from playground.core.config import Config, ConfigError
from playground.core.experiments.lessons import TEXT_KEYS, TEXT_TITLES, Lesson, load_lesson
from playground.core.experiments.sweep import record_total, trial_settings
from playground.ui.model.run_state import RunState

OPEN_FILE = "__open_file__"  # the choice that asks for a lesson file
# The steps a lesson's text is paged in; the caveats, the sweep and the sources close the last.
STEP_KEYS = ("question", "what_to_do", "look_for", "paper_found")


def _section(lesson: Lesson, key: str) -> list[str]:
    text = lesson.text.get(key)
    if not text:
        return []
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return [f"<h3>{TEXT_TITLES[key]}</h3>"] + [f"<p>{html.escape(p)}</p>" for p in paragraphs if p]


def _closing(lesson: Lesson) -> list[str]:
    """The sweep's note and the sources."""
    parts = []
    if lesson.sweep is not None:
        values = ", ".join(str(v) for v in lesson.sweep.values)
        parts.append(f"<p><i>Sweep: {html.escape(lesson.sweep.param)} over {html.escape(values)}, "
                     f"{lesson.sweep.seeds} seeds each.</i></p>")
    if lesson.sources:
        parts.append("<h3>Sources</h3><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in lesson.sources) + "</ul>")
    return parts


def lesson_html(lesson: Lesson) -> str:
    """The lesson's whole text as simple HTML: a heading per section, paragraphs, sources listed."""
    parts = [f"<h2>{html.escape(lesson.title)}</h2>"]
    for key in TEXT_KEYS:
        parts += _section(lesson, key)
    return "\n".join(parts + _closing(lesson))


def lesson_steps(lesson: Lesson) -> list[str]:
    """The lesson's text paged as steps (the question, what to do, what to look for, what the
    paper found), as HTML; the caveats, the sweep and the sources close the last step."""
    keys = [key for key in STEP_KEYS if lesson.text.get(key)]
    pages = []
    for number, key in enumerate(keys, 1):
        parts = [f"<h2>{html.escape(lesson.title)}</h2>",
                 f"<p style='color:#555'>Step {number} of {len(keys)}</p>", *_section(lesson, key)]
        if number == len(keys):
            parts += _section(lesson, "caveats") + _closing(lesson)
        pages.append("\n".join(parts))
    return pages


def look_for_step(lesson: Lesson) -> int:
    """The number (from 1) of the step that says what to look for."""
    keys = [key for key in STEP_KEYS if lesson.text.get(key)]
    return keys.index("look_for") + 1 if "look_for" in keys else len(keys)


@dataclass(frozen=True)
class LessonButtons:
    run: bool
    sweep: bool
    sweep_tip: str
    stop_visible: bool


@dataclass(frozen=True)
class Pager:
    """Where the reader is in the lesson's steps."""

    step: int  # from 1; 0: no lesson
    steps: int
    back: bool
    next: bool


class LessonView(Protocol):
    """What the lesson controller asks of the panel and the window."""

    @property
    def sweeping(self) -> bool: ...

    def may_discard(self, question: str) -> bool: ...

    def reset(self) -> None: ...

    def load_settings(self, config: Config) -> None: ...

    def set_hooks(self, hooks: dict | None) -> None:
        """The lesson's hook tables for the runs started from now on (None: the config's alone)."""

    def settings(self) -> Config:
        """The settings in the controls; raises ConfigError."""

    def show_preview(self) -> None: ...

    def ensure_view(self, key: str) -> None:
        """Add the window's view of this key if it has none and can make one."""

    def bring_forward(self, key: str) -> None:
        """Show the tab of this view, if the window has it."""

    def show_text(self, html: str) -> None: ...

    def show_status(self, text: str) -> None: ...

    def show_error(self, text: str) -> None: ...

    def show_choice(self, key: str | None, file_title: str) -> None:
        """Select the choice of this key (None: none), listing a lesson file once as `file_title`."""

    def show_buttons(self, buttons: LessonButtons) -> None: ...

    def choose_lesson_file(self) -> str | None: ...

    def announce(self, lesson: Lesson | None) -> None:
        """Tell whoever listens that this lesson (None: none) is now open."""

    def start_run(self) -> None: ...

    def start_sweep(self, config: Config, spec: Any, hooks: dict, out: Path | None) -> None: ...

    def stop_sweep_thread(self) -> bool:
        """Ask the sweep to stop; False when there is none."""

    def show_sweep_started(self, param: str, message: str, config: Any = None, values: Any = None) -> None:
        """An empty Sweep view saying `message`, ready for this sweep's tables: its reference lines
        from `config`, its x axis spanning every value it will train."""

    def show_progress(self, fraction: float | None) -> None:
        """The sweep's progress bar (None hides it)."""

    def show_sweep_table(self, table: Any, param: str, show: str) -> None: ...

    def runs_dir(self) -> Path: ...

    def show_pager(self, pager: Pager) -> None:
        """The step counter and the Back and Next buttons."""

    def show_lesson_views(self, views: tuple[str, ...] | None) -> None:
        """Show this lesson's views first, in its order (None: no lesson, every view)."""

    def view_title(self, key: str) -> str: ...

    def hold_runs(self, reason: str | None, total_epochs: int = 0) -> None:
        """While a sweep trains (`reason` says so), nothing else may start; None: it ended."""

    def show_sweep_run(self, config: Config) -> None:
        """The views start afresh for the sweep's next value, trained with `config`."""

    def feed(self, records: list) -> None:
        """Records of the sweep's current value, for the views."""


class LessonController:
    def __init__(self, view: LessonView, lessons: list[Lesson]):
        self.view = view
        self.lessons = list(lessons)  # the built-in lessons, in their order
        self.lesson: Lesson | None = None
        self.last_error = ""
        self.sweep_spec = None  # the sweep running or last run
        self.sweep_out: Path | None = None
        self.sweep_config: Config | None = None  # the settings it started from
        self.sweep_hooks: dict = {}
        self.fed_trial: int | None = None  # the sweep value whose run the views show
        self.sweep_active = False  # from the sweep's start to its end (a late poll then says nothing)
        self.steps: list[str] = []  # the open lesson's text, paged
        self.step = 0  # 0-based
        self.run_state = RunState.READY
        self._shown_revision = -1

    # ------------------------------------------------------------ choosing

    def choose(self, key: str | None) -> None:
        """A choice in the panel's list: a built-in lesson by name, a lesson file by path, or
        "Open a lesson file..."."""
        if key is None:
            return
        if key == OPEN_FILE:
            path = self.view.choose_lesson_file()
            if not path:
                self.show_current()
                return
            self.open_file(path)
            return
        if key.endswith(".toml"):  # a lesson file opened before: read it again (it may have changed)
            self.open_file(key)
            return
        self.open_lesson(next(lesson for lesson in self.lessons if lesson.name == key))

    def open_file(self, path: str | Path) -> bool:
        try:
            lesson = load_lesson(path)
        except ConfigError as exc:
            self.report(str(exc))
            self.show_current()
            return False
        return self.open_lesson(lesson)

    def open_lesson(self, lesson: Lesson) -> bool:
        """Load the lesson into the window (asking first if a run would be lost)."""
        view = self.view
        if not view.may_discard(f"Opening the lesson \"{lesson.title}\" clears the current run. Go on?"):
            self.show_current()
            return False
        view.reset()
        view.load_settings(lesson.config)
        view.set_hooks(dict(lesson.hooks) or None)
        self.lesson = lesson
        for key in lesson.views:
            view.ensure_view(key)
        view.show_lesson_views(tuple(lesson.views))
        self.steps = lesson_steps(lesson)
        self.show_step(0)
        self.run_state = RunState.READY
        view.show_status(self.state_line(RunState.READY))
        self.show_current()
        self.bring_forward()
        self.update_buttons()
        view.show_preview()
        view.announce(lesson)
        return True

    def close_lesson(self) -> None:
        """Back to plain settings: the lesson's hooks no longer apply."""
        self.lesson = None
        self.steps = []
        self.view.set_hooks(None)
        self.view.show_lesson_views(None)
        self.view.show_pager(Pager(0, 0, False, False))
        self.view.show_choice(None, "")
        self.view.show_status("No lesson open: runs use the settings alone.")
        self.update_buttons()
        self.view.announce(None)

    def preset_chosen(self, name: str) -> None:
        """A preset chosen in the run bar (and loaded) replaces the lesson, or opens it if the
        preset is a lesson."""
        from playground.core.experiments.catalog import all_presets

        preset = all_presets().get(name)
        if preset is not None and preset.lesson is not None:
            if self.lesson is None or self.lesson.name != name:
                self.lesson = None
                self.open_lesson(preset.lesson)
        elif self.lesson is not None:
            self.close_lesson()

    # ------------------------------------------------------------ the text, step by step

    def show_step(self, step: int) -> None:
        if not self.steps:
            return
        self.step = min(max(step, 0), len(self.steps) - 1)
        self.view.show_text(self.steps[self.step])
        self.view.show_pager(Pager(self.step + 1, len(self.steps), self.step > 0, self.step < len(self.steps) - 1))

    def next_step(self) -> None:
        self.show_step(self.step + 1)

    def previous_step(self) -> None:
        self.show_step(self.step - 1)

    # ------------------------------------------------------------ the state line follows the run

    def state_line(self, state: RunState) -> str:
        lesson = self.lesson
        if lesson is None:
            return "No lesson open: runs use the settings alone."
        titles = [self.view.view_title(key) for key in lesson.views[:2]]
        views = " and ".join(titles)
        look = f"step {look_for_step(lesson)}, What to look for, says what to see"
        if state is RunState.READY:
            source = "" if lesson in self.lessons else f" (from {lesson.path})"
            return f"Lesson loaded: {lesson.name}{source}. Press Run the lesson, or change the settings first."
        if state in (RunState.RUNNING, RunState.STEPPING):
            return f"Training the lesson: watch {views} ({look})."
        if state is RunState.PAUSED:
            return f"Paused: Resume or Step to go on. Meanwhile, look at {views}."
        if state is RunState.STOPPING:
            return "Stopping the run…"
        if state is RunState.FINISHED:
            return f"Finished: look at {views}; {look}."
        if state is RunState.STOPPED:
            return f"Stopped: look at {views} as far as the run went, or Run the lesson again."
        if state is RunState.DIVERGED:
            return "Diverged: the banner over the views says why. Change the settings and Run the lesson again."
        return "Could not train: the banner over the views says why."

    def run_state_changed(self, state: RunState) -> None:
        """The window's run changed state: the state line follows (a sweep's line has the say
        while it runs)."""
        self.run_state = state
        if self.lesson is not None and not self.view.sweeping:
            self.view.show_status(self.state_line(state))
        self.update_buttons()

    def key_of(self, lesson: Lesson) -> str:
        """Built-in lessons by name, lesson files by path."""
        return lesson.name if lesson in self.lessons else str(lesson.path)

    def show_current(self) -> None:
        if self.lesson is None:
            self.view.show_choice(None, "")
        else:
            self.view.show_choice(self.key_of(self.lesson), f"{self.lesson.title} (file)")

    def bring_forward(self, key: str | None = None) -> None:
        """Show the lesson's first view (or `key`)."""
        if self.lesson is None and key is None:
            return
        self.view.bring_forward(key or self.lesson.views[0])

    def report(self, message: str) -> None:
        self.last_error = message
        self.view.show_error(message)

    def buttons(self) -> LessonButtons:
        lesson, sweeping = self.lesson, self.view.sweeping
        sweep = lesson.sweep if lesson is not None else None
        tip = (f"train {sweep.param} = {', '.join(str(v) for v in sweep.values)}, {sweep.seeds} seeds each, "
               f"one after another" if sweep is not None else "this lesson has no sweep")
        return LessonButtons(run=lesson is not None and self.run_state.idle and not sweeping,
                             sweep=sweep is not None and not sweeping and self.run_state.idle, sweep_tip=tip,
                             stop_visible=sweeping)

    def update_buttons(self) -> None:
        self.view.show_buttons(self.buttons())

    # ------------------------------------------------------------ running

    def run_lesson(self) -> None:
        if self.lesson is not None:
            self.view.start_run()

    def run_sweep(self) -> bool:
        """Start the lesson's sweep on the settings in the controls; False (with the reason
        shown, where there is one) when it cannot start."""
        lesson = self.lesson
        if lesson is None or lesson.sweep is None or self.view.sweeping:
            return False
        try:
            config = self.view.settings()
        except ConfigError as exc:
            self.report(str(exc))
            return False
        from playground.core.experiments.sweep import check_spec

        spec = lesson.sweep
        try:
            check_spec(spec, config, lesson.hooks)
        except ConfigError as exc:
            self.report(str(exc))
            return False
        if not self.view.may_discard("The sweep's runs take the views: the current run is cleared. Go on?"):
            return False
        self.view.reset()
        self.sweep_spec = spec
        self.sweep_config, self.sweep_hooks = config, dict(lesson.hooks)
        self.fed_trial = None
        self.sweep_active = True
        self.view.hold_runs(f"The sweep of {spec.param} is training: stop it first (Lessons panel).")
        self.sweep_out = self.sweep_folder()
        self.view.show_sweep_started(spec.param, f"Sweep of {spec.param} starting: each value's figures "
                                                 f"appear here when it has trained; its run trains live "
                                                 f"in the other views meanwhile.",
                                      config=config, values=spec.values)
        # The value training now is drawn live in the lesson's own views; the summary at the end.
        self.bring_forward(next((key for key in lesson.views if key != "sweep"), "sweep"))
        self._shown_revision = -1
        self.view.show_progress(0.0)
        self.view.show_status(f"Sweep of {spec.param} running…")
        self.view.start_sweep(config, spec, dict(lesson.hooks), self.sweep_out)
        self.update_buttons()
        return True

    def sweep_folder(self, now: float | None = None) -> Path | None:
        """A new folder for the sweep under the runs folder (None: run without saving)."""
        try:
            base = self.view.runs_dir() / "sweeps"
            name = f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{self.lesson.name}"
            folder = base / name
            suffix = 1
            while folder.exists():
                suffix += 1
                folder = base / f"{name}-{suffix}"
            return folder
        except Exception:  # no usable runs folder: the sweep still runs and is shown
            return None

    def stop_sweep(self) -> None:
        if self.view.stop_sweep_thread():
            self.view.show_status("Stopping the sweep after the current step…")

    def show_sweep(self, progress, table, revision: int, records: list | None = None) -> None:
        """The sweep's latest progress and table, and the records of its runs since the last
        poll as (value's index, value, record) (polled from its thread)."""
        spec = self.sweep_spec
        if spec is None:
            return
        self.feed_records(records or [])
        if progress is not None and self.sweep_active:
            self.view.show_progress(min(progress.fraction, 1.0))
            self.view.show_status(f"Sweep: {spec.param} = {progress.value} (value {progress.trial + 1} "
                                  f"of {progress.trials}), epoch {progress.epoch} / {progress.total_epochs}")
        if table is not None and revision != self._shown_revision:
            self._shown_revision = revision
            self.view.show_sweep_table(table, spec.param, spec.show)

    def feed_records(self, records: list) -> None:
        """The sweep's current value's run reaches the views as a normal run does; each new
        value starts them afresh on its own settings."""
        batch: list = []
        for trial, value, record in records:
            if trial != self.fed_trial:
                if batch:
                    self.view.feed(batch)
                    batch = []
                config = self.trial_config(value)
                self.fed_trial = trial
                self.view.show_sweep_run(config)
                self.view.hold_runs(f"The sweep of {self.sweep_spec.param} is training: stop it first "
                                    f"(Lessons panel).", record_total(config))
            batch.append(record)
        if batch:
            self.view.feed(batch)

    def trial_config(self, value) -> Config:
        """The settings one value of the sweep trains with (as the core's run_sweep makes them)."""
        return trial_settings(self.sweep_config, self.sweep_spec, self.sweep_hooks, value)[0]

    def sweep_finished(self, reason: str) -> None:
        self.sweep_active = False
        self.view.hold_runs(None)
        self.view.show_progress(None)
        out = self.sweep_out
        where = f" Written to {out}." if out is not None and out.exists() else ""
        if reason.startswith("failed"):
            self.report(f"Sweep {reason}")
        else:
            self.view.show_status(f"Sweep {reason}.{where}")
        if self._shown_revision >= 0:
            self.bring_forward("sweep")
        self.update_buttons()
