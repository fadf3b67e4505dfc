"""The lessons panel: pick a lesson (or open a teacher's lesson file), read its text beside the
views, run it, and run its sweep.

Opening a lesson loads its settings into the controls, gives the training session the
lesson's hooks (a deficit, a measure), adds the views it needs (modes, sharpness, sweep) and
brings its first view forward when its run starts. A sweep runs in its own thread
(`SweepRunner`, the core `run_sweep` with a RunControl); the panel polls its progress on a
timer and hands each value's figures to the Sweep view. `install(window)` docks the panel on
the main window and adds the Lessons menu.
"""

from __future__ import annotations

import html
import threading
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)

from playground.core.config import ConfigError
from playground.core.base.control import RunControl
from playground.core.experiments.lessons import TEXT_KEYS, TEXT_TITLES, Lesson, builtin_lessons, load_lesson

POLL_MS = 200
OPEN_FILE = "__open_file__"
# Views the lessons add to the main window when a lesson needs them (the app's own are always there).
LESSON_VIEWS = ("modes", "sharpness", "sweep")


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


def make_view(key: str):
    from playground.ui.views.modes import ModesView
    from playground.ui.views.sharpness import SharpnessView
    from playground.ui.views.sweep import SweepView

    return {"modes": ModesView, "sharpness": SharpnessView, "sweep": SweepView}[key]()


class SweepRunner(QObject):
    """Runs one sweep in its own thread; the GUI thread polls `latest()`."""

    finished = Signal(str)  # stop reason, or "failed: ..."

    def __init__(self, config, spec, hooks, out: Path | None):
        super().__init__()  # no parent: moveToThread refuses objects with one
        self.config, self.spec, self.hooks, self.out = config, spec, hooks, out
        self.control = RunControl()
        self._lock = threading.Lock()
        self._progress = None
        self._table = None
        self._table_revision = 0

    def latest(self):
        """(latest SweepProgress or None, table so far or None, table revision)."""
        with self._lock:
            return self._progress, self._table, self._table_revision

    def _on_progress(self, progress) -> None:
        progress.record = None  # the panel shows progress only; keep the record out of the GUI thread
        with self._lock:
            self._progress = progress

    def _on_value(self, table) -> None:
        with self._lock:
            self._table = table
            self._table_revision += 1

    @Slot()
    def run(self) -> None:
        from playground.core.experiments.sweep import run_sweep

        try:
            result = run_sweep(self.config, self.spec, self.hooks, out=self.out, progress=self._on_progress,
                               control=self.control, on_value=self._on_value)
            self.finished.emit(result.stop_reason)
        except Exception as exc:  # shown in the panel; the app stays usable
            traceback.print_exc()
            self.finished.emit(f"failed: {type(exc).__name__}: {exc}")


