"""Kernel status: idle / running for Ns / dead, and the keys that act on it."""

from __future__ import annotations

import time

from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    """One line at the bottom; the owner sets ``state`` and ``busy_since``."""

    DEFAULT_CSS = """
    StatusBar { height: 1; dock: bottom; padding: 0 1; }
    """

    state: reactive[str] = reactive("starting")
    """``starting``, ``idle``, ``busy`` or ``dead``."""
    busy_since: reactive[float | None] = reactive(None)
    """``time.monotonic()`` when the running cell started."""
    note: reactive[str] = reactive("")
    """A short extra text (the tensor the graph is pinned to)."""
    changes: reactive[str] = reactive("")
    """Names of the tensors the last cell changed."""

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.state == "busy":
            self.refresh()

    def render(self) -> str:
        if self.state == "busy":
            seconds = 0 if self.busy_since is None else int(time.monotonic() - self.busy_since)
            status = f"kernel: running {seconds}s  (Ctrl+C interrupts)"
        elif self.state == "dead":
            status = "kernel: dead  (F9 or :restart starts a new one)"
        else:
            status = f"kernel: {self.state}"
        extra = "".join(f"  |  {text}" for text in (self.note, self.changes) if text)
        return f"{status}{extra}  |  F1 help"

    def watch_state(self, state: str) -> None:
        self.set_class(state == "dead", "-dead")
        self.set_class(state == "busy", "-busy")
