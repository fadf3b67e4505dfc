"""The `lessons` and `sweep` commands, and what `run` needs to run a lesson."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from playground.core.config import Config, ConfigError, apply_overrides, validate
from playground.core.experiments.catalog import get_preset


def lesson_hook_settings(args: argparse.Namespace, config: Config):
    """The lesson's hook tables for `run`: from its preset, or from the hooks.toml a run folder
    recorded beside the config file; None where there are none."""
    from playground.core.measures import hook_kinds

    if getattr(args, "preset", None):
        lesson = get_preset(args.preset).lesson
        return lesson.hooks if lesson is not None and lesson.hooks else None
    if getattr(args, "config", None):
        return hook_kinds.load_hooks_beside(args.config, config) or None
    return None


def cmd_lessons(args: argparse.Namespace) -> int:
    from playground.core.experiments.lessons import builtin_lessons, get_lesson

    if args.lesson:
        lesson = get_lesson(args.lesson)
        print(lesson.as_text())
        print(f"\nViews: {', '.join(lesson.views)}")
        if lesson.sweep:
            values = ", ".join(str(v) for v in lesson.sweep.values)
            print(f"Sweep: {lesson.sweep.param} over {values}, {lesson.sweep.seeds} seeds each")
        print(f"\nRun it:   playground run --preset {args.lesson} --out runs/{lesson.name}")
        if lesson.sweep:
            print(f"Sweep it: playground sweep --preset {args.lesson} --out runs/{lesson.name}-sweep")
        return 0
    lessons = builtin_lessons()
    width = max((len(lesson.name) for lesson in lessons), default=0)
    for lesson in lessons:
        sweep = f"  [sweep: {lesson.sweep.param}]" if lesson.sweep else ""
        print(f"{lesson.order:>2}. {lesson.name:<{width}}  {lesson.title}{sweep}")
    return 0


class SweepProgressLine:
    """One self-overwriting line on stderr, at most 10 updates a second: the epoch of the value
    training (one job), or the values finished so far (several)."""

    def __init__(self, enabled: bool, trials: int = 0, parallel: bool = False):
        self.enabled, self.last, self.trials, self.done = enabled, 0.0, trials, 0
        self.parallel = parallel

    def __call__(self, progress) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        sys.stderr.write(
            f"\rvalue {progress.trial + 1}/{progress.trials} ({progress.value})  epoch "
            f"{progress.epoch}/{progress.total_epochs}  {100 * progress.fraction:.0f}% "
        )
        sys.stderr.flush()

    def finished(self, value, rows) -> None:
        self.done += 1
        if self.enabled and self.parallel:
            sys.stderr.write(f"\rfinished {self.done}/{self.trials} values (latest: {value}) ")
            sys.stderr.flush()


def cmd_sweep(args: argparse.Namespace) -> int:
    from playground.core import config as config_module
    from playground.core.base.control import RunControl
    from playground.core.measures.hook_kinds import resolve_hooks
    from playground.core.base.termination import TERMINATED, stop_on_sigterm
    from playground.core.experiments.sweep import SweepSpec, parse_values, run_sweep, summarise
    from playground.core.experiments.sweep_workers import default_jobs

    if args.preset and args.config:
        raise ConfigError("give --preset or --config, not both")
    lesson = None
    if args.config:
        config = config_module.load(args.config)
    elif args.preset:
        preset = get_preset(args.preset)
        lesson = preset.lesson
        config = preset.config()
    else:
        config = Config()
    overrides = list(args.set or [])
    if args.epochs is not None:
        overrides.append(f"train.epochs={args.epochs}")
    config = validate(apply_overrides(config, overrides))
    hook_tables = dict(lesson.hooks) if lesson is not None else {}
    for name in args.measure or []:
        hook_tables.setdefault(name, {})
    hooks = resolve_hooks(hook_tables, config)
    if args.param:
        if not args.values:
            raise ConfigError("--param needs --values (e.g. --values 5,10,20)")
        spec = SweepSpec(args.param, parse_values(args.values), args.seeds or 3)
    elif lesson is not None and lesson.sweep is not None:
        spec = lesson.sweep
        if args.values:  # keeps the lesson's show and per-value settings
            spec = dataclasses.replace(spec, values=parse_values(args.values))
        if args.seeds:
            spec = dataclasses.replace(spec, seeds=args.seeds)
    else:
        raise ConfigError("give --param and --values (this preset has no sweep of its own)")
    if not 1 <= spec.seeds <= 1000:
        raise ConfigError(f"--seeds: must be between 1 and 1000, got {spec.seeds}")
    jobs = default_jobs() if args.jobs is None else args.jobs
    control = RunControl()
    parallel = args.scheduler is not None or min(jobs, len(spec.values)) > 1
    line = SweepProgressLine(enabled=not args.quiet, trials=len(spec.values), parallel=parallel)
    try:
        with stop_on_sigterm(control) as termination:
            result = run_sweep(config, spec, hooks, out=Path(args.out), progress=line, control=control,
                               jobs=jobs, scheduler=args.scheduler, on_finished=line.finished)
    except KeyboardInterrupt:
        print("\ninterrupted; the finished values are in", Path(args.out) / "sweep.csv")
        return 1
    finally:
        if not args.quiet:
            sys.stderr.write("\n")
    stop_reason = TERMINATED if termination.received else result.stop_reason
    print_summary(result.table, spec.param)
    print(f"{stop_reason}: {len(summarise(result.table, 'final_test_acc'))} values; "
          f"sweep written to {args.out}")
    return 0


def print_summary(table, param: str) -> None:
    from playground.core.experiments.sweep import BASE_COLUMNS, summarise

    extra = [c for c in table if c not in BASE_COLUMNS and c not in ("seed", "member")]
    columns = ["final_train_acc", "final_test_acc", *extra]
    header = f"{param:>16}  " + "  ".join(f"{c:>22}" for c in columns)
    print(header)
    rows = {c: summarise(table, c) for c in columns}
    for i, (value, *_rest) in enumerate(rows[columns[0]]):
        cells = []
        for c in columns:
            _, mean, std, _ = rows[c][i]
            cells.append(f"{mean:>12.4g} +- {std:<7.2g}" if np.isfinite(mean) else f"{'-':>22}")
        print(f"{str(value):>16}  " + "  ".join(cells))


def add_commands(sub) -> None:
    lessons = sub.add_parser("lessons", help="list the lessons, or show one's text")
    lessons.add_argument("lesson", nargs="?", help="a lesson's name or a lesson .toml file")
    lessons.set_defaults(func=cmd_lessons)

    sweep = sub.add_parser("sweep", help="train over a range of one setting, several seeds each")
    sweep.add_argument("--preset", help="a preset or lesson name, or a lesson .toml file")
    sweep.add_argument("--config", help="a config.toml file")
    sweep.add_argument("--param", help="the setting to vary, e.g. task.n, network.sw2, deficit.start")
    sweep.add_argument("--values", help="comma-separated values, e.g. 5,10,20,30")
    sweep.add_argument("--seeds", type=int, help="seeds (ensemble members) per value; default 3")
    sweep.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override one setting (repeatable)")
    sweep.add_argument("--epochs", type=int)
    sweep.add_argument("--measure", action="append", metavar="HOOK",
                       help="add a measuring hook with its defaults: sharpness, fit_time, gradient_signal (repeatable)")
    sweep.add_argument("--out", required=True, help="folder for sweep.csv and the runs")
    sweep.add_argument("--quiet", action="store_true", help="no progress line")
    sweep.add_argument("--jobs", type=int, metavar="N",
                       help="values trained at once, each in its own process (default: the cores minus one)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="train on a Dask cluster: its scheduler's address (tcp://host:8786), or 'local' "
                            "for a cluster on this machine (needs: pip install 'toy-network-playground[cluster]')")
    sweep.set_defaults(func=cmd_sweep)
