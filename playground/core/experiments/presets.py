"""Named, ready-made configs. Each is a description plus overrides of the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from playground.core.config import Config, from_dict


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    settings: Mapping[str, Any]
    # The lesson this preset opens (playground.core.experiments.lessons.Lesson), if it is one.
    lesson: Any = None

    def config(self) -> Config:
        return from_dict(self.settings)


IB_NETWORK = {"hidden": [10, 7, 5, 4, 3], "init": "truncnormal"}
IB_PROBES = {"enabled": True, "schedule": "log", "points": 400}

# The built-in presets; `catalog` adds one per lesson.
PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


for _preset in (
    Preset(
        "ib-tanh",
        "Information plane of the 12-10-7-5-4-3-2 tanh network (Shwartz-Ziv & Tishby's setup)",
        {
            "task": {"name": "ib", "train_fraction": 0.8},
            "network": {**IB_NETWORK, "activation": "tanh"},
            "train": {"optimizer": "adam", "lr": 4e-4, "batch_size": 512, "epochs": 8000,
                      "eval_schedule": "log", "eval_points": 1000},
            "probes": {**IB_PROBES, "estimator": "binning"},
        },
    ),
    Preset(
        "ib-relu",
        "The same network with ReLU and fixed-width bins, floor(h / 0.07) (Saxe et al.'s counter-study)",
        {
            "task": {"name": "ib", "train_fraction": 0.8},
            "network": {**IB_NETWORK, "activation": "relu"},
            "train": {"optimizer": "adam", "lr": 4e-4, "batch_size": 256, "epochs": 8000,
                      "eval_schedule": "log", "eval_points": 1000},
            "probes": {**IB_PROBES, "estimator": "binwidth", "bin_width": 0.07},
        },
    ),
    Preset(
        "parity",
        "10-bit parity of 5 hidden bits: one ReLU layer of 100, hinge loss, SGD (Shalev-Shwartz et al.)",
        {
            "task": {"name": "parity", "n": 10, "k": 5, "online": True},
            "network": {"hidden": [100], "activation": "relu", "init": "default"},
            "train": {"optimizer": "sgd", "lr": 0.01, "batch_size": 128, "loss": "hinge",
                      "epochs": 200, "steps_per_epoch": 100},
        },
    ),
    Preset(
        "random-labels",
        "Memorisation: fit the IB data with every training label random (Zhang et al.)",
        {
            "task": {"name": "ib", "random_labels": 1.0},
            "network": {"hidden": [128, 128], "activation": "relu"},
            "train": {"optimizer": "adam", "lr": 1e-3, "batch_size": 128, "epochs": 300},
        },
    ),
    Preset(
        "spiral",
        "Two interleaved spirals: a 2-D set with a decision boundary to watch",
        {
            "task": {"name": "spiral", "samples": 600, "noise": 0.05},
            "network": {"hidden": [16, 16, 16], "activation": "tanh", "init": "xavier"},
            "train": {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 300},
        },
    ),
    Preset(
        "circle",
        "A disc inside a ring: the simplest non-linear boundary",
        {
            "task": {"name": "circle", "samples": 500, "noise": 0.05},
            "network": {"hidden": [8, 8], "activation": "tanh", "init": "xavier"},
            "train": {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 200},
        },
    ),
):
    register(_preset)


# Sequential digits tasks (science.md section 4): 20 epochs per task (train.epochs).
FORGETTING_NETWORK = {"hidden": [100, 100], "activation": "relu"}
FORGETTING_TRAIN = {"optimizer": "adam", "lr": 1e-3, "batch_size": 64, "epochs": 20}
register(Preset(
    "forgetting-permuted",
    "Catastrophic forgetting: 5 tasks of digits, each with its pixels shuffled by a fixed permutation, one shared head",
    {
        "task": {"name": "digits"},
        "network": FORGETTING_NETWORK,
        "train": FORGETTING_TRAIN,
        "continual": {"tasks": 5, "family": "permuted", "scenario": "domain", "method": "none"},
    },
))
register(Preset(
    "forgetting-split",
    "Catastrophic forgetting: digits 0/1, then 2/3, ... 8/9, class-incremental (one head for all ten)",
    {
        "task": {"name": "digits"},
        "network": FORGETTING_NETWORK,
        "train": FORGETTING_TRAIN,
        "continual": {"tasks": 5, "family": "split", "scenario": "class", "method": "none"},
    },
))
