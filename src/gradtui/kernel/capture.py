"""Collecting what a cell writes to stdout and stderr, in the order it wrote it.

A cell's ``print`` goes to ``sys.stdout``; while a cell runs the evaluator points ``sys.stdout``
and ``sys.stderr`` at :class:`CaptureStream` objects that append to one shared :class:`OutputLog`,
so interleaved writes to both streams keep their order. The kernel process also feeds the log
from its fd-1 pipe (C-level writes) through :meth:`OutputLog.write`.

While the cell runs, the kernel's streamer (``kernel/streaming.py``) takes what was written
since it last looked (:meth:`OutputLog.take_unsent`) and sends it to the front end, as
Jupyter's stream messages do; ``on_write`` tells it there is something to take.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Literal

from gradtui.kernel.protocol import StreamChunk

StreamName = Literal["stdout", "stderr"]

# A runaway `while True: print(x)` must not grow the kernel (and what it sends) without bound:
# past this many characters per cell, output is dropped and one note says so.
MAX_CELL_OUTPUT_CHARS = 1_000_000


class OutputLog:
    """Ordered chunks of one cell's output; consecutive writes to one stream are merged."""

    def __init__(self, max_chars: int = MAX_CELL_OUTPUT_CHARS,
                 on_write: Callable[[], None] | None = None) -> None:
        # (stream, parts): parts are joined only at the end, so a cell printing 10^5 lines
        # stays linear instead of re-copying one growing string.
        self._chunks: list[tuple[StreamName, list[str]]] = []
        self._lock = threading.Lock()  # the kernel's fd reader thread writes here too
        self._chars = 0
        self._max_chars = max_chars
        self._dropped = 0
        self._on_write = on_write
        # take_unsent's place: (chunk index, part index) of the first part not yet taken
        self._sent = (0, 0)
        self._cut_announced = False

    def write(self, stream: StreamName, text: str) -> None:
        if not text:
            return
        with self._lock:
            room = self._max_chars - self._chars
            if room <= 0:
                self._dropped += len(text)
                return
            if len(text) > room:
                self._dropped += len(text) - room
                text = text[:room]
            self._chars += len(text)
            if self._chunks and self._chunks[-1][0] == stream:
                self._chunks[-1][1].append(text)
            else:
                self._chunks.append((stream, [text]))
        if self._on_write is not None:
            self._on_write()

    def chunks(self) -> list[StreamChunk]:
        """The chunks so far, plus a note on stderr if output was cut."""
        with self._lock:
            out = [StreamChunk(stream, "".join(parts)) for stream, parts in self._chunks]
            if self._dropped:
                out.append(StreamChunk("stderr", self._final_note()))
        return out

    def take_unsent(self, *, final: bool = False) -> list[StreamChunk]:
        """What was written since the last call (merged per stream, in order).

        The first time output is cut, a note says so at once (the learner sees why the output
        stopped while the cell still runs); with ``final`` (the cell ended) the note with the
        count of dropped characters follows, as in :meth:`chunks`.
        """
        with self._lock:
            chunk_index, part_index = self._sent
            out: list[StreamChunk] = []
            for stream, parts in self._chunks[chunk_index:]:
                text = "".join(parts[part_index:])
                if text:
                    out.append(StreamChunk(stream, text))
                part_index = 0
            if self._chunks:
                self._sent = (len(self._chunks) - 1, len(self._chunks[-1][1]))
            if self._dropped and not self._cut_announced and not final:
                self._cut_announced = True
                out.append(StreamChunk("stderr", (
                    f"\n[gradtui: output cut after {self._max_chars:,} characters; the rest of "
                    "this cell's output is dropped]\n")))
            if final and self._dropped:
                out.append(StreamChunk("stderr", self._final_note()))
        return out

    def _final_note(self) -> str:
        return (f"\n[gradtui: output cut after {self._max_chars:,} characters; "
                f"{self._dropped:,} more were dropped]\n")


class CaptureStream(io.TextIOBase):
    """A text stream standing in for ``sys.stdout``/``sys.stderr`` during a cell."""

    def __init__(self, log: OutputLog, stream: StreamName) -> None:
        super().__init__()
        self._log = log
        self._stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def name(self) -> str:
        return f"<{self._stream}>"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._log.write(self._stream, text)
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered: every write is already in the log."""
