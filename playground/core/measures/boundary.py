"""The decision boundary of a 2-D task: every member's class probabilities on a grid of inputs.

Computed in the thread that trains (the GUI's worker, at a throttled rate) and handed to the
decision-boundary view as plain numpy arrays, like TensorFlow Playground's output heatmap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

DEFAULT_RESOLUTION = 64
# Margin around the data, as a fraction of its extent.
MARGIN = 0.1


@dataclass
class BoundaryGrid:
    xs: np.ndarray  # (R,) grid coordinates of the first input
    ys: np.ndarray  # (R,) of the second input
    probs: np.ndarray  # (E, R, R, C) class probabilities; probs[e, j, i] is at (xs[i], ys[j])
    points: np.ndarray  # (N, 2) member 0's training inputs
    labels: np.ndarray  # (N,) their labels
    test_points: np.ndarray  # (M, 2) member 0's test inputs
    test_labels: np.ndarray


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


def supports_boundary(trainer) -> bool:
    return trainer.task.input_dim == 2


@torch.no_grad()
def compute_boundary(trainer, resolution: int = DEFAULT_RESOLUTION) -> BoundaryGrid:
    """Evaluate every member of the trainer's model on a resolution x resolution grid."""
    data = trainer.task
    if data.input_dim != 2:
        raise ValueError(f"a decision boundary needs 2 inputs; task {data.name} has {data.input_dim}")
    x_train = data.x_train[0].detach().cpu().numpy()
    x_test = data.x_test[0].detach().cpu().numpy()
    x0, x1, y0, y1 = grid_extent(np.concatenate([x_train, x_test]))
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)  # (R, R): row j is ys[j]
    inputs = torch.as_tensor(np.stack([gx.ravel(), gy.ravel()], axis=1), dtype=torch.float32, device=trainer.device)
    output = trainer.model(inputs)  # (E, R*R, outputs)
    probs = output_probabilities(output, trainer.config.train.loss, data.class_mask)
    probs = probs.reshape(trainer.members, resolution, resolution, -1).cpu().numpy().astype(np.float32)
    return BoundaryGrid(
        xs=xs, ys=ys, probs=probs,
        points=x_train.copy(), labels=data.y_train[0].detach().cpu().numpy().copy(),
        test_points=x_test.copy(), test_labels=data.y_test[0].detach().cpu().numpy().copy(),
    )
