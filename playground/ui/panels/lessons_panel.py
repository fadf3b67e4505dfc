"""The lessons panel (Qt side): pick a lesson (or open a teacher's lesson file), read its text
step by step beside the views, run it, and run its sweep.

What a choice opens, what opening a lesson does (settings, hooks, its own views first, its first
view brought forward when its run starts), what the state line says and when a sweep may start
are decided by the `LessonController` (playground.ui.controllers.lesson_controller); this module
is its view. A sweep runs in its own thread (`SweepRunner`, the core `run_sweep` with a
RunControl); the panel polls it on a timer, feeds the records of the value training now to the
window's views and hands each finished value's figures to the Sweep view. `install(window)` docks
the panel on the main window and adds the Lessons menu.
"""

from __future__ import annotations

import html
import threading
import traceback
from collections import deque
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from playground.core.base.control import RunControl
from playground.core.experiments.lessons import Lesson, builtin_lessons
from playground.ui.controllers.lesson_controller import (OPEN_FILE, LessonButtons, LessonController, Pager,
                                                         lesson_html)
from playground.ui.panels import look
from playground.ui.views import VIEWS, feed_sweep

POLL_MS = 200
# Records of the sweep's current run kept for the views between two polls; past this the
# oldest go (the curves then miss a few epochs; training never waits for the window).
MAX_PENDING_RECORDS = 5000
DOCK_MIN_WIDTH = 250
__all__ = ["LessonsPanel", "SweepRunner", "install", "lesson_html", "OPEN_FILE"]


