"""Reading line-delimited messages from a process that runs learner code: bounded in size and time.

The kernel's reply pipe is one of the kernel's own file descriptors, so learner code can write
anything into it: one 512 MB line (the front end used to buffer it all, and then parse it), half
a line and then silence (the front end used to wait for the rest for ever), or bytes that are not
JSON at all. So every line a front end reads from a kernel goes through :class:`LineReader`:

- a line may hold at most ``max_line_bytes``: past that, reading stops with
  :class:`ProtocolViolation` before more is buffered (the reader never holds more than the cap
  plus one read of 64 KiB);
- a line that has started must keep arriving: ``stall_s`` seconds without a byte in the middle
  of a line is a violation (a real kernel writes a whole reply in one go; only the wait *between*
  lines may be long, because a cell may run for an hour);
- :func:`decode_message` turns a line into a JSON object or raises :class:`ProtocolViolation`.

The caller decides what a violation means; the kernel client stops that kernel and says why.
``drain_lines`` reads a diagnostics stream (the kernel's stderr) the same bounded way.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable
from typing import Any

# The largest legitimate message is an execute reply with a full cell's output (1,000,000
# characters, up to 6 bytes each once JSON-escaped) and a full snapshot: about 7 MB. The kernel
# shrinks anything bigger before sending (see server.fit_reply), so a longer line is never ours.
MAX_LINE_BYTES = 32 * 1024 * 1024
# A message is written with one write() and read as fast as the pipe delivers it; ten seconds
# without progress inside a line is never a busy machine, only a writer that stopped.
LINE_STALL_S = 10.0
_CHUNK = 65536


class ProtocolViolation(Exception):
    """What came through the pipe cannot be a message from the kernel; the text says why."""


class LineReader:
    """Complete lines from a file descriptor, never more than ``max_line_bytes`` buffered."""

    def __init__(
        self,
        fd: int,
        *,
        max_line_bytes: int | None = None,
        stall_s: float | None = None,
    ) -> None:
        self._fd = fd
        # None: the module's values as they are now (tests lower them).
        self.max_line_bytes = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
        self.stall_s = LINE_STALL_S if stall_s is None else stall_s
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already known to hold no newline
        self._eof = False
        self._poller = select.poll()
        self._poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def read_line(self, timeout: float | None = None) -> bytes | None:
        """The next line without its newline; None at end of file.

        ``timeout`` bounds the wait for a line to *begin* (None: wait as long as it takes);
        when it passes, ``TimeoutError``. Raises :class:`ProtocolViolation` for a line that is
        too long or stalls half-way.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        last_progress = time.monotonic()
        while True:
            at = self._buffer.find(b"\n", self._scanned)
            if at >= 0:
                line = bytes(self._buffer[:at])
                del self._buffer[: at + 1]
                self._scanned = 0
                return line
            self._scanned = len(self._buffer)
            if len(self._buffer) > self.max_line_bytes:
                raise ProtocolViolation(f"a message longer than {_size(self.max_line_bytes)}")
            if self._eof:
                if self._buffer:
                    raise ProtocolViolation(
                        f"an unfinished message of {_size(len(self._buffer))} before the pipe "
                        "closed"
                    )
                return None
            now = time.monotonic()
            if self._buffer:
                wait = last_progress + self.stall_s - now
                if wait <= 0:
                    raise ProtocolViolation(
                        f"an unfinished message ({_size(len(self._buffer))}, no end for "
                        f"{self.stall_s:g} s)"
                    )
            elif deadline is not None:
                wait = deadline - now
                if wait <= 0:
                    raise TimeoutError("no message in time")
            else:
                wait = None
            if self._fill(wait):
                last_progress = time.monotonic()

    def _fill(self, wait: float | None) -> bool:
        """Read what is there (waiting at most ``wait`` seconds); True if bytes arrived."""
        timeout_ms = None if wait is None else max(int(wait * 1000) + 1, 1)
        try:
            ready = self._poller.poll(timeout_ms)
        except InterruptedError:
            return False
        if not ready:
            return False
        room = self.max_line_bytes + 1 - len(self._buffer)
        try:
            data = os.read(self._fd, max(min(_CHUNK, room), 1))
        except BlockingIOError:
            return False
        except OSError:
            data = b""
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True


def decode_message(line: bytes) -> dict[str, Any]:
    """A line as a JSON object, or :class:`ProtocolViolation`."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise ProtocolViolation(f"a message that is not JSON: {_preview(line)}") from None
    if not isinstance(message, dict):
        raise ProtocolViolation(f"a message that is not a JSON object: {_preview(line)}")
    return message


def drain_lines(fd: int, sink: Callable[[str], None], *, max_line_chars: int = 2000) -> None:
    """Hand each line read from ``fd`` to ``sink`` (decoded, newline kept) until end of file.

    A line longer than ``max_line_chars`` is cut, with a note of how much was dropped, so a
    flood of bytes without newlines costs a bounded amount of memory.
    """
    pending = bytearray()
    dropped = 0
    while True:
        try:
            data = os.read(fd, _CHUNK)
        except InterruptedError:
            continue
        except OSError:
            data = b""
        if not data:
            if pending or dropped:
                sink(_cut_line(pending, dropped, "\n"))
            return
        start = 0
        while (at := data.find(b"\n", start)) >= 0:
            room = max(max_line_chars - len(pending), 0)
            piece = data[start:at]
            dropped += max(len(piece) - room, 0)
            pending += piece[:room]
            sink(_cut_line(pending, dropped, "\n"))
            pending.clear()
            dropped = 0
            start = at + 1
        rest = data[start:]
        room = max(max_line_chars - len(pending), 0)
        dropped += max(len(rest) - room, 0)
        pending += rest[:room]


def _cut_line(pending: bytearray, dropped: int, end: str) -> str:
    text = bytes(pending).decode("utf-8", errors="replace")
    if dropped:
        text += f" [... {dropped:,} more bytes]"
    return text + end


def _preview(line: bytes, limit: int = 80) -> str:
    head = line[:limit].decode("utf-8", errors="replace")
    more = f" ... ({_size(len(line))})" if len(line) > limit else ""
    return repr(head) + more


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"
