"""The File menu's decisions without Qt: what each action asks, what it refuses and why, and
what it does (open and save configs, copy and paste setup strings, open, overlay and copy runs,
write TensorBoard files, export figures and animations, choose the runs folder).

It talks to the user through `Dialogs` (file choosers, yes/no, error messages), remembers folders
and export choices in a `Store` (QSettings' value/setValue), and reaches the window through
`FileWindow`; `playground.ui.menus.file_actions.FileActions` is the Qt side of all three. Every
problem (a broken file, a full or read-only disk) is reported naming the file and what is wrong,
and nothing is overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from playground.core import config as config_module
from playground.core.base.fileio import RunFileError, ensure_writable_dir
from playground.core.config import Config, ConfigError
from playground.ui.model.history import History
from playground.ui.model.reopen import open_history, run_label

TOML_FILTER = "Configs (*.toml);;All files (*)"
PNG_FILTER = "PNG image (*.png)"
SVG_FILTER = "SVG drawing (*.svg)"
GIF_FILTER = "GIF animation (*.gif)"
LAST_DIR_KEY = "files/last_dir"
WIDTH_KEY = "export/width"
FORMAT_KEY = "export/format"
ANIMATION_KEYS = {"fps": "animation/fps", "seconds": "animation/seconds", "width": "animation/width"}
ANIMATION_DEFAULTS = {"fps": 10, "seconds": 5.0, "width": 800}
# What a failed file action reports: bad input and unwritable targets, never a crash.
FILE_ERRORS = (ConfigError, RunFileError, OSError)


def recorded_hooks(config_path, cfg):
    """The lesson hook tables a run folder recorded beside its config (hooks.toml), for the
    session, so Start trains the run again whole; None where none were recorded."""
    from playground.core.measures import hook_kinds

    return hook_kinds.load_hooks_beside(config_path, cfg) or None


def lesson_named(name: str | None):
    """The built-in lesson of this name (None for None); ConfigError when there is none. Only
    built-in lessons: a setup string from someone else never opens a file on this machine."""
    if name is None:
        return None
    from playground.core.experiments.lessons import builtin_lessons

    lessons = {lesson.name: lesson for lesson in builtin_lessons()}
    if name not in lessons:
        raise ConfigError(f"setup string: names the lesson {name!r}, which this playground does not have "
                          f"(its lessons: {', '.join(lessons)})")
    return lessons[name]


def setup_lesson(text: str | None):
    """The lesson a setup string names (None: none, or no string); ConfigError when the string is
    damaged or its lesson unknown here."""
    from playground.core.experiments.setup_string import decode_setup

    return lesson_named(decode_setup(text).lesson) if text else None


class Dialogs(Protocol):
    """The questions the File menu asks; each returns None when the user cancels."""

    def open_file(self, title: str, start: str, filter: str) -> str | None: ...

    def save_file(self, title: str, suggested: str, filter: str) -> str | None: ...

    def folder(self, title: str, start: str) -> str | None: ...

    def export_options(self, format: str | None, width: int) -> tuple[str, int] | None: ...

    def animation_options(self, views: list[tuple[str, str]], current: str | None, fps: int, seconds: float,
                          width: int) -> tuple[str, int, float, int] | None:
        """(view key, frames per second, seconds, width in pixels), choosing among (key, title)."""

    def confirm(self, title: str, text: str) -> bool: ...

    def error(self, title: str, text: str) -> None: ...


class Store(Protocol):
    def value(self, key: str, default: Any = None, type: Any = None) -> Any: ...

    def setValue(self, key: str, value: Any) -> None: ...  # noqa: N802  (QSettings' name)


class ShownView(Protocol):
    key: str
    title: str

    @property
    def showing_message(self) -> bool: ...

    def update_from(self, history: History, force: bool = False) -> None: ...


class Recorder(Protocol):
    """The autosave of the latest run (playground.ui.session.autosave.RunRecorder)."""

    run_dir: Path | None
    error: str | None


class FileWindow(Protocol):
    """What the File menu needs of the main window."""

    @property
    def history(self) -> History: ...

    @property
    def views(self) -> list[ShownView]: ...

    def may_discard(self, question: str) -> bool: ...

    @property
    def run_on_screen(self) -> bool:
        """Whether the views show a run trained in the window (not the preview after a Reset)."""

    def reset(self) -> None: ...

    def settings(self) -> Config:
        """The settings in the controls; raises ConfigError."""

    def load_settings(self, config: Config, hooks: dict | None) -> None:
        """Put `config` into the controls; `hooks` (when not None) become the session's lesson hooks."""

    def show_history(self, history: History) -> None:
        """Draw a reopened run in every view."""

    def set_comparison(self, comparison: History | None) -> None: ...

    def recorder(self) -> Recorder | None: ...

    def training(self) -> bool: ...

    def say(self, text: str) -> None:
        """A passing note in the status bar."""

    def runs_dir(self) -> Path: ...

    def set_runs_dir(self, path: str | None) -> None: ...

    def export_view_file(self, view: ShownView, path: str, format: str, width: int) -> Path: ...

    def export_views(self, views: list[ShownView], folder: str, format: str, width: int) -> list[Path]: ...

    def refresh(self) -> None:
        """Show `FileController.status_line()` again."""

    def current_view(self) -> ShownView | None:
        """The view whose tab is in front."""

    def export_animation_file(self, view: ShownView, path: str, fps: int, seconds: float, width: int) -> Any:
        """Write the view's movie; returns an Animation (written paths, notes)."""

    def clipboard_text(self) -> str: ...

    def set_clipboard_text(self, text: str) -> None: ...

    def current_lesson(self) -> tuple[str, bool] | None:
        """The open lesson's name and whether it is a built-in one (None: no lesson open)."""

    def open_lesson(self, lesson: Any, config: Config) -> bool:
        """Open the lesson (asking first if a run would be lost), then show `config` in the controls."""

    def close_lesson(self) -> None: ...


