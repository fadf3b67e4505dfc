"""The parent's handle on one training process: spawn it, send it commands, read its messages
without blocking, end it (a quit message, or terminate), and say how it ended."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from typing import Any

from playground.core.remote import protocol
from playground.core.remote.protocol import Message, WarmKey
from playground.core.remote.wire import Assembler, FrameReader

# The pipe's buffer (Linux lets a process raise it to 1 MiB): fewer wake-ups for big snapshots.
PIPE_BYTES = 1 << 20


def spawn_context():
    return multiprocessing.get_context("spawn")


class ChildProcess:
    def __init__(self, key: WarmKey, context=None):
        from playground.core.remote.child import serve

        context = context or spawn_context()
        self.key = key
        child_commands, self.commands = _pipe(context)  # we send, it receives
        self.results, child_results = _pipe(context)  # it sends, we receive
        _enlarge(self.results)
        self.process = context.Process(target=serve, args=(child_commands, child_results, key),
                                       name="playground-training", daemon=True)
        self.process.start()
        # Our copies of its ends: closed, so that its death reads as the end of the pipe.
        child_commands.close()
        child_results.close()
        self.pid = self.process.pid
        self.reader = FrameReader(self.results)
        self._assembler = Assembler()
        self.ready = False  # it has warmed up
        self.spawned = time.perf_counter()

    # ------------------------------------------------------------ talking

    def send(self, kind: str, run_id: int, payload: Any = None) -> bool:
        """False when the process can no longer hear (it died)."""
        try:
            self.commands.send(Message(kind, run_id, payload))
            return True
        except (OSError, ValueError):
            return False

    def receive(self, budget_s: float) -> list[Message]:
        """The messages that have arrived (none waited for), within `budget_s` of reading."""
        messages = []
        for frame in self.reader.frames(budget_s):
            message = self._assembler.feed(frame)
            if message is None:
                continue
            if message.kind == protocol.READY:
                self.ready = True
            if message.kind == protocol.RECORDS:
                messages.extend(Message(protocol.RECORD, message.run_id, record) for record in message.payload)
            else:
                messages.append(message)
        return messages

    def wait_readable(self, timeout_s: float) -> None:
        self.reader.wait(timeout_s)

    # ------------------------------------------------------------ its life

    @property
    def ended(self) -> bool:
        """Its end of the pipe has closed: it exited, crashed or was killed."""
        return self.reader.eof

    @property
    def alive(self) -> bool:
        return not self.reader.eof and self.process.is_alive()

    def quit(self) -> None:
        """Ask it to end once its current run (if any) is over; `reap` collects it later."""
        self.send(protocol.QUIT, 0)
        self.commands.close()

    def kill(self) -> None:
        """Terminate it now, without waiting for it to go (a process with gigabytes to unmap
        takes a while): SIGKILL, which a stopped or busy process cannot put off. `reap` collects it."""
        if self.process.exitcode is None:
            self.process.kill()
        self.close()

    def reap(self) -> bool:
        """True once the process has exited (and was collected)."""
        if self.process.exitcode is None and self.process.is_alive():
            return False
        self.close()
        return True

    def close(self) -> None:
        for connection in (self.commands, self.results):
            try:
                connection.close()
            except OSError:
                pass

    def exit_reason(self, wait_s: float = 0.5) -> str:
        """How it ended, in words with the exit code (after its pipe closed)."""
        self.process.join(wait_s)
        code = self.process.exitcode
        if code is None:
            self.kill()
            return "the training process stopped answering and was terminated"
        return describe_exit(code)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGKILL": "; killed, perhaps for lack of memory", "SIGSEGV": "; it crashed",
                "SIGBUS": "; it crashed", "SIGABRT": "; it aborted"}.get(name, "")
        return f"the training process died of {name} (exit code {code}{hint})"
    return f"the training process exited unexpectedly (exit code {code})"


def _pipe(context):
    """(receiving end, sending end) of a one-way pipe."""
    return context.Pipe(duplex=False)


def _enlarge(connection) -> None:
    if sys.platform.startswith("linux"):
        import fcntl

        try:
            fcntl.fcntl(connection.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
        except OSError:
            pass  # a lower system limit: the default buffer works, with more wake-ups
