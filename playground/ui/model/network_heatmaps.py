"""What each unit's heatmap in the network drawing shows, and its colours, without Qt.

From live["neurons"] (core/measures/neurons.NeuronMaps): an input feature shows its value over
the (x1, x2) plane (a feature not in use is computed from its formula and dimmed), a hidden
unit its output, each on its own symmetric scale in the weight-sign colours (white is 0). The
output units show what the decision boundary shows: each class's probability, white (0) to
the class's colour (1); the hinge loss's one score as P(class 1) between the two class colours;
a regression's one unit its predicted value, in the sign colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from playground.core.tasks.features import FORMULAS
from playground.ui.model.network_hits import InputRow

SIGNED, CLASS, HINGE = "signed", "class", "hinge"
DIM = 0.3  # an unused feature keeps this share of its colour


@dataclass
class UnitMap:
    values: np.ndarray  # (R, R), values[j, i] at (xs[i], ys[j])
    kind: str  # SIGNED, CLASS (values are a probability) or HINGE (P(class 1))
    caption: str
    colour: int = 0  # the class, for CLASS
    dimmed: bool = False


def softmax(raw: np.ndarray) -> np.ndarray:
    """Softmax over the first axis (units) of (C, R, R) raw outputs."""
    raw = np.asarray(raw, dtype=np.float64)
    shifted = np.exp(raw - raw.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def feature_grid(name: str, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """A feature's value over the grid, (R, R) as the maps are laid out."""
    gx, gy = np.meshgrid(np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64))
    return FORMULAS[name](gx, gy).astype(np.float32)


def column_maps(maps, rows: Sequence[InputRow], sizes: Sequence[int], drawn: Sequence[int], loss: str,
                regression: bool) -> list[list[UnitMap | None]]:
    """The map of each drawn unit: a list per column (`drawn[l]` units of layer l; the input
    column has one entry per row), None where the maps do not reach (a wide layer's later units)."""
    columns: list[list[UnitMap | None]] = []
    inputs: list[UnitMap | None] = []
    for row in rows:
        if row.active and row.index < len(maps.inputs):
            inputs.append(UnitMap(np.asarray(maps.inputs[row.index]), SIGNED, row.name))
        elif row.name in FORMULAS:
            inputs.append(UnitMap(feature_grid(row.name, maps.xs, maps.ys), SIGNED, row.name, dimmed=not row.active))
        else:
            inputs.append(None)
    columns.append(inputs)
    last = len(sizes) - 1
    for layer in range(1, len(sizes)):
        if layer - 1 >= len(maps.layers):
            columns.append([None] * drawn[layer])
            continue
        layer_maps, units = np.asarray(maps.layers[layer - 1]), [int(u) for u in maps.units[layer - 1]]
        shown = dict(zip(units, layer_maps))
        if layer < last:
            columns.append([UnitMap(shown[k], SIGNED, f"hidden {layer}, unit {k + 1}") if k in shown else None
                            for k in range(drawn[layer])])
            continue
        columns.append(_output_maps(shown, sizes[last], drawn[layer], loss, regression))
    return columns


def _output_maps(shown: dict[int, np.ndarray], outputs: int, drawn: int, loss: str, regression: bool
                 ) -> list[UnitMap | None]:
    if regression:
        return [UnitMap(shown[0], SIGNED, "output: the predicted value") if 0 in shown else None]
    if loss == "hinge":
        p1 = np.clip((np.asarray(shown[0], dtype=np.float64) + 1) / 2, 0, 1) if 0 in shown else None
        return [None if p1 is None else UnitMap(p1, HINGE, "output: P(class 1) from the score")]
    if len(shown) < outputs:  # not every class's output: no probabilities, the raw outputs
        return [UnitMap(shown[k], SIGNED, f"output {k} (raw)") if k in shown else None for k in range(drawn)]
    probs = softmax(np.stack([shown[k] for k in range(outputs)]))
    return [UnitMap(probs[k], CLASS, f"output: P(class {k})", colour=k) for k in range(drawn)]


def symmetric_scale(values: np.ndarray) -> float:
    finite = np.abs(np.asarray(values, dtype=np.float64))
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else 1.0


def _mix(strength: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """White towards `colour` (RGB floats: one, or one per pixel) by `strength` in [0, 1], per pixel."""
    return 255.0 + (np.asarray(colour, dtype=float)[..., :3] - 255.0) * strength[..., None]


def _sign_colours(values: np.ndarray, positive, negative) -> np.ndarray:
    """Per pixel, `positive` where the value is >= 0, else `negative` (RGB floats)."""
    return np.where(values[..., None] >= 0, np.asarray(positive, dtype=float)[:3], np.asarray(negative, dtype=float)[:3])


def unit_rgba(unit: UnitMap, positive: Sequence[int], negative: Sequence[int],
              classes: Sequence[Sequence[int]]) -> np.ndarray:
    """(R, R, 4) bytes of a unit's heatmap, [j, i] as its values."""
    values = np.nan_to_num(np.asarray(unit.values, dtype=np.float64))
    if unit.kind == CLASS:
        rgb = _mix(np.clip(values, 0, 1), classes[unit.colour % len(classes)])
    elif unit.kind == HINGE:
        centred = np.clip(values, 0, 1) - 0.5
        rgb = _mix(np.abs(centred) * 2, _sign_colours(centred, classes[1 % len(classes)], classes[0]))
    else:
        strength = np.clip(np.abs(values) / symmetric_scale(values), 0, 1) ** 0.7
        rgb = _mix(strength, _sign_colours(values, positive, negative))
    if unit.dimmed:
        rgb = 255.0 - (255.0 - rgb) * DIM
    alpha = np.full(values.shape + (1,), 255.0)
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)
