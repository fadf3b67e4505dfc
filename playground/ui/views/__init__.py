"""The live views, one class per module, all `PlotView`s, listed once here by key. Adding a view
= one module + one entry in `VIEWS` (+ its key in `MAIN` or `SIDE` if the window always shows it).

`MAIN` are tabs in the large area; `SIDE` stay visible beside them (the network drawing and the
decision boundary, as in TensorFlow Playground); `ON_DEMAND` are added as tabs by a lesson that
needs them. `PLOTTED` are the views `playground plot` draws. The window, the figures of a saved
run and the lessons panel all take views from here. Views of a sweep (`SweepFedView`s, and the
Sweep view) get its table from the lessons panel (`feed_sweep`).
"""

from playground.ui.views.adversarial import AdversarialView
from playground.ui.views.base import PlotView
from playground.ui.views.boundary import BoundaryView
from playground.ui.views.confusion import ConfusionView
from playground.ui.views.curvature import CurvatureView
from playground.ui.views.double_descent import DoubleDescentView
from playground.ui.views.fooling import FoolingView
from playground.ui.views.forgetting import ForgettingView
from playground.ui.views.gradient_depth import GradientDepthView
from playground.ui.views.info_plane import InfoPlaneView
from playground.ui.views.landscape import LandscapeView
from playground.ui.views.layer_stats import LayerStatsView
from playground.ui.views.lazy import LazyView
from playground.ui.views.loss import LossView
from playground.ui.views.modes import ModesView
from playground.ui.views.network import NetworkView
from playground.ui.views.one_pixel import OnePixelView
from playground.ui.views.pruning import PruningView
from playground.ui.views.separation import SeparationView
from playground.ui.views.sharpness import SharpnessView
from playground.ui.views.sweep import SweepView
from playground.ui.views.sweep_fed import SweepFedView, feed_sweep

VIEWS: dict[str, type[PlotView]] = {cls.key: cls for cls in (
    LossView, InfoPlaneView, LayerStatsView, ForgettingView, NetworkView, BoundaryView,
    ModesView, SharpnessView, SweepView, ConfusionView,
    # lessons 11-19
    AdversarialView, FoolingView, OnePixelView, PruningView, LandscapeView, CurvatureView, LazyView,
    SeparationView, GradientDepthView, DoubleDescentView)}
MAIN: tuple[str, ...] = ("loss", "info_plane", "layer_stats", "forgetting")
SIDE: tuple[str, ...] = ("network", "boundary")
# The confusion matrix is live (the session sends live["confusion"]) but not a standing tab: a fifth
# tab would not fit a 1280 px screen's tab bar; View > Confusion matrix and lessons bring it.
ON_DEMAND: tuple[str, ...] = ("modes", "sharpness", "sweep", "confusion",
                              "adversarial", "fooling", "one_pixel", "pruning", "landscape", "curvature", "lazy",
                              "separation", "gradient_depth", "double_descent")
# What `playground plot` always draws (or says why not); a lesson's own views it adds where the run
# has their data.
PLOTTED: tuple[str, ...] = (*MAIN, *SIDE, "confusion")

MAIN_VIEWS: tuple[type[PlotView], ...] = tuple(VIEWS[key] for key in MAIN)
SIDE_VIEWS: tuple[type[PlotView], ...] = tuple(VIEWS[key] for key in SIDE)


def make_view(key: str) -> PlotView:
    """A new view of this key; a KeyError names the keys there are."""
    if key not in VIEWS:
        raise KeyError(f"no view {key!r}: choose one of {', '.join(VIEWS)}")
    return VIEWS[key]()


__all__ = ["VIEWS", "MAIN", "SIDE", "ON_DEMAND", "PLOTTED", "MAIN_VIEWS", "SIDE_VIEWS", "PlotView", "SweepFedView",
           "make_view", "feed_sweep", "BoundaryView", "ConfusionView", "ForgettingView", "InfoPlaneView",
           "LayerStatsView", "LossView", "ModesView", "NetworkView", "SharpnessView", "SweepView", "AdversarialView",
           "FoolingView", "OnePixelView", "PruningView", "LandscapeView", "CurvatureView", "LazyView",
           "SeparationView", "GradientDepthView", "DoubleDescentView"]
