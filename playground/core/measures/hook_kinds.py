"""Trainer hooks a lesson file switches on in its `[hooks.NAME]` tables.

They cover what a lesson needs beyond the global config (a deficit during a window of
epochs, a learning-rate decay, measures such as sharpness or the parity gradient signal)
without adding global config keys. Each kind declares its options; `resolve_hooks` checks a
lesson's tables and fills defaults, `build_hooks` makes the hook objects for one run.

A hook may define `summary(trainer) -> {column: (members,) array}`: the figures a sweep puts
into its summary table for each run (e.g. the final sharpness, the epoch the data was fitted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from playground.core.config import Config, ConfigError
from playground.core.measures.images import image_side
from playground.core.tasks import get_task
from playground.core.tasks.base import Option
from playground.core.tasks.modes import check_mode_network

if TYPE_CHECKING:
    from playground.core.training.hooks import TrainerHook


# Hook options are declared and checked exactly as task options are.
HookOption = Option


@dataclass(frozen=True)
class HookKind:
    name: str
    description: str
    options: tuple[HookOption, ...]
    build: Callable[[Mapping[str, Any], Config], "TrainerHook"]
    # Cross-option and config checks; raise ConfigError.
    check: Callable[[Mapping[str, Any], Config], None] = field(default=lambda settings, config: None)

    def resolve(self, settings: Mapping[str, Any], prefix: str = "hooks") -> dict[str, Any]:
        known = {opt.name: opt for opt in self.options}
        if not isinstance(settings, Mapping):
            raise ConfigError(f"{prefix}.{self.name}: expected a table")
        for key in settings:
            if key not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise ConfigError(f"unknown key '{prefix}.{self.name}.{key}'; allowed: {allowed}")
        return {
            opt.name: opt.check_value(f"{prefix}.{self.name}.{opt.name}", settings.get(opt.name, opt.default))
            for opt in self.options
        }


# ---------------------------------------------------------------- checks and builders


# Builders import their hook class when a run needs it, so the registry stays torch-free.

def _build_deficit(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.interventions import DeficitHook

    return DeficitHook(settings, config)


def _build_lr_decay(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.interventions import LrDecayHook

    return LrDecayHook(settings, config)


def _build_fit_time(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.interventions import FitTimeHook

    return FitTimeHook(settings, config)


def _build_probe_summary(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.interventions import ProbeSummaryHook

    return ProbeSummaryHook(settings, config)


def _build_sharpness(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.sharpness import SharpnessHook

    return SharpnessHook(settings, config)


def _build_gradient_signal(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.gradient_signal import GradientSignalHook

    return GradientSignalHook(settings, config)


def _build_mode_strength(settings: Mapping[str, Any], config: Config) -> "TrainerHook":
    from playground.core.measures.mode_strengths import ModeStrengthHook

    return ModeStrengthHook(settings, config)


# The measures of lessons 11-19 (adversarial examples ... double descent).

def _build_adversarial(settings, config):
    from playground.core.measures.adversarial import AdversarialHook

    return AdversarialHook(settings, config)


def _build_fooling(settings, config):
    from playground.core.measures.fooling import FoolingHook

    return FoolingHook(settings, config)


def _build_one_pixel(settings, config):
    from playground.core.measures.one_pixel import OnePixelHook

    return OnePixelHook(settings, config)


def _build_pruning(settings, config):
    from playground.core.measures.pruning import PruningHook

    return PruningHook(settings, config)


def _build_landscape(settings, config):
    from playground.core.measures.landscape import LandscapeHook

    return LandscapeHook(settings, config)


def _build_curvature(settings, config):
    from playground.core.measures.curvature import CurvatureHook

    return CurvatureHook(settings, config)


def _build_lazy(settings, config):
    from playground.core.measures.lazy import LazyHook

    return LazyHook(settings, config)


def _build_separation(settings, config):
    from playground.core.measures.separation import SeparationHook

    return SeparationHook(settings, config)


def _build_gradient_depth(settings, config):
    from playground.core.measures.gradient_depth import GradientDepthHook

    return GradientDepthHook(settings, config)


def _build_random_features(settings, config):
    from playground.core.measures.double_descent import RandomFeaturesHook

    return RandomFeaturesHook(settings, config)


def _single_task(name: str, config: Config) -> None:
    if config.continual.tasks > 1:
        raise ConfigError(f"hooks.{name}: needs a single task (continual.tasks = 1)")


def _check_adversarial(settings, config):
    from playground.core.measures.hook_options import parse_numbers

    _single_task("adversarial", config)
    parse_numbers("hooks.adversarial.eps", settings["eps"], 0.0, 1.0)


def _check_fooling(settings, config):
    _single_task("fooling", config)
    if config.train.loss != "cross_entropy":
        raise ConfigError("hooks.fooling: needs train.loss = 'cross_entropy' (it climbs log p(class | x))")


def _check_pruning(settings, config):
    from playground.core.measures.hook_options import PRUNING_METHODS, parse_names, parse_numbers

    _single_task("pruning", config)
    parse_numbers("hooks.pruning.sparsities", settings["sparsities"], 0.0, 1.0)
    parse_names("hooks.pruning.methods", settings["methods"], PRUNING_METHODS)


def _check_landscape(settings, config):
    if settings["line_from"] >= settings["line_to"]:
        raise ConfigError(f"hooks.landscape: line_from ({settings['line_from']:g}) must be below "
                          f"line_to ({settings['line_to']:g})")


def _check_lazy(settings, config):
    _single_task("lazy", config)
    if config.train.weight_decay:
        raise ConfigError("hooks.lazy: needs train.weight_decay = 0 (the linearisation is trained without it)")
    if config.train.adversarial_eps:
        raise ConfigError("hooks.lazy: needs train.adversarial_eps = 0 (the linearisation sees the clean batches only)")


def _check_random_features(settings, config):
    _single_task("random_features", config)
    if not config.network.hidden:
        raise ConfigError("hooks.random_features: needs a hidden layer (its random features)")


def _check_deficit(settings: Mapping[str, Any], config: Config) -> None:
    if settings["kind"] == "blur":
        data = get_task(config.task.name).build(config.task.params, config.train.seed)
        image_side(data.input_dim, settings["blur_factor"])


def _check_probe_summary(settings, config):
    if not config.probes.enabled:
        raise ConfigError("hooks.probe_summary: needs probes.enabled = true")
    if settings["layer"] > len(config.network.hidden) + 1:
        raise ConfigError(f"hooks.probe_summary.layer: the network has {len(config.network.hidden) + 1} "
                          f"layers (the last is the output), got {settings['layer']}")


def _check_gradient_signal(settings, config):
    if config.task.name != "parity" or config.train.loss != "hinge":
        raise ConfigError("hooks.gradient_signal: needs task.name = 'parity' and train.loss = 'hinge' "
                          "(the setting of Shalev-Shwartz et al.)")
    if config.network.parameterisation != "standard":
        raise ConfigError("hooks.gradient_signal: needs network.parameterisation = 'standard'")


def _check_modes(settings, config):
    check_mode_network(config)


HOOK_KINDS: dict[str, HookKind] = {}


def register(kind: HookKind) -> HookKind:
    HOOK_KINDS[kind.name] = kind
    return kind


for _kind in (
    HookKind(
        "deficit",
        "corrupt the training inputs (noise or blur) during a window of epochs",
        (
            HookOption("kind", "blur", "blur (block averages) or noise (Gaussian)", choices=("blur", "noise")),
            HookOption("start", 0, "first epoch with the deficit (0-based)", 0, 10_000_000),
            HookOption("length", 20, "epochs the deficit lasts", 1, 10_000_000),
            HookOption("noise", 0.5, "standard deviation of the added noise", 0.0, 100.0),
            HookOption("blur_factor", 2, "side of the averaged blocks, in pixels", 1, 64),
        ),
        _build_deficit,
        _check_deficit,
    ),
    HookKind(
        "lr_decay",
        "learning rate train.lr * factor**epoch",
        (HookOption("factor", 0.97, "decay per epoch", 0.5, 1.0),),
        _build_lr_decay,
    ),
    HookKind(
        "fit_time",
        "record the first epoch at which training accuracy reaches a threshold",
        (HookOption("threshold", 0.99, "training accuracy that counts as fitted", 0.0, 1.0),),
        _build_fit_time,
    ),
    HookKind(
        "probe_summary",
        "sum up one layer's information plane and gradient SNR for a sweep",
        (HookOption("layer", 0, "layer (1-based; the last is the output); 0 = the last hidden layer", 0, 65),),
        _build_probe_summary,
        _check_probe_summary,
    ),
    HookKind(
        "sharpness",
        "top eigenvalue of the training loss's Hessian (power iteration), per member",
        (
            HookOption("every", 0, "measure every this many epochs; 0 = only at the end", 0, 10_000_000),
            HookOption("iterations", 30, "power iterations", 2, 10_000),
            HookOption("samples", 2048, "training samples the loss is taken over (at most)", 1, 10_000_000),
        ),
        _build_sharpness,
    ),
    HookKind(
        "gradient_signal",
        "how much the parity gradient at initialisation depends on the hidden subset",
        (
            HookOption("subsets", 32, "hidden subsets sampled (all of them where there are fewer)", 2, 100_000),
            HookOption("samples", 4096, "inputs per subset where n is too large to enumerate", 2, 10_000_000),
            HookOption("exact_up_to", 12, "enumerate all 2^n inputs up to this n", 1, 20),
        ),
        _build_gradient_signal,
        _check_gradient_signal,
    ),
    HookKind(
        "modes",
        "strength of each singular mode of the modes task over training, with predicted half-way times",
        (),
        _build_mode_strength,
        _check_modes,
    ),
    HookKind(
        "adversarial",
        "FGSM and PGD on the test set at several eps, every member on every member's perturbations (transfer)",
        (
            HookOption("eps", "0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3", "perturbation sizes (max-norm), separated by commas"),
            HookOption("pgd_steps", 10, "steps of the PGD attack (each 2.5 eps / steps)", 1, 1000),
            HookOption("every", 0, "measure every this many epochs; 0 = only at the end", 0, 10_000_000),
            HookOption("example_eps", 0.1, "eps of the example images and of the sweep's summary", 0.0, 1.0),
        ),
        _build_adversarial,
        _check_adversarial,
    ),
    HookKind(
        "fooling",
        "from noise, gradient ascent on log p(class | x) for every class: images the network is sure of",
        (
            HookOption("steps", 100, "signed ascent steps", 1, 100_000),
            HookOption("step_size", 0.02, "each step's change of every pixel", 1e-6, 1.0),
            HookOption("record_every", 5, "write the confidence every this many steps", 1, 100_000),
        ),
        _build_fooling,
        _check_fooling,
    ),
    HookKind(
        "one_pixel",
        "exhaustive one-pixel attack: every pixel set to 0 or 1 on every correctly classified test image",
        (HookOption("examples", 8, "fooled images kept as examples, per member", 0, 100_000),),
        _build_one_pixel,
        lambda settings, config: _single_task("one_pixel", config),
    ),
    HookKind(
        "pruning",
        "global magnitude pruning at several sparsities: no retraining, fine-tuning, rewinding, reinitialising",
        (
            HookOption("sparsities", "0.5, 0.8, 0.9, 0.95, 0.98", "shares of weights removed, separated by commas"),
            HookOption("methods", "none, finetune, rewind, reinit", "ways on after pruning, separated by commas"),
            HookOption("retrain_epochs", 0, "epochs of each retraining; 0 = train.epochs", 0, 10_000_000),
            HookOption("draw_sparsity", 0.9, "sparsity of the masks saved for the network drawing", 0.0, 1.0),
        ),
        _build_pruning,
        _check_pruning,
    ),
    HookKind(
        "landscape",
        "loss along the line from the initial to the final weights, and on a filter-normalised random plane",
        (
            HookOption("line_from", -0.25, "first alpha of the line (0 = initial weights)", -10.0, 10.0),
            HookOption("line_to", 1.25, "last alpha of the line (1 = final weights)", -10.0, 10.0),
            HookOption("line_points", 31, "points along the line", 2, 10_000),
            HookOption("plane_span", 1.0, "the plane's coordinates run from -span to span", 1e-6, 100.0),
            HookOption("plane_points", 21, "points along each side of the plane", 2, 1000),
            HookOption("samples", 2048, "training samples the loss is taken over (at most)", 1, 10_000_000),
        ),
        _build_landscape,
        _check_landscape,
    ),
    HookKind(
        "curvature",
        "largest and smallest Hessian eigenvalue of the training loss (Lanczos), from initialisation on",
        (
            HookOption("every", 0, "measure every this many epochs; 0 = at initialisation and the end", 0, 10_000_000),
            HookOption("iterations", 20, "Lanczos iterations", 2, 10_000),
            HookOption("samples", 1024, "training samples the loss is taken over (at most)", 1, 10_000_000),
        ),
        _build_curvature,
    ),
    HookKind(
        "lazy",
        "relative weight change per layer, and the distance to the linearised network trained alongside",
        (HookOption("every", 0, "measure every this many epochs; 0 = at initialisation and the end", 0, 10_000_000),),
        _build_lazy,
        _check_lazy,
    ),
    HookKind(
        "separation",
        "test accuracy of a linear probe (logistic regression) on every layer's activity",
        (
            HookOption("every", 5, "measure every this many epochs; 0 = at initialisation and the end", 0, 10_000_000),
            HookOption("samples", 1000, "training inputs the probes are fitted on (at most)", 2, 10_000_000),
            HookOption("l2", 1e-3, "the probes' L2 penalty on standardised activity", 0.0, 100.0),
        ),
        _build_separation,
        lambda settings, config: _single_task("separation", config),
    ),
    HookKind(
        "gradient_depth",
        "norm of the loss gradient for every layer's weights, from initialisation on",
        (
            HookOption("every", 0, "measure every this many epochs; 0 = at initialisation and the end", 0, 10_000_000),
            HookOption("samples", 2048, "training samples the loss is taken over (at most)", 1, 10_000_000),
        ),
        _build_gradient_depth,
    ),
    HookKind(
        "random_features",
        "minimum-norm least-squares fit of the last layer on the first layer's random features",
        (),
        _build_random_features,
        _check_random_features,
    ),
):
    register(_kind)


def get_hook_kind(name: str, prefix: str = "hooks") -> HookKind:
    if name not in HOOK_KINDS:
        raise ConfigError(f"unknown hook '{prefix}.{name}'; allowed: {', '.join(sorted(HOOK_KINDS))}")
    return HOOK_KINDS[name]


def resolve_hooks(tables: Mapping[str, Any], config: Config, prefix: str = "hooks") -> dict[str, dict[str, Any]]:
    """Check `[hooks.NAME]` tables against their kinds and `config`; fill the defaults."""
    if not isinstance(tables, Mapping):
        raise ConfigError(f"{prefix}: expected a table of hook tables")
    resolved = {}
    for name, settings in tables.items():
        kind = get_hook_kind(name, prefix)
        values = kind.resolve(settings, prefix)
        kind.check(values, config)
        resolved[name] = values
    return resolved


def build_hooks(resolved: Mapping[str, Mapping[str, Any]], config: Config) -> list["TrainerHook"]:
    """The hook objects for a run of `config`, checked against it (the settings may have
    changed since the lesson was loaded: ConfigError names the hook)."""
    hooks = []
    for name, settings in resolved.items():
        kind = HOOK_KINDS[name]
        kind.check(settings, config)
        hook = kind.build(settings, config)
        # Remembered so a run folder can record its hooks (hooks.toml) and be rerun whole.
        hook.lesson_hook = (name, dict(settings))
        hooks.append(hook)
    return hooks


HOOKS_FILE = "hooks.toml"


def recorded_settings(hooks) -> dict[str, dict[str, Any]]:
    """The `[hooks.NAME]` tables of the lesson hooks among a trainer's hooks."""
    return dict(hook.lesson_hook for hook in hooks if hasattr(hook, "lesson_hook"))


def hooks_toml(settings: Mapping[str, Mapping[str, Any]]) -> str:
    import tomli_w

    return tomli_w.dumps({"hooks": {name: dict(values) for name, values in settings.items()}})


def load_hooks_beside(config_path, config: Config) -> dict[str, dict[str, Any]]:
    """The hook settings a run folder recorded next to its config.toml (none if absent)."""
    import tomllib
    from pathlib import Path

    path = Path(config_path).with_name(HOOKS_FILE)
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable hooks file ({exc})") from None
    unknown = set(data) - {"hooks"}
    if unknown:
        raise ConfigError(f"{path}: unknown section '{sorted(unknown)[0]}'; allowed: hooks")
    try:
        return resolve_hooks(data.get("hooks", {}), config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
