"""Sweep benchmark: `playground sweep --jobs 2` against `--jobs 1` on the parity-wall lesson's
sweep (4 values x 3 seeds), each a fresh command as a user runs it, so worker start-up counts.
The two must write the same sweep.csv. Registered with `playground bench`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playground.core.bench.suite import Result, register

LESSON = "parity-wall"
FULL_EPOCHS = 200  # the lesson's own
QUICK_EPOCHS = 40  # --quick: the same sweep, scaled down
TARGET = 1.7


def children_cpu_seconds() -> float:
    """CPU seconds used so far by finished child processes (and theirs); 0 where not told."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_sweep(out: Path, jobs: int, epochs: int) -> tuple[float, float]:
    """Wall and CPU seconds of one `playground sweep` command."""
    package_root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "playground", "sweep", "--preset", LESSON, "--jobs", str(jobs),
               "--epochs", str(epochs), "--quiet", "--out", str(out)]
    cpu, started = children_cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"sweep benchmark: {' '.join(command)} failed: {done.stderr.strip()[-500:]}")
    return seconds, cpu


def sweep_speedup(quick: bool) -> list[Result]:
    epochs = QUICK_EPOCHS if quick else FULL_EPOCHS
    with tempfile.TemporaryDirectory(prefix="playground-bench-") as scratch:
        one, one_cpu = timed_sweep(Path(scratch) / "jobs1", 1, epochs)
        two, two_cpu = timed_sweep(Path(scratch) / "jobs2", 2, epochs)
        same = (Path(scratch) / "jobs1" / "sweep.csv").read_bytes() == (Path(scratch) / "jobs2" / "sweep.csv").read_bytes()
    if not same:
        raise AssertionError("sweep benchmark: --jobs 2 wrote a different sweep.csv than --jobs 1")
    variant = "the lesson's sweep" if epochs == FULL_EPOCHS else f"scaled down to {epochs} of {FULL_EPOCHS} epochs"
    return [Result(
        f"sweep {LESSON} --jobs 2 ({epochs} epochs)", two, "s", one, one / two,
        f"reference: --jobs 1; {variant}; sweep.csv identical; target >= {TARGET}x on {os.cpu_count()} cores; "
        f"CPU s {one_cpu:.0f} and {two_cpu:.0f}, so {two_cpu / two:.2f} cores busy with --jobs 2 "
        f"(below 2: the machine was shared)",
    )]


register("sweeps: worker processes", sweep_speedup)
