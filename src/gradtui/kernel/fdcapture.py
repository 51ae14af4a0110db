"""File descriptor 1 of the kernel process, turned into cell output.

The protocol stream is a private duplicate of the kernel's original stdout, so nothing a learner
does can write into it. File descriptor 1 itself becomes the write end of a pipe that a reader
thread drains: ``os.write(1, ...)``, C extensions' ``printf`` and ``sys.__stdout__`` all end up as
``stdout`` chunks of the running cell. At the end of each cell the evaluator calls :meth:`sync`,
which writes a unique marker through the pipe and waits until the reader has seen it, so a cell's
reply includes everything it wrote.
"""

from __future__ import annotations

import codecs
import ctypes
import os
import secrets
import sys
import threading
from collections.abc import Callable

_SYNC_TIMEOUT_S = 2.0


class FdCapture:
    """Redirects ``fd`` into a pipe and hands decoded text to ``sink`` from a reader thread."""

    def __init__(self, fd: int, sink: Callable[[str], None]) -> None:
        self._fd = fd
        self._sink = sink
        self._marker = b"\x00gradtui-sync-" + secrets.token_hex(8).encode() + b"\x00"
        self._synced = threading.Event()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        self._read_end = read_end
        self._thread = threading.Thread(target=self._pump, name=f"fd{fd}-capture", daemon=True)
        self._thread.start()

    @property
    def read_fd(self) -> int:
        """The pipe's read end (the kernel keeps it out of forked children)."""
        return self._read_end

    def sync(self) -> None:
        """Wait until everything written to the fd so far has reached the sink."""
        _flush_c_stdio()
        try:
            sys.__stdout__.flush()  # type: ignore[union-attr]
        except (OSError, ValueError, AttributeError):
            pass  # a learner may have closed it; nothing buffered there then
        self._synced.clear()
        try:
            os.write(self._fd, self._marker)
        except OSError:
            return  # the learner closed fd 1; nothing more can arrive through it
        self._synced.wait(_SYNC_TIMEOUT_S)

    def _pump(self) -> None:
        buffer = bytearray()
        keep = len(self._marker) - 1  # a marker may be split across reads
        while True:
            try:
                data = os.read(self._read_end, 65536)
            except InterruptedError:
                continue
            if not data:
                return
            buffer += data
            while (at := buffer.find(self._marker)) >= 0:
                self._emit(bytes(buffer[:at]))
                del buffer[: at + len(self._marker)]
                self._emit(b"", final=True)
                self._synced.set()
            if len(buffer) > keep:
                self._emit(bytes(buffer[:-keep]))
                del buffer[:-keep]

    def _emit(self, data: bytes, *, final: bool = False) -> None:
        text = self._decoder.decode(data, final=final)
        if text:
            self._sink(text)


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: push C-level ``printf`` output still sitting in libc's buffers."""
    try:
        libc = ctypes.CDLL(None)
        libc.fflush(None)
    except (OSError, AttributeError):
        pass  # not a libc platform; C output then arrives when libc flushes it
