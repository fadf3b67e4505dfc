"""The states of a run, as the run buttons and the status bar show them (no Qt)."""

from __future__ import annotations

from enum import StrEnum


class RunState(StrEnum):
    READY = "ready"  # no run: the settings' preview (or a reopened run) is on screen
    RUNNING = "running"
    PAUSED = "paused"
    STEPPING = "stepping"  # training one epoch, then paused
    STOPPING = "stopping"  # asked to stop, waiting for the worker's last record
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def over(self) -> bool:
        """A run has ended; its curves stay on screen."""
        return self in OVER

    @property
    def idle(self) -> bool:
        """Nothing trains: Start (and Step) may begin a new run."""
        return self is RunState.READY or self in OVER

    @property
    def live(self) -> bool:
        """A run is under way and can be stopped."""
        return self in (RunState.RUNNING, RunState.PAUSED, RunState.STEPPING)


OVER = frozenset({RunState.FINISHED, RunState.STOPPED, RunState.DIVERGED, RunState.FAILED})


def state_after(stop_reason: str) -> RunState:
    """The state a run ends in, from the stop reason its worker reported."""
    if stop_reason.startswith("diverged"):
        return RunState.DIVERGED
    if stop_reason == "failed":
        return RunState.FAILED
    if stop_reason == "completed":
        return RunState.FINISHED
    return RunState.STOPPED
