"""Run configuration: frozen dataclasses, validated, saved and loaded as TOML.

Every way of starting a run (CLI flags, a TOML file, a preset, the GUI's controls)
ends in one `Config`; `validate()` is the single gate for bad values.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

import tomli_w

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


class ConfigError(ValueError):
    """A config value or key is wrong; the message names the key and what is allowed."""


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


# ---------------------------------------------------------------- validation


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    _check(value in allowed, f"{key}: {value!r} is not one of {', '.join(allowed)}")


def _between(key: str, value: float, low: float, high: float) -> None:
    _check(low <= value <= high, f"{key}: must be between {low:g} and {high:g}, got {value:g}")


def validate(cfg: Config) -> Config:
    """Check every value; return the config with the task's defaults filled in."""
    from playground.core.tasks import get_task  # tasks import config; avoid a cycle

    net, tr, pr, co = cfg.network, cfg.train, cfg.probes, cfg.continual
    _check(len(net.hidden) <= 64, f"network.hidden: at most 64 layers, got {len(net.hidden)}")
    for width in net.hidden:
        _between("network.hidden (each width)", width, 1, 4096)
    _choice("network.activation", net.activation, ACTIVATIONS)
    if net.layer_activations:
        _check(
            len(net.layer_activations) == len(net.hidden),
            f"network.layer_activations: needs one name per hidden layer "
            f"({len(net.hidden)}), got {len(net.layer_activations)}",
        )
        for act in net.layer_activations:
            _choice("network.layer_activations", act, ACTIVATIONS)
    _choice("network.init", net.init, INITS)
    _between("network.sw2", net.sw2, 0.0, 100.0)
    _between("network.sb2", net.sb2, 0.0, 100.0)

    _choice("train.optimizer", tr.optimizer, OPTIMIZERS)
    _check(0 < tr.lr <= 100, f"train.lr: must be > 0 and <= 100, got {tr.lr:g}")
    _between("train.momentum", tr.momentum, 0.0, 0.999)
    _between("train.weight_decay", tr.weight_decay, 0.0, 10.0)
    _between("train.batch_size", tr.batch_size, 1, 1_000_000)
    _between("train.epochs", tr.epochs, 1, 10_000_000)
    _between("train.steps_per_epoch", tr.steps_per_epoch, 0, 1_000_000)
    _choice("train.loss", tr.loss, LOSSES)
    _between("train.seed", tr.seed, 0, 2**31 - 1)
    _between("train.ensemble", tr.ensemble, 1, 1000)
    _choice("train.device", tr.device, DEVICES)
    _between("train.threads", tr.threads, 1, 256)
    _choice("train.eval_schedule", tr.eval_schedule, SCHEDULES)
    _between("train.eval_points", tr.eval_points, 2, 1_000_000)

    _choice("probes.estimator", pr.estimator, ESTIMATORS)
    _between("probes.bins", pr.bins, 2, 10_000)
    _between("probes.adaptive_bins", pr.adaptive_bins, 2, 10_000)
    _check(pr.kde_noise_var > 0, f"probes.kde_noise_var: must be > 0, got {pr.kde_noise_var:g}")
    _choice("probes.schedule", pr.schedule, SCHEDULES)
    _between("probes.points", pr.points, 2, 1_000_000)
    _between("probes.histogram_bins", pr.histogram_bins, 2, 1000)

    _between("continual.tasks", co.tasks, 1, 100)
    _choice("continual.family", co.family, FAMILIES)
    _choice("continual.scenario", co.scenario, SCENARIOS)
    _between("continual.epochs_per_task", co.epochs_per_task, 0, 10_000_000)
    _choice("continual.method", co.method, METHODS)
    _check(co.ewc_lambda >= 0, f"continual.ewc_lambda: must be >= 0, got {co.ewc_lambda:g}")
    _check(co.si_c >= 0, f"continual.si_c: must be >= 0, got {co.si_c:g}")
    _between("continual.online_gamma", co.online_gamma, 0.0, 1.0)
    _between("continual.replay_size", co.replay_size, 0, 1_000_000)
    _between("continual.eval_every", co.eval_every, 1, 1_000_000)

    spec = get_task(cfg.task.name)
    params = spec.resolve(cfg.task.params)
    if tr.loss == "hinge":
        _check(
            spec.n_classes(params) == 2,
            f"train.loss: hinge needs a two-class task; {cfg.task.name} has "
            f"{spec.n_classes(params)} classes",
        )
    from playground.core.continual.checks import check_continual

    check_continual(cfg, spec, params)
    return replace(cfg, task=TaskConfig(name=cfg.task.name, params=params))


# ---------------------------------------------------------------- files


def load(path: str | Path, base: Config | None = None) -> Config:
    """Read and validate a TOML config; errors name the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return validate(from_dict(data, base=base))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def dumps(cfg: Config) -> str:
    return tomli_w.dumps(to_dict(cfg))


def save(cfg: Config, path: str | Path) -> None:
    from playground.core.fileio import atomic_write_text

    atomic_write_text(Path(path), dumps(cfg))
