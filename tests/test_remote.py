"""Training in a child process (playground.core.remote), without Qt: the wire carries messages
whole however the pipe cuts them; stale messages and commands are dropped; snapshots keep to
their share of the time; the parent writes the same final_state.npz the trainer would; a
killed process fails its run with the exit code and the next run works; a process that does
not answer a stop is terminated and its folder finished by the parent."""

import json
import multiprocessing
import os
import queue
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from playground.core.base.records import EpochRecord
from playground.core.config import apply_overrides, from_dict, validate
from playground.core.remote import protocol
from playground.core.remote.child import Inbox, Outbox
from playground.core.remote.folder import FolderKeeper, write_final_state
from playground.core.remote.live import LiveSnapshots, run_meta
from playground.core.remote.protocol import Message, StartRequest
from playground.core.remote.runner import Runner
from playground.core.remote.wire import CHUNK, Assembler, FrameReader, encode

TIMEOUT_S = 60


def config(epochs, *overrides):
    cfg = from_dict({"task": {"name": "circle", "samples": 120}})
    return validate(apply_overrides(cfg, ["network.hidden=[4]", f"train.epochs={epochs}", "train.batch_size=30",
                                          *overrides]))


def record(epoch, **live):
    return EpochRecord(epoch=epoch, step=epoch, task_index=0, batch_loss=np.full(2, 0.5), elapsed=0.1, live=live)


# ---------------------------------------------------------------- the wire


