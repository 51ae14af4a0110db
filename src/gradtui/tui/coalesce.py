"""Coalesce a flood of updates into at most one repaint per interval (no Textual here).

Snapshots can arrive faster than a terminal (or an SSH link) should be repainted. The newest
one wins; the first after a quiet spell is painted at once, later ones wait until
``interval`` seconds after the previous repaint *ended*, so a slow repaint on a loaded machine
still leaves a quiet gap instead of repainting back to back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalescer(Generic[T]):
    """Keeps the newest pending value and says when to paint it."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._pending: T | None = None
        self._scheduled = False
        self._last_end = float("-inf")

    def offer(self, value: T | None) -> float | None:
        """Take a new value. Returns the delay after which to call ``take`` (0: now), or None
        when a paint is already scheduled (it will pick this value up)."""
        self._pending = value
        if self._scheduled:
            return None
        self._scheduled = True
        return max(0.0, self._last_end + self.interval - self.clock())

    def take(self) -> T | None:
        """The value to paint now (the newest offered)."""
        self._scheduled = False
        value, self._pending = self._pending, None
        return value

    def painted(self) -> None:
        """The repaint has ended: the next interval counts from now."""
        self._last_end = self.clock()
