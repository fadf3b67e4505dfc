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
    """The file's features and its label column as classes (two or more)."""
    x, labels, features, label_name = _read_columns(path, label_column)
    classes = tuple(sorted(set(labels), key=_natural_key))
    if len(classes) < 2:
        raise ConfigError(f"{path}: column '{label_name}' has only one class; a task needs two or more")
    lookup = {name: index for index, name in enumerate(classes)}
    y = np.array([lookup[label] for label in labels], dtype=np.int64)
    return CsvTable(x, y, classes, features)


def read_csv_targets(path: str, target_column: str) -> CsvTable:
    """The file's features and a numeric target column (the reg-csv task)."""
    x, labels, features, target_name = _read_columns(path, target_column, "target_column")
    y = np.empty(len(labels))
    for r, cell in enumerate(labels, start=2):
        try:
            y[r - 2] = float(cell)
        except ValueError:
            raise ConfigError(f"{path}: row {r}, column '{target_name}': {cell!r} is not a number "
                              f"(reg-csv needs a numeric target; the csv task takes class labels)") from None
        if not math.isfinite(y[r - 2]):
            raise ConfigError(f"{path}: row {r}, column '{target_name}': {cell!r} is not a finite number")
    return CsvTable(x, y, (), features)


def _read_columns(path: str, label_column: str, key: str = "label_column"
                  ) -> tuple[np.ndarray, list[str], tuple[str, ...], str]:
    if not path:
        raise ConfigError("task.path: the csv task needs a file (task.path = \"data.csv\")")
    return _read_cached(str(Path(path).resolve()), label_column, key, _mtime(path))


def _mtime(path: str) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError as exc:
        raise ConfigError(f"task.path: cannot read {path} ({exc.strerror or exc})") from None


@lru_cache(maxsize=8)
def _read_cached(path: str, label_column: str, key: str, _mtime_key: float) -> tuple[np.ndarray, list[str], tuple[str, ...], str]:
    """Numeric feature columns, the label column's cells as text, the feature names, the label's name."""
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
        raise ConfigError(f"task.{key}: {label_name!r} is not a column of {path}; columns: {', '.join(header)}")
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
    return features, labels, tuple(header[i] for i in feature_index), label_name


def _natural_key(label: str) -> tuple:
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def _standardized(x: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
    if params["standardize"]:
        std = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return x.astype(np.float32)


def build(params: Mapping[str, Any], seed: int) -> Dataset:
    table = read_csv_task(params["path"], params["label_column"])
    return finite_dataset(_standardized(table.x, params), table.y, len(table.classes), params, seed,
                          feature_names=table.features)


def build_regression(params: Mapping[str, Any], seed: int) -> Dataset:
    table = read_csv_targets(params["path"], params["target_column"])
    return finite_dataset(_standardized(table.x, params), table.y, 1, params, seed,
                          regression=True, feature_names=table.features)


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


REGRESSION_SPEC = TaskSpec(
    name="reg-csv",
    description="Your own regression data: numeric columns and a numeric target column from a CSV file "
                "(train with train.loss = mse)",
    options=(
        OPTIONS[0],
        Option("target_column", "", "name of the numeric target column; empty = the last column"),
        OPTIONS[2],
        TRAIN_FRACTION,
    ),
    build=build_regression,
    classes=lambda params: 1,
    check=lambda params: read_csv_targets(params["path"], params["target_column"]),
    regression=lambda params: True,
)
