"""The information-bottleneck dataset of Shwartz-Ziv & Tishby (2017).

12 binary inputs on the vertices of an icosahedron; the label is the rotation-invariant
rule written out in shared/science.md, which reproduces the study's data file exactly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from playground.core.tasks.base import RANDOM_LABELS, TRAIN_FRACTION, Dataset, Option, TaskSpec, finite_dataset

N_BITS = 12
NEIGHBOURS = {
    0: (1, 3, 5, 10, 11), 1: (0, 2, 3, 4, 11), 2: (1, 3, 4, 8, 9), 3: (0, 1, 2, 8, 10),
    4: (1, 2, 6, 9, 11), 5: (0, 6, 7, 10, 11), 6: (4, 5, 7, 9, 11), 7: (5, 6, 8, 9, 10),
    8: (2, 3, 7, 9, 10), 9: (2, 4, 6, 7, 8), 10: (0, 3, 5, 7, 8), 11: (0, 1, 4, 5, 6),
}


def graph_distances() -> np.ndarray:
    """All-pairs shortest path lengths on the icosahedron (breadth-first search)."""
    dist = np.full((N_BITS, N_BITS), -1, dtype=int)
    for start in range(N_BITS):
        dist[start, start] = 0
        frontier = [start]
        while frontier:
            nxt = []
            for node in frontier:
                for other in NEIGHBOURS[node]:
                    if dist[start, other] < 0:
                        dist[start, other] = dist[start, node] + 1
                        nxt.append(other)
            frontier = nxt
    return dist


def all_patterns() -> np.ndarray:
    """All 4096 inputs in binary counting order, most significant bit first."""
    codes = np.arange(2**N_BITS)
    shifts = np.arange(N_BITS - 1, -1, -1)
    return ((codes[:, None] >> shifts) & 1).astype(np.int64)


def label_rule(x: np.ndarray) -> np.ndarray:
    """The study's label as a function of weight, neighbour pairs and antipodal pairs."""
    dist = graph_distances()
    neighbour = (dist == 1).astype(np.int64)
    antipodal = (dist == 3).astype(np.int64)
    w = x.sum(axis=1)
    # Each unordered pair is counted twice by the quadratic form.
    n1 = np.einsum("ni,ij,nj->n", x, neighbour, x) // 2
    n3 = np.einsum("ni,ij,nj->n", x, antipodal, x) // 2
    y = (
        (w >= 8)
        | ((w == 7) & ~((n1 == 8) & (n3 == 2)))
        | ((w == 6) & ((n1 >= 7) | ((n1 == 6) & (n3 == 0))))
        | ((w == 5) & (n1 == 7))
    )
    return y.astype(np.int64)


@lru_cache(maxsize=1)
def ib_data() -> tuple[np.ndarray, np.ndarray]:
    x = all_patterns()
    y = label_rule(x)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    x, y = ib_data()
    inputs = x.astype(np.float32)
    if params["inputs"] == "pm1":
        inputs = 2 * inputs - 1
    return finite_dataset(
        inputs, y, 2, params, seed,
        feature_names=tuple(f"b{i}" for i in range(N_BITS)),
        probe_is_full_input_set=True,
    )


SPEC = TaskSpec(
    name="ib",
    description="Information-bottleneck data: 12 bits on an icosahedron, 4096 patterns (Shwartz-Ziv & Tishby)",
    options=(
        TRAIN_FRACTION,
        RANDOM_LABELS,
        Option(
            "inputs", "01", "input coding: 0/1 bits (the study's) or -1/+1", choices=("01", "pm1")
        ),
    ),
    build=build,
)
