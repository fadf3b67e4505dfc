"""The main window: run buttons and settings on the left, the live views on the right, a status bar.

The window is the controller of the GUI thread: a QTimer (~30 Hz) drains the worker's mailbox
into the `History` and redraws the views that are on screen. Nothing here touches the Trainer.
"""

from __future__ import annotations

import time
import traceback
from collections import deque
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton,
                               QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from playground.core.config import Config, ConfigError, validate
from playground.core.experiments.catalog import all_presets, get_preset
from playground.ui.menus import file_actions
from playground.ui.panels import lessons_panel
from playground.ui.panels.controls import ControlPanel
from playground.ui.model.history import History
from playground.ui.session.pacing import RedrawPacer
from playground.ui.views import MAIN_VIEWS, SIDE_VIEWS, PlotView
from playground.ui.session.worker import TrainingSession

REFRESH_MS = 33
TICK_BUDGET_S = 0.015  # redraw time one tick may spend; other views redraw on the next tick
DEFAULT_PRESET = "spiral"
# States of the run shown by the buttons and the status bar.
READY, RUNNING, PAUSED, STEPPING, STOPPING = "ready", "running", "paused", "stepping", "stopping"
FINISHED, STOPPED, DIVERGED, FAILED = "finished", "stopped", "diverged", "failed"
OVER = (FINISHED, STOPPED, DIVERGED, FAILED)

START_STYLE = ("QPushButton { background: #2e8b57; color: white; font-size: 16pt; font-weight: bold;"
               " padding: 10px 18px; border-radius: 6px; }"
               "QPushButton:disabled { background: #9bbfa9; }")
BUTTON_STYLE = "QPushButton { font-size: 11pt; padding: 6px 8px; }"
BANNER_STYLE = "QLabel { background: #fde2e1; color: #8a1c1c; font-size: 12pt; padding: 8px; border: 1px solid #e0a0a0; }"


def default_config() -> Config:
    return validate(get_preset(DEFAULT_PRESET).config())


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else f"{seconds // 60}:{seconds % 60:02d}"


class RateMeter:
    """Epochs per second over the last few seconds of drained records."""

    def __init__(self, window_s: float = 2.0):
        self.samples: deque[tuple[float, int]] = deque()
        self.window_s = window_s

    def add(self, now: float, epoch: int) -> None:
        self.samples.append((now, epoch))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window_s:
            self.samples.popleft()

    def rate(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, e0), (t1, e1) = self.samples[0], self.samples[-1]
        return (e1 - e0) / (t1 - t0) if t1 > t0 else 0.0

    def clear(self) -> None:
        self.samples.clear()


