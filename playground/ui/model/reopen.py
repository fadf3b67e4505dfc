"""A saved run folder as a `History` every view can draw, and short names for runs in legends."""

from __future__ import annotations

from pathlib import Path

from playground.core.runs import final_state
from playground.core.runs.runlog import read_run
from playground.ui.model.history import History


def open_history(path: str | Path) -> History:
    """Read a run folder (RunFileError on a malformed one): its tables, and the network's
    final state where the run saved it (for the network and decision-boundary views)."""
    run = read_run(path)
    history = History.from_run(run)
    live = final_state.read(run.path)
    if live:
        history.live.update(live)
        history.live_revision += 1
    return history


def describe(history: History) -> str:
    """What tells runs apart at a glance: activation and hidden widths, e.g. 'tanh 10-7-5', with
    three or more equal layers counted ('tanh 50×64', not fifty 64s that no legend can hold)."""
    cfg = history.config
    if cfg is None:
        return ""
    widths = "-".join(_counted(cfg.network.hidden)) or "no hidden layer"
    return f"{cfg.network.activation} {widths}"


def _counted(widths) -> list[str]:
    parts: list[list[int]] = []
    for width in widths:
        if parts and parts[-1][0] == width:
            parts[-1][1] += 1
        else:
            parts.append([width, 1])
    out = []
    for width, count in parts:
        out += [f"{count}×{width}"] if count >= 3 else [str(width)] * count
    return out


def run_label(history: History | None) -> str:
    if history is None:
        return ""
    name = "this run" if history.source == "live" else Path(history.source).name
    details = describe(history)
    return f"{name} ({details})" if details else name
