"""Where a sweep's values train: in this process, in a pool of spawned worker processes, or
on a Dask cluster. Each runner takes the same `TrialJob`s and yields `TrialOutcome`s as they
finish (in any order); the sweep puts them back in sweep order.

A value always trains as one ensemble of its seeds, wherever it runs, with the global random
state reset first, so its rows do not depend on where, or after what, it ran.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

import numpy as np

from playground.core.base.control import RunControl
from playground.core.base.errors import ConfigError
from playground.core.base.records import EpochRecord
from playground.core.config import Config

POLL_SECONDS = 0.1  # how often a waiting runner looks at the stop request
NOT_STARTED = "not started"  # a job a worker picked up after the stop: no rows
INSTALL_HINT = ("--scheduler needs Dask's distributed scheduler: pip install "
                "'toy-network-playground[cluster]' (or: pip install distributed)")


@dataclass(frozen=True)
class TrialJob:
    index: int  # the value's place in the sweep
    value: Any
    config: Config  # with the value applied, train.ensemble = the sweep's seeds
    hooks: Mapping[str, Mapping[str, Any]]
    run_dir: Path | None
    # Train into a scratch folder and hand its files back (a cluster's workers may not see run_dir).
    ship_files: bool = False


@dataclass
class TrialOutcome:
    index: int
    columns: dict[str, np.ndarray]
    stop_reason: str
    files: dict[str, bytes] | None = None  # relative path -> contents, with ship_files


def default_jobs() -> int:
    """The machine's cores minus one (one stays free for the rest of the machine), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def run_job(job: TrialJob, control: RunControl | None = None,
            on_record: Callable[[EpochRecord], None] | None = None) -> TrialOutcome:
    """Train one value (in whatever process this runs in)."""
    import torch

    from playground.core.experiments.trial import run_trial

    control = control if control is not None else _WORKER_CONTROL
    if (control is not None and control.stop_requested) or (_STOP_EVENT is not None and _STOP_EVENT.is_set()):
        return TrialOutcome(job.index, {}, NOT_STARTED)
    # Hooks that draw from the global generators see the same stream wherever the value runs.
    torch.manual_seed(job.config.train.seed)
    np.random.seed(job.config.train.seed)
    if not job.ship_files:
        columns, reason = run_trial(job.config, job.hooks, on_record, control, job.run_dir)
        return TrialOutcome(job.index, columns, reason)
    scratch = Path(tempfile.mkdtemp(prefix="playground-sweep-"))
    try:
        columns, reason = run_trial(job.config, job.hooks, on_record, control, scratch / "run")
        files = {path.relative_to(scratch / "run").as_posix(): path.read_bytes()
                 for path in sorted((scratch / "run").rglob("*")) if path.is_file()}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return TrialOutcome(job.index, columns, reason, files)


# ---------------------------------------------------------------- in this process


def sequential_outcomes(jobs: Iterable[TrialJob], control: RunControl | None,
                        on_record: Callable[[TrialJob, EpochRecord], None] | None) -> Iterator[TrialOutcome]:
    for job in jobs:
        if control is not None and control.stop_requested:
            return
        record_hook = (lambda record, job=job: on_record(job, record)) if on_record is not None else None
        outcome = run_job(job, control or RunControl(), record_hook)
        yield outcome
        if control is not None and control.stop_requested:
            return


# ---------------------------------------------------------------- a pool of processes

_WORKER_CONTROL: RunControl | None = None
_STOP_EVENT = None  # the parent's stop request, in a worker


def _init_worker(stop_event) -> None:
    """In each spawned worker: one thread for torch, Ctrl-C left to the parent, and the
    parent's stop request (an Event) turned into this process's RunControl.stop()."""
    global _WORKER_CONTROL, _STOP_EVENT
    import torch

    torch.set_num_threads(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_CONTROL = control = RunControl()
    _STOP_EVENT = stop_event

    def watch() -> None:
        stop_event.wait()
        control.stop()

    threading.Thread(target=watch, name="sweep-stop-watch", daemon=True).start()


def pool_outcomes(jobs: list[TrialJob], workers: int, control: RunControl | None) -> Iterator[TrialOutcome]:
    """Train the jobs in `workers` spawned processes; a stop request stops the running values
    at their next step and drops the ones not started."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_init_worker, initargs=(stop,)) as pool:
        pending = {pool.submit(run_job, job) for job in jobs}
        try:
            while pending:
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                if control is not None and control.stop_requested and not stop.is_set():
                    stop.set()
                    for future in pending:
                        future.cancel()
                for future in done:
                    if not future.cancelled():
                        outcome = future.result()  # a worker's exception is raised here
                        if outcome.stop_reason != NOT_STARTED:  # queued before the stop, dropped after it
                            yield outcome
                pending = {future for future in pending if not future.cancelled()}
        finally:  # an error, Ctrl-C or an abandoned sweep: stop what runs, start nothing more
            stop.set()
            for future in pending:
                future.cancel()


# ---------------------------------------------------------------- a Dask cluster


def require_dask() -> None:
    """ConfigError with the install line where Dask's distributed scheduler is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None


def _dask_client(address: str, workers: int):
    import logging

    import dask
    from distributed import Client, LocalCluster

    if address == "local":
        with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="10s"), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler {address}: cannot reach the Dask scheduler ({exc})") from None


def dask_outcomes(address: str, jobs: list[TrialJob], workers: int,
                  control: RunControl | None) -> Iterator[TrialOutcome]:
    """Submit the jobs to the Dask scheduler at `address` ("local": a LocalCluster of `workers`
    spawned processes here). Workers hand their run folders back as files. A stop request
    cancels the values not started; the running ones finish on their worker, unrecorded."""
    from distributed import wait as dask_wait

    client, cluster = _dask_client(address, workers)
    try:
        pending = {client.submit(run_job, replace(job, ship_files=True), pure=False) for job in jobs}
        while pending:
            try:
                done, _ = dask_wait(list(pending), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            pending -= set(done)
            for future in done:
                yield future.result()  # a worker's exception is raised here
            if control is not None and control.stop_requested:
                client.cancel(list(pending))
                return
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
