"""The live views, one class per module, all `PlotView`s. Adding a view = one module + one line here.

`MAIN_VIEWS` are tabs in the large area; `SIDE_VIEWS` stay visible beside them (the network
drawing and the decision boundary, as in TensorFlow Playground).
"""

from playground.ui.views.base import PlotView
from playground.ui.views.boundary import BoundaryView
from playground.ui.views.forgetting import ForgettingView
from playground.ui.views.info_plane import InfoPlaneView
from playground.ui.views.layer_stats import LayerStatsView
from playground.ui.views.loss import LossView
from playground.ui.views.network import NetworkView

MAIN_VIEWS: tuple[type[PlotView], ...] = (LossView, InfoPlaneView, LayerStatsView, ForgettingView)
SIDE_VIEWS: tuple[type[PlotView], ...] = (NetworkView, BoundaryView)

__all__ = ["MAIN_VIEWS", "SIDE_VIEWS", "PlotView", "BoundaryView", "ForgettingView", "InfoPlaneView",
           "LayerStatsView", "LossView", "NetworkView"]
