"""Kernel calls off the event loop: one lock so calls never overlap, results posted back.

``KernelClient`` calls block (a cell may run forever), so each runs in a Textual thread worker
and hands its outcome back with ``app.call_from_thread``. ``interrupt`` is the one call made
directly: it is thread-safe by contract and must work while ``execute`` holds the lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gradtui.kernel.protocol import (
    BackwardTrace,
    Completion,
    ExecuteReply,
    Snapshot,
    StreamChunk,
)


@dataclass
class KernelFailure:
    """A kernel call raised: ``died`` when the kernel process is gone."""

    message: str
    died: bool


class KernelCalls:
    """Wraps a ``KernelClient``: serialises calls and turns exceptions into ``KernelFailure``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.lock = threading.Lock()
        self.running_since: float | None = None  # monotonic start of the cell now running
        self.generation = 0  # bumped by restart: results of older cells are stale

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # any client error: report it, never crash the UI
            alive = bool(getattr(self.client, "alive", False))
            return KernelFailure(f"{type(exc).__name__}: {exc}", died=not alive)

    def start(self) -> Snapshot | KernelFailure:
        def go() -> Snapshot:
            if not getattr(self.client, "alive", False):
                self.client.start()
            return self.client.snapshot()

        with self.lock:
            return self._call(go)

    def execute(self, source: str, generation: int | None = None,
                on_output: Callable[[StreamChunk], None] | None = None
                ) -> ExecuteReply | KernelFailure | None:
        """Run a cell; None (and nothing run) when the kernel was restarted after the cell was
        submitted in ``generation``: a cell must not run in the fresh kernel it never saw.
        ``on_output`` gets the cell's output as it is printed (in this worker thread)."""
        with self.lock:
            if generation is not None and generation != self.generation:
                return None
            self.running_since = time.monotonic()
            try:
                return self._call(lambda: self.client.execute(source, on_output=on_output))
            finally:
                self.running_since = None

    def complete(self, source: str, cursor: int) -> list[Completion] | KernelFailure | None:
        """Completions, or None when a cell is running (completion must not wait for it)."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            return self._call(lambda: self.client.complete(source, cursor))
        finally:
            self.lock.release()

    def inspect(self, name: str) -> str | None | KernelFailure:
        """Signature and docstring of ``name`` (looked up statically: nothing runs)."""
        with self.lock:
            return self._call(lambda: self.client.inspect(name))

    def trace_backward(self, name: str) -> BackwardTrace | KernelFailure:
        with self.lock:
            return self._call(lambda: self.client.trace_backward(name))

    def source(self, name: str) -> str | None | KernelFailure:
        """The op-table row behind ``name`` as text (None: no such tensor, op or grad_fn)."""
        with self.lock:
            return self._call(lambda: self.client.source(name))

    def interrupt(self) -> KernelFailure | None:
        return self._call(self.client.interrupt)

    def restart(self) -> Snapshot | KernelFailure:
        """A fresh kernel. Does not wait for a running cell: restarting kills it."""
        self.generation += 1
        result = self._call(self.client.restart)
        if isinstance(result, KernelFailure):
            return result
        with self.lock:
            return self._call(self.client.snapshot)
