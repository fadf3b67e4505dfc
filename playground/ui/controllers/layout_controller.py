"""The window's layout without Qt: which views are tabs, which stay beside them and which are
hidden (a lesson's own views first, in its order); when the side views move into the tabs (a
narrow window); the zoom steps; presenter mode; which status-bar labels fit; and the choices
remembered between sessions (zoom, simple or advanced controls, all views or the lesson's).

`LayoutController` reaches the window through `LayoutView` and remembers through a `Store`
(QSettings' value/setValue; under PLAYGROUND_DATA_DIR in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

ZOOM_STEPS = (0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
PRESENTER_ZOOM = 1.5  # at least this in presenter mode: type that reads from the back of a room
# The views' area (logical pixels at zoom 1) below which the side views become tabs: beside
# the tabs they would leave the main plot too little room.
NARROW_BELOW = 900

ZOOM_KEY = "window/zoom"
ADVANCED_KEY = "window/advanced"
SHOW_ALL_KEY = "window/show_all_views"


class Store(Protocol):
    def value(self, key: str, default: Any = None, type: Any = None) -> Any: ...

    def setValue(self, key: str, value: Any) -> None: ...  # noqa: N802  (QSettings' name)


@dataclass(frozen=True)
class Arrangement:
    """Where each view goes: tabs (in this order), beside the tabs, or nowhere."""

    tabs: tuple[str, ...]
    side: tuple[str, ...]
    hidden: tuple[str, ...]


def arrange(views: Sequence[str], side: Sequence[str], lesson: Sequence[str] | None = None,
            show_all: bool = False, narrow: bool = False) -> Arrangement:
    """The views the window has (`views`, in their default order; `side` those drawn beside the
    tabs when there is room), placed for a lesson's list of views (None: no lesson). A lesson's
    views come first, in its order, all as tabs; the others are hidden unless `show_all`."""
    own = [key for key in (lesson or ()) if key in views]
    rest = [key for key in views if key not in own] if lesson is None or show_all else []
    beside = tuple(key for key in rest if key in side and not narrow)
    tabs = tuple(own + [key for key in rest if key not in beside])
    hidden = tuple(key for key in views if key not in tabs and key not in beside)
    return Arrangement(tabs, beside, hidden)


def is_narrow(views_width: float, zoom: float) -> bool:
    return views_width / max(zoom, 1e-6) < NARROW_BELOW


def checked_zoom(value: Any) -> float:
    """A remembered zoom, as a float within the steps (1 when it is not a number)."""
    try:
        zoom = float(value)
    except (TypeError, ValueError):
        return 1.0
    if zoom != zoom:  # NaN
        return 1.0
    return min(max(zoom, ZOOM_STEPS[0]), ZOOM_STEPS[-1])


def zoom_in(zoom: float) -> float:
    return next((step for step in ZOOM_STEPS if step > zoom + 1e-9), ZOOM_STEPS[-1])


def zoom_out(zoom: float) -> float:
    return next((step for step in reversed(ZOOM_STEPS) if step < zoom - 1e-9), ZOOM_STEPS[0])


def as_bool(value: Any, default: bool = False) -> bool:
    """QSettings' INI files give booleans back as the strings "true" and "false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, (int, float)):
        return bool(value)
    return default


def fit_labels(widths: Sequence[int], priorities: Sequence[int], available: int, spacing: int = 0) -> list[bool]:
    """Which labels of a row to show so that they fit `available` pixels: the least important
    (lowest priority; the later one of equal priority) go first. Empty labels (width 0) take no
    room. At least the most important label stays."""
    shown = [width > 0 for width in widths]

    def total() -> int:
        kept = [w for w, s in zip(widths, shown) if s]
        return sum(kept) + spacing * max(len(kept) - 1, 0)

    order = sorted(range(len(widths)), key=lambda i: (priorities[i], -i))
    for index in order[:-1]:
        if total() <= available:
            break
        shown[index] = False
    return shown


@dataclass(frozen=True)
class Look:
    """What presenter mode changes, to put back when it ends."""

    zoom: float
    advanced: bool
    full_screen: bool


