"""The lessons panel's logic without Qt: which lesson a choice opens, what opening one does
(settings, hooks, views, text, asking first if a run would be lost), what the panel's buttons
allow, when a sweep may start and what its progress and end say, and what a preset chosen in
the run bar does to the open lesson.

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

OPEN_FILE = "__open_file__"  # the choice that asks for a lesson file


def lesson_html(lesson: Lesson) -> str:
    """The lesson's text as simple HTML: a heading per section, paragraphs, sources listed."""
    parts = [f"<h2>{html.escape(lesson.title)}</h2>"]
    for key in TEXT_KEYS:
        text = lesson.text.get(key)
        if not text:
            continue
        paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
        parts.append(f"<h3>{TEXT_TITLES[key]}</h3>")
        parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs if p]
    if lesson.sweep is not None:
        values = ", ".join(str(v) for v in lesson.sweep.values)
        parts.append(f"<p><i>Sweep: {html.escape(lesson.sweep.param)} over {html.escape(values)}, "
                     f"{lesson.sweep.seeds} seeds each.</i></p>")
    if lesson.sources:
        parts.append("<h3>Sources</h3><ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in lesson.sources) + "</ul>")
    return "\n".join(parts)


@dataclass(frozen=True)
class LessonButtons:
    run: bool
    sweep: bool
    sweep_tip: str
    stop_visible: bool


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

    def show_sweep_started(self, param: str, message: str) -> None:
        """An empty Sweep view saying `message`, ready for this sweep's tables."""

    def show_progress(self, fraction: float | None) -> None:
        """The sweep's progress bar (None hides it)."""

    def show_sweep_table(self, table: Any, param: str, show: str) -> None: ...

    def runs_dir(self) -> Path: ...


class LessonController:
    def __init__(self, view: LessonView, lessons: list[Lesson]):
        self.view = view
        self.lessons = list(lessons)  # the built-in lessons, in their order
        self.lesson: Lesson | None = None
        self.last_error = ""
        self.sweep_spec = None  # the sweep running or last run
        self.sweep_out: Path | None = None
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
        view.show_text(lesson_html(lesson))
        source = "" if lesson in self.lessons else f" (from {lesson.path})"
        view.show_status(f"Lesson loaded: {lesson.name}{source}. Press Run the lesson, or change the settings first.")
        self.show_current()
        self.bring_forward()
        self.update_buttons()
        view.show_preview()
        view.announce(lesson)
        return True

    def close_lesson(self) -> None:
        """Back to plain settings: the lesson's hooks no longer apply."""
        self.lesson = None
        self.view.set_hooks(None)
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
        return LessonButtons(run=lesson is not None, sweep=sweep is not None and not sweeping, sweep_tip=tip,
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
        self.sweep_spec = spec
        self.sweep_out = self.sweep_folder()
        self.view.show_sweep_started(spec.param, f"Sweep of {spec.param} starting: the first value's figures "
                                                 f"appear here when it has trained.")
        self.bring_forward("sweep")
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

    def show_sweep(self, progress, table, revision: int) -> None:
        """The sweep's latest progress and table (polled from its thread)."""
        spec = self.sweep_spec
        if spec is None:
            return
        if progress is not None:
            self.view.show_progress(min(progress.fraction, 1.0))
            self.view.show_status(f"Sweep: {spec.param} = {progress.value} (value {progress.trial + 1} "
                                  f"of {progress.trials}), epoch {progress.epoch} / {progress.total_epochs}")
        if table is not None and revision != self._shown_revision:
            self._shown_revision = revision
            self.view.show_sweep_table(table, spec.param, spec.show)

    def sweep_finished(self, reason: str) -> None:
        self.view.show_progress(None)
        out = self.sweep_out
        where = f" Written to {out}." if out is not None and out.exists() else ""
        if reason.startswith("failed"):
            self.report(f"Sweep {reason}")
        else:
            self.view.show_status(f"Sweep {reason}.{where}")
        self.update_buttons()
