"""What the parent and the training process say to each other. Every message and command
carries the id of the run it belongs to; whoever reads one of another run drops it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, NamedTuple

from playground.core.config import Config

# child -> parent
READY = "ready"  # warmed up, waiting for a run (run id 0); payload {"pid"}
STARTED = "started"  # trainer built; payload {"device", "total_epochs", "members", "pid", "probe_layers", "task_names"}
OPENED = "opened"  # run folder created; payload {"run_dir", "device", "started"}
PROBLEM = "problem"  # autosave stopped (a full disk); payload: the message; training goes on
RECORD = "record"  # an EpochRecord
RECORDS = "records"  # a batch of EpochRecords, as it travels (the parent hands on RECORD messages)
PAUSED = "paused"  # paused after the epochs of a Step; payload: the epoch
PARAMS = "params"  # the optimizer's live settings as now applied; payload {"lr", "momentum", "weight_decay"}
CLOSED = "closed"  # summary.json finished
FINAL_STATE = "final_state"  # final_state.npz written
FAILED = "failed"  # payload: a one-line message for the user
FINISHED = "finished"  # the run is over (the last message of a run); payload: the stop reason

# parent -> child
START = "start"  # payload: a StartRequest
PAUSE, RESUME, STEP, STOP, SET_PARAMS, QUIT = "pause", "resume", "step", "stop", "set_params", "quit"
SET_WEIGHT = "set_weight"  # payload: (member, layer, source, target, value)

_RUN_IDS = itertools.count(1)


def new_run_id() -> int:
    """Unique in this process, so that runs of two sessions sharing a child never collide."""
    return next(_RUN_IDS)


class Message(NamedTuple):
    kind: str
    run_id: int
    payload: Any = None


Command = Message


@dataclass(frozen=True)
class StartRequest:
    config: Config
    hook_settings: Any = None  # a lesson's hook tables, trained beside the config's own
    runs_dir: str | None = None  # where the run's folder is created; None: nothing saved
    steps: int | None = None  # epochs to train before pausing (the Step button); None: run on


class WarmKey(NamedTuple):
    """What a warm child is made for: a change of either needs a fresh process."""

    device: str
    threads: int

    @classmethod
    def of(cls, config: Config) -> "WarmKey":
        return cls(config.train.device, config.train.threads)


DEFAULT_KEY = WarmKey("cpu", 1)