class LayoutView(Protocol):
    """What the layout controller asks of the window."""

    def view_keys(self) -> Sequence[str]:
        """Every view the window has, in its default order."""

    def side_keys(self) -> Sequence[str]:
        """The views drawn beside the tabs when there is room."""

    def apply_arrangement(self, arrangement: Arrangement) -> None: ...

    def apply_zoom(self, zoom: float) -> None:
        """Scale the window's text and plots."""

    def show_advanced(self, advanced: bool) -> None: ...

    def show_all_views(self, show_all: bool) -> None:
        """Tick the "show all views" toggles."""

    def show_full_screen(self, full: bool) -> None: ...

    def give_views_room(self, room: bool) -> None:
        """Narrow the settings and the lesson's text to their least, for the views (False: as before)."""

    def is_full_screen(self) -> bool: ...

    def say(self, text: str) -> None: ...


class LayoutController:
    def __init__(self, view: LayoutView, store: Store):
        self.view = view
        self.store = store
        self.zoom = checked_zoom(store.value(ZOOM_KEY, 1.0))
        self.advanced = as_bool(store.value(ADVANCED_KEY, False))
        self.show_all = as_bool(store.value(SHOW_ALL_KEY, False))
        self.lesson_views: tuple[str, ...] | None = None
        self.narrow = False
        self.before_presenter: Look | None = None  # set while in presenter mode

    @property
    def presenter(self) -> bool:
        return self.before_presenter is not None

    # ------------------------------------------------------------ applying

    def apply_all(self) -> None:
        """Show the remembered choices (when the window is built)."""
        self.view.apply_zoom(self.zoom)
        self.view.show_advanced(self.advanced)
        self.view.show_all_views(self.show_all)
        self.rearrange()

    def arrangement(self) -> Arrangement:
        return arrange(self.view.view_keys(), self.view.side_keys(), self.lesson_views, self.show_all,
                       self.narrow or self.presenter)

    def rearrange(self) -> None:
        self.view.apply_arrangement(self.arrangement())

    # ------------------------------------------------------------ zoom

    def set_zoom(self, zoom: float) -> None:
        zoom = checked_zoom(zoom)
        if zoom == self.zoom:
            return
        self.zoom = zoom
        if not self.presenter:  # presenter mode's large type is not the user's everyday zoom
            self.store.setValue(ZOOM_KEY, zoom)
        self.view.apply_zoom(zoom)
        self.view.say(f"Zoom {round(zoom * 100)} %")

    def zoom_in(self) -> None:
        self.set_zoom(zoom_in(self.zoom))

    def zoom_out(self) -> None:
        self.set_zoom(zoom_out(self.zoom))

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    # ------------------------------------------------------------ choices

    def set_advanced(self, advanced: bool) -> None:
        self.advanced = bool(advanced)
        if not self.presenter:
            self.store.setValue(ADVANCED_KEY, self.advanced)
        self.view.show_advanced(self.advanced)

    def set_show_all(self, show_all: bool) -> None:
        self.show_all = bool(show_all)
        self.store.setValue(SHOW_ALL_KEY, self.show_all)
        self.view.show_all_views(self.show_all)
        self.rearrange()

    def set_lesson(self, views: Sequence[str] | None) -> None:
        """A lesson was opened (its views) or closed (None)."""
        self.lesson_views = tuple(views) if views is not None else None
        self.rearrange()

    def views_resized(self, width: float) -> None:
        """The views' area is now `width` logical pixels wide."""
        narrow = is_narrow(width, self.zoom)
        if narrow != self.narrow:
            self.narrow = narrow
            self.rearrange()

    # ------------------------------------------------------------ presenter mode

    def toggle_presenter(self) -> None:
        if self.presenter:
            self.leave_presenter()
        else:
            self.enter_presenter()

    def enter_presenter(self) -> None:
        """Full screen, large type, the simple controls, every view large (in tabs)."""
        if self.presenter:
            return
        self.before_presenter = Look(self.zoom, self.advanced, self.view.is_full_screen())
        self.view.show_full_screen(True)
        self.zoom = max(self.zoom, PRESENTER_ZOOM)
        self.view.apply_zoom(self.zoom)
        self.advanced = False
        self.view.show_advanced(False)
        self.rearrange()
        self.view.give_views_room(True)
        self.view.say("Presenter mode: F11 or Esc to leave")

    def leave_presenter(self) -> None:
        look = self.before_presenter
        if look is None:
            return
        self.before_presenter = None
        self.view.give_views_room(False)
        self.zoom, self.advanced = look.zoom, look.advanced
        self.view.apply_zoom(self.zoom)
        self.view.show_advanced(self.advanced)
        self.view.show_full_screen(look.full_screen)
        self.rearrange()