class SweepRunner(QObject):
    """Runs one sweep from its own thread; the GUI thread polls `latest()`. With one job (a
    2-core laptop) the values train one after another in that thread and the value training now
    feeds the views epoch by epoch; with more (`jobs`: the cores but one) they train in that many
    processes and the sweep view takes each value as it finishes."""

    finished = Signal(str)  # stop reason, or "failed: ..."

    def __init__(self, config, spec, hooks, out: Path | None, jobs: int | None = None):
        from playground.core.experiments.sweep_workers import default_jobs

        super().__init__()  # no parent: moveToThread refuses objects with one
        self.config, self.spec, self.hooks, self.out = config, spec, hooks, out
        self.jobs = default_jobs() if jobs is None else jobs
        self._finished_values = 0
        self.control = RunControl()
        self._lock = threading.Lock()
        self._progress = None
        self._table = None
        self._table_revision = 0
        self._records: deque = deque(maxlen=MAX_PENDING_RECORDS)

    def latest(self):
        """(latest SweepProgress or None, table so far or None, table revision)."""
        with self._lock:
            return self._progress, self._table, self._table_revision

    def take_records(self) -> list:
        """The records trained since the last call, as (value's index, value, record)."""
        with self._lock:
            records = list(self._records)
            self._records.clear()
        return records

    def _on_progress(self, progress) -> None:
        # The record (its arrays are the trainer's copies) goes to the views through the queue;
        # the progress kept for the status line holds none.
        record, progress.record = progress.record, None
        with self._lock:
            self._progress = progress
            if record is not None:
                self._records.append((progress.trial, progress.value, record))

    def _on_finished(self, value, _rows) -> None:
        """In parallel there is no per-epoch progress: each finished value moves the bar."""
        if self.jobs == 1:
            return
        from playground.core.experiments.sweep import SweepProgress

        with self._lock:
            self._finished_values += 1
            self._progress = SweepProgress(self._finished_values - 1, len(self.spec.values), value, 1, 1)

    def _on_value(self, table) -> None:
        with self._lock:
            self._table = table
            self._table_revision += 1

    @Slot()
    def run(self) -> None:
        from playground.core.experiments.sweep import run_sweep

        try:
            result = run_sweep(self.config, self.spec, self.hooks, out=self.out, progress=self._on_progress,
                               control=self.control, on_value=self._on_value, jobs=self.jobs,
                               on_finished=self._on_finished)
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
        window.state_changed.connect(self.logic.run_state_changed)

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
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(14)  # a narrow dock elides the titles (each is a tooltip too)
        self.choice.addItem("— choose a lesson —", None)
        for lesson in self.lessons:
            self.choice.addItem(f"{lesson.order}. {lesson.title}", lesson.name)
            self.choice.setItemData(self.choice.count() - 1, lesson.title, Qt.ItemDataRole.ToolTipRole)
        self.choice.addItem("Open a lesson file…", OPEN_FILE)
        self.choice.activated.connect(self._chosen)
        layout.addWidget(self.choice)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.window.style_widget(self.text, look.text_style)
        self.text.setHtml("<h2>Lessons</h2><p>Each lesson is a ready experiment from a research article: "
                          "the question, what to do, what to look for, what the paper found and the caveats. "
                          "Choose one above; its settings are loaded and its views brought forward.</p>"
                          "<p>A teacher can write a lesson as a TOML file (see the README, section Lessons) "
                          "and open it here.</p>")
        layout.addWidget(self.text, 1)
        pager = QHBoxLayout()
        self.back_button = QPushButton("◀  Back")
        self.back_button.setToolTip("the lesson's previous step")
        self.back_button.clicked.connect(self.logic.previous_step)
        self.step_label = QLabel()
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton("Next  ▶")
        self.next_button.setToolTip("the lesson's next step: the question, what to do, what to look for, "
                                    "what the paper found")
        self.next_button.clicked.connect(self.logic.next_step)
        pager.addWidget(self.back_button)
        pager.addWidget(self.step_label, 1)
        pager.addWidget(self.next_button)
        layout.addLayout(pager)
        self.show_all = QCheckBox("Show all views")
        self.show_all.setToolTip("the lesson's own views come first; tick to show the others too")
        self.show_all.toggled.connect(lambda on: self.window.layout_logic.set_show_all(on))
        layout.addWidget(self.show_all)
        row = QHBoxLayout()
        self.run_button = QPushButton("▶  Run the lesson")
        self.run_button.setToolTip("train with the lesson's settings (as changed in the controls)")
        self.run_button.clicked.connect(self.run_lesson)
        self.sweep_button = QPushButton("Run the sweep")
        self.sweep_button.clicked.connect(self.run_sweep)
        for button in (self.run_button, self.sweep_button):
            row.addWidget(button)
        layout.addLayout(row)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.stop_button = QPushButton("Stop sweep")
        self.stop_button.clicked.connect(self.stop_sweep)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stop_button)
        layout.addLayout(progress_row)
        for button in (self.back_button, self.next_button, self.run_button, self.sweep_button, self.stop_button):
            self.window.style_widget(button, look.button_style)
        self.show_pager(Pager(0, 0, False, False))
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
        return self.window.view_of(key)

    def ensure_view(self, key: str):
        """The window's view of this key, made if the window has none yet and the view is one
        a lesson may add."""
        return self.window.view_of(key, create=True)

    def bring_forward(self, key: str | None = None) -> None:
        """Show the lesson's first view (or `key`)."""
        if key is None:
            self.logic.bring_forward()
            return
        self.window.show_view(key)

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
        self.window.preset_loaded("lesson")  # an overlay of another experiment goes

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
        dock = getattr(self.window, "lessons_dock", None)
        if lesson is not None and dock is not None and dock.isHidden():
            dock.show()  # closed in an earlier session: a lesson opened (--lesson, a preset) needs its text
        self.lesson_opened.emit(lesson)

    def runs_dir(self) -> Path:
        from playground.ui.session import autosave

        return autosave.runs_dir()

    def show_sweep_started(self, param: str, message: str, config=None, values=None) -> None:
        view = self.ensure_view("sweep")
        view.measure.clear()  # a new sweep: its own columns, its lesson's choice first
        view.set_sweep(None, param, message, config=config, values=values)
        feed_sweep(self.window.views, None, param, message)  # the lesson's own sweep views

    def show_progress(self, fraction: float | None) -> None:
        if fraction is None:
            self.progress.hide()
            return
        self.progress.setValue(int(1000 * fraction))
        self.progress.show()

    def show_sweep_table(self, table, param: str, show: str) -> None:
        self.ensure_view("sweep").set_sweep(table, param, show=show)
        feed_sweep(self.window.views, table, param)

    def show_pager(self, pager: Pager) -> None:
        for widget in (self.back_button, self.next_button, self.step_label, self.show_all):
            widget.setVisible(pager.steps > 0)  # with a lesson open
        self.step_label.setText(f"Step {pager.step} of {pager.steps}" if pager.steps else "")
        self.back_button.setEnabled(pager.back)
        self.next_button.setEnabled(pager.next)

    def show_lesson_views(self, views) -> None:
        self.window.layout_logic.set_lesson(views)

    def view_title(self, key: str) -> str:
        view_class = VIEWS.get(key)
        return view_class.title.replace("&&", "&") if view_class is not None else key

    def hold_runs(self, reason: str | None, total_epochs: int = 0) -> None:
        self.window.run.set_busy(reason, total_epochs)

    def show_sweep_run(self, config) -> None:
        self.window.show_sweep_run(config)

    def feed(self, records: list) -> None:
        self.window.feed(records)

    def follow_show_all(self, show_all: bool) -> None:
        """The show-all choice changed (here or in the View menu)."""
        self.show_all.blockSignals(True)
        self.show_all.setChecked(show_all)
        self.show_all.blockSignals(False)

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
            self.logic.show_sweep(*self.runner.latest(), records=self.runner.take_records())

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
    dock.setMinimumWidth(DOCK_MIN_WIDTH)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    panel.follow_show_all(window.layout_logic.show_all)
    window.show_all_changed.connect(panel.follow_show_all)
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
