"""The config schema: choices, frozen dataclasses, and their conversion from and to mappings."""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from playground.core.base.errors import ConfigError

CONFIG_VERSION = 1

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
INITS = ("default", "xavier", "kaiming", "truncnormal", "meanfield")
OPTIMIZERS = ("sgd", "adam")
LOSSES = ("cross_entropy", "hinge", "mse")
DEVICES = ("cpu", "cuda")
SCHEDULES = ("every", "log")
ESTIMATORS = ("binning", "adaptive", "kde")
FAMILIES = ("permuted", "split", "parity")
SCENARIOS = ("task", "domain", "class")
METHODS = ("none", "ewc", "online_ewc", "si", "replay", "joint")
PARAMETERISATIONS = ("standard", "ntk")


@dataclass(frozen=True)
class TaskConfig:
    name: str = "ib"
    # Task-specific options; validated against the task's declared options.
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NetworkConfig:
    hidden: tuple[int, ...] = (10, 7, 5, 4, 3)
    activation: str = "tanh"
    # Optional per-layer activations (one per hidden layer); empty = `activation` everywhere.
    layer_activations: tuple[str, ...] = ()
    init: str = "default"
    sw2: float = 1.0
    sb2: float = 0.0
    # "ntk": each layer computes W x / sqrt(fan_in) with O(1) stored weights (Jacot et al.).
    parameterisation: str = "standard"


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"
    lr: float = 4e-4
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 512
    epochs: int = 1000
    # 0 = one pass over the training set; online tasks (fresh samples) need a number.
    steps_per_epoch: int = 0
    loss: str = "cross_entropy"
    seed: int = 0
    ensemble: int = 1
    device: str = "cpu"
    threads: int = 1
    eval_schedule: str = "every"
    eval_points: int = 400
    # > 0: every batch is trained half clean, half FGSM-perturbed with this eps (Goodfellow et al.).
    adversarial_eps: float = 0.0


@dataclass(frozen=True)
class ProbeConfig:
    enabled: bool = False
    estimator: str = "binning"
    bins: int = 30
    adaptive_bins: int = 100
    kde_noise_var: float = 0.1
    schedule: str = "log"
    points: int = 400
    layer_stats: bool = True
    histogram_bins: int = 30
    save_activations: bool = False


@dataclass(frozen=True)
class ContinualConfig:
    # 1 = ordinary training; T > 1 = T tasks trained one after another.
    tasks: int = 1
    family: str = "permuted"
    scenario: str = "domain"
    epochs_per_task: int = 0  # 0 = train.epochs for each task
    method: str = "none"
    ewc_lambda: float = 100.0
    si_c: float = 10.0
    online_gamma: float = 1.0
    replay_size: int = 200
    eval_every: int = 1


@dataclass(frozen=True)
class Config:
    task: TaskConfig = field(default_factory=TaskConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    probes: ProbeConfig = field(default_factory=ProbeConfig)
    continual: ContinualConfig = field(default_factory=ContinualConfig)
    version: int = CONFIG_VERSION


SECTIONS: dict[str, type] = {
    "network": NetworkConfig,
    "train": TrainConfig,
    "probes": ProbeConfig,
    "continual": ContinualConfig,
}


# ---------------------------------------------------------------- coercion


def _coerce(key: str, value: Any, annotation: str) -> Any:
    """Convert a TOML or command-line value to the field's type, or raise ConfigError."""
    ann = annotation.replace(" ", "")
    if ann.startswith("tuple[int"):
        if isinstance(value, str):
            value = [v for v in value.replace("[", "").replace("]", "").split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list of integers, got {value!r}")
        return tuple(_coerce(key, v, "int") for v in value)
    if ann.startswith("tuple[str"):
        if isinstance(value, str):
            value = [v.strip() for v in value.replace("[", "").replace("]", "").split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list of names, got {value!r}")
        return tuple(str(v).strip().strip("'\"") for v in value)
    if ann == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "on"):
            return True
        if isinstance(value, str) and value.lower() in ("false", "no", "0", "off"):
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if ann == "int":
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise ConfigError(f"{key}: expected an integer, got {value!r}")
    if ann == "float":
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
        if not math.isfinite(result):
            raise ConfigError(f"{key}: expected a finite number, got {value!r}")
        return result
    if ann == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value
    raise AssertionError(f"unsupported annotation {annotation}")


def parse_scalar(text: str) -> Any:
    """Parse a command-line value: TOML syntax where it parses, else the bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _section_from_mapping(name: str, cls: type, data: Mapping[str, Any], base: Any) -> Any:
    known = {f.name: f for f in fields(cls)}
    changes = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"unknown key '{name}.{key}'; allowed: {', '.join(sorted(known))}"
            )
        changes[key] = _coerce(f"{name}.{key}", value, str(known[key].type))
    return replace(base, **changes)


def from_dict(data: Mapping[str, Any], base: Config | None = None) -> Config:
    """Build a Config from a nested mapping (a parsed TOML file), over `base`."""
    cfg = base or Config()
    version = data.get("version", CONFIG_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ConfigError(f"version: expected an integer, got {version!r}")
    if version > CONFIG_VERSION:
        raise ConfigError(
            f"version: this config is from a newer playground (version {version}); "
            f"this one reads up to version {CONFIG_VERSION}"
        )
    for key, value in data.items():
        if key == "version":
            continue
        if key == "task":
            if not isinstance(value, Mapping):
                raise ConfigError("task: expected a table")
            value = dict(value)
            name = value.pop("name", cfg.task.name)
            if not isinstance(name, str):
                raise ConfigError(f"task.name: expected text, got {name!r}")
            params = dict(cfg.task.params) if name == cfg.task.name else {}
            params.update(value)
            cfg = replace(cfg, task=TaskConfig(name=name, params=params))
        elif key in SECTIONS:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{key}: expected a table")
            section = _section_from_mapping(key, SECTIONS[key], value, getattr(cfg, key))
            cfg = replace(cfg, **{key: section})
        else:
            raise ConfigError(
                f"unknown section '{key}'; allowed: task, {', '.join(SECTIONS)}, version"
            )
    return cfg


def to_dict(cfg: Config) -> dict[str, Any]:
    out: dict[str, Any] = {"version": cfg.version}
    out["task"] = {"name": cfg.task.name, **dict(cfg.task.params)}
    for name in SECTIONS:
        section = dataclasses.asdict(getattr(cfg, name))
        out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
    return out


def apply_overrides(cfg: Config, assignments: list[str]) -> Config:
    """Apply `section.key=value` strings (the CLI's --set)."""
    for item in assignments:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected section.key=value")
        path, text = item.split("=", 1)
        path = path.strip()
        if "." not in path:
            raise ConfigError(f"--set {item!r}: expected section.key=value")
        section, key = path.split(".", 1)
        value = parse_scalar(text.strip())
        if section == "network" and key in ("depth", "width"):
            cfg = _set_depth_width(cfg, key, value)
            continue
        cfg = from_dict({section: {key: value}}, base=cfg)
    return cfg


def _set_depth_width(cfg: Config, key: str, value: Any) -> Config:
    number = _coerce(f"network.{key}", value, "int")
    hidden = cfg.network.hidden
    width = hidden[0] if hidden else 8
    depth = len(hidden)
    if key == "depth":
        depth = number
    else:
        width = number
    if depth < 0 or depth > 64:
        raise ConfigError(f"network.depth: must be between 0 and 64, got {depth}")
    return replace(cfg, network=replace(cfg.network, hidden=(width,) * depth))
