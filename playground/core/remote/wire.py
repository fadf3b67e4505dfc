"""Messages as frames on a pipe, and a reader that never blocks.

A message is pickled (protocol 5) with its big arrays (weights, boundary grids) out of band: one
header frame, then each big buffer's bytes in frames of at most `CHUNK` bytes, so neither side
ever copies a large array into one huge pickle, and a reader can stop between any two frames.
Frames use `multiprocessing.Connection.send_bytes`'s framing (a 4-byte big-endian length). On
POSIX the parent reads the pipe's descriptor non-blocking and cuts frames itself, so reading
never waits for the child; elsewhere it reads whole frames once `poll` says one has begun
(a wait bounded by one frame's transfer).
"""

from __future__ import annotations

import os
import pickle
import struct
import time
from typing import Any, Iterator

# Buffers of at least this many bytes travel out of band; smaller ones stay in the pickle.
BIG = 64 * 1024
CHUNK = 1 << 20
_COUNT = struct.Struct("!I")
_SIZE = struct.Struct("!Q")
_LENGTH = struct.Struct("!i")


def encode(message: Any) -> list:
    """The frames of one message (bytes and memoryviews of the message's own arrays: keep the
    message unchanged until they are sent)."""
    buffers: list[memoryview] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        raw = buffer.raw()
        if raw.nbytes < BIG:
            return True  # in band
        buffers.append(raw)
        return False

    body = pickle.dumps(message, protocol=5, buffer_callback=out_of_band)
    header = _COUNT.pack(len(buffers)) + b"".join(_SIZE.pack(b.nbytes) for b in buffers) + body
    frames: list = [header]
    for raw in buffers:
        frames.extend(raw[start:start + CHUNK] for start in range(0, raw.nbytes, CHUNK))
    return frames


class Assembler:
    """Frames in, whole messages out."""

    def __init__(self) -> None:
        self._body: bytes | None = None
        self._buffers: list[bytearray] = []
        self._index = 0  # the buffer being filled
        self._filled = 0

    def feed(self, frame: bytes) -> Any | None:
        """The message this frame completes, or None while more frames are due."""
        if self._body is None:
            (count,) = _COUNT.unpack_from(frame, 0)
            sizes = [_SIZE.unpack_from(frame, _COUNT.size + i * _SIZE.size)[0] for i in range(count)]
            body = frame[_COUNT.size + count * _SIZE.size:]
            if not count:
                return pickle.loads(body)
            self._body, self._buffers = body, [bytearray(size) for size in sizes]
            self._index = self._filled = 0
            return None
        target = self._buffers[self._index]
        if self._filled + len(frame) > len(target):
            raise ValueError("a frame overran its buffer: the stream is out of step")
        target[self._filled:self._filled + len(frame)] = frame
        self._filled += len(frame)
        while self._index < len(self._buffers) and self._filled == len(self._buffers[self._index]):
            self._index += 1
            self._filled = 0
        if self._index < len(self._buffers):
            return None
        body, buffers = self._body, self._buffers
        self._body, self._buffers = None, []
        return pickle.loads(body, buffers=buffers)


class FrameReader:
    """Reads a Connection's frames without blocking; `eof` once the other end has closed."""

    def __init__(self, connection):
        self.connection = connection
        self.eof = False
        self._raw = os.name == "posix"
        self._pending = bytearray()
        if self._raw:
            os.set_blocking(connection.fileno(), False)

    def frames(self, budget_s: float, max_bytes: int = 64 * CHUNK) -> Iterator[bytes]:
        """The frames that have arrived, until `budget_s` or `max_bytes` is spent."""
        deadline = time.perf_counter() + budget_s
        read = 0
        while not self.eof and read < max_bytes:
            chunk = self._read()
            if chunk is None:
                return
            read += len(chunk)
            yield from self._cut(chunk)
            if time.perf_counter() > deadline:
                return

    def _read(self) -> bytes | None:
        """Bytes (raw) or one frame (poll/recv); None when nothing is there now."""
        if not self._raw:
            try:
                if not self.connection.poll(0):
                    return None
                return self.connection.recv_bytes()
            except (EOFError, OSError):
                self.eof = True
                return None
        try:
            data = os.read(self.connection.fileno(), CHUNK + _LENGTH.size)
        except BlockingIOError:
            return None
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return None
        return data

    def _cut(self, data: bytes) -> Iterator[bytes]:
        if not self._raw:
            yield data
            return
        pending = self._pending
        pending += data
        frames, start = [], 0
        with memoryview(pending) as view:
            while len(pending) - start >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(pending, start)
                head = _LENGTH.size
                if length == -1:  # send_bytes' framing of a frame over 2 GiB (never sent here)
                    if len(pending) - start < head + _SIZE.size:
                        break
                    (length,) = _SIZE.unpack_from(pending, start + head)
                    head += _SIZE.size
                if len(pending) - start < head + length:
                    break
                frames.append(bytes(view[start + head:start + head + length]))
                start += head + length
        del pending[:start]
        yield from frames

    def wait(self, timeout_s: float) -> None:
        """Sleep until something may be readable (or `timeout_s`)."""
        from multiprocessing.connection import wait

        if not self.eof:
            wait([self.connection], timeout_s)
