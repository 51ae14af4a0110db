"""A running cell's output, sent to the front end as it is written (Jupyter's stream messages).

Each ``print`` lands in the cell's ``OutputLog``; a thread here wakes on the write, waits at
most ``STREAM_INTERVAL_S`` since its last send (so a flood of tiny writes becomes a few dozen
messages a second, while a line printed once a second leaves at once) and sends what is new
as ``{"event": "stream", "id": N, "stream": "stdout", "text": ...}`` lines of the kernel's
protocol, each at most ``MAX_EVENT_CHARS`` characters of text. When the cell ends, ``finish``
sends the rest before the reply goes out, so a front end always has a cell's whole output when
its reply arrives, and the reply itself carries none (``CellResult.output_streamed``).

Learner code never waits for the front end: a write only appends to the log; if the front end
reads slowly, this thread waits, and the per-cell cap bounds what piles up meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from gradtui.kernel.capture import OutputLog
from gradtui.kernel.protocol import StreamChunk

STREAM_INTERVAL_S = 0.03
MAX_EVENT_CHARS = 16_384


def stream_event(request_id: Any, chunk: StreamChunk) -> dict[str, Any]:
    """The protocol message for one piece of output of execute request ``request_id``."""
    return {"event": "stream", "id": request_id, "stream": chunk.stream, "text": chunk.text}


class OutputStreamer:
    """Streams the output of the cell now running; the evaluator's ``log_factory``."""

    def __init__(self, send: Callable[[dict[str, Any]], None],
                 interval: float = STREAM_INTERVAL_S) -> None:
        self._send = send  # thread-safe: the reply goes through it from the main thread too
        self._interval = interval
        self._lock = threading.Lock()  # taking and sending are one step: events stay in order
        self._wake = threading.Event()
        self._log: OutputLog | None = None
        self._last_send = 0.0
        self._thread: threading.Thread | None = None
        self.request_id: Any = None  # the execute request whose output is streamed

    def new_log(self) -> OutputLog:
        """A fresh log for the cell about to run, watched by the streaming thread."""
        log = OutputLog(on_write=self._wake.set)
        with self._lock:
            self._log = log
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="output-streamer",
                                            daemon=True)
            self._thread.start()
        return log

    def finish(self) -> None:
        """The cell ended: send the rest of its output (and any cut note) now."""
        with self._lock:
            log, self._log = self._log, None
            if log is not None:
                self._send_chunks(log.take_unsent(final=True))

    def send_note(self, stream: str, text: str) -> None:
        """Output of the kernel itself about this cell (e.g. the panels failed)."""
        with self._lock:
            self._send_chunks([StreamChunk(stream, text)])  # type: ignore[arg-type]

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            wait = self._last_send + self._interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # gather a burst of writes into one message
            with self._lock:
                if self._log is not None:
                    self._send_chunks(self._log.take_unsent())

    def _send_chunks(self, chunks: list[StreamChunk]) -> None:
        for chunk in chunks:
            text = chunk.text
            for start in range(0, len(text), MAX_EVENT_CHARS):
                piece = StreamChunk(chunk.stream, text[start:start + MAX_EVENT_CHARS])
                self._send(stream_event(self.request_id, piece))
        if chunks:
            self._last_send = time.monotonic()
