"""The decision boundary of a 2-D task: every member's class probabilities on a grid of the
(x1, x2) plane (through the task's input features, where it has them), or a regression's
predicted surface.

Computed in the thread that trains (the GUI's worker, at a throttled rate) and handed to the
decision-boundary view as plain numpy arrays, like TensorFlow Playground's output heatmap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground.core.tasks.features import feature_map

DEFAULT_RESOLUTION = 64
# Margin around the data, as a fraction of its extent.
MARGIN = 0.1


@dataclass
class BoundaryGrid:
    xs: np.ndarray  # (R,) grid coordinates of x1
    ys: np.ndarray  # (R,) of x2
    probs: np.ndarray  # (E, R, R, C) class probabilities; probs[e, j, i] is at (xs[i], ys[j])
    points: np.ndarray  # (N, 2) member 0's training points in the (x1, x2) plane
    labels: np.ndarray  # (N,) their labels (targets for a regression)
    test_points: np.ndarray  # (M, 2) member 0's test points
    test_labels: np.ndarray
    # A regression's predicted surface (E, R, R), values[e, j, i] at (xs[i], ys[j]); None otherwise.
    values: np.ndarray | None = None


@dataclass
class Plane:
    """Member 0's points in the (x1, x2) plane and the features the network sees of them."""

    train: np.ndarray  # (N, 2)
    test: np.ndarray  # (M, 2)
    features: tuple[str, ...] | None  # None: the two inputs are the plane's coordinates


def grid_extent(points: np.ndarray, margin: float = MARGIN) -> tuple[float, float, float, float]:
    """A square-ish box around the points, with a margin; never empty."""
    low = points.min(axis=0)
    high = points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    low, high = low - margin * span, high + margin * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def output_probabilities(output: torch.Tensor, loss: str, class_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Class probabilities (..., C) from raw outputs: softmax for cross-entropy; for the hinge
    loss's single score s, P(class 1) = clip((s + 1) / 2, 0, 1), i.e. s = +-1 is certain."""
    if loss == "hinge":
        p1 = torch.clamp((output[..., 0] + 1) / 2, 0, 1)
        return torch.stack([1 - p1, p1], dim=-1)
    if class_mask is not None:
        output = output.masked_fill(~class_mask, float("-inf"))
    return torch.softmax(output, dim=-1)


def task_plane(data) -> Plane | None:
    """The plane of a task's data (TaskData): a 2-D task's own points where its inputs are
    features of them, else the inputs where there are two; None for other tasks."""
    first = data.datasets[0] if data.datasets else None
    if first is not None and first.plane_train is not None and first.plane_test is not None:
        # A subset of the data (a split-classes sequence) no longer lines up with its plane.
        if len(first.plane_train) == data.n_train and len(first.plane_test) == data.x_test.shape[1]:
            return Plane(first.plane_train, first.plane_test, tuple(first.feature_names))
    if data.input_dim == 2:
        return Plane(data.x_train[0].detach().cpu().numpy(), data.x_test[0].detach().cpu().numpy(), None)
    return None


def plane_grid(plane: Plane, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid coordinates xs, ys (R,) around the plane's points, and the network's inputs at
    every grid point (R*R, inputs), row-major with x1 varying fastest."""
    x0, x1, y0, y1 = grid_extent(np.concatenate([plane.train, plane.test]))
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)  # (R, R): row j is ys[j]
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    inputs = points if plane.features is None else feature_map(points, plane.features)
    return xs, ys, inputs.astype(np.float32)


def supports_boundary(trainer) -> bool:
    return task_plane(trainer.task) is not None


@torch.no_grad()
def compute_boundary(trainer, resolution: int = DEFAULT_RESOLUTION) -> BoundaryGrid:
    """Evaluate every member of the trainer's model on a resolution x resolution grid of the plane."""
    data = trainer.task
    plane = task_plane(data)
    if plane is None:
        raise ValueError(f"a decision boundary needs 2 inputs; task {data.name} has {data.input_dim}")
    xs, ys, inputs = plane_grid(plane, resolution)
    output = trainer.model(torch.as_tensor(inputs, device=trainer.device))  # (E, R*R, outputs)
    values = None
    if data.regression:
        values = output[..., 0].reshape(trainer.members, resolution, resolution).cpu().numpy().astype(np.float32)
    probs = output_probabilities(output, trainer.config.train.loss, data.class_mask)
    probs = probs.reshape(trainer.members, resolution, resolution, -1).cpu().numpy().astype(np.float32)
    return BoundaryGrid(
        xs=xs, ys=ys, probs=probs,
        points=np.array(plane.train), labels=data.y_train[0].detach().cpu().numpy().copy(),
        test_points=np.array(plane.test), test_labels=data.y_test[0].detach().cpu().numpy().copy(),
        values=values,
    )
