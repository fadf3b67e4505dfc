"""The user's own data: numeric feature columns and a label column in a CSV file."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from playground.core.base.errors import ConfigError
from playground.core.tasks.base import RANDOM_LABELS, TRAIN_FRACTION, Dataset, Option, TaskSpec, finite_dataset

OPTIONS = (
    Option("path", "", "CSV file with a header row"),
    Option("label_column", "", "name of the label column; empty = the last column"),
    Option("standardize", True, "scale each feature to mean 0 and std 1"),
    TRAIN_FRACTION,
    RANDOM_LABELS,
)


class CsvTable:
    def __init__(self, x: np.ndarray, y: np.ndarray, classes: tuple[str, ...], features: tuple[str, ...]):
        self.x, self.y, self.classes, self.features = x, y, classes, features


def read_csv_task(path: str, label_column: str) -> CsvTable:
    if not path:
        raise ConfigError("task.path: the csv task needs a file (task.path = \"data.csv\")")
    return _read_cached(str(Path(path).resolve()), label_column, _mtime(path))


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError as exc:
        raise ConfigError(f"task.path: cannot read {path} ({exc.strerror or exc})") from None


@lru_cache(maxsize=8)
def _read_cached(path: str, label_column: str, _mtime_key: float) -> CsvTable:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: cannot read as CSV ({exc})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 3:
        raise ConfigError(f"{path}: needs a header row and at least two data rows")
    header = [name.strip() for name in rows[0]]
    if len(header) < 2:
        raise ConfigError(f"{path}: needs at least one feature column and a label column")
    label_name = label_column or header[-1]
    if label_name not in header:
        raise ConfigError(f"task.label_column: {label_name!r} is not a column of {path}; columns: {', '.join(header)}")
    label_index = header.index(label_name)
    feature_index = [i for i in range(len(header)) if i != label_index]
    features = np.empty((len(rows) - 1, len(feature_index)), dtype=np.float64)
    labels = []
    for r, row in enumerate(rows[1:], start=2):  # row numbers as a spreadsheet shows them
        if len(row) != len(header):
            raise ConfigError(f"{path}: row {r} has {len(row)} columns, the header has {len(header)}")
        for j, i in enumerate(feature_index):
            cell = row[i].strip()
            try:
                value = float(cell)
            except ValueError:
                raise ConfigError(f"{path}: row {r}, column '{header[i]}': {cell!r} is not a number") from None
            if not math.isfinite(value):
                raise ConfigError(f"{path}: row {r}, column '{header[i]}': {cell!r} is not a finite number")
            features[r - 2, j] = value
        label = row[label_index].strip()
        if not label:
            raise ConfigError(f"{path}: row {r}, column '{label_name}': the label is empty")
        labels.append(label)
    classes = tuple(sorted(set(labels), key=_natural_key))
    if len(classes) < 2:
        raise ConfigError(f"{path}: column '{label_name}' has only one class; a task needs two or more")
    lookup = {name: index for index, name in enumerate(classes)}
    y = np.array([lookup[label] for label in labels], dtype=np.int64)
    return CsvTable(features, y, classes, tuple(header[i] for i in feature_index))


def _natural_key(label: str) -> tuple:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    table = read_csv_task(params["path"], params["label_column"])
    x = table.x
    if params["standardize"]:
        std = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return finite_dataset(x.astype(np.float32), table.y, len(table.classes), params, seed,
                          feature_names=table.features)


def _classes(params: Mapping[str, Any]) -> int:
    return len(read_csv_task(params["path"], params["label_column"]).classes)


SPEC = TaskSpec(
    name="csv",
    description="Your own data: numeric columns and a label column from a CSV file",
    options=OPTIONS,
    build=build,
    classes=_classes,
    check=lambda params: read_csv_task(params["path"], params["label_column"]),
)
