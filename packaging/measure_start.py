"""How fast the packaged app starts compared with the app run from source (target: at most 1.2x).

Two measures, each as wall-clock and CPU seconds (user + system, steadier on a shared machine),
medians of several runs, frozen and source interleaved so that a busy machine slows both alike
(one warm-up run of each is not counted):
  window  - from launch until the main window is visible on a virtual X screen (Xvfb + xdotool);
  selftest - the whole `--selftest` offscreen (start, a 16-epoch run, every view, the PNG, exit).

    .venv/bin/python packaging/measure_start.py [--repeats 7] [--app dist/toy-network-playground/toy-network-playground]

Needs the one-folder build (packaging/build_linux.sh --folder-only); the window figure needs
Xvfb and xdotool (apt-get install xvfb xdotool) and is skipped without them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TITLE = "Toy Network Playground"
TARGET_RATIO = 1.2


def base_env() -> dict[str, str]:
    env = dict(os.environ, LANG="C.UTF-8", OMP_NUM_THREADS="1")
    env.pop("WAYLAND_DISPLAY", None)
    return env


def start_xvfb() -> tuple[subprocess.Popen, str] | None:
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        return None
    for n in range(150, 200):
        if not (Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists()):
            # -noreset: Xvfb otherwise resets when the last app closes and refuses the next one
            server = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            return server, f":{n}"
    return None


def window_visible(display: str) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{TITLE}$"],
                           env=dict(os.environ, DISPLAY=display), capture_output=True)
    return found.returncode == 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_to_window(command: list[str], display: str, timeout_s: float = 90.0) -> tuple[float, float]:
    env = dict(base_env(), DISPLAY=display, QT_QPA_PLATFORM="xcb")
    log = tempfile.TemporaryFile()
    started = time.perf_counter()
    app = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not window_visible(display):
            if app.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command[0]} exited ({app.returncode}) before showing its window:\n"
                                   + log.read().decode(errors="replace")[-2000:])
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"{command[0]} showed no window within {timeout_s:.0f} s")
            time.sleep(0.02)
        return time.perf_counter() - started, cpu_seconds(app.pid)
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def time_selftest(command: list[str]) -> tuple[float, float]:
    env = dict(base_env(), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        app = subprocess.Popen([*command, "--selftest", "--screenshot", str(Path(tmp) / "s.png")],
                               cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(app.pid, 0)
        elapsed = time.perf_counter() - started
        app.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    if app.returncode != 0 or "SELFTEST OK" not in output:
        raise RuntimeError(f"{command[0]} --selftest failed: {output[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def compare(name: str, measure, variants: dict[str, list[str]], repeats: int) -> None:
    """Print wall-clock and CPU medians; CPU time is the steadier figure on a shared machine."""
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in variants}
    for command in variants.values():
        measure(command)  # warm-up: the first start reads everything from disk
    for i in range(repeats):
        order = list(variants.items()) if i % 2 == 0 else list(reversed(variants.items()))
        for label, command in order:
            runs[label].append(measure(command))
    print(f"{name}:")
    for index, kind in enumerate(("wall", "cpu")):
        medians = {label: statistics.median(r[index] for r in values) for label, values in runs.items()}
        for label, values in runs.items():
            listed = " ".join(f"{r[index]:.2f}" for r in values)
            print(f"  {kind:4s} {label:7s} median {medians[label]:6.2f} s   runs: {listed}")
        ratio = medians["frozen"] / medians["source"]
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(f"  {kind:4s} frozen / source = {ratio:.2f} ({verdict} the {TARGET_RATIO}x target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default=str(REPO / "dist" / "toy-network-playground" / "toy-network-playground"))
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if not Path(args.app).is_file():
        print(f"measure_start: no frozen app at {args.app}; build it: bash packaging/build_linux.sh --folder-only",
              file=sys.stderr)
        return 2
    variants = {"frozen": [args.app], "source": [args.python, str(REPO / "main.py")]}
    print(f"{args.repeats} runs each after one warm-up; machine: {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    xvfb = start_xvfb()
    if xvfb is None:
        print("window: skipped (needs Xvfb and xdotool)")
    else:
        server, display = xvfb
        try:
            compare("window (launch until the main window is visible)",
                    lambda command: time_to_window(command, display), variants, args.repeats)
        finally:
            server.terminate()
            server.wait()
    compare("selftest (whole --selftest offscreen)", time_selftest, variants, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
