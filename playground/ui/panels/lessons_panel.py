"""The lessons panel (Qt side): pick a lesson (or open a teacher's lesson file), read its text
beside the views, run it, and run its sweep.

What a choice opens, what opening a lesson does (settings, hooks, the views it needs, its first
view brought forward when its run starts) and when a sweep may start are decided by the
`LessonController` (playground.ui.controllers.lesson_controller); this module is its view. A
sweep runs in its own thread (`SweepRunner`, the core `run_sweep` with a RunControl); the panel
polls its progress on a timer and hands each value's figures to the Sweep view. `install(window)`
docks the panel on the main window and adds the Lessons menu.
"""

from __future__ import annotations

import html
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QTextBrowser, QVBoxLayout, QWidget)

from playground.core.base.control import RunControl
from playground.core.experiments.lessons import Lesson, builtin_lessons
from playground.ui.controllers.lesson_controller import OPEN_FILE, LessonButtons, LessonController, lesson_html
from playground.ui.views import ON_DEMAND, make_view

POLL_MS = 200
__all__ = ["LessonsPanel", "SweepRunner", "install", "lesson_html", "OPEN_FILE"]


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
        self.logic = LessonController(self, builtin_lessons())
        self.runner: SweepRunner | None = None
        self.thread: QThread | None = None
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        # The lesson's first view, when its run starts (not when an old run's late signal comes).
        window.session.run_started.connect(lambda _info: window.run.awaits() and self.bring_forward())

    # The controller's state, for the menu, scripts and tests.
    @property
    def lessons(self) -> list[Lesson]:
        return self.logic.lessons

    @property
    def lesson(self) -> Lesson | None:
        return self.logic.lesson

    @lesson.setter
    def lesson(self, lesson: Lesson | None) -> None:
        self.logic.lesson = lesson

    @property
    def last_error(self) -> str:
        return self.logic.last_error

    @property
    def sweep_out(self) -> Path | None:
        return self.logic.sweep_out

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
        self.logic.update_buttons()

    # ------------------------------------------------------------ the actions

    def _chosen(self, index: int) -> None:
        self.logic.choose(self.choice.itemData(index))

    def open_file(self, path: str | Path) -> bool:
        return self.logic.open_file(path)

    def open_lesson(self, lesson: Lesson) -> bool:
        return self.logic.open_lesson(lesson)

    def close_lesson(self) -> None:
        self.logic.close_lesson()

    def run_lesson(self) -> None:
        self.logic.run_lesson()

    def run_sweep(self) -> None:
        self.logic.run_sweep()

    def stop_sweep(self) -> None:
        self.logic.stop_sweep()

    def report(self, message: str) -> None:
        self.logic.report(message)

    def view(self, key: str):
        return next((v for v in self.window.views if getattr(v, "key", None) == key), None)

    def ensure_view(self, key: str):
        """The window's view of this key, added as a tab if the window has none yet and the
        view is one a lesson may add."""
        view = self.view(key)
        if view is None and key in ON_DEMAND:
            view = make_view(key)
            self.window.views.append(view)
            self.window.tabs.addTab(view, view.title)
            actions = getattr(self.window, "file_actions", None)
            if actions is not None and hasattr(actions, "_install_view_menu"):
                actions._install_view_menu(view)  # the Export button every view has
        return view

    def bring_forward(self, key: str | None = None) -> None:
        """Show the lesson's first view (or `key`)."""
        if key is None:
            self.logic.bring_forward()
            return
        view = self.view(key)
        tabs = self.window.tabs
        index = tabs.indexOf(view) if view is not None else -1
        if index >= 0:
            tabs.setCurrentIndex(index)

    @property
    def sweeping(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    # ------------------------------------------------------------ the controller's view (LessonView)

    def may_discard(self, question: str) -> bool:
        return self.window.run.may_discard(question)

    def reset(self) -> None:
        self.window.reset()

    def load_settings(self, config) -> None:
        self.window.controls.set_config(config)

    def set_hooks(self, hooks) -> None:
        self.window.session.hook_settings = hooks

    def settings(self):
        return self.window.controls.config()

    def show_preview(self) -> None:
        self.window.show_preview()

    def show_text(self, text: str) -> None:
        self.text.setHtml(text)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def show_error(self, text: str) -> None:
        self.status.setText(f"<span style='color:#b00020'>{html.escape(text)}</span>")

    def show_choice(self, key: str | None, file_title: str) -> None:
        index = 0
        if key is not None:
            index = self.choice.findData(key)
            if index < 0:  # a lesson file: list it once, above "Open a lesson file…"
                self.choice.insertItem(self.choice.count() - 1, file_title, key)
                index = self.choice.count() - 2
        self.choice.setCurrentIndex(index)

    def show_buttons(self, buttons: LessonButtons) -> None:
        self.run_button.setEnabled(buttons.run)
        self.sweep_button.setEnabled(buttons.sweep)
        self.sweep_button.setToolTip(buttons.sweep_tip)
        self.stop_button.setVisible(buttons.stop_visible)

    def choose_lesson_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a lesson file", str(Path.home()), "Lessons (*.toml)")
        return path or None

    def start_run(self) -> None:
        self.window.start()

    def announce(self, lesson: Lesson | None) -> None:
        self.lesson_opened.emit(lesson)

    def runs_dir(self) -> Path:
        from playground.ui.session import autosave

        return autosave.runs_dir()

    def show_sweep_started(self, param: str, message: str) -> None:
        view = self.ensure_view("sweep")
        view.measure.clear()  # a new sweep: its own columns, its lesson's choice first
        view.set_sweep(None, param, message)

    def show_progress(self, fraction: float | None) -> None:
        if fraction is None:
            self.progress.hide()
            return
        self.progress.setValue(int(1000 * fraction))
        self.progress.show()

    def show_sweep_table(self, table, param: str, show: str) -> None:
        self.ensure_view("sweep").set_sweep(table, param, show=show)

    # ------------------------------------------------------------ the sweep's thread

    def start_sweep(self, config, spec, hooks, out: Path | None) -> None:
        self.runner = SweepRunner(config, spec, hooks, out)
        self.thread = QThread()
        self.thread.setObjectName("sweep")
        self.runner.moveToThread(self.thread)
        self.thread.started.connect(self.runner.run)
        self.runner.finished.connect(self._on_finished)
        self.runner.finished.connect(self.thread.quit)
        self.thread.start()
        self.timer.start()

    def stop_sweep_thread(self) -> bool:
        if self.runner is None:
            return False
        self.runner.control.stop()
        return True

    def poll(self) -> None:
        if self.runner is not None:
            self.logic.show_sweep(*self.runner.latest())

    def _on_finished(self, reason: str) -> None:
        self.poll()
        self.timer.stop()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.logic.sweep_finished(reason)

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
    panel.logic.preset_chosen(name)