class MainWindow(QMainWindow):
    def __init__(self, config: Config | None = None, refresh_ms: int = REFRESH_MS):
        super().__init__()
        self.setWindowTitle("Toy Network Playground")
        self.history = History()
        self.session = TrainingSession(self)
        self.state = READY
        self.run_config: Config | None = None
        self.device_name = "cpu"
        self.total_epochs = 0
        self.rate = RateMeter()
        self.tick_times: deque[float] = deque(maxlen=5000)
        self.update_hidden_views = False  # the benchmark redraws every view, shown or not
        self.pacer = RedrawPacer()
        self._next_view = 0  # where the next tick's redraws begin
        # Asked before a change that discards the current run; tests replace it.
        self.confirm_reset = self._ask_reset
        self.controls = ControlPanel(config or default_config())
        self.views: list[PlotView] = []
        self._build()
        self.controls.changed.connect(self._on_controls_changed)
        self.controls.refused.connect(self.show_refusal)
        self.session.run_started.connect(self._on_run_started)
        self.session.run_finished.connect(self._on_run_finished)
        self.session.run_failed.connect(self._on_run_failed)
        self.session.step_done.connect(self._on_step_done)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        file_actions.install(self)  # File menu, figure export, autosave of every run
        lessons_panel.install(self)  # the Lessons dock and menu
        self._set_state(READY)
        self.show_preview()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        left_layout.addWidget(self._run_bar())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_layout.addWidget(scroll, 1)
        left.setMinimumWidth(340)
        left.setMaximumWidth(460)

        self.tabs = QTabWidget()
        self.tabs.setStyleSheet("QTabBar::tab { font-size: 11pt; padding: 6px 14px; }")
        for cls in MAIN_VIEWS:
            view = cls()
            self.views.append(view)
            self.tabs.addTab(view, view.title)
        side = QSplitter(Qt.Orientation.Vertical)
        for cls in SIDE_VIEWS:
            view = cls()
            self.views.append(view)
            side.addWidget(view)
        self.banner = QLabel()
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        views = QSplitter(Qt.Orientation.Horizontal)
        views.addWidget(self.tabs)
        views.addWidget(side)
        views.setStretchFactor(0, 3)
        views.setStretchFactor(1, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(views, 1)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(1, 1)
        self.setCentralWidget(main)
        self._status_bar()
        self.resize(1600, 960)

    def _run_bar(self) -> QWidget:
        bar = QWidget()
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(0, 0, 0, 0)
        self.start_button = QPushButton("▶  Start")
        self.start_button.setStyleSheet(START_STYLE)
        self.start_button.setToolTip("train the network with the settings below (Ctrl+Return)")
        self.start_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button)
        row = QHBoxLayout()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("pause or resume training (Ctrl+P)")
        self.pause_button.setShortcut(QKeySequence("Ctrl+P"))
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("train one epoch, then pause")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("end the run (its curves stay on screen)")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("discard the run and start afresh from the settings")
        for button, slot in ((self.pause_button, self.toggle_pause), (self.step_button, self.step),
                             (self.stop_button, self.stop), (self.reset_button, self.reset)):
            button.setStyleSheet(BUTTON_STYLE)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        preset_row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.addItem("— choose a ready-made setup —", None)
        for name in sorted(all_presets()):
            self.preset.addItem(name, name)
            self.preset.setItemData(self.preset.count() - 1, all_presets()[name].description, Qt.ItemDataRole.ToolTipRole)
        self.preset.activated.connect(self._preset_chosen)
        preset_row.addWidget(QLabel("Preset"))
        preset_row.addWidget(self.preset, 1)
        layout.addLayout(preset_row)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.hide()
        layout.addWidget(self.message)
        return bar

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.status_state = QLabel()
        self.status_epoch = QLabel()
        self.status_rate = QLabel()
        self.status_device = QLabel()
        self.status_elapsed = QLabel()
        for label in (self.status_state, self.status_epoch, self.status_rate, self.status_device, self.status_elapsed):
            label.setStyleSheet("padding: 0 10px; font-size: 11pt;")
            bar.addPermanentWidget(label)

    # ------------------------------------------------------------ run control

    def start(self) -> None:
        if self.state not in (READY, *OVER):
            return
        try:
            cfg = self.controls.config()
        except ConfigError as exc:
            self.show_refusal(str(exc))
            return
        self._begin(cfg, steps=None)

    def _begin(self, cfg: Config, steps: int | None) -> None:
        self.session.shutdown()
        preview = dict(self.history.live) if self.state == READY else {}  # on screen until the first record
        self._clear_run()
        self.history.live.update(preview)
        self.run_config = cfg
        self.history.config = cfg
        self.total_epochs = 0
        self._pick_view(cfg)
        self.pacer.reset()
        self.session.start(cfg, steps=steps)
        self._set_state(STEPPING if steps else RUNNING)
        if preview:
            self._redraw_views(time.perf_counter())

    def toggle_pause(self) -> None:
        if self.state == RUNNING:
            self.session.pause()
            self._set_state(PAUSED)
        elif self.state == PAUSED:
            self.session.resume()
            self._set_state(RUNNING)

    def step(self) -> None:
        if self.state == PAUSED:
            self.session.step(1)
            self._set_state(STEPPING)
        elif self.state in (READY, *OVER):
            try:
                cfg = self.controls.config()
            except ConfigError as exc:
                self.show_refusal(str(exc))
                return
            self._begin(cfg, steps=1)

    def stop(self) -> None:
        if self.state in (RUNNING, PAUSED, STEPPING):
            self.session.stop()
            self._set_state(STOPPING)

    def reset(self) -> None:
        self.session.shutdown()
        self._clear_run()
        self.run_config = None
        self._set_state(READY)
        self.show_preview()

    def show_preview(self) -> None:
        """Before a run: the settings' data points and initial network, so a student sees the
        task and the network before pressing Start."""
        if self.state != READY:
            return
        from playground.ui.model.preview import preview

        self.history = History()
        try:
            cfg = self.controls.config()
            self.history.config = cfg
            self.history.live.update(preview(cfg))
        except Exception as exc:  # an incomplete task (csv without a file): nothing to preview
            self.statusBar().showMessage(f"no preview: {exc}", 5000)
        self.history.live_revision += 1
        self.history.revision += 1

    def _clear_run(self) -> None:
        self.session.take()
        self.history = History()
        self.rate.clear()
        for view in self.views:
            view.clear()
        self.banner.hide()
        self.message.hide()

    def _set_state(self, state: str) -> None:
        self.state = state
        idle = state in (READY, *OVER)
        self.start_button.setEnabled(idle)
        self.start_button.setText("▶  Start" if state == READY else "▶  Start again" if idle else "Training…")
        self.pause_button.setEnabled(state in (RUNNING, PAUSED))
        self.pause_button.setText("Resume" if state == PAUSED else "Pause")
        self.step_button.setEnabled(idle or state == PAUSED)
        self.stop_button.setEnabled(state in (RUNNING, PAUSED, STEPPING))
        self.reset_button.setEnabled(state != STOPPING)
        self._update_status()

    def _pick_view(self, cfg: Config) -> None:
        """Bring forward the view this run is about."""
        wanted = "loss"
        if cfg.continual.tasks > 1:
            wanted = "forgetting"
        elif cfg.probes.enabled:
            wanted = "info_plane"
        for index in range(self.tabs.count()):
            if getattr(self.tabs.widget(index), "key", None) == wanted:
                self.tabs.setCurrentIndex(index)

    # ------------------------------------------------------------ worker events

    def _on_run_started(self, info) -> None:
        self.device_name, self.total_epochs, _members = info
        self._update_status()

    def _on_step_done(self, epoch: int) -> None:
        if self.state == STEPPING:
            self._set_state(PAUSED)

    def _on_run_finished(self, reason: str) -> None:
        if reason.startswith("diverged"):
            self.show_banner(f"Training diverged. {reason[len('diverged: '):]}. Change the settings and press Start again.")
            self._set_state(DIVERGED)
        elif reason == "failed":
            self._set_state(FAILED)
        elif reason == "completed":
            self._set_state(FINISHED)
        else:
            self._set_state(STOPPED)
        self.tick()  # the last records

    def _on_run_failed(self, message: str) -> None:
        self.show_banner(f"Could not train: {message}")

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def show_refusal(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.statusBar().showMessage(message, 10_000)

    # ------------------------------------------------------------ settings

    def _on_controls_changed(self, kind: str, what: str) -> None:
        self.message.hide()
        if kind == "live":
            params = self.controls.live_params()
            if self.run_config is not None:
                self.run_config = replace(self.run_config, train=replace(self.run_config.train, **params))
                self.history.config = self.run_config
            self.session.set_optimizer_params(**params)
            return
        if self.state == READY:
            self.show_preview()
            return
        running = self.state not in OVER
        question = (f"Changing {what} needs a new run: the current run {'stops and ' if running else ''}"
                    f"is cleared. Reset now?")
        if self.confirm_reset(question):
            self.reset()
        else:
            self.controls.set_config(self.run_config)

    def _ask_reset(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Reset the run?", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _preset_chosen(self, index: int) -> None:
        name = self.preset.itemData(index)
        if not name:
            return
        if self.state != READY and not self.confirm_reset(f"Loading the preset {name} clears the current run. Go on?"):
            self.preset.setCurrentIndex(0)
            return
        self.reset()
        self.controls.set_config(validate(get_preset(name).config()))
        self.statusBar().showMessage(f"{name}: {all_presets()[name].description}", 10_000)

    # ------------------------------------------------------------ the timer

    def tick(self) -> None:
        now = time.perf_counter()
        self.tick_times.append(now)
        records = self.session.take()
        if records:
            self.history.extend(records)
            self.rate.add(now, self.history.epoch)
        self._update_status()
        self._fit_side_views()
        # While training, redraws may be spaced out to leave the trainer its share of the GIL.
        if self.state == RUNNING and not self.pacer.due():
            return
        self._redraw_views(now)

    def _fit_side_views(self) -> None:
        """The decision boundary has nothing to draw for a task without 2 inputs: it then gives
        its room to the network drawing (the main views need the width on a 1600 px screen)."""
        inputs = self.history.live.get("task_inputs")
        wanted = inputs is None or inputs == 2
        for view in self.views:
            if view.key == "boundary" and view.isVisibleTo(self) != wanted:
                view.setVisible(wanted)

    def _redraw_views(self, started: float) -> None:
        """Redraw the views on screen, in turn from where the last tick stopped, until this
        tick's time budget is spent: one tick never grows long, the rest wait for the next."""
        shown = [view for view in self.views if self.update_hidden_views or view.isVisible()]
        if not shown:
            return
        first = self._next_view % len(shown)
        for offset in range(len(shown)):
            index = (first + offset) % len(shown)
            if offset and time.perf_counter() - started > TICK_BUDGET_S:
                self._next_view = index
                return
            self._update_view(shown[index])
        self._next_view = first

    def _update_view(self, view: PlotView) -> None:
        try:
            view.update_from(self.history)
        except Exception as exc:  # one broken view must not stop the others or the run
            traceback.print_exc()
            view.show_message(f"{view.title}: could not draw this run ({type(exc).__name__}: {exc})")

    def _update_status(self) -> None:
        h = self.history
        total = f" / {self.total_epochs}" if self.total_epochs else ""
        texts = (f"<b>{self.state}</b>", f"epoch {h.epoch}{total}",
                 f"{self.rate.rate():.1f} epochs/s" if self.state == RUNNING else "",
                 f"device: {self.device_name}", f"training time {format_duration(h.elapsed)}")
        labels = (self.status_state, self.status_epoch, self.status_rate, self.status_device, self.status_elapsed)
        for label, text in zip(labels, texts):
            if label.text() != text:  # an unchanged label costs nothing to leave alone
                label.setText(text)

    # ------------------------------------------------------------ closing

    def shutdown(self) -> None:
        self.timer.stop()
        self.session.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
