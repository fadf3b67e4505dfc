"""Views of a lesson's sweep (lazy training, vanishing gradients, double descent): fed the sweep
table as the Sweep view is (`set_sweep`, from the lessons panel, value by value), and until a
sweep arrives drawing the run's own tables, one point or line of what the sweep spreads out."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from playground.core.base.records import Table
from playground.ui.model.history import History
from playground.ui.model.series import log_ticks
from playground.ui.views.base import PlotView


class SweepFedView(PlotView):
    """Subclasses say what they draw from a sweep table (`has_sweep_data`) and from a run
    (`has_run_data`), and draw both in `draw`."""

    run_tables: tuple[str, ...] = ()  # the History tables the run's own drawing reads

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sweep_table: Table | None = None
        self.sweep_param = ""
        self.sweep_status = ""
        self.sweep_revision = 0

    def set_sweep(self, table: Table | None, param: str, status: str = "", show: str = "") -> None:
        """The sweep's table so far (None: a sweep is starting, or none); as SweepView.set_sweep."""
        self.sweep_table, self.sweep_param, self.sweep_status = table, param, status
        self.sweep_revision += 1
        self.update_from(self._history, force=True)

    @property
    def sweep(self) -> Table | None:
        table = getattr(self, "sweep_table", None)
        return table if table is not None and len(table.get("value", ())) and self.has_sweep_data(table) else None

    # ------------------------------------------------------------ to override

    def has_sweep_data(self, table: Table) -> bool:
        raise NotImplementedError

    def has_run_data(self, history: History) -> bool:
        return all(history.has(name) for name in self.run_tables)

    # ------------------------------------------------------------ PlotView

    def has_data(self, history: History | None) -> bool:
        return self.sweep is not None or (history is not None and self.has_run_data(history))

    def redraw_key(self, history: History | None) -> Any:
        revisions = tuple(history.revision_of(name) for name in self.run_tables) if history is not None else ()
        return (getattr(self, "sweep_revision", 0), id(history), revisions, self.options())

    def options(self) -> Any:
        """The toolbar choices a redraw depends on."""
        return ()


def numeric_values(table) -> bool:
    try:
        return bool(np.isfinite(np.asarray(table["value"], dtype=float)).all())
    except (TypeError, ValueError):
        return False


def set_log_ticks(plot, items, x: bool = True, y: bool = True) -> None:
    """1-2-5 ticks on log axes (pyqtgraph's own label every minor tick, which crowds)."""
    xs = np.concatenate([np.asarray(item.xData if item.xData is not None else [], dtype=float) for item in items] or [[]])
    ys = np.concatenate([np.asarray(item.yData if item.yData is not None else [], dtype=float) for item in items] or [[]])
    for side, values, wanted, most in (("bottom", xs, x, 12), ("left", ys, y, 6)):
        if wanted:
            ticks = log_ticks(values, most)
            plot.getAxis(side).setTicks([ticks] if ticks else None)


def feed_sweep(views: Iterable[PlotView], table: Table | None, param: str, status: str = "") -> None:
    """Hand a sweep's table to every view that draws one, the Sweep view aside (the lessons panel
    feeds that one itself, with its column choice)."""
    for view in views:
        if isinstance(view, SweepFedView):
            view.set_sweep(table, param, status)