def title_of(view: ShownView) -> str:
    return view.title.replace("&&", "&")  # "&&" is a plain & in a tab title


def link(path: Path, full: bool = False) -> str:
    text = path.name
    if full:
        text = str(path)
        home = str(Path.home())
        if text.startswith(home + "/"):
            text = "~" + text[len(home):]
    return f'<a href="{Path(path).absolute().as_uri()}">{text}</a>'


class FileController:
    def __init__(self, window: FileWindow, dialogs: Dialogs, store: Store, default_width: int):
        self.window = window
        self.dialogs = dialogs
        self.store = store
        self.default_width = default_width  # the PNG width until the user chooses one
        self.comparison: History | None = None  # the run drawn dashed over every view

    # ------------------------------------------------------------ helpers

    def report(self, title: str, exc_or_text) -> None:
        text = str(exc_or_text)
        self.window.say(text)
        self.dialogs.error(title, text)

    def start_dir(self) -> str:
        return self.store.value(LAST_DIR_KEY, str(Path.home()), type=str)

    def remember_dir(self, path: str | Path) -> None:
        path = Path(path)
        self.store.setValue(LAST_DIR_KEY, str(path if path.is_dir() else path.parent))

    def may_replace_run(self, what: str) -> bool:
        return self.window.may_discard(f"{what} clears the current run (it stays saved). Go on?")

    # ------------------------------------------------------------ configs

    def open_config(self, path: str | None = None) -> bool:
        path = path or self.dialogs.open_file("Open a config", self.start_dir(), TOML_FILTER)
        if not path:
            return False
        try:
            cfg = config_module.load(path)
            hooks = recorded_hooks(path, cfg)
        except FILE_ERRORS as exc:
            self.report("Cannot open the config", exc)
            return False
        self.remember_dir(path)
        if not self.may_replace_run("Opening a config"):
            return False
        self.window.reset()
        self.window.load_settings(cfg, hooks)
        self.window.say(f"Settings from {path}")
        return True

    def save_config(self, path: str | None = None) -> bool:
        try:
            cfg = self.window.settings()
        except ConfigError as exc:
            self.report("Cannot save the config", exc)
            return False
        suggested = str(Path(self.start_dir()) / f"{cfg.task.name}.toml")
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
        self.remember_dir(path)
        self.window.say(f"Config saved to {path} (run it headless: playground run --config {path} --out DIR)")
        return True

    # ------------------------------------------------------------ setup strings

    def copy_setup(self) -> str | None:
        """The settings (and the open built-in lesson) as one tnp1: line on the clipboard."""
        from playground.core.experiments.setup_string import encode_setup

        try:
            cfg = self.window.settings()
        except ConfigError as exc:
            self.report("Cannot copy the setup", exc)
            return None
        lesson = self.window.current_lesson()
        name = lesson[0] if lesson is not None and lesson[1] else None
        text = encode_setup(cfg, name)
        self.window.set_clipboard_text(text)
        what = f"Setup with the lesson {name}" if name else "Setup"
        if lesson is not None and not lesson[1]:
            what += f" (the settings of the lesson file {lesson[0]}; its text is not in the string)"
        self.window.say(f"{what} copied ({len(text)} characters): File > Paste setup, "
                        f"or playground run --setup STRING --out DIR")
        return text

    def paste_setup(self, text: str | None = None) -> bool:
        """Load a tnp1: line (the clipboard's by default); a lesson it names is opened with the
        string's settings. A damaged string changes nothing and says what is wrong in one line."""
        from playground.core.experiments.setup_string import decode_setup

        text = self.window.clipboard_text() if text is None else text
        if not text or not text.strip():
            self.report("Cannot paste the setup", "The clipboard holds no text: copy a setup string "
                        "(one line starting with tnp1:) first.")
            return False
        try:
            setup = decode_setup(text)
            lesson = lesson_named(setup.lesson)
        except ConfigError as exc:
            self.report("Cannot paste the setup", exc)
            return False
        if lesson is not None:
            if not self.window.open_lesson(lesson, setup.config):
                return False
            self.window.say(f"Setup pasted: the lesson {lesson.name} with the string's settings")
            return True
        if not self.may_replace_run("Pasting a setup"):
            return False
        self.window.reset()
        self.window.close_lesson()
        self.window.load_settings(setup.config, None)
        self.window.say(f"Setup pasted: {setup.config.task.name}, press Start")
        return True

    # ------------------------------------------------------------ runs

    def open_run(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Open a saved run folder", str(self.window.runs_dir()))
        if not path:
            return False
        try:
            history = open_history(path)
            hooks = recorded_hooks(Path(path) / "config.toml", history.config)
        except FILE_ERRORS as exc:
            self.report("Cannot open the run", exc)
            return False
        if not self.may_replace_run("Opening a saved run"):
            return False
        self.window.reset()
        self.window.load_settings(history.config, hooks)  # Start trains it again
        self.window.show_history(history)
        self.remember_dir(Path(path).parent)
        self.window.refresh()
        self.window.say(f"Showing the saved run {path} ({history.stop_reason or 'unfinished'}, "
                        f"{history.epoch} epochs); Start trains it again")
        return True

    def overlay_run(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Overlay a saved run for comparison", str(self.window.runs_dir()))
        if not path:
            return False
        try:
            comparison = open_history(path)
        except FILE_ERRORS as exc:
            self.report("Cannot overlay the run", exc)
            return False
        self.set_comparison(comparison)
        self.window.say(f"Comparing with {run_label(comparison)} (dashed)")
        return True

    def clear_overlay(self) -> None:
        self.set_comparison(None)

    def set_comparison(self, comparison: History | None) -> None:
        self.comparison = comparison
        self.window.set_comparison(comparison)
        self.window.refresh()

    def current_run_dir(self) -> Path | None:
        """The folder of what the views show: a reopened run, or the GUI run on screen (after a
        Reset, none: the old run is no longer what the views show)."""
        source = self.window.history.source
        if source != "live":
            return Path(source)
        recorder = self.window.recorder()
        if recorder is not None and recorder.run_dir is not None and self.window.run_on_screen:
            return recorder.run_dir
        return None

    def save_run_as(self, path: str | None = None) -> bool:
        from playground.core.runs.runcopy import copy_run

        source = self.current_run_dir()
        if source is None:
            self.report("Nothing to save", "No run to save yet: press Start (runs are saved as they train), "
                        "or open a saved run.")
            return False
        recorder = self.window.recorder()
        autosaved = recorder is not None and source == recorder.run_dir
        if autosaved and recorder.error:
            self.report("The run is incomplete", f"{recorder.error}\nThe folder {source} holds only part of the run.")
        suggested = str(Path(self.start_dir()) / source.name)
        path = path or self.dialogs.save_file("Save the run as (a new folder)", suggested, "Run folders (*)")
        if not path:
            return False
        try:
            copy_run(source, path)
        except FILE_ERRORS as exc:
            self.report("Cannot save the run", exc)
            return False
        self.remember_dir(Path(path).parent)
        running = autosaved and self.window.training()
        self.window.say(f"Run copied to {path}" + (" (as far as it has trained)" if running else ""))
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
        self.window.say(f"TensorBoard files in {target} (view them: tensorboard --logdir \"{target}\")")
        return target

    # ------------------------------------------------------------ figures

    def export_settings(self) -> tuple[str, int]:
        return (self.store.value(FORMAT_KEY, "png", type=str),
                self.store.value(WIDTH_KEY, self.default_width, type=int))

    def export_view(self, view: ShownView, format: str, path: str | None = None, width: int | None = None) -> bool:
        if view.showing_message:
            self.report("Nothing to export", f"{title_of(view)} has nothing to draw yet.")
            return False
        _, last_width = self.export_settings()
        if width is None and format == "png" and path is None:
            options = self.dialogs.export_options("png", last_width)
            if options is None:
                return False
            width = options[1]
        width = width or last_width
        if not path:
            suggested = str(Path(self.start_dir()) / f"{view.key}.{format}")
            path = self.dialogs.save_file(f"Export {title_of(view)}", suggested,
                                          PNG_FILTER if format == "png" else SVG_FILTER)
        if not path:
            return False
        try:
            written = self.window.export_view_file(view, path, format, width)
        except FILE_ERRORS as exc:
            self.report("Cannot export the view", exc)
            return False
        self.store.setValue(WIDTH_KEY, width)
        self.remember_dir(written)
        self.window.say(f"Exported {written}")
        return True

    def export_all(self, folder: str | None = None, format: str | None = None, width: int | None = None) -> list[Path]:
        _, last_width = self.export_settings()
        if format is None:
            options = self.dialogs.export_options(None, last_width)
            if options is None:
                return []
            format, width = options
        width = width or last_width
        folder = folder or self.dialogs.folder("Export every view into a folder", self.start_dir())
        if not folder:
            return []
        history = self.window.history
        for view in self.window.views:
            view.update_from(history, force=True)
        views = [view for view in self.window.views if not view.showing_message]
        if not views:
            self.report("Nothing to export", "No view has anything to draw yet: press Start or open a run.")
            return []
        taken = [Path(folder) / f"{view.key}.{format}" for view in views if (Path(folder) / f"{view.key}.{format}").exists()]
        if taken and not self.dialogs.confirm("Replace files?", f"{len(taken)} of the files exist in {folder} "
                                              f"({', '.join(p.name for p in taken)}). Replace them?"):
            return []
        try:
            written = self.window.export_views(views, folder, format, width)
        except FILE_ERRORS as exc:
            self.report("Cannot export the views", exc)
            return []
        self.store.setValue(FORMAT_KEY, format)
        self.store.setValue(WIDTH_KEY, width)
        self.remember_dir(folder)
        self.window.say(f"Exported {len(written)} views to {folder}")
        return written

    def animation_settings(self) -> dict[str, Any]:
        return {name: self.store.value(key, ANIMATION_DEFAULTS[name], type=type(ANIMATION_DEFAULTS[name]))
                for name, key in ANIMATION_KEYS.items()}

    def export_animation(self, view: ShownView | None = None, path: str | None = None, fps: int | None = None,
                         seconds: float | None = None, width: int | None = None) -> list[Path]:
        """A view's movie over the run's epochs: a GIF (and an MP4 where ffmpeg is there), of a
        live, finished or reopened run. Without a view or a rate, asks for both."""
        from playground.ui.model.timeline import check_length

        history = self.window.history
        for shown in self.window.views:
            shown.update_from(history, force=True)
        candidates = [shown for shown in self.window.views if not shown.showing_message]
        if view is not None and view.showing_message:
            self.report("Nothing to animate", f"{title_of(view)} has nothing to draw yet.")
            return []
        if not candidates:
            self.report("Nothing to animate", "No view has anything to draw yet: press Start or open a run.")
            return []
        last = self.animation_settings()
        if view is None or fps is None or seconds is None:
            current = view or self.window.current_view()
            options = self.dialogs.animation_options(
                [(shown.key, title_of(shown)) for shown in candidates],
                current.key if current is not None else None,
                fps or last["fps"], seconds or last["seconds"], width or last["width"])
            if options is None:
                return []
            key, fps, seconds, width = options
            view = next((shown for shown in candidates if shown.key == key), None)
            if view is None:
                return []
        width = width or last["width"]
        try:
            check_length(fps, seconds)
        except FILE_ERRORS as exc:
            self.report("Cannot export the animation", exc)
            return []
        if not path:
            suggested = str(Path(self.start_dir()) / f"{view.key}.gif")
            path = self.dialogs.save_file(f"Export {title_of(view)} as an animation", suggested, GIF_FILTER)
        if not path:
            return []
        try:
            movie = self.window.export_animation_file(view, path, fps, seconds, width)
        except FILE_ERRORS as exc:
            self.report("Cannot export the animation", exc)
            return []
        for name, value in (("fps", fps), ("seconds", seconds), ("width", width)):
            self.store.setValue(ANIMATION_KEYS[name], value)
        self.remember_dir(movie.written[0])
        notes = "".join(f"; {note}" for note in movie.notes)
        self.window.say(f"Animation of {movie.frames} frames: {', '.join(p.name for p in movie.written)}{notes}")
        return list(movie.written)

    # ------------------------------------------------------------ the runs folder (autosave)

    def autosave_failed(self, message: str) -> None:
        self.report("Autosave", f"{message}\nTraining goes on; choose another runs folder in File > Runs folder.")
        self.window.refresh()

    def change_runs_folder(self, path: str | None = None) -> bool:
        path = path or self.dialogs.folder("Save runs in", str(self.window.runs_dir()))
        if not path:
            return False
        try:
            ensure_writable_dir(Path(path))
        except FILE_ERRORS as exc:
            self.report("Cannot save runs there", exc)
            return False
        self.window.set_runs_dir(path)
        self.window.refresh()
        return True

    def default_runs_folder(self) -> None:
        self.window.set_runs_dir(None)
        self.window.refresh()

    def status_line(self) -> tuple[str, str]:
        """(text, tooltip) of the status bar's note on where runs are saved and what is overlaid."""
        folder = self.window.runs_dir()
        source = self.window.history.source
        recorder = self.window.recorder()
        if source != "live":
            text = f"showing saved run {link(Path(source))}"
        elif recorder is not None and recorder.run_dir is not None and self.window.run_on_screen:
            text = f"saved to {link(recorder.run_dir)}" if not recorder.error else "autosave stopped (see File > Runs folder)"
        else:
            text = f"runs save to {link(folder, full=True)}"
        tip = f"Every run is saved as it trains into {folder} (File > Runs folder to change)"
        if self.comparison is not None:
            text += f" · overlay {link(Path(self.comparison.source))} dashed"
            tip += f"\nDashed: {run_label(self.comparison)} (File > Remove overlay)"
        return text, tip
