"""The one-pixel attack (Su, Vargas & Sakurai 2019), exhaustively: on 8x8 inputs every pixel
set to either end of the pixel range (0 or 1) is 128 variants, so instead of the paper's
differential evolution the search tries them all and is exact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import torch

from playground.core.config import Config
from playground.core.training.hooks import TrainerHook
from playground.core.training.perturb import input_range


@dataclass
class OnePixelResult:
    correct: np.ndarray  # (E, N) bool: classified correctly as it is
    fooled: np.ndarray  # (E, N) bool: correct, and some single-pixel change flips the label
    pixel: np.ndarray  # (E, N) int: the first flipping change's pixel (-1 where none) ...
    value: np.ndarray  # (E, N) float: ... and the value it was set to
    new_label: np.ndarray  # (E, N) int: the label after that change (-1 where none)


def one_pixel_search(predict, x: torch.Tensor, y: torch.Tensor, values: tuple[float, ...], chunk: int = 16) -> OnePixelResult:
    """Try every pixel at every value on each member's images x (E, N, d) with labels y (E, N).
    `predict(inputs (E, M, d)) -> labels (E, M)`. The first flipping change counts, in the
    order pixel 0 value 0, pixel 0 value 1, pixel 1 value 0, ..."""
    members, count, dim = x.shape
    with torch.no_grad():
        correct = (predict(x) == y).cpu().numpy()
        variants = len(values) * dim
        pixel_of = torch.arange(dim, device=x.device).repeat_interleave(len(values))  # (variants,)
        value_of = torch.tensor(values, dtype=x.dtype, device=x.device).repeat(dim)
        first = np.full((members, count), -1, dtype=np.int64)
        new_label = np.full((members, count), -1, dtype=np.int64)
        for start in range(0, count, chunk):
            block = x[:, start:start + chunk]  # (E, b, d)
            b = block.shape[1]
            changed = block.unsqueeze(2).repeat(1, 1, variants, 1)  # (E, b, V, d)
            changed[:, :, torch.arange(variants), pixel_of] = value_of
            labels = predict(changed.reshape(members, b * variants, dim)).reshape(members, b, variants)
            flips = (labels != y[:, start:start + b, None]).cpu().numpy()
            any_flip = flips.any(axis=2)
            index = flips.argmax(axis=2)
            first[:, start:start + b] = np.where(any_flip, index, -1)
            picked = np.take_along_axis(labels.cpu().numpy(), index[..., None], axis=2)[..., 0]
            new_label[:, start:start + b] = np.where(any_flip, picked, -1)
    fooled = correct & (first >= 0)
    first = np.where(fooled, first, -1)
    new_label = np.where(fooled, new_label, -1)
    pixel = np.where(first >= 0, first // len(values), -1)
    value = np.where(first >= 0, np.asarray(values)[np.maximum(first, 0) % len(values)], np.nan)
    return OnePixelResult(correct=correct, fooled=fooled, pixel=pixel, value=value, new_label=new_label)


class OnePixelHook(TrainerHook):
    """At the end writes table `one_pixel`: member, fooled, total (correctly classified test
    images), fraction; and `one_pixel_examples`: member, example, test_index, pixel, value,
    old_label, new_label (up to `examples` per member), whose images `final_arrays` gives
    (`one_pixel_images`, one row per example row, unchanged)."""

    def __init__(self, settings: Mapping[str, Any], config: Config):
        self.examples = settings["examples"]
        self.result: OnePixelResult | None = None

    def run(self, trainer) -> OnePixelResult:
        data = trainer.task
        low, high = input_range(data.x_train)

        def predict(inputs):
            return trainer.predictions(trainer.model(inputs), data)

        self.result = one_pixel_search(predict, data.x_test, data.y_test, (low, high))
        return self.result

    def after_epoch(self, trainer, record) -> None:
        if record.epoch < trainer.total_epochs:
            return
        result = self.run(trainer)
        members = trainer.members
        fooled, total = result.fooled.sum(axis=1), result.correct.sum(axis=1)
        record.add_table("one_pixel", {
            "member": np.arange(members), "fooled": fooled, "total": total,
            "fraction": fooled / np.maximum(total, 1),
        })
        rows = self._example_rows(trainer)
        record.add_table("one_pixel_examples", {k: v for k, v in rows.items() if k != "image"})

    def _example_rows(self, trainer) -> dict[str, np.ndarray]:
        result = self.result
        y = trainer.task.y_test.cpu().numpy()
        x = trainer.task.x_test.cpu().numpy()
        columns: dict[str, list] = {k: [] for k in
                                    ("member", "example", "test_index", "pixel", "value", "old_label", "new_label", "image")}
        for member in range(trainer.members):
            for example, index in enumerate(np.flatnonzero(result.fooled[member])[:self.examples]):
                for key, value in (("member", member), ("example", example), ("test_index", index),
                                   ("pixel", result.pixel[member, index]), ("value", result.value[member, index]),
                                   ("old_label", y[member, index]), ("new_label", result.new_label[member, index]),
                                   ("image", x[member, index])):
                    columns[key].append(value)
        dim = trainer.task.input_dim
        out = {k: np.asarray(v) for k, v in columns.items() if k != "image"}
        out["image"] = np.asarray(columns["image"], dtype=np.float32).reshape(-1, dim)
        return out

    def summary(self, trainer) -> dict[str, np.ndarray]:
        result = self.result or self.run(trainer)
        return {"one_pixel_fraction": result.fooled.sum(axis=1) / np.maximum(result.correct.sum(axis=1), 1)}

    def final_arrays(self, trainer) -> dict[str, np.ndarray]:
        if self.result is None:
            self.run(trainer)
        return {"one_pixel_images": self._example_rows(trainer)["image"]}
