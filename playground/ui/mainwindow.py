"""The main window: run buttons and settings on the left, the live views on the right, a status bar.

What the run buttons do is decided by the `RunController` (playground.ui.controllers); where the
views go, the zoom and presenter mode by the `LayoutController`. The window is their view: it
shows the buttons and the status, asks the questions, and on a QTimer (~30 Hz) drains the
worker's mailbox into the `History` and redraws the views that are on screen. Nothing here
touches the Trainer. The File and View menus and the Lessons dock are installed on it by
`playground.ui.app.build_window`.
"""

from __future__ import annotations

import time
import traceback
from collections import deque

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QApplication, QComboBox, QHBoxLayout, QLabel, QMainWindow, QMessageBox, QPushButton,
                               QScrollArea, QSplitter, QVBoxLayout, QWidget)

from playground.core.config import Config, validate
from playground.core.experiments.catalog import all_presets, get_preset
from playground.ui.controllers.layout_controller import Arrangement, LayoutController
from playground.ui.controllers.run_controller import (Buttons, RunController, buttons_for, metrics_readout,
                                                      task_classes)
from playground.ui.model.history import History
from playground.ui.model.run_state import OVER, RunState  # noqa: F401  (OVER: for the tests and the benchmark)
from playground.ui.panels import look
from playground.ui.panels.controls import ControlPanel
from playground.ui.panels.status_line import StatusLine
from playground.ui.panels.view_area import ViewArea
from playground.ui.session import autosave
from playground.ui.session.pacing import RedrawPacer
from playground.ui.session.worker import TrainingSession
from playground.ui.views import MAIN, ON_DEMAND, SIDE, PlotView, make_view

REFRESH_MS = 33
TICK_BUDGET_S = 0.015  # redraw time one tick may spend; other views redraw on the next tick
DEFAULT_PRESET = "spiral"
# The run's states by name, for the tests and the benchmark (playground.ui.model.run_state).
READY, RUNNING, PAUSED, STEPPING, STOPPING = (RunState.READY, RunState.RUNNING, RunState.PAUSED,
                                              RunState.STEPPING, RunState.STOPPING)
FINISHED, STOPPED, DIVERGED, FAILED = RunState.FINISHED, RunState.STOPPED, RunState.DIVERGED, RunState.FAILED

# Views whose drawing keeps something of the task's classes (the boundary's key of classes):
# made afresh when the number of classes changes, so a 2-class task never shows a 5-class key.
CLASS_VIEWS = ("boundary",)
# The window's size where the screen allows: wide enough for the views beside the settings
# (and the lesson's text, when its dock is open).
PREFERRED_SIZE = (1600, 960)
LESSON_EXTRA_WIDTH = 360
FRAME_ALLOWANCE = (16, 40)  # borders and a title bar, before the window manager has framed the window
LEFT_MIN_WIDTH = 270
LEFT_MAX_WIDTH = 460



