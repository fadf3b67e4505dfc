"""`playground bench`: throughput figures, each beside a naive reference measured in the same run.

Other modules add benchmarks with `register(name, function)`; a function returns a list of
`Result`s. Timings are medians of repeats, on one CPU thread.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch

from playground.core.config import Config, apply_overrides


@dataclass
class Result:
    name: str
    value: float
    unit: str
    reference: float | None = None  # the naive reference's figure, same unit
    ratio: float | None = None  # value / reference (or reference / value for times)
    note: str = ""


BENCHMARKS: dict[str, Callable[[bool], list[Result]]] = {}


def register(name: str, function: Callable[[bool], list[Result]]) -> None:
    BENCHMARKS[name] = function


def median_time(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def ib_config(ensemble: int) -> Config:
    from playground.core.experiments.catalog import get_preset

    cfg = get_preset("ib-tanh").config()
    return apply_overrides(cfg, [
        f"train.ensemble={ensemble}", "train.epochs=100000", "train.eval_schedule=log",
        "train.eval_points=2", "probes.enabled=false", "train.threads=1",
    ])


def naive_epochs(trainer, epochs: int) -> float:
    """Seconds per epoch of a plain loop over per-network nn.Sequential models, on the same
    batches as the ensemble (the reference the vectorised ensemble must beat)."""
    from torch import nn

    cfg = trainer.config
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "linear": nn.Identity}
    sizes = trainer.model.sizes
    nets, optimizers = [], []
    for member in range(trainer.members):
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(a, b)
            with torch.no_grad():
                linear.weight.copy_(trainer.model.weights[i][member].T)
                linear.bias.copy_(trainer.model.biases[i][member, 0])
            layers.append(linear)
            if i < len(sizes) - 2:
                layers.append(acts[cfg.network.activation]())
        net = nn.Sequential(*layers)
        nets.append(net)
        optimizers.append(torch.optim.Adam(net.parameters(), lr=cfg.train.lr))
    data = trainer.task
    x_all, y_all = data.x_train, data.y_train

    def one_epoch() -> None:
        batches = trainer._batch_indices()
        for member, (net, opt) in enumerate(zip(nets, optimizers)):
            x, y = x_all[member], y_all[member]
            for idx in batches:
                rows = torch.as_tensor(idx[member])
                opt.zero_grad()
                loss = nn.functional.cross_entropy(net(x[rows]), y[rows])
                loss.backward()
                opt.step()

    one_epoch()
    return median_time(one_epoch, epochs)


def training_throughput(quick: bool) -> list[Result]:
    from playground.core.experiments.assembly import build_trainer

    torch.set_num_threads(1)
    repeats = 3 if quick else 10
    results = []
    for ensemble in (1, 50):
        trainer = build_trainer(ib_config(ensemble))
        trainer.run_epoch()
        per_epoch = median_time(trainer.run_epoch, repeats)
        naive = naive_epochs(trainer, 2 if quick else 3)
        if ensemble == 1:
            results.append(Result("train ib-tanh, 1 network", 1 / per_epoch, "epochs/s",
                                  1 / naive, naive / per_epoch))
        else:
            results.append(Result(f"train ib-tanh, ensemble of {ensemble}", ensemble / per_epoch,
                                  "network-epochs/s", ensemble / naive, naive / per_epoch,
                                  "reference: a loop over nn.Sequential networks, same batches"))
    return results


register("training", training_throughput)


def run_benchmarks(quick: bool = False, only: list[str] | None = None) -> list[Result]:
    results: list[Result] = []
    for name, function in BENCHMARKS.items():
        if only and name not in only:
            continue
        results.extend(function(quick))
    return results


def print_results(results: list[Result], as_json: bool = False) -> None:
    if as_json:
        print(json.dumps([
            {k: v for k, v in asdict(r).items() if k in ("name", "value", "unit", "reference", "ratio")}
            for r in results
        ], indent=2))
        return
    for r in results:
        ref = f"  (naive reference {r.reference:.4g} {r.unit}; ratio {r.ratio:.1f}x)" if r.reference else ""
        print(f"{r.name:<48} {r.value:>12.4g} {r.unit}{ref}")
        if r.note:
            print(f"{'':<48} {r.note}")