class LessonsPanel(QWidget):
    lesson_opened = Signal(object)  # Lesson, or None when closed

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        self.lesson: Lesson | None = None
        self.lessons = builtin_lessons()
        self.runner: SweepRunner | None = None
        self.thread: QThread | None = None
        self.sweep_out: Path | None = None
        self._shown_revision = -1
        self.last_error = ""
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        window.session.run_started.connect(lambda _info: self.bring_forward())

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.choice = QComboBox()
        self.choice.addItem("— choose a lesson —", None)
        for lesson in self.lessons:
            self.choice.addItem(f"{lesson.order}. {lesson.title}", lesson.name)
        self.choice.addItem("Open a lesson file…", OPEN_FILE)
        self.choice.activated.connect(self._chosen)
        layout.addWidget(self.choice)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setStyleSheet("QTextBrowser { font-size: 11pt; }")
        self.text.setHtml("<h2>Lessons</h2><p>Each lesson is a ready experiment from a research article: "
                          "the question, what to do, what to look for, what the paper found and the caveats. "
                          "Choose one above; its settings are loaded and its views brought forward.</p>"
                          "<p>A teacher can write a lesson as a TOML file (see the README, section Lessons) "
                          "and open it here.</p>")
        layout.addWidget(self.text, 1)
        row = QHBoxLayout()
        self.run_button = QPushButton("▶  Run the lesson")
        self.run_button.setToolTip("train with the lesson's settings (as changed in the controls)")
        self.run_button.clicked.connect(self.run_lesson)
        self.sweep_button = QPushButton("Run the sweep")
        self.sweep_button.clicked.connect(self.run_sweep)
        self.stop_button = QPushButton("Stop sweep")
        self.stop_button.clicked.connect(self.stop_sweep)
        for button in (self.run_button, self.sweep_button, self.stop_button):
            button.setStyleSheet("QPushButton { font-size: 11pt; padding: 6px 8px; }")
            row.addWidget(button)
        layout.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self._update_buttons()

    def _update_buttons(self) -> None:
        sweeping = self.sweeping
        has_sweep = self.lesson is not None and self.lesson.sweep is not None
        self.run_button.setEnabled(self.lesson is not None)
        self.sweep_button.setEnabled(has_sweep and not sweeping)
        self.sweep_button.setToolTip(
            f"train {self.lesson.sweep.param} = {', '.join(str(v) for v in self.lesson.sweep.values)}, "
            f"{self.lesson.sweep.seeds} seeds each, one after another" if has_sweep else "this lesson has no sweep")
        self.stop_button.setVisible(sweeping)

    # ------------------------------------------------------------ choosing

    def _chosen(self, index: int) -> None:
        key = self.choice.itemData(index)
        if key is None:
            return
        if key == OPEN_FILE:
            path, _ = QFileDialog.getOpenFileName(self, "Open a lesson file", str(Path.home()), "Lessons (*.toml)")
            if not path:
                self._show_current()
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
            self._show_current()
            return False
        return self.open_lesson(lesson)

    def open_lesson(self, lesson: Lesson) -> bool:
        """Load the lesson into the window (asking first if a run would be lost)."""
        window = self.window
        if not window.run.may_discard(f"Opening the lesson \"{lesson.title}\" clears the current run. Go on?"):
            self._show_current()
            return False
        window.reset()
        window.controls.set_config(lesson.config)
        window.session.hook_settings = dict(lesson.hooks) or None
        self.lesson = lesson
        for key in lesson.views:
            if key in LESSON_VIEWS:
                self.ensure_view(key)
        self.text.setHtml(lesson_html(lesson))
        source = "" if lesson in self.lessons else f" (from {lesson.path})"
        self.status.setText(f"Lesson loaded: {lesson.name}{source}. Press Run the lesson, or change the settings first.")
        self._show_current()
        self.bring_forward()
        self._update_buttons()
        window.show_preview()
        self.lesson_opened.emit(lesson)
        return True

    def close_lesson(self) -> None:
        """Back to plain settings: the lesson's hooks no longer apply."""
        self.lesson = None
        self.window.session.hook_settings = None
        self.choice.setCurrentIndex(0)
        self.status.setText("No lesson open: runs use the settings alone.")
        self._update_buttons()
        self.lesson_opened.emit(None)

    def _key(self, lesson: Lesson) -> str:
        """Built-in lessons by name, lesson files by path."""
        return lesson.name if lesson in self.lessons else str(lesson.path)

    def _show_current(self) -> None:
        index = 0
        if self.lesson is not None:
            key = self._key(self.lesson)
            index = self.choice.findData(key)
            if index < 0:  # a lesson file: list it once, above "Open a lesson file…"
                self.choice.insertItem(self.choice.count() - 1, f"{self.lesson.title} (file)", key)
                index = self.choice.count() - 2
        self.choice.setCurrentIndex(index)

    def report(self, message: str) -> None:
        self.last_error = message
        self.status.setText(f"<span style='color:#b00020'>{html.escape(message)}</span>")

    # ------------------------------------------------------------ views

    def view(self, key: str):
        return next((v for v in self.window.views if getattr(v, "key", None) == key), None)

    def ensure_view(self, key: str):
        """The window's view of this key, added as a tab if the window has none yet."""
        view = self.view(key)
        if view is None:
            view = make_view(key)
            self.window.views.append(view)
            self.window.tabs.addTab(view, view.title)
            actions = getattr(self.window, "file_actions", None)
            if actions is not None and hasattr(actions, "_install_view_menu"):
                actions._install_view_menu(view)  # the Export button every view has
        return view

    def bring_forward(self, key: str | None = None) -> None:
        """Show the lesson's first view (or `key`)."""
        if self.lesson is None and key is None:
            return
        key = key or self.lesson.views[0]
        view = self.view(key)
        tabs = self.window.tabs
        index = tabs.indexOf(view) if view is not None else -1
        if index >= 0:
            tabs.setCurrentIndex(index)

    # ------------------------------------------------------------ running

    def run_lesson(self) -> None:
        if self.lesson is None:
            return
        self.window.start()

    @property
    def sweeping(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def run_sweep(self) -> None:
        if self.lesson is None or self.lesson.sweep is None or self.sweeping:
            return
        try:
            config = self.window.controls.config()
        except ConfigError as exc:
            self.report(str(exc))
            return
        from playground.core.experiments.sweep import check_spec

        spec = self.lesson.sweep
        try:
            check_spec(spec, config, self.lesson.hooks)
        except ConfigError as exc:
            self.report(str(exc))
            return
        self.sweep_out = self._sweep_folder()
        self.runner = SweepRunner(config, spec, dict(self.lesson.hooks), self.sweep_out)
        self.thread = QThread()
        self.thread.setObjectName("sweep")
        self.runner.moveToThread(self.thread)
        self.thread.started.connect(self.runner.run)
        self.runner.finished.connect(self._on_finished)
        self.runner.finished.connect(self.thread.quit)
        view = self.ensure_view("sweep")
        view.measure.clear()  # a new sweep: its own columns, its lesson's choice first
        view.set_sweep(None, spec.param, f"Sweep of {spec.param} starting: the first value's figures appear "
                                         f"here when it has trained.")
        self.bring_forward("sweep")
        self._shown_revision = -1
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(f"Sweep of {spec.param} running…")
        self.thread.start()
        self.timer.start()
        self._update_buttons()

    def _sweep_folder(self) -> Path | None:
        """A new folder for the sweep under the runs folder (None: run without saving)."""
        try:
            from playground.ui.session import autosave

            base = autosave.runs_dir() / "sweeps"
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.lesson.name}"
            folder = base / name
            suffix = 1
            while folder.exists():
                suffix += 1
                folder = base / f"{name}-{suffix}"
            return folder
        except Exception:  # no usable runs folder: the sweep still runs and is shown
            return None

    def stop_sweep(self) -> None:
        if self.runner is not None:
            self.runner.control.stop()
            self.status.setText("Stopping the sweep after the current step…")

    def poll(self) -> None:
        if self.runner is None:
            return
        progress, table, revision = self.runner.latest()
        if progress is not None:
            self.progress.setValue(int(1000 * min(progress.fraction, 1.0)))
            self.status.setText(f"Sweep: {self.runner.spec.param} = {progress.value} (value {progress.trial + 1} "
                                f"of {progress.trials}), epoch {progress.epoch} / {progress.total_epochs}")
        if table is not None and revision != self._shown_revision:
            self._shown_revision = revision
            self.ensure_view("sweep").set_sweep(table, self.runner.spec.param, show=self.runner.spec.show)

    def _on_finished(self, reason: str) -> None:
        self.poll()
        self.timer.stop()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.progress.hide()
        where = f" Written to {self.sweep_out}." if self.sweep_out is not None and self.sweep_out.exists() else ""
        if reason.startswith("failed"):
            self.report(f"Sweep {reason}")
        else:
            self.status.setText(f"Sweep {reason}.{where}")
        self._update_buttons()

    def shutdown(self) -> None:
        """Stop a sweep and join its thread (closing the window, quitting)."""
        self.timer.stop()
        if self.runner is not None:
            self.runner.control.stop()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.thread = None