def default_config() -> Config:
    return validate(get_preset(DEFAULT_PRESET).config())


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
    state_changed = Signal(object)  # RunState, after every change (the lessons panel follows it)
    view_added = Signal(object)  # a PlotView made after the window was built (a lesson's)
    preset_replaced = Signal(str)  # a preset (or lesson) replaced the settings: an overlay of the old one goes
    show_all_changed = Signal(bool)  # "show all views", from the lessons panel or the View menu

    def __init__(self, config: Config | None = None, refresh_ms: int = REFRESH_MS):
        super().__init__()
        self.setWindowTitle("Toy Network Playground")
        self.history = History()
        self.session = TrainingSession(self)
        self.run = RunController(self, self.session)
        self.store = autosave.settings()
        self.layout_logic = LayoutController(self, self.store)
        self.rate = RateMeter()
        self.tick_times: deque[float] = deque(maxlen=5000)
        self.update_hidden_views = False  # the benchmark redraws every view, shown or not
        self.pacer = RedrawPacer()
        self._next_view = 0  # where the next tick's redraws begin
        self._readout_revision = None
        self._classes: int | None = None  # of the task the views were last prepared for
        self._styled: list[tuple[QWidget, object]] = []  # widgets whose style sheet follows the zoom
        self.zoom = 1.0
        # Asked before a change that discards the current run; tests replace it.
        self.confirm_reset = self._ask_reset
        self.controls = ControlPanel(config or default_config())
        self.views: list[PlotView] = []
        self._build()
        self.controls.changed.connect(self._on_controls_changed)
        self.controls.refused.connect(self.show_refusal)
        self.controls.advanced_toggled.connect(self.layout_logic.set_advanced)
        self.session.run_started.connect(self.run.on_started)
        self.session.run_finished.connect(self.run.on_finished)
        self.session.run_failed.connect(self.run.on_failed)
        self.session.step_done.connect(self.run.on_step_done)
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.layout_logic.apply_all()
        self.show_state(self.run.state, buttons_for(self.run.state))
        self.show_preview()

    # ------------------------------------------------------------ the run, as the controller holds it

    @property
    def state(self) -> RunState:
        return self.run.state

    @property
    def run_config(self) -> Config | None:
        return self.run.run_config

    @property
    def device_name(self) -> str:
        return self.run.device_name

    @property
    def total_epochs(self) -> int:
        return self.run.total_epochs

    def start(self) -> None:
        self.run.start()

    def toggle_pause(self) -> None:
        self.run.toggle_pause()

    def step(self) -> None:
        self.run.step()

    def stop(self) -> None:
        self.run.stop()

    def reset(self) -> None:
        self.run.reset()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 6, 6)
        left_layout.addWidget(self._run_bar())
        self.controls_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.controls)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        left_layout.addWidget(scroll, 1)
        left.setMinimumWidth(LEFT_MIN_WIDTH)
        left.setMaximumWidth(LEFT_MAX_WIDTH)
        self.left = left

        self.area = ViewArea()
        self.tabs = self.area.tabs
        self.banner = self.area.banner
        for key in (*MAIN, *SIDE):
            self._add_view(make_view(key))
        self.area.resized.connect(self.layout_logic.views_resized)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(left)
        self.main_split.addWidget(self.area)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setCollapsible(1, False)
        self.setCentralWidget(self.main_split)
        self._status_bar()
        self.resize(*PREFERRED_SIZE)

    def _add_view(self, view: PlotView) -> PlotView:
        self.views.append(view)
        self.area.add(view)
        return view

    def _run_bar(self) -> QWidget:
        bar = QWidget()
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(0, 0, 0, 0)
        self.start_button = QPushButton("▶  Start")
        self.style_widget(self.start_button, look.start_style)
        self.start_button.setToolTip("train the network with the settings below (Ctrl+Return)")
        self.start_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button)
        row = QHBoxLayout()
        row.setSpacing(4)
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
            self.style_widget(button, look.button_style)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        preset_row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(10)
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
        self.style_widget(self.message, look.message_style)
        self.message.hide()
        layout.addWidget(self.message)
        return bar

    def _status_bar(self) -> None:
        self.status_line = StatusLine()
        self.status_state = QLabel()
        self.status_epoch = QLabel()
        self.status_rate = QLabel()
        self.status_readout = QLabel()
        self.status_device = QLabel()
        self.status_elapsed = QLabel()
        # Priorities: the state and the epoch stay longest, then the loss and accuracy.
        for label, priority in ((self.status_state, 9), (self.status_epoch, 8), (self.status_readout, 7),
                                (self.status_rate, 4), (self.status_elapsed, 3), (self.status_device, 2)):
            self.add_status_label(label, priority)
        self.statusBar().addPermanentWidget(self.status_line, 1)

    def add_status_label(self, label: QLabel, priority: int) -> QLabel:
        """A label in the status bar's row; the lower its priority, the sooner it steps aside
        when the row has no room."""
        self.style_widget(label, look.status_style)
        return self.status_line.add(label, priority)

    def style_widget(self, widget: QWidget, style) -> None:
        """Give `widget` the style sheet `style(zoom)`, now and after every zoom."""
        self._styled.append((widget, style))
        widget.setStyleSheet(style(self.zoom))

    # ------------------------------------------------------------ the layout controller's view (LayoutView)

    def view_keys(self) -> list[str]:
        return self.area.keys()

    def side_keys(self) -> tuple[str, ...]:
        return SIDE

    def apply_arrangement(self, arrangement: Arrangement) -> None:
        self.area.arrange(arrangement)
        self._fit_side_views()

    def apply_zoom(self, zoom: float) -> None:
        """Scale the text of every widget (the window's font, which its widgets inherit, and its
        style sheets) and draw every plot `zoom` times larger. (Not the application's font: a
        change of it reaches pyqtgraph's items too, and their late font events crashed at exit.)"""
        if not hasattr(self, "_base_font_pt"):
            self._base_font_pt = self.font().pointSizeF()
        self.zoom = zoom
        font = self.font()
        if abs(font.pointSizeF() - self._base_font_pt * zoom) > 1e-6:
            font.setPointSizeF(self._base_font_pt * zoom)
            self.setFont(font)
        for widget, style in self._styled:
            widget.setStyleSheet(style(zoom))
        self.area.set_zoom(zoom)
        self.status_line.text_changed()

    def show_advanced(self, advanced: bool) -> None:
        self.controls.set_advanced(advanced)
        self.stop_button.setVisible(advanced)

    def show_all_views(self, show_all: bool) -> None:
        self.show_all_changed.emit(show_all)

    def show_full_screen(self, full: bool) -> None:
        if full:
            self.showFullScreen()
        elif self.isFullScreen():
            self.showNormal()

    def is_full_screen(self) -> bool:
        return self.isFullScreen()

    def give_views_room(self, room: bool) -> None:
        dock = getattr(self, "lessons_dock", None)
        if room:
            self._room_before = (self.main_split.sizes(), dock.width() if dock is not None else 0)
            total = sum(self.main_split.sizes())
            left = self.left.minimumSizeHint().width()
            self.main_split.setSizes([left, max(total - left, 1)])
            if dock is not None:
                self.resizeDocks([dock], [dock.minimumSizeHint().width()], Qt.Orientation.Horizontal)
            return
        sizes, dock_width = getattr(self, "_room_before", (None, 0))
        if sizes:
            self.main_split.setSizes(sizes)
        if dock is not None and dock_width:
            self.resizeDocks([dock], [dock_width], Qt.Orientation.Horizontal)

    def view_of(self, key: str, create: bool = False) -> PlotView | None:
        """The window's view of this key; with `create`, a view a lesson may add (ON_DEMAND) is
        made the first time it is asked for."""
        view = next((v for v in self.views if v.key == key), None)
        if view is None and create and key in ON_DEMAND:
            view = self._add_view(make_view(key))
            self.area.zooms[key].set_zoom(self.zoom)
            self.view_added.emit(view)
            self.layout_logic.rearrange()
        return view

    def show_view(self, key: str) -> bool:
        return self.area.show_view(key)

    def fit_to_screen(self) -> None:
        """The window's size: as preferred, within the screen it is on (less the frame the
        window manager adds), never under its own minimum."""
        screen = self.screen()
        if screen is None:
            return
        available = screen.availableGeometry()
        if self.isVisible() and self.frameGeometry().height() > self.geometry().height():
            frame = (self.frameGeometry().width() - self.geometry().width(),
                     self.frameGeometry().height() - self.geometry().height())
        else:
            frame = FRAME_ALLOWANCE
        dock = getattr(self, "lessons_dock", None)
        width = PREFERRED_SIZE[0] + (LESSON_EXTRA_WIDTH if dock is not None and not dock.isHidden() else 0)
        minimum = self.minimumSizeHint()
        width = max(min(width, available.width() - frame[0]), minimum.width())
        height = max(min(PREFERRED_SIZE[1], available.height() - frame[1]), minimum.height())
        self.resize(width, height)
        if not available.contains(self.frameGeometry().topLeft()):
            self.move(available.topLeft())

    # ------------------------------------------------------------ remembered between sessions

    def restore_layout(self) -> None:
        """The splitters and docks as the last session left them."""
        for key, target in self._layout_parts():
            value = self.store.value(key)
            if isinstance(value, QByteArray) and not value.isEmpty():
                target[1](value)

    def save_layout(self) -> None:
        if self.layout_logic.presenter:
            return  # presenter mode's layout is not the everyday one
        for key, target in self._layout_parts():
            self.store.setValue(key, target[0]())
        self.store.sync()

    def _layout_parts(self):
        parts = {"window/docks": (self.saveState, self.restoreState),
                 "window/main_split": (self.main_split.saveState, self.main_split.restoreState),
                 "window/views_split": (self.area.split.saveState, self.area.split.restoreState),
                 "window/side_split": (self.area.side.saveState, self.area.side.restoreState)}
        return list(parts.items())

    # ------------------------------------------------------------ the controller's view (RunView)

    def read_settings(self) -> Config:
        return self.controls.config()

    def live_params(self) -> dict[str, float]:
        return self.controls.live_params()

    def load_settings(self, config: Config) -> None:
        self.controls.set_config(config)

    def show_state(self, state: RunState, buttons: Buttons) -> None:
        self.start_button.setEnabled(buttons.start)
        self.start_button.setText(buttons.start_text)
        self.pause_button.setEnabled(buttons.pause)
        self.pause_button.setText(buttons.pause_text)
        self.step_button.setEnabled(buttons.step)
        self.stop_button.setEnabled(buttons.stop)
        self.reset_button.setEnabled(buttons.reset)
        self._update_status()
        self.state_changed.emit(state)

    def refresh_status(self) -> None:
        self._update_status()

    def show_banner(self, text: str) -> None:
        self.area.show_banner(text)

    def show_refusal(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.statusBar().showMessage(message, 10_000)

    refuse = show_refusal

    def say(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def ask(self, question: str) -> bool:
        return self.confirm_reset(question)

    def clear_run(self, keep_preview: bool = False) -> None:
        preview = dict(self.history.live) if keep_preview else {}
        self.history = History()
        self.history.live.update(preview)  # on screen until the first record arrives
        self.rate.clear()
        for view in self.views:
            view.clear()
        self.banner.hide()
        self.message.hide()

    def prepare_run(self, config: Config) -> None:
        self._follow_classes(config)
        self.history.config = config
        self.pick_view(config)
        self.pacer.reset()
        if self.history.live:
            self._redraw_views(time.perf_counter())

    def show_run_config(self, config: Config) -> None:
        self.history.config = config

    def drain(self) -> None:
        self.tick()

    def preset_loaded(self, name: str) -> None:
        self.preset_replaced.emit(name)

    def show_preview(self) -> None:
        """Before a run: the settings' data points and initial network, so a student sees the
        task and the network before pressing Start. (Not while a lesson's sweep feeds the views.)"""
        if self.state is not RunState.READY or self.run.busy:
            return
        from playground.ui.model.preview import preview

        self.history = History()
        try:
            cfg = self.controls.config()
            self._follow_classes(cfg)
            self.history.config = cfg
            self.history.live.update(preview(cfg))
        except Exception as exc:  # an incomplete task (csv without a file): nothing to preview
            self.statusBar().showMessage(f"no preview: {exc}", 5000)
        self.history.live_revision += 1
        self.history.revision += 1

    def _follow_classes(self, config: Config) -> None:
        classes = task_classes(config)
        if classes is None or classes == self._classes:
            return
        if self._classes is not None:
            for key in CLASS_VIEWS:
                self.renew_view(key)
        self._classes = classes

    def renew_view(self, key: str) -> PlotView | None:
        """A fresh view of this key in the old one's place (and list position)."""
        old = self.view_of(key)
        if old is None:
            return None
        view = make_view(key)
        self.views[self.views.index(old)] = view
        self.area.replace(key, view)
        self.view_added.emit(view)
        return view

    def pick_view(self, cfg: Config) -> None:
        """Bring forward the view this run is about."""
        wanted = "loss"
        if cfg.continual.tasks > 1:
            wanted = "forgetting"
        elif cfg.probes.enabled:
            wanted = "info_plane"
        self.show_view(wanted)

    # ------------------------------------------------------------ a lesson's sweep feeds the views

    def show_sweep_run(self, config: Config) -> None:
        """The sweep's next value has begun training: the views start afresh on its settings."""
        self._follow_classes(config)
        self.clear_run()
        self.history.config = config
        self.pacer.reset()

    def feed(self, records: list) -> None:
        """Records of the sweep's current value, drawn as a run's are."""
        if records:
            self.history.extend(records)
            self.rate.add(time.perf_counter(), self.history.epoch)

    # ------------------------------------------------------------ settings

    def _on_controls_changed(self, kind: str, what: str) -> None:
        self.message.hide()
        self.run.on_settings_changed(kind, what)

    def _ask_reset(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Reset the run?", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def _preset_chosen(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name and not self.run.load_preset(name):
            self.preset.setCurrentIndex(0)

    # ------------------------------------------------------------ the timer

    def tick(self) -> None:
        now = time.perf_counter()
        self.tick_times.append(now)
        records = self.run.take_records()
        if records:
            self.history.extend(records)
            self.rate.add(now, self.history.epoch)
        self._update_status()
        self._fit_side_views()
        # While training, redraws may be spaced out to leave the trainer its share of the GIL.
        if (self.state == RUNNING or self.run.busy) and not self.pacer.due():
            return
        self._redraw_views(now)

    def _fit_side_views(self) -> None:
        live = self.history.live
        # A 2-D task whose inputs are features of the plane (x1^2, ...) has more than 2 inputs.
        has_plane = "boundary" in live or "preview" in live
        self.area.fit_side(live.get("task_inputs"), has_plane)

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
        texts = self.run.status_texts(h.epoch, self.rate.rate(), h.elapsed)
        labels = (self.status_state, self.status_epoch, self.status_rate, self.status_device, self.status_elapsed)
        changed = False
        for label, text in zip(labels, texts):
            if label.text() != text:  # an unchanged label costs nothing to leave alone
                label.setText(text)
                changed = True
        revision = (id(h), h.revision_of("metrics"))
        if revision != self._readout_revision:
            self._readout_revision = revision
            text, tip = metrics_readout(h.columns("metrics"))
            self.status_readout.setText(text)
            self.status_readout.setToolTip(tip)
            changed = True
        if changed:
            self.status_line.text_changed()

    # ------------------------------------------------------------ closing

    def shutdown(self) -> None:
        self.timer.stop()
        if not getattr(self, "_layout_saved", False):
            self._layout_saved = True
            self.save_layout()
        self.run.close()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        if event.key() == Qt.Key.Key_Escape and self.layout_logic.presenter:
            self.layout_logic.leave_presenter()
            return
        super().keyPressEvent(event)
