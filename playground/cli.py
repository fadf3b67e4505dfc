"""The `playground` command line: run, plot, presets, data, bench, gui."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from playground.core.config import Config, ConfigError, apply_overrides, validate
from playground.core.config.schema import DEVICES, LIVE_KEYS
from playground.core.base.fileio import RunFileError

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Bad input: printed as one line, exit status 2."""


def build_config(args: argparse.Namespace) -> Config:
    """The config a `run` asks for: preset, file or setup string, then --set, then the shortcut flags."""
    from playground.core.experiments.catalog import get_preset
    from playground.core.experiments.setup_string import decode_setup
    from playground.core import config as config_module

    setup = getattr(args, "setup", None)
    if args.preset and args.config:
        raise ConfigError("give --preset or --config, not both")
    if setup and (args.preset or args.config):
        raise ConfigError("give --setup alone, not with --preset or --config")
    if setup:
        cfg = decode_setup(setup).config
    elif args.config:
        cfg = config_module.load(args.config)
    elif args.preset:
        cfg = get_preset(args.preset).config()
    else:
        cfg = Config()
    overrides = list(args.set or [])
    for flag, key in (("epochs", "train.epochs"), ("seed", "train.seed"),
                      ("ensemble", "train.ensemble"), ("device", "train.device")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides.append(f"{key}={value}")
    return validate(apply_overrides(cfg, overrides))


class Progress:
    """One self-overwriting status line on stderr, refreshed at most 10 times a second."""

    def __init__(self, total: int, stream=sys.stderr, enabled: bool = True):
        self.total, self.stream, self.enabled = total, stream, enabled
        self.last_print = 0.0
        self.started = time.perf_counter()

    def update(self, record, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self.last_print < 0.1):
            return
        self.last_print = now
        rate = record.epoch / max(now - self.started, 1e-9)
        loss = float(np.mean(record.batch_loss))
        acc = f"  test acc {np.mean(record.test_acc):.3f}" if record.test_acc is not None else ""
        self.stream.write(f"\repoch {record.epoch}/{self.total}  loss {loss:.4f}{acc}  {rate:.1f} epochs/s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def parse_change(text: str) -> tuple[int, str, object]:
    """`EPOCH:KEY=VALUE` (the run's --change) as (epoch, key, value)."""
    from playground.core.config import parse_scalar

    epoch, sep, assignment = text.partition(":")
    key, eq, value = assignment.partition("=")
    try:
        number = int(epoch)
    except ValueError:
        number = None
    if not (sep and eq and key.strip()) or number is None:
        raise ConfigError(f"--change {text!r}: expected EPOCH:KEY=VALUE, e.g. 50:train.lr=0.01")
    return number, key.strip(), parse_scalar(value.strip())


def schedule_changes(trainer, args: argparse.Namespace) -> None:
    """Replay the changes.csv beside --config, then schedule each --change; checked before anything is written."""
    from playground.core.runs.runlog import CHANGES_FILE, changes_beside

    if args.config:
        try:
            trainer.replay(changes_beside(args.config))
        except ConfigError as exc:
            raise ConfigError(f"{Path(args.config).parent / CHANGES_FILE}: {exc}") from None
    for text in args.change or []:
        epoch, key, value = parse_change(text)
        try:
            trainer.schedule_change(epoch, key, value)
        except ConfigError as exc:
            raise ConfigError(f"--change {text!r}: {exc}") from None


def cmd_run(args: argparse.Namespace) -> int:
    from playground.cli_lessons import lesson_hook_settings
    from playground.core.base.control import RunControl
    from playground.core.base.termination import TERMINATED, stop_on_sigterm
    from playground.core.experiments.assembly import build_trainer
    from playground.core.runs.runlog import RunWriter
    from playground.core.training.memory import check_memory

    cfg = build_config(args)
    if getattr(args, "setup", None):
        from playground.core.experiments.setup_string import decode_setup

        hook_settings = decode_setup(args.setup).lesson_hooks()  # of the lesson it names, if any
    else:
        hook_settings = lesson_hook_settings(args, cfg)
    check_memory(cfg)  # a size the machine cannot hold is refused before anything is allocated
    # Fails on bad data or device before anything is written.
    trainer = build_trainer(cfg, hook_settings)
    schedule_changes(trainer, args)
    if args.tensorboard:
        from playground.core.runs.tensorboard_log import INSTALL_HINT, TensorBoardLog, tensorboard_available

        if not tensorboard_available():
            raise RunFileError(INSTALL_HINT)
    # Prepares the folder (and removes it again if the disk is already full).
    writer = RunWriter(args.out, trainer.config, device=str(trainer.device), hooks=trainer.hooks)
    board = TensorBoardLog(Path(args.out) / "tensorboard") if args.tensorboard else None
    progress = Progress(trainer.total_epochs, enabled=not args.quiet)
    control = RunControl()
    failure: RunFileError | None = None
    try:
        with stop_on_sigterm(control) as termination:
            for record in trainer.epochs(control):
                try:
                    writer.write(record)
                except RunFileError as exc:  # e.g. the disk filled up: stop, keep the summary
                    failure = exc
                    break
                if board is not None:
                    for name, table in record.tables.items():
                        board.add_table(name, table)
                    if record.evaluated:
                        board.add_weights(record.epoch, trainer.weights())
                progress.update(record, force=record.stop_reason is not None)
            if termination.received:
                trainer.stop_reason = TERMINATED
    except KeyboardInterrupt:
        trainer.stop_reason = "interrupted"
    finally:
        progress.close()
        writer.finish(trainer.stop_reason)  # a failed write is named there ("failed: ...")
        if trainer.last_record is not None and failure is None:
            from playground.core.runs import final_state

            final_state.write(trainer, Path(args.out))  # weights and boundary for reopening the run
        if board is not None:
            board.close()
    if failure is not None:
        raise RunFileError(f"{failure}; the run stopped at epoch {trainer.epoch}, its summary is written")
    print(f"{trainer.stop_reason}: {trainer.epoch} epochs; run written to {args.out}")
    if trainer.stop_reason and trainer.stop_reason.startswith("diverged"):
        return 1
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    from playground.ui.figures.render import animate_run, render_run

    if args.animate:
        result = animate_run(args.run_dir, args.out, fps=args.fps, seconds=args.seconds, width=args.width,
                             compare=args.compare, keys=args.views)
    else:
        result = render_run(args.run_dir, args.out, format=args.format, width=args.width or 1600,
                            compare=args.compare, keys=args.views)
    for key, why in result.skipped.items():
        print(f"skipped {key}: {why}")
    for note in result.notes:
        print(f"note: {note}")
    for path in result.written:
        print(f"wrote {path}")
    return 0


def cmd_tensorboard(args: argparse.Namespace) -> int:
    from playground.core.runs.tensorboard_log import export_run

    target = export_run(args.run_dir, args.out)
    print(f"TensorBoard files written to {target} (view: tensorboard --logdir {target})")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from playground.core.experiments.catalog import all_presets

    width = max(len(name) for name in all_presets())
    for name, preset in sorted(all_presets().items()):
        print(f"{name:<{width}}  {preset.description}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from playground.core.tasks import TASKS

    for name, spec in sorted(TASKS.items()):
        print(f"{name}: {spec.description}")
        for opt in spec.options:
            allowed = ""
            if opt.choices:
                allowed = f" [{'|'.join(opt.choices)}]"
            elif opt.low is not None:
                allowed = f" [{opt.low:g}..{opt.high:g}]"
            default = list(opt.default) if isinstance(opt.default, tuple) else opt.default  # as TOML lists it
            print(f"    {opt.name} = {default!r}{allowed}  {opt.help}")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    import csv
    import io

    from playground.core.config import from_dict
    from playground.core.base.fileio import atomic_write_text
    from playground.core.tasks import get_task

    cfg = apply_overrides(from_dict({"task": {"name": args.task}}), args.set or [])
    spec = get_task(cfg.task.name)
    params = spec.resolve(cfg.task.params)
    data = spec.build(params, args.seed)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise RunFileError(f"{out.parent}: folder does not exist")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    d = data.input_dim
    writer.writerow([f"x{i}" for i in range(d)] + ["y", "split"])
    for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
        for row, label in zip(x, y):
            target = repr(float(label)) if data.regression else int(label)
            writer.writerow([repr(float(v)) for v in row] + [target, split])
    atomic_write_text(out, buffer.getvalue())
    print(f"wrote {len(data.x_train) + len(data.x_test)} rows of task {cfg.task.name} to {out}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from playground.core.bench import probes, sweeps  # noqa: F401  (register their benchmarks)
    from playground.core.bench.suite import print_results, run_benchmarks

    try:
        from playground.ui import bench  # noqa: F401  (the GUI's figures)
    except ImportError as exc:  # no Qt here: the core's figures only
        print(f"bench: GUI figures skipped ({exc})", file=sys.stderr)
    results = run_benchmarks(quick=args.quick)
    print_results(results, as_json=args.json)
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from playground.ui.app import run_app

    return run_app(selftest=args.selftest, screenshot=args.screenshot, preset=args.preset,
                   config_path=args.config, start=args.start, lesson=args.lesson, sweep=args.sweep,
                   setup=args.setup)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playground", description="Toy Network Playground")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="train a network headless and write a run folder")
    run.add_argument("--preset", help="a named setup (see `playground presets`)")
    run.add_argument("--config", help="a config.toml file")
    run.add_argument("--setup", metavar="STRING", help="a setup string (tnp1:...) someone handed you")
    run.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override one setting (repeatable)")
    run.add_argument("--epochs", type=int)
    run.add_argument("--seed", type=int)
    run.add_argument("--ensemble", type=int)
    run.add_argument("--device", choices=DEVICES)
    run.add_argument("--change", action="append", metavar="EPOCH:KEY=VALUE",
                     help=f"change a live setting ({', '.join(LIVE_KEYS)}) before the first "
                          "step of EPOCH (1 to the run's last, as in metrics.csv), e.g. 50:train.lr=0.01; "
                          "repeatable, recorded in OUT/changes.csv. With --config DIR/config.toml, the "
                          "changes in DIR/changes.csv are replayed at the steps they were made")
    run.add_argument("--out", required=True, help="run folder to write")
    run.add_argument("--quiet", action="store_true", help="no progress line")
    run.add_argument("--tensorboard", action="store_true",
                     help="also write TensorBoard event files into OUT/tensorboard (needs the tensorboard package)")
    run.set_defaults(func=cmd_run)

    board = sub.add_parser("tensorboard", help="convert a saved run folder to TensorBoard event files")
    board.add_argument("run_dir")
    board.add_argument("--out", help="folder for the event files (default RUN_DIR/tensorboard)")
    board.set_defaults(func=cmd_tensorboard)

    plot = sub.add_parser("plot", help="draw a saved run's figures (one file per view) without a window")
    plot.add_argument("run_dir")
    plot.add_argument("--out", required=True, help="folder for the figures")
    plot.add_argument("--format", choices=["png", "svg"], default="png")
    plot.add_argument("--width", type=int, help="image width in pixels (default 1600; 800 with --animate)")
    plot.add_argument("--compare", metavar="RUN_DIR", help="a second run drawn dashed over the first")
    plot.add_argument("--views", metavar="KEY,...", help="only these figures (e.g. loss,confusion)")
    plot.add_argument("--animate", action="store_true",
                      help="movies over the run's epochs instead: VIEW.gif, and VIEW.mp4 where ffmpeg is on the PATH")
    plot.add_argument("--fps", type=int, default=10, help="with --animate: frames per second (default 10)")
    plot.add_argument("--seconds", type=float, default=5.0, help="with --animate: the movie's length (default 5)")
    plot.set_defaults(func=cmd_plot)

    sub.add_parser("presets", help="list the presets").set_defaults(func=cmd_presets)
    from playground.cli_lessons import add_commands

    add_commands(sub)  # lessons, sweep
    sub.add_parser("tasks", help="list the tasks and their options").set_defaults(func=cmd_tasks)

    data = sub.add_parser("data", help="write a task's inputs and labels as CSV")
    data.add_argument("task")
    data.add_argument("--set", action="append", metavar="task.KEY=VALUE")
    data.add_argument("--seed", type=int, default=0)
    data.add_argument("--out", required=True)
    data.set_defaults(func=cmd_data)

    bench = sub.add_parser("bench", help="print benchmark figures")
    bench.add_argument("--quick", action="store_true")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)

    gui = sub.add_parser("gui", help="open the desktop app")
    gui.add_argument("--selftest", action="store_true", help="train briefly, check every view, exit")
    gui.add_argument("--screenshot", metavar="PNG", help="with --selftest: where to save the window's PNG")
    gui.add_argument("--preset", help="open with a named setup (see `playground presets`)")
    gui.add_argument("--config", help="open with the settings of a config.toml file")
    gui.add_argument("--setup", metavar="STRING", help="open with the settings of a setup string (tnp1:...)")
    gui.add_argument("--start", action="store_true", help="start training at once")
    gui.add_argument("--lesson", help="open on a lesson (a name from `playground lessons`, or a lesson .toml file)")
    gui.add_argument("--sweep", action="store_true", help="with --lesson: run the lesson's sweep at once")
    gui.set_defaults(func=cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except (ConfigError, RunFileError) as exc:
        print(f"playground: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `playground tasks | head`: the reader left; nothing to report
        # Point stdout at devnull: the interpreter's last flush would hit the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
