"""The File menu (Qt side): configs and runs in and out, figures out, the autosave folder.

What each action asks, refuses and does is decided by `FileController`
(playground.ui.controllers.file_controller); this module builds the menu and the per-view export
buttons, asks through real dialogs (`Dialogs`, which tests replace), and is the controller's
window: it reaches the main window's public parts (controls, views, history, session, run).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QLabel, QMenu, QMessageBox, QSpinBox, QToolButton, QWidget)

from playground.ui.controllers.file_controller import FileController
from playground.ui.figures import export, render
from playground.ui.model.history import History
from playground.ui.model.run_state import RunState
from playground.ui.session import autosave


class ExportOptions(QDialog):
    """Format (PNG or SVG) and, for PNG, the width in pixels."""

    def __init__(self, parent: QWidget | None, format: str | None, width: int):
        super().__init__(parent)
        self.setWindowTitle("Export")
        form = QFormLayout(self)
        self.format = QComboBox()
        self.format.addItem("PNG image", "png")
        self.format.addItem("SVG drawing (scalable)", "svg")
        self.format.setCurrentIndex(1 if format == "svg" else 0)
        self.format.setEnabled(format is None)
        self.width = QSpinBox()
        self.width.setRange(export.MIN_WIDTH, export.MAX_WIDTH)
        self.width.setSingleStep(200)
        self.width.setSuffix(" px")
        self.width.setValue(width)
        self.width.setToolTip("PNG width in pixels; the height follows the view's shape")
        self.format.currentIndexChanged.connect(lambda _=None: self.width.setEnabled(self.format.currentData() == "png"))
        self.width.setEnabled(self.format.currentData() == "png")
        form.addRow("Format", self.format)
        form.addRow("Width", self.width)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class AnimationOptions(QDialog):
    """Which view, frames per second, length and width of a movie over the run's epochs."""

    def __init__(self, parent: QWidget | None, views: list[tuple[str, str]], current: str | None, fps: int,
                 seconds: float, width: int):
        from playground.ui.figures.movie import ffmpeg_path
        from playground.ui.model.timeline import MAX_FPS, MAX_SECONDS

        super().__init__(parent)
        self.setWindowTitle("Export animation")
        form = QFormLayout(self)
        self.view = QComboBox()
        for key, title in views:
            self.view.addItem(title, key)
        keys = [key for key, _ in views]
        self.view.setCurrentIndex(keys.index(current) if current in keys else 0)
        self.fps = QSpinBox()
        self.fps.setRange(1, MAX_FPS)
        self.fps.setSuffix(" frames/s")
        self.fps.setValue(fps)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.5, MAX_SECONDS)
        self.seconds.setSingleStep(1.0)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(seconds)
        self.width = QSpinBox()
        self.width.setRange(export.MIN_WIDTH, export.MAX_WIDTH)
        self.width.setSingleStep(100)
        self.width.setSuffix(" px")
        self.width.setValue(width)
        form.addRow("View", self.view)
        form.addRow("Frame rate", self.fps)
        form.addRow("Length", self.seconds)
        form.addRow("Width", self.width)
        form.addRow(QLabel("A GIF, and an MP4 beside it (ffmpeg found)" if ffmpeg_path()
                           else "A GIF (an MP4 too where ffmpeg is installed)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class Dialogs:
    """The questions the File menu asks; each returns None when the user cancels."""

    def __init__(self, parent: QWidget):
        self.parent = parent

    def open_file(self, title: str, start: str, filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, start, filter)
        return path or None

    def save_file(self, title: str, suggested: str, filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, filter)
        return path or None

    def folder(self, title: str, start: str) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, title, start) or None

    def export_options(self, format: str | None, width: int) -> tuple[str, int] | None:
        dialog = ExportOptions(self.parent, format, width)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.format.currentData(), dialog.width.value()

    def animation_options(self, views, current, fps, seconds, width):
        dialog = AnimationOptions(self.parent, views, current, fps, seconds, width)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.view.currentData(), dialog.fps.value(), dialog.seconds.value(), dialog.width.value()

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)


class FileActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.files = FileController(self, Dialogs(window), autosave.settings(), export.DEFAULT_WIDTH)
        self._build_menu()
        for view in window.views:
            self._install_view_menu(view)
        window.view_added.connect(self._view_added)
        self.status = QLabel()
        self.status.setOpenExternalLinks(True)
        window.add_status_label(self.status, 5)
        window.session.recorder_factory = self._recorder
        window.session.run_finished.connect(lambda _reason: self.refresh())
        # A settings change before Start replaces a reopened run with the preview; after a
        # Reset the old run's folder is no longer what the views show.
        window.controls.changed.connect(lambda _kind, _what: self.refresh())
        window.state_changed.connect(lambda _state: self.refresh())
        # An overlay compares with the experiment on screen: another preset or lesson ends it.
        window.preset_replaced.connect(lambda _name: self.files.comparison is not None and self.clear_overlay())
        self.refresh()

    # The controller's dialogs and store; tests replace the dialogs.
    @property
    def dialogs(self):
        return self.files.dialogs

    @dialogs.setter
    def dialogs(self, dialogs) -> None:
        self.files.dialogs = dialogs

    @property
    def store(self):
        return self.files.store

    @property
    def comparison(self) -> History | None:
        return self.files.comparison

    # ------------------------------------------------------------ building

    def _action(self, menu: QMenu, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        menu = QMenu("&File", bar)
        first = bar.actions()[0] if bar.actions() else None
        bar.insertMenu(first, menu) if first is not None else bar.addMenu(menu)
        self.menu = menu
        files = self.files
        self._action(menu, "Open config…", files.open_config, "Ctrl+O", "fill every setting from a TOML config")
        self._action(menu, "Save config as…", files.save_config, "Ctrl+S",
                     "save the settings as TOML (runs headless: playground run --config FILE)")
        self._action(menu, "Copy setup", files.copy_setup, "Ctrl+Shift+C",
                     "the settings (and lesson) as one line of text to hand to someone")
        self._action(menu, "Paste setup", files.paste_setup, "Ctrl+Shift+V",
                     "load a setup line (tnp1:...) from the clipboard")
        menu.addSeparator()
        self._action(menu, "Open run…", files.open_run, "Ctrl+Shift+O", "show a saved run in every view, without training")
        self._action(menu, "Overlay run for comparison…", files.overlay_run, None,
                     "draw a second saved run dashed over the views (e.g. tanh against ReLU)")
        self.clear_overlay_action = self._action(menu, "Remove overlay", files.clear_overlay)
        self._action(menu, "Save run as…", files.save_run_as, None, "copy the current run's folder elsewhere")
        self._action(menu, "Write TensorBoard files", files.export_tensorboard, None,
                     "the current run's tables as TensorBoard event files in RUN/tensorboard")
        menu.addSeparator()
        self._action(menu, "Export all views…", files.export_all, "Ctrl+E",
                     "every view with data as PNG or SVG into a folder")
        self._action(menu, "Export animation…", files.export_animation, None,
                     "a view over the run's epochs as a GIF (and MP4 where ffmpeg is installed)")
        menu.addSeparator()
        runs = menu.addMenu("Runs folder (autosave)")
        self.runs_path_action = runs.addAction("")
        self.runs_path_action.setEnabled(False)
        self._action(runs, "Open in the file manager", self.show_runs_folder)
        self._action(runs, "Change…", files.change_runs_folder, None, "where every run is saved as it trains")
        self._action(runs, "Use the default", files.default_runs_folder)
        menu.addSeparator()
        self._action(menu, "Quit", self.window.close, "Ctrl+Q")

    def _view_added(self, view) -> None:
        """A view made after the window was built (a lesson's, or one renewed): its Export
        button, and the overlay the others draw."""
        self._install_view_menu(view)
        if self.files.comparison is not None:
            view.set_comparison(self.files.comparison)

    def _install_view_menu(self, view) -> None:
        """Export entries in the canvas's right-click menu and a toolbar button."""
        png = QAction("Export this view as PNG…", view)
        svg = QAction("Export this view as SVG…", view)
        png.triggered.connect(lambda _=False, v=view: self.files.export_view(v, "png"))
        svg.triggered.connect(lambda _=False, v=view: self.files.export_view(v, "svg"))
        movie = QAction("Export this view as animation…", view)
        movie.triggered.connect(lambda _=False, v=view: self.files.export_animation(v))
        view.canvas.scene().contextMenu = [png, svg, movie]  # appended to every plot's menu by pyqtgraph
        button = QToolButton()
        button.setText("Export")
        button.setToolTip("save this view as PNG or SVG (also: right-click on the plot)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        popup = QMenu(button)
        popup.addAction(png)
        popup.addAction(svg)
        popup.addAction(movie)
        button.setMenu(popup)
        view.toolbar.addWidget(button)
        view.export_actions = (png, svg, movie)

    # ------------------------------------------------------------ the actions (for scripts and tests)

    def open_config(self, path: str | None = None) -> bool:
        return self.files.open_config(path)

    def save_config(self, path: str | None = None) -> bool:
        return self.files.save_config(path)

    def open_run(self, path: str | None = None) -> bool:
        return self.files.open_run(path)

    def overlay_run(self, path: str | None = None) -> bool:
        return self.files.overlay_run(path)

    def clear_overlay(self) -> None:
        self.files.clear_overlay()

    def current_run_dir(self) -> Path | None:
        return self.files.current_run_dir()

    def save_run_as(self, path: str | None = None) -> bool:
        return self.files.save_run_as(path)

    def export_tensorboard(self) -> Path | None:
        return self.files.export_tensorboard()

    def export_view(self, view, format: str, path: str | None = None, width: int | None = None) -> bool:
        return self.files.export_view(view, format, path, width)

    def export_all(self, folder: str | None = None, format: str | None = None, width: int | None = None) -> list[Path]:
        return self.files.export_all(folder, format, width)

    def export_animation(self, view=None, path: str | None = None, fps: int | None = None,
                         seconds: float | None = None, width: int | None = None) -> list[Path]:
        return self.files.export_animation(view, path, fps, seconds, width)

    def copy_setup(self) -> str | None:
        return self.files.copy_setup()

    def paste_setup(self, text: str | None = None) -> bool:
        return self.files.paste_setup(text)

    def change_runs_folder(self, path: str | None = None) -> bool:
        return self.files.change_runs_folder(path)

    def default_runs_folder(self) -> None:
        self.files.default_runs_folder()

    def show_runs_folder(self) -> None:
        folder = autosave.runs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ------------------------------------------------------------ the controller's window (FileWindow)

    @property
    def history(self) -> History:
        return self.window.history

    @property
    def views(self) -> list:
        return self.window.views

    def may_discard(self, question: str) -> bool:
        return self.window.run.may_discard(question)

    @property
    def run_on_screen(self) -> bool:
        return self.window.state is not RunState.READY

    def reset(self) -> None:
        self.window.reset()

    def settings(self):
        return self.window.controls.config()

    def load_settings(self, config, hooks) -> None:
        self.window.controls.set_config(config)
        if hooks is not None:
            self.window.session.hook_settings = hooks

    def show_history(self, history: History) -> None:
        window = self.window
        window.history = history
        for view in window.views:
            view.update_from(history, force=True)
        window.pick_view(history.config)
        window.tick()

    def set_comparison(self, comparison: History | None) -> None:
        for view in self.window.views:
            view.set_comparison(comparison)

    def recorder(self):
        return self.window.session.recorder

    def training(self) -> bool:
        return self.window.session.active

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10_000)

    def runs_dir(self) -> Path:
        return autosave.runs_dir()

    def set_runs_dir(self, path: str | None) -> None:
        autosave.set_runs_dir(path)

    def export_view_file(self, view, path: str, format: str, width: int) -> Path:
        figure = render.figure_of(view, self.window.history)
        try:
            return export.export_view(figure, path, format, width)
        finally:
            render.discard([figure])

    def export_views(self, views: list, folder: str, format: str, width: int) -> list[Path]:
        figures = [render.figure_of(view, self.window.history) for view in views]
        try:
            return export.export_views(figures, folder, format, width)
        finally:
            render.discard(figures)

    def current_view(self):
        return self.window.tabs.currentWidget()

    def export_animation_file(self, view, path: str, fps: int, seconds: float, width: int):
        from playground.ui.figures.animation import animate
        from playground.ui.model.timeline import check_length

        history = self.window.history
        figure = render.figure_of(view, history)
        try:
            return animate(figure, history, path, check_length(fps, seconds), export.check_width(width))
        finally:
            render.discard([figure])

    def clipboard_text(self) -> str:
        return QGuiApplication.clipboard().text()

    def set_clipboard_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def current_lesson(self):
        panel = getattr(self.window, "lessons", None)
        lesson = panel.lesson if panel is not None else None
        return None if lesson is None else (lesson.name, lesson in panel.lessons)

    def open_lesson(self, lesson, config) -> bool:
        if not self.window.lessons.open_lesson(lesson):
            return False
        self.window.controls.set_config(config)  # the string's settings over the lesson's own
        self.window.show_preview()
        return True

    def close_lesson(self) -> None:
        panel = getattr(self.window, "lessons", None)
        if panel is not None and panel.lesson is not None:
            panel.close_lesson()

    def refresh(self) -> None:
        self.runs_path_action.setText(str(autosave.runs_dir()))
        text, tip = self.files.status_line()
        self.clear_overlay_action.setEnabled(self.files.comparison is not None)
        if text != self.status.text():
            self.status.setText(text)
            self.window.status_line.text_changed()
        self.status.setToolTip(tip)

    # ------------------------------------------------------------ autosave

    def _recorder(self, config):
        recorder = autosave.RunRecorder(autosave.runs_dir(), config)
        recorder.opened.connect(lambda _path: self.refresh())
        recorder.problem.connect(self.files.autosave_failed)
        return recorder


def install(window) -> FileActions:
    window.file_actions = FileActions(window)
    return window.file_actions
