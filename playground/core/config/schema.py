"""The config schema: each key's allowed choices or range, frozen dataclasses, and their
conversion from and to mappings."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping

from playground.core.base.errors import ConfigError
from playground.core.config.rules import Choice, Choices, Each, Parsed, Range, Rule
from playground.core.config.stopping import parse_stop_at

CONFIG_VERSION = 1

# ---------------------------------------------------------------- choices (one line each)

ACTIVATION_CHOICES = Choices((
    Choice("tanh", "hyperbolic tangent: smooth, saturates at -1 and +1"),
    Choice("relu", "max(0, x): zero below, unbounded above"),
    Choice("sigmoid", "logistic 1 / (1 + exp(-x)): saturates at 0 and 1"),
    Choice("linear", "the identity: the whole network stays a linear map"),
))
INIT_CHOICES = Choices((
    Choice("default", "PyTorch's own: weights and biases uniform in ±1/sqrt(fan_in)"),
    Choice("xavier", "Glorot uniform: weights in ±sqrt(6 / (fan_in + fan_out)), zero biases"),
    Choice("kaiming", "He normal: weights N(0, 2 / fan_in), zero biases (suits ReLU)"),
    Choice("truncnormal", "weights N(0, 1 / fan_in) redrawn beyond two deviations, zero biases"),
    Choice("meanfield", "weights N(0, σw² / fan_in), biases N(0, σb²): the mean-field (edge of chaos) setting"),
))
OPTIMIZER_CHOICES = Choices((
    Choice("sgd", "stochastic gradient descent, with optional momentum"),
    Choice("adam", "Adam: a step size per parameter from running moments of its gradient"),
))
LOSS_CHOICES = Choices((
    Choice("cross_entropy", "softmax cross-entropy over the classes"),
    Choice("hinge", "max(0, 1 - y f(x)) on a single output unit: two-class tasks only"),
    Choice("mse", "half the squared distance to the one-hot target (Saxe et al.)"),
))
DEVICE_CHOICES = Choices((
    Choice("cpu", "train on the processor", "CPU"),
    Choice("cuda", "train on an NVIDIA GPU through CUDA", "GPU (CUDA)"),
))
SCHEDULE_CHOICES = Choices((
    Choice("every", "every epoch"),
    Choice("log", "every epoch early, then log-spaced epochs (about `points` in all)"),
))
ESTIMATOR_CHOICES = Choices((
    Choice("binning", "probes.bins (30) fixed bins on [-1, 1], Shwartz-Ziv & Tishby's: right for tanh; "
           "it clips ReLU and linear activity, which fakes compression", "binning (30 bins)"),
    Choice("binwidth", "bins of fixed width probes.bin_width (0.07), floor(h / width), over an unbounded range, "
           "as in Saxe et al.'s code: for ReLU and linear layers", "fixed-width binning"),
    Choice("adaptive", "probes.adaptive_bins (100) equal bins between the smallest and largest activation seen so "
           "far; caveat: the range only widens, so activity that later concentrates fills fewer bins "
           "and looks like compression", "adaptive binning"),
    Choice("kde", "Kolchinsky-Tracey upper and lower bounds with Gaussian noise of variance probes.kde_noise_var: "
           "0.1 as in Saxe et al.'s appendix (their notebooks use 1e-3)", "KDE bounds"),
))
FAMILY_CHOICES = Choices((
    Choice("permuted", "each task a fixed random permutation of the inputs"),
    Choice("split", "each task a pair of the task's classes"),
    Choice("parity", "each task the parity of a different hidden subset of the bits"),
))
SCENARIO_CHOICES = Choices((
    Choice("task", "task-incremental: the task is known, one output head per task"),
    Choice("domain", "domain-incremental: every task shares the same outputs, the task unknown"),
    Choice("class", "class-incremental: all tasks' classes in one output layer, the task unknown"),
))
METHOD_CHOICES = Choices((
    Choice("none", "tasks one after another, nothing against forgetting", "none (plain training)"),
    Choice("ewc", "elastic weight consolidation: a pull towards earlier tasks' weights, weighted by their "
           "Fisher information (continual.ewc_lambda)", "EWC"),
    Choice("online_ewc", "EWC with one running Fisher, older tasks decayed by continual.online_gamma",
           "online EWC"),
    Choice("si", "synaptic intelligence: a pull weighted by each weight's share in lowering earlier tasks' "
           "loss (continual.si_c)", "synaptic intelligence"),
    Choice("replay", "continual.replay_size stored samples of earlier tasks mixed into every batch", "replay"),
    Choice("joint", "every batch drawn from all tasks at once: the upper bound", "joint training (upper bound)"),
))

ACTIVATIONS = ACTIVATION_CHOICES.names
INITS = INIT_CHOICES.names
OPTIMIZERS = OPTIMIZER_CHOICES.names
LOSSES = LOSS_CHOICES.names
DEVICES = DEVICE_CHOICES.names
SCHEDULES = SCHEDULE_CHOICES.names
ESTIMATORS = ESTIMATOR_CHOICES.names
# One line per estimator, for the app's estimator choice (README: "Information plane").
ESTIMATOR_HELP = {choice.name: choice.description for choice in ESTIMATOR_CHOICES.options}
FAMILIES = FAMILY_CHOICES.names
SCENARIOS = SCENARIO_CHOICES.names
METHODS = METHOD_CHOICES.names
PARAMETERISATION_CHOICES = Choices((
    Choice("standard", "PyTorch's layers: W x + b with the weights' variance set by the initialisation"),
    Choice("ntk", "the neural-tangent scaling (Jacot et al.): W x / sqrt(fan_in) + b, weights stored sqrt(fan_in) "
           "times larger, so the same function at initialisation"),
))
PARAMETERISATIONS = PARAMETERISATION_CHOICES.names

# The keys a running trainer may change (the app's sliders, `run --change`); recorded in changes.csv.
LIVE_KEYS = ("train.lr", "train.momentum", "train.weight_decay", "train.l1")
# One weight set by hand (the app's link editor): weight.MEMBER.LAYER.FROM.TO, layer 1 = input -> first
# hidden; recorded in changes.csv like the live settings, so a rerun replays it.
WEIGHT_KEY = re.compile(r"^weight\.(\d+)\.(\d+)\.(\d+)\.(\d+)$")


def weight_key(member: int, layer: int, source: int, target: int) -> str:
    return f"weight.{member}.{layer}.{source}.{target}"


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
    # L1 penalty on the weights (not the biases), added to the loss: l1 * sum |w|.
    l1: float = 0.0
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
    # End early at a target: "test_acc >= 0.95" or "train_loss <= 0.05" (config/stopping.py).
    stop_at: str = ""
    # > 0: every batch is trained half clean, half FGSM-perturbed with this eps (Goodfellow et al.).
    adversarial_eps: float = 0.0


@dataclass(frozen=True)
class ProbeConfig:
    enabled: bool = False
    estimator: str = "binning"
    bins: int = 30
    adaptive_bins: int = 100
    bin_width: float = 0.07
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


# ---------------------------------------------------------------- one rule per key

# `validate()` checks every key against its rule, and the app's controls take their choices,
# descriptions, bounds and slider spans from here. Switches (bool) need none; the task's own
# options are declared by each task (`tasks.base.Option`).
LAYER_COUNT = Range(int, 0, 64)
# A slider wider than 128 units would be too coarse to pick a small width; type larger ones.
LAYER_WIDTH = Range(int, 1, 4096, slider=(1, 128))
SETTINGS: dict[str, Rule] = {
    "network.hidden": Each(LAYER_WIDTH, count=LAYER_COUNT, noun="layers", item_name="each width"),
    "network.activation": ACTIVATION_CHOICES,
    "network.layer_activations": Each(ACTIVATION_CHOICES),
    "network.init": INIT_CHOICES,
    "network.sw2": Range(float, 0.0, 100.0),
    "network.sb2": Range(float, 0.0, 100.0),
    "network.parameterisation": PARAMETERISATION_CHOICES,
    "train.optimizer": OPTIMIZER_CHOICES,
    "train.lr": Range(float, 0.0, 100.0, low_open=True, log=True, slider=(1e-5, 10.0)),
    "train.momentum": Range(float, 0.0, 0.999),
    "train.weight_decay": Range(float, 0.0, 10.0),
    "train.l1": Range(float, 0.0, 10.0),
    "train.adversarial_eps": Range(float, 0.0, 1.0),
    "train.batch_size": Range(int, 1, 1_000_000),
    "train.epochs": Range(int, 1, 10_000_000),
    "train.steps_per_epoch": Range(int, 0, 1_000_000),
    "train.loss": LOSS_CHOICES,
    "train.seed": Range(int, 0, 2**31 - 1),
    "train.ensemble": Range(int, 1, 1000),
    "train.device": DEVICE_CHOICES,
    "train.threads": Range(int, 1, 256),
    "train.eval_schedule": SCHEDULE_CHOICES,
    "train.eval_points": Range(int, 2, 1_000_000),
    "train.stop_at": Parsed(parse_stop_at, 'empty (train to the end), "test_acc >= X" or "train_loss <= X"'),
    "probes.estimator": ESTIMATOR_CHOICES,
    "probes.bins": Range(int, 2, 10_000),
    "probes.adaptive_bins": Range(int, 2, 10_000),
    "probes.bin_width": Range(float, 0.0, low_open=True),
    "probes.kde_noise_var": Range(float, 0.0, low_open=True),
    "probes.schedule": SCHEDULE_CHOICES,
    "probes.points": Range(int, 2, 1_000_000),
    "probes.histogram_bins": Range(int, 2, 1000),
    "continual.tasks": Range(int, 1, 100),
    "continual.family": FAMILY_CHOICES,
    "continual.scenario": SCENARIO_CHOICES,
    "continual.epochs_per_task": Range(int, 0, 10_000_000),
    "continual.method": METHOD_CHOICES,
    "continual.ewc_lambda": Range(float, 0.0),
    "continual.si_c": Range(float, 0.0),
    "continual.online_gamma": Range(float, 0.0, 1.0),
    "continual.replay_size": Range(int, 0, 1_000_000),
    "continual.eval_every": Range(int, 1, 1_000_000),
}


def get_setting(cfg: Config, key: str) -> Any:
    """The value of a `section.key` of a config."""
    section, name = key.split(".", 1)
    return getattr(getattr(cfg, section), name)


# Far above every integer setting's range, far below where formatting a number fails (as a
# float for a message, or as text past Python's 4300-digit limit).
LARGEST_INTEGER = 10**15
TOO_LARGE = "an integer of more than 15 digits is out of range for every setting"

SECTIONS: dict[str, type] = {
    "network": NetworkConfig,
    "train": TrainConfig,
    "probes": ProbeConfig,
    "continual": ContinualConfig,
}


# ---------------------------------------------------------------- coercion


def _check_magnitudes(key: str, value: Any) -> None:
    """Refuse an integer too large for any setting, anywhere in a (nested) value."""
    if isinstance(value, Mapping):
        for name, item in value.items():
            _check_magnitudes(f"{key}.{name}" if key else str(name), item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_magnitudes(key, item)
    elif _too_large(value):
        raise ConfigError(f"{key}: {TOO_LARGE}")


def _too_large(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_INTEGER


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
        except (TypeError, ValueError, OverflowError):
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
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except ValueError:  # an integer past Python's 4300-digit limit for text
        raise ConfigError(TOO_LARGE) from None
    if _too_large(value):
        raise ConfigError(TOO_LARGE)
    return value


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
    _check_magnitudes("", data)
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
        try:
            value = parse_scalar(text.strip())
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
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
    LAYER_COUNT.check("network.depth", depth)
    return replace(cfg, network=replace(cfg.network, hidden=(width,) * depth))