class _CloseWatcher(QObject):
    """Stops the panel's sweep when the window closes (the window's own shutdown stops its run)."""

    def __init__(self, panel: LessonsPanel):
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.panel.shutdown()
        return False


def install(window) -> LessonsPanel:
    """Dock the lessons panel on the main window and add the Lessons menu."""
    panel = LessonsPanel(window)
    dock = QDockWidget("Lessons", window)
    dock.setObjectName("lessons")
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    dock.setMinimumWidth(300)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    # Make room for the dock rather than squeeze the views (within the screen).
    screen = window.screen().availableGeometry() if window.screen() is not None else None
    width = window.width() + dock.minimumWidth() + 40
    window.resize(min(width, screen.width()) if screen is not None else width, window.height())
    menu = window.menuBar().addMenu("&Lessons")
    for lesson in panel.lessons:
        action = QAction(f"{lesson.order}. {lesson.title}", menu)
        action.triggered.connect(lambda _=False, l=lesson: (dock.show(), panel.open_lesson(l)))
        menu.addAction(action)
    menu.addSeparator()
    open_action = QAction("Open a lesson file…", menu)
    open_action.triggered.connect(lambda _=False: (dock.show(), panel._chosen(panel.choice.findData(OPEN_FILE))))
    menu.addAction(open_action)
    close_action = QAction("Close the lesson (plain settings)", menu)
    close_action.triggered.connect(lambda _=False: panel.close_lesson())
    menu.addAction(close_action)
    menu.addAction(dock.toggleViewAction())
    # A preset chosen in the run bar replaces the lesson (or opens it, if the preset is a lesson).
    window.preset.activated.connect(lambda index: _preset_chosen(panel, window, index))
    window.installEventFilter(_CloseWatcher(panel))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(panel.shutdown)
    window.lessons = panel
    window.lessons_dock = dock
    return panel


def _preset_chosen(panel: LessonsPanel, window, index: int) -> None:
    name = window.preset.itemData(index)
    if not name or window.preset.currentIndex() != index:  # none, or the window's reset was declined
        return
    from playground.core.experiments.catalog import all_presets

    preset = all_presets().get(name)
    if preset is not None and preset.lesson is not None:
        if panel.lesson is None or panel.lesson.name != name:
            panel.lesson = None
            panel.open_lesson(preset.lesson)
    elif panel.lesson is not None:
        panel.close_lesson()
