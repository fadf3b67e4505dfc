"""The training session and its mailbox: every record arrives once, in order, from a child
process; a full mailbox holds the producer back instead of dropping rows; live settings reach
the child's optimizer; nothing but the GUI thread runs Python in the GUI process."""

import os
import sys
import threading
import time

import numpy as np
import pytest

from playground.core.config import ConfigError, apply_overrides, from_dict, validate
from playground.core.base.control import RunControl
from playground.core.base.records import EpochRecord
from playground.ui.session.worker import Mailbox, TrainingSession


def config(epochs):
    cfg = from_dict({"task": {"name": "xor", "samples": 80}})
    return validate(apply_overrides(cfg, ["network.hidden=[3]", f"train.epochs={epochs}", "train.batch_size=20"]))


def record(epoch):
    return EpochRecord(epoch=epoch, step=epoch, task_index=0, batch_loss=np.zeros(1), elapsed=0.0)


def test_mailbox_holds_a_fast_producer_back_without_dropping():
    box = Mailbox(limit=5)
    done = threading.Event()

    def produce():
        for epoch in range(1, 21):
            box.put(record(epoch))
        done.set()

    thread = threading.Thread(target=produce)
    thread.start()
    time.sleep(0.2)
    assert not done.is_set() and len(box) == 5  # waiting for the consumer
    taken = []
    while not done.is_set() or len(box):
        taken += box.take()
        time.sleep(0.01)
    thread.join()
    assert [r.epoch for r in taken] == list(range(1, 21))


def test_a_stop_releases_a_producer_waiting_on_a_full_mailbox():
    box = Mailbox(limit=1)
    control = RunControl()
    box.put(record(1), control)
    thread = threading.Thread(target=lambda: box.put(record(2), control))
    thread.start()
    control.stop()
    thread.join(timeout=2)
    assert not thread.is_alive()


def test_session_delivers_every_epoch_once_from_its_own_process(qtbot):
    session = TrainingSession()
    finished, started = [], []
    session.run_finished.connect(finished.append)
    session.run_started.connect(started.append)
    session.start(config(25))
    try:
        qtbot.waitUntil(lambda: len(finished) == 1, timeout=60_000)
    finally:
        session.shutdown()
    records = session.take()
    epochs = [r.epoch for r in records if len(r.batch_loss)]
    assert epochs == list(range(1, 26))
    assert finished == ["completed"] and started == [("cpu", 25, 1)]
    assert records[-1].stop_reason == "completed" and "weights" in records[-1].live  # the final snapshot
    assert session.process_id not in (None, os.getpid())  # trained in a child process
    assert not session.active


def test_live_parameters_set_before_the_trainer_exists_are_applied(qtbot):
    session = TrainingSession()
    session.start(config(1_000_000))
    try:
        session.set_optimizer_params(lr=0.123)  # perhaps before the process has built its trainer
        # What the training process reports its optimizer holds, once a step has applied it.
        qtbot.waitUntil(lambda: session.optimizer_params.get("lr") == 0.123, timeout=60_000)
        with pytest.raises(ConfigError, match="batch_size"):
            session.set_optimizer_params(batch_size=3)
    finally:
        session.shutdown()
    assert not session.active


def test_the_gui_process_trains_and_reads_on_its_gui_thread_only(qtbot):
    """So an automatic garbage collection can only start on the GUI thread (see gc_guard)."""
    before = set(threading.enumerate())  # e.g. a Dask cluster's idle thread left by an earlier test
    session = TrainingSession()
    threads = []
    session.start(config(1_000_000))
    try:
        for _ in range(10):
            qtbot.wait(30)
            threads.append(len(sys._current_frames()))
        assert set(threading.enumerate()) - before == set()  # the session started none
        assert session.active and len(session.take()) > 0
    finally:
        session.shutdown()
    assert threads == [len(before)] * 10  # no thread of its own ran Python at any moment
