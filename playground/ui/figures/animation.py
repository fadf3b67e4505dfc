"""Movies of a run (File > Export animation, `playground plot RUN --animate`): a view redrawn from
the run as it stood at successive epochs (playground.ui.model.timeline), one frame each, written
as a GIF and, where ffmpeg is on the PATH, an MP4.

The axes stay those of the whole run, so a curve grows into a fixed frame instead of the frame
jumping to follow it. A view whose drawing does not change over the epochs (the network and the
decision boundary of a saved run hold only its last state) gives no movie, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from playground.core.base.fileio import RunFileError
from playground.ui.figures import movie
from playground.ui.model.history import History
from playground.ui.model.timeline import MovieLength, logged_epochs, spread, truncated

DEFAULT_WIDTH = 800  # GIFs grow fast with size; slides rarely want more
STILL = "only the run's last state is there to draw, the same in every frame: no animation"


class NothingToAnimate(RunFileError):
    """The view has no data, too few epochs, or a drawing that does not change over them."""


@dataclass
class Animation:
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    frames: int = 0


def frame_image(view, width: int) -> np.ndarray:
    """The view's canvas as an (H, W, 3) uint8 RGB array `width` pixels wide."""
    from pyqtgraph.exporters import ImageExporter
    from PySide6.QtGui import QImage

    exporter = ImageExporter(view.canvas.scene())
    exporter.parameters()["width"] = int(width)
    image = exporter.export(toBytes=True).convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine())
    return rows[:, : 3 * w].reshape(h, w, 3).copy()


def first_epoch_with_data(view, history: History, epochs: np.ndarray) -> int | None:
    """The index of the first logged epoch at which the view has something to draw (a view's
    data only ever grows, so a bisection finds it); None if it has none even at the end."""
    low, high = 0, len(epochs)
    while low < high:
        middle = (low + high) // 2
        if view.has_data(truncated(history, int(epochs[middle]))):
            high = middle
        else:
            low = middle + 1
    return low if low < len(epochs) else None


def movie_epochs(view, history: History, frames: int) -> np.ndarray:
    """The epochs of the frames: spread over the logged epochs from (about) the first the view can draw."""
    epochs = logged_epochs(history)
    start = first_epoch_with_data(view, history, epochs)
    if start is None:
        return epochs[:0]
    if len(epochs) - start > 2:
        start += 1  # a curve needs two points: the first frame shows two epochs
    return spread(epochs[start:], frames)


def _boxes(view) -> list:
    return [plot.getViewBox() for plot in view.plot_items()]


def render_frames(view, history: History, epochs: np.ndarray, width: int) -> list[np.ndarray]:
    """One image per epoch of the (laid out) view redrawn from the run truncated there, on the
    axes the whole run gets. The view is left showing the whole run again."""
    comparison = view.comparison
    view.update_from(history, force=True)
    view.canvas.scene().prepareForPaint()  # brings the auto ranges up to date
    saved = [(box.viewRange(), list(box.state["autoRange"])) for box in _boxes(view)]
    images = []
    try:
        for epoch in epochs:
            view.comparison = truncated(comparison, int(epoch)) if comparison is not None else None
            view.update_from(truncated(history, int(epoch)), force=True)
            boxes = _boxes(view)  # the same plots, unless the view builds new ones on each redraw
            if len(boxes) == len(saved):
                for box, ((x_range, y_range), _) in zip(boxes, saved):
                    box.setRange(xRange=x_range, yRange=y_range, padding=0)
            images.append(frame_image(view, width))
    finally:
        view.comparison = comparison
        boxes = _boxes(view)
        if len(boxes) == len(saved):
            for box, (_, (auto_x, auto_y)) in zip(boxes, saved):
                box.enableAutoRange(x=auto_x, y=auto_y)
        view.update_from(history, force=True)
    return images


def animate(view, history: History, gif_path: str | Path, length: MovieLength, width: int = DEFAULT_WIDTH,
            mp4: bool = True) -> Animation:
    """Write `gif_path` (and the MP4 beside it where ffmpeg is there) of a laid-out view over the
    run's epochs. RunFileError when there is nothing to animate or a file cannot be written."""
    gif_path = Path(gif_path)
    if gif_path.suffix.lower() != ".gif":
        gif_path = gif_path.with_name(gif_path.name + ".gif")
    if not gif_path.parent.is_dir():
        raise RunFileError(f"{gif_path.parent}: folder does not exist")
    name = view.title.replace("&&", "&")
    if not view.has_data(history):
        raise NothingToAnimate(f"{name}: nothing to draw yet")
    epochs = movie_epochs(view, history, length.frames)
    if len(epochs) < 2:
        raise NothingToAnimate(f"{name}: the run has {len(epochs)} logged epoch{'s' if len(epochs) != 1 else ''} "
                           f"to show; an animation needs two or more")
    first, last = render_frames(view, history, epochs[[0, -1]], width)  # a still view: found in two frames
    if np.array_equal(first, last):
        raise NothingToAnimate(f"{name}: {STILL}")
    images = render_frames(view, history, epochs, width)
    result = Animation(frames=len(images))
    if len(epochs) < length.frames:
        result.notes.append(f"{name}: {len(epochs)} frames (one per logged epoch; {length.frames} asked)")
    result.written.append(movie.write_gif(images, gif_path, length.fps))
    if mp4:
        try:
            result.written.append(movie.write_mp4(images, gif_path.with_suffix(".mp4"), length.fps))
        except RunFileError as exc:  # the GIF stands on its own
            result.notes.append(str(exc))
    return result