def test_a_message_with_big_arrays_arrives_whole_and_its_arrays_travel_out_of_band():
    big = np.arange(3 * CHUNK // 4, dtype=np.float32).reshape(-1, 3)  # 3 MiB: three full chunks
    small = np.array([1.5, 2.5])
    message = Message(protocol.RECORD, 7, record(3, weights=[big, small], name="x"))
    frames = encode(message)
    assert len(frames) == 1 + 3  # the header (small arrays inside), then the big one in chunks
    assert all(len(memoryview(f)) <= CHUNK for f in frames[1:]) and len(memoryview(frames[0])) < 2000
    assembler = Assembler()
    out = [assembler.feed(bytes(frame)) for frame in frames]
    assert out[:-1] == [None] * 3
    got = out[-1]
    assert got.kind == protocol.RECORD and got.run_id == 7 and got.payload.live["name"] == "x"
    np.testing.assert_array_equal(got.payload.live["weights"][0], big)
    np.testing.assert_array_equal(got.payload.live["weights"][1], small)
    got.payload.live["weights"][0][0, 0] = -1  # the views may keep and change what they received


def test_the_reader_cuts_frames_however_the_bytes_arrive():
    receiving, sending = multiprocessing.Pipe(duplex=False)
    frames = [b"a", bytes(range(256)) * 80, b"", b"z" * 20_000]  # send_bytes writes its header apart past 16 KiB
    for frame in frames:
        sending.send_bytes(frame)
    reader = FrameReader(receiving)
    got = []
    deadline = time.perf_counter() + 5
    while len(got) < len(frames) and time.perf_counter() < deadline:
        got += list(reader.frames(0.01))
    assert got == frames
    assert list(reader.frames(0.01)) == [] and not reader.eof  # nothing there: no wait, no end
    sending.close()
    list(reader.frames(0.01))
    assert reader.eof
    if os.name == "posix":  # the raw reader's cutting, fed one byte at a time
        stream = b"".join(len(f).to_bytes(4, "big") + f for f in frames)
        cut = []
        for i in range(len(stream)):
            cut += list(reader._cut(stream[i:i + 1]))
        assert cut == frames


# ---------------------------------------------------------------- what the child sends


def test_snapshots_take_at_most_their_share_of_the_time():
    clock = SimpleNamespace(now=0.0)
    trainer = SimpleNamespace(tasks=[None], task=SimpleNamespace(input_dim=3, datasets=()))

    class Costly(LiveSnapshots):
        def snapshot(self):
            clock.now += 1.0  # a snapshot that takes a second
            return {"weights": [clock.now]}

    snapshots = Costly(trainer, interval_s=0.15, duty=0.1, clock=lambda: clock.now)
    taken = []
    for step in range(80):  # an epoch every half second
        clock.now += 0.5
        rec = record(step)
        snapshots.attach(rec)
        if "weights" in rec.live:
            taken.append(step)
    # The first at once, then one 10 s after the last ended: 1 s of snapshot in every 10 s.
    assert taken == [0, 20, 40, 60]
    rec = record(99)
    snapshots.attach(rec, force=True)  # the final one is taken whatever it costs
    assert "weights" in rec.live


def test_the_parent_writes_the_final_state_the_trainer_would(tmp_path):
    from playground.core.experiments.assembly import build_trainer
    from playground.core.runs import final_state

    trainer = build_trainer(config(3, "train.ensemble=2", "probes.enabled=true", "probes.points=6"))
    for _ in range(2):
        trainer.run_epoch()
    live = LiveSnapshots(trainer).snapshot()
    (tmp_path / "parent").mkdir()
    (tmp_path / "trainer").mkdir()
    write_final_state(live, run_meta(trainer), tmp_path / "parent")
    final_state.write(trainer, tmp_path / "trainer")  # the reference: what the CLI and the child write
    with np.load(tmp_path / "parent" / "final_state.npz") as ours, \
            np.load(tmp_path / "trainer" / "final_state.npz") as reference:
        assert sorted(ours.files) == sorted(reference.files)
        for name in reference.files:
            np.testing.assert_array_equal(ours[name], reference[name], err_msg=name)
    assert final_state.read(tmp_path / "parent")["layer_sizes"] == [2, 4, 2]


def test_the_outbox_batches_records_but_keeps_every_message_in_order():
    class Connection:
        def __init__(self):
            self.assembler, self.messages = Assembler(), []

        def send_bytes(self, frame):
            message = self.assembler.feed(bytes(frame))
            if message is not None:
                self.messages.append(message)

    clock = SimpleNamespace(now=100.0)
    connection = Connection()
    outbox = Outbox(connection, clock=lambda: clock.now)
    sent = lambda: [(m.kind, [r.epoch for r in m.payload] if m.kind == protocol.RECORDS else m.payload)  # noqa: E731
                    for m in connection.messages]
    outbox.send_record(1, record(1))  # the first goes at once (nothing sent for a while)
    for epoch in (2, 3):
        clock.now += 0.005
        outbox.send_record(1, record(epoch))
    assert sent() == [(protocol.RECORDS, [1])]  # 2 and 3 wait for company
    clock.now += 0.005
    outbox.send_record(1, record(4, weights=[np.zeros((2, 2))]))  # a snapshot goes at once
    outbox.send_record(1, record(5))
    outbox.send(protocol.PAUSED, 1, 5)  # a message goes after the records before it
    assert sent() == [(protocol.RECORDS, [1]), (protocol.RECORDS, [2, 3, 4]), (protocol.RECORDS, [5]),
                      (protocol.PAUSED, 5)]


# ---------------------------------------------------------------- run ids


class FakeChild:
    def __init__(self, script):
        self.key, self.pid, self.ended, self.alive = protocol.DEFAULT_KEY, 1, False, True
        self.script, self.sent = script, []

    def send(self, kind, run_id, payload=None):
        self.sent.append((kind, run_id))
        return True

    def receive(self, budget_s):
        return self.script.pop(0)(self) if self.script else []


class FakePool:
    def __init__(self, child):
        self.child, self.released = child, []

    def acquire(self, key):
        return self.child

    def release(self, child):
        self.released.append(child)

    def reap(self):
        pass


def test_the_runner_drops_messages_of_other_runs_and_sends_nothing_once_a_run_is_over():
    def burst(child):
        run = child.sent[0][1]
        return [Message(protocol.READY, 0, {"pid": 1}), Message(protocol.RECORD, run - 1, record(9)),
                Message(protocol.RECORD, run, record(1)), Message(protocol.FINISHED, run - 1, "completed"),
                Message(protocol.RECORD, run, record(2)), Message(protocol.FINISHED, run, "completed"),
                Message(protocol.RECORD, run, record(3))]  # nothing of a run counts after its end

    child = FakeChild([burst])
    runner = Runner(FakePool(child))
    run_id = runner.start(StartRequest(config(5)))
    assert child.sent == [(protocol.START, run_id)]
    messages = runner.pump()
    assert [(m.kind, m.run_id) for m in messages] == [(protocol.RECORD, run_id), (protocol.RECORD, run_id),
                                                      (protocol.FINISHED, run_id)]
    assert [m.payload.epoch for m in messages[:2]] == [1, 2]
    assert runner.over and runner.stop_reason == "completed" and runner.pool.released == [child]
    runner.command(protocol.PAUSE)
    assert child.sent == [(protocol.START, run_id)]


def test_the_child_applies_only_its_current_runs_commands():
    class Connection:
        def __init__(self):
            self.items = queue.Queue()

        def recv(self):
            item = self.items.get(timeout=5)
            if item is None:
                raise EOFError
            return item

    connection = Connection()
    inbox = Inbox(connection, Outbox(connection=None))
    connection.items.put(Message(protocol.START, 5, StartRequest(config(5))))
    state = inbox.next_run()
    connection.items.put(Message(protocol.PAUSE, 4))  # an earlier run's
    connection.items.put(Message(protocol.SET_PARAMS, 5, {"lr": 0.5}))
    deadline = time.perf_counter() + 5
    while not state.pending_params and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert state.pending_params == {"lr": 0.5} and not state.control.paused
    connection.items.put(Message(protocol.PAUSE, 5))
    connection.items.put(None)  # the parent is gone: the run is stopped, the process ends
    assert inbox.next_run() is None
    assert state.control.stop_requested


# ---------------------------------------------------------------- real processes


def pump_until(runner, condition, timeout_s=TIMEOUT_S):
    seen = []
    deadline = time.perf_counter() + timeout_s
    while not condition(seen):
        assert time.perf_counter() < deadline, f"timed out; saw {[m.kind for m in seen]}"
        seen += runner.pump()
        time.sleep(0.005)
    return seen


def gone(pool, pid, timeout_s=10) -> bool:
    """The process has exited and was collected (no zombie left)."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        pool.reap()
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def records_of(messages):
    return [m for m in messages if m.kind == protocol.RECORD and len(m.payload.batch_loss)]


def summary_of(runner):
    return json.loads((Path(runner.run_dir) / "summary.json").read_text())


def test_a_killed_process_fails_its_run_with_the_exit_code_and_the_next_run_works(tmp_path):
    runner = Runner()
    runner.start(StartRequest(config(1_000_000), runs_dir=str(tmp_path)))
    pump_until(runner, lambda seen: len(records_of(seen)) >= 3 and runner.run_dir is not None)
    pid = runner.pid
    os.kill(pid, signal.SIGKILL)
    seen = pump_until(runner, lambda seen: runner.over)
    failed = [m.payload for m in seen if m.kind == protocol.FAILED]
    assert len(failed) == 1 and "SIGKILL" in failed[0] and "exit code -9" in failed[0]
    assert seen[-1].kind == protocol.FINISHED and seen[-1].payload == "failed"
    summary = summary_of(runner)
    assert summary["status"] == "finished" and summary["stop_reason"].startswith("failed: ")
    assert "exit code -9" in summary["stop_reason"] and summary["epochs_completed"] >= 3
    assert runner.wait_for_files(30) and (Path(runner.run_dir) / "final_state.npz").exists()
    assert gone(runner.pool, pid)
    runner.start(StartRequest(config(3), runs_dir=str(tmp_path)))
    seen = pump_until(runner, lambda seen: runner.over)
    assert seen[-1].payload == "completed" and runner.pid != pid
    assert len(records_of(seen)) == 3 and summary_of(runner)["stop_reason"] == "completed"


def test_a_process_that_does_not_answer_a_stop_is_terminated_and_the_parent_finishes_its_folder(tmp_path):
    runner = Runner()
    runner.start(StartRequest(config(1_000_000), runs_dir=str(tmp_path)))
    seen = pump_until(runner, lambda seen: len(records_of(seen)) >= 3 and runner.run_dir is not None)
    pid = runner.pid
    os.kill(pid, signal.SIGSTOP)  # as busy as a network whose one step takes minutes
    try:
        seen += runner.end()
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert runner.over and seen[-1].kind == protocol.FINISHED and seen[-1].payload == "stopped by user"
    assert gone(runner.pool, pid)
    summary = summary_of(runner)
    assert summary["stop_reason"] == "stopped by user"
    assert summary["epochs_completed"] == records_of(seen)[-1].payload.epoch
    assert any("terminated" in note for note in summary["notes"])
    assert runner.wait_for_files(30)
    from playground.core.runs import final_state

    state = final_state.read(runner.run_dir)  # from the last snapshot the parent received
    assert state["layer_sizes"] == [2, 4, 2] and "boundary" in state


def test_the_folder_keeper_says_why_a_final_state_is_missing(tmp_path):
    from playground.core.runs.runlog import RunWriter

    RunWriter(tmp_path, config(5))  # the child's writer opened the folder, then the process died
    keeper = FolderKeeper(config(5))
    keeper.note(Message(protocol.OPENED, 1, {"run_dir": str(tmp_path), "device": "cpu", "started": time.time()}))
    keeper.note(Message(protocol.RECORD, 1, record(1)))  # no snapshot in it
    keeper.finish("failed: the training process died of SIGSEGV (exit code -11; it crashed)")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stop_reason"].startswith("failed:") and summary["epochs_completed"] == 1
    assert any("final_state.npz skipped" in note for note in summary["notes"])
    assert not (tmp_path / "final_state.npz").exists()
