"""The File menu: configs and runs in and out, figures out, the autosave folder.

Installed on the main window by `install(window)`; it only uses the window's public parts
(controls, views, history, session, reset, confirm_reset). Every problem (a broken file, a
full or read-only disk) is shown in a message box naming the file and what is wrong, and
nothing is overwritten. The dialogs go through `Dialogs`, which tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QMenu,
                               QMessageBox, QSpinBox, QToolButton, QWidget)

from playground.core import config as config_module
from playground.core.config import ConfigError
from playground.core.base.fileio import RunFileError
from playground.ui.session import autosave
from playground.ui.figures import export, render
from playground.ui.model.reopen import open_history, run_label


def recorded_hooks(config_path, cfg):
    """The lesson hook tables a run folder recorded beside its config (hooks.toml), for the
    session, so Start trains the run again whole; None where none were recorded."""
    from playground.core.measures import hook_kinds

    return hook_kinds.load_hooks_beside(config_path, cfg) or None

TOML_FILTER = "Configs (*.toml);;All files (*)"
PNG_FILTER = "PNG image (*.png)"
SVG_FILTER = "SVG drawing (*.svg)"
LAST_DIR_KEY = "files/last_dir"
WIDTH_KEY = "export/width"
FORMAT_KEY = "export/format"
# What a failed file action reports: bad input and unwritable targets, never a crash.
FILE_ERRORS = (ConfigError, RunFileError, OSError)


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
        self.dialogs = Dialogs(window)
        self.store = autosave.settings()
        self.comparison = None  # the History drawn dashed over every view
        self._build_menu()
        for view in window.views:
            self._install_view_menu(view)
        self.status = QLabel()
        self.status.setOpenExternalLinks(True)
        self.status.setStyleSheet("padding: 0 10px; font-size: 11pt;")
        window.statusBar().addPermanentWidget(self.status)
        window.session.recorder_factory = self._recorder
        window.session.run_finished.connect(lambda _reason: self._update_status())
        # A settings change before Start replaces a reopened run with the preview.
        window.controls.changed.connect(lambda _kind, _what: self._update_status())
        self._update_status()

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
        self._action(menu, "Open config…", self.open_config, "Ctrl+O", "fill every setting from a TOML config")
        self._action(menu, "Save config as…", self.save_config, "Ctrl+S",
                     "save the settings as TOML (runs headless: playground run --config FILE)")
        menu.addSeparator()
        self._action(menu, "Open run…", self.open_run, "Ctrl+Shift+O", "show a saved run in every view, without training")
        self._action(menu, "Overlay run for comparison…", self.overlay_run, None,
                     "draw a second saved run dashed over the views (e.g. tanh against ReLU)")
        self.clear_overlay_action = self._action(menu, "Remove overlay", self.clear_overlay)
        self._action(menu, "Save run as…", self.save_run_as, None, "copy the current run's folder elsewhere")
        self._action(menu, "Write TensorBoard files", self.export_tensorboard, None,
                     "the current run's tables as TensorBoard event files in RUN/tensorboard")
        menu.addSeparator()
        self._action(menu, "Export all views…", self.export_all, "Ctrl+E",
                     "every view with data as PNG or SVG into a folder")
        menu.addSeparator()
        runs = menu.addMenu("Runs folder (autosave)")
        self.runs_path_action = runs.addAction("")
        self.runs_path_action.setEnabled(False)
        self._action(runs, "Open in the file manager", self.show_runs_folder)
        self._action(runs, "Change…", self.change_runs_folder, None, "where every run is saved as it trains")
        self._action(runs, "Use the default", self.default_runs_folder)
        menu.addSeparator()
        self._action(menu, "Quit", self.window.close, "Ctrl+Q")

    def _install_view_menu(self, view) -> None:
        """Export entries in the canvas's right-click menu and a toolbar button."""
        png = QAction("Export this view as PNG…", view)
        svg = QAction("Export this view as SVG…", view)
        png.triggered.connect(lambda _=False, v=view: self.export_view(v, "png"))
        svg.triggered.connect(lambda _=False, v=view: self.export_view(v, "svg"))
        view.canvas.scene().contextMenu = [png, svg]  # appended to every plot's menu by pyqtgraph
        button = QToolButton()
        button.setText("Export")
        button.setToolTip("save this view as PNG or SVG (also: right-click on the plot)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        popup = QMenu(button)
        popup.addAction(png)
        popup.addAction(svg)
        button.setMenu(popup)
        view.toolbar.addWidget(button)
        view.export_actions = (png, svg)

    # ------------------------------------------------------------ helpers

    def report(self, title: str, exc_or_text) -> None:
        text = str(exc_or_text)
        self.window.statusBar().showMessage(text, 10_000)
        self.dialogs.error(title, text)

    def _start_dir(self) -> str:
        return self.store.value(LAST_DIR_KEY, str(Path.home()), type=str)

    def _remember_dir(self, path: str | Path) -> None:
        path = Path(path)
        self.store.setValue(LAST_DIR_KEY, str(path if path.is_dir() else path.parent))

    def _may_replace_run(self, what: str) -> bool:
        return self.window.run.may_discard(f"{what} clears the current run (it stays saved). Go on?")

    def _status_text(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 10_000)

    # ------------------------------------------------------------ configs

    def open_config(self, path: str | None = None) -> bool:
        path = path or self.dialogs.open_file("Open a config", self._start_dir(), TOML_FILTER)
        if not path:
            return False
        try:
            cfg = config_module.load(path)
            hooks = recorded_hooks(path, cfg)
        except FILE_ERRORS as exc:
            self.report("Cannot open the config", exc)
            return False
        self._remember_dir(path)
        if not self._may_replace_run("Opening a config"):
            return False
        self.window.reset()
        self.window.controls.set_config(cfg)
        if hooks is not None:
            self.window.session.hook_settings = hooks
        self._status_text(f"Settings from {path}")
        return True

    def save_config(self, path: str | None = None) -> bool:
        try:
            cfg = self.window.controls.config()
        except ConfigError as exc:
            self.report("Cannot save the config", exc)
            return False
        suggested = str(Path(self._start_dir()) / f"{cfg.task.name}.toml")
        path = path or self.dialogs.save_file("Save the settings as a config", suggested, TOML_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".toml"
        try:
            config_module.save(cfg, path)
        except FILE_ERRORS as exc:
            self.report("Cannot save the config", exc)
            return False
        self._remember_dir(path)
        self._status_text(f"Config saved to {path} (run it headless: playground run --config {path} --out DIR)")
        return True

    # ------------------------------------------------------------ runs

    def open_run(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Open a saved run folder", str(autosave.runs_dir()))
        if not path:
            return False
        try:
            history = open_history(path)
            hooks = recorded_hooks(Path(path) / "config.toml", history.config)
        except FILE_ERRORS as exc:
            self.report("Cannot open the run", exc)
            return False
        if not self._may_replace_run("Opening a saved run"):
            return False
        window = self.window
        window.reset()
        if hooks is not None:
            window.session.hook_settings = hooks
        window.controls.set_config(history.config)  # Start trains it again
        window.history = history
        for view in window.views:
            view.update_from(history, force=True)
        window.pick_view(history.config)
        window.tick()
        self._remember_dir(Path(path).parent)
        self._update_status()
        self._status_text(f"Showing the saved run {path} ({history.stop_reason or 'unfinished'}, "
                          f"{history.epoch} epochs); Start trains it again")
        return True

    def overlay_run(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Overlay a saved run for comparison", str(autosave.runs_dir()))
        if not path:
            return False
        try:
            comparison = open_history(path)
        except FILE_ERRORS as exc:
            self.report("Cannot overlay the run", exc)
            return False
        self.set_comparison(comparison)
        self._status_text(f"Comparing with {run_label(comparison)} (dashed)")
        return True

    def clear_overlay(self) -> None:
        self.set_comparison(None)

    def set_comparison(self, comparison) -> None:
        self.comparison = comparison
        for view in self.window.views:
            view.set_comparison(comparison)
        self._update_status()

    def current_run_dir(self) -> Path | None:
        """The folder of what the views show: a reopened run, or the latest GUI run."""
        source = self.window.history.source
        if source != "live":
            return Path(source)
        recorder = self.window.session.recorder
        if recorder is not None and recorder.run_dir is not None:
            return recorder.run_dir
        return None

    def save_run_as(self, path: str | None = None) -> bool:
        from playground.core.runs.runcopy import copy_run

        source = self.current_run_dir()
        if source is None:
            self.report("Nothing to save", "No run to save yet: press Start (runs are saved as they train), "
                        "or open a saved run.")
            return False
        recorder = self.window.session.recorder
        if recorder is not None and recorder.error and source == recorder.run_dir:
            self.report("The run is incomplete", f"{recorder.error}\nThe folder {source} holds only part of the run.")
        suggested = str(Path(self._start_dir()) / source.name)
        path = path or self.dialogs.save_file("Save the run as (a new folder)", suggested, "Run folders (*)")
        if not path:
            return False
        try:
            copy_run(source, path)
        except FILE_ERRORS as exc:
            self.report("Cannot save the run", exc)
            return False
        self._remember_dir(Path(path).parent)
        running = self.window.session.active and source == getattr(recorder, "run_dir", None)
        self._status_text(f"Run copied to {path}" + (" (as far as it has trained)" if running else ""))
        return True

    def export_tensorboard(self) -> Path | None:
        from playground.core.runs.tensorboard_log import export_run

        source = self.current_run_dir()
        if source is None:
            self.report("Nothing to write", "No run yet: press Start, or open a saved run.")
            return None
        try:
            target = export_run(source)  # without the tensorboard package: says what to install
        except FILE_ERRORS as exc:
            self.report("Cannot write TensorBoard files", exc)
            return None
        self._status_text(f"TensorBoard files in {target} (view them: tensorboard --logdir \"{target}\")")
        return target

    # ------------------------------------------------------------ figures

    def _export_settings(self) -> tuple[str, int]:
        return (self.store.value(FORMAT_KEY, "png", type=str),
                self.store.value(WIDTH_KEY, export.DEFAULT_WIDTH, type=int))

    def export_view(self, view, format: str, path: str | None = None, width: int | None = None) -> bool:
        if view.showing_message:
            self.report("Nothing to export", f"{view.title.replace('&&', '&')} has nothing to draw yet.")
            return False
        _, last_width = self._export_settings()
        if width is None and format == "png" and path is None:
            options = self.dialogs.export_options("png", last_width)
            if options is None:
                return False
            width = options[1]
        width = width or last_width
        if not path:
            suggested = str(Path(self._start_dir()) / f"{view.key}.{format}")
            path = self.dialogs.save_file(f"Export {view.title.replace('&&', '&')}", suggested,
                                          PNG_FILTER if format == "png" else SVG_FILTER)
        if not path:
            return False
        figure = render.figure_of(view, self.window.history)
        try:
            written = export.export_view(figure, path, format, width)
        except FILE_ERRORS as exc:
            self.report("Cannot export the view", exc)
            return False
        finally:
            render.discard([figure])
        self.store.setValue(WIDTH_KEY, width)
        self._remember_dir(written)
        self._status_text(f"Exported {written}")
        return True

    def export_all(self, folder: str | None = None, format: str | None = None, width: int | None = None) -> list[Path]:
        last_format, last_width = self._export_settings()
        if format is None:
            options = self.dialogs.export_options(None, last_width)
            if options is None:
                return []
            format, width = options
        width = width or last_width
        folder = folder or self.dialogs.folder("Export every view into a folder", self._start_dir())
        if not folder:
            return []
        window = self.window
        for view in window.views:
            view.update_from(window.history, force=True)
        views = [view for view in window.views if not view.showing_message]
        if not views:
            self.report("Nothing to export", "No view has anything to draw yet: press Start or open a run.")
            return []
        taken = [Path(folder) / f"{view.key}.{format}" for view in views if (Path(folder) / f"{view.key}.{format}").exists()]
        if taken and not self.dialogs.confirm("Replace files?", f"{len(taken)} of the files exist in {folder} "
                                              f"({', '.join(p.name for p in taken)}). Replace them?"):
            return []
        figures = [render.figure_of(view, window.history) for view in views]
        try:
            written = export.export_views(figures, folder, format, width)
        except FILE_ERRORS as exc:
            self.report("Cannot export the views", exc)
            return []
        finally:
            render.discard(figures)
        self.store.setValue(FORMAT_KEY, format)
        self.store.setValue(WIDTH_KEY, width)
        self._remember_dir(folder)
        self._status_text(f"Exported {len(written)} views to {folder}")
        return written

    # ------------------------------------------------------------ autosave

    def _recorder(self, config):
        recorder = autosave.RunRecorder(autosave.runs_dir(), config)
        recorder.opened.connect(self._on_recorder_opened)
        recorder.problem.connect(self._on_recorder_problem)
        return recorder

    def _on_recorder_opened(self, path: str) -> None:
        self._update_status()

    def _on_recorder_problem(self, message: str) -> None:
        self.report("Autosave", f"{message}\nTraining goes on; choose another runs folder in File > Runs folder.")
        self._update_status()

    def show_runs_folder(self) -> None:
        folder = autosave.runs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def change_runs_folder(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Save runs in", str(autosave.runs_dir()))
        if not path:
            return False
        from playground.core.base.fileio import ensure_writable_dir

        try:
            ensure_writable_dir(Path(path))
        except FILE_ERRORS as exc:
            self.report("Cannot save runs there", exc)
            return False
        autosave.set_runs_dir(path)
        self._update_status()
        return True

    def default_runs_folder(self) -> None:
        autosave.set_runs_dir(None)
        self._update_status()

    def _update_status(self) -> None:
        folder = autosave.runs_dir()
        self.runs_path_action.setText(str(folder))
        history = self.window.history
        if history.source != "live":
            text = f"showing saved run {_link(Path(history.source))}"
        elif self.window.session.recorder is not None and self.window.session.recorder.run_dir is not None:
            recorder = self.window.session.recorder
            text = f"saved to {_link(recorder.run_dir)}" if not recorder.error else "autosave stopped (see File > Runs folder)"
        else:
            text = f"runs save to {_link(folder, full=True)}"
        tip = f"Every run is saved as it trains into {folder} (File > Runs folder to change)"
        if self.comparison is not None:
            text += f" · overlay {_link(Path(self.comparison.source))} dashed"
            tip += f"\nDashed: {run_label(self.comparison)} (File > Remove overlay)"
        self.clear_overlay_action.setEnabled(self.comparison is not None)
        self.status.setText(text)
        self.status.setToolTip(tip)


def _link(path: Path, full: bool = False) -> str:
    text = path.name
    if full:
        text = str(path)
        home = str(Path.home())
        if text.startswith(home + "/"):
            text = "~" + text[len(home):]
    return f'<a href="{QUrl.fromLocalFile(str(path)).toString()}">{text}</a>'


def install(window) -> FileActions:
    window.file_actions = FileActions(window)
    return window.file_actions
