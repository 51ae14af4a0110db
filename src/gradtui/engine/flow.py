"""The gradient that reached each node in the latest backward pass, for tools to show.

micrograd's ``draw_dot`` shows every node's grad; torch keeps none for non-leaves (they are
freed as the pass goes). A front end that draws the graph asks ``gradient_through(node)``.

Off by default, so a script's training loop pays one test per node; ``record(limit)`` turns it
on for the next passes, keeping at most ``limit`` nodes of each (the kernel caps snapshots the
same way). Only the newest pass is kept: each one replaces what the one before recorded. A
``create_graph=True`` pass records nothing and forgets the pass before (its gradients are
graphs of their own).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_limit = 0
_latest: dict[int, np.ndarray] = {}  # node sequence number -> gradient of the node's output
_passes = 0  # passes recorded or forgotten so far


def record(limit: int) -> None:
    """Keep the gradients of up to ``limit`` nodes from each backward pass (0 turns it off)."""
    global _limit
    _limit = max(0, int(limit))


def limit() -> int:
    """How many nodes a pass records (0: recording is off)."""
    return _limit


class Reached(dict):
    """What one pass records (node sequence number -> gradient): it takes ``limit()`` nodes
    and ignores the rest, so a walk records with one plain assignment per node."""

    __slots__ = ("_room",)

    def __init__(self) -> None:
        super().__init__()
        self._room = _limit

    def __setitem__(self, seq: int, grad: Any) -> None:
        if self._room > 0:
            self._room -= 1
            super().__setitem__(seq, grad)


def finished(recorded: dict[int, np.ndarray]) -> None:
    """A pass completed: ``recorded`` (sequence number -> gradient) replaces the last one's."""
    global _latest, _passes
    _latest = recorded
    _passes += 1


def forget() -> None:
    """A pass that records nothing ran: what the pass before recorded no longer describes it."""
    global _latest, _passes
    _latest = {}
    _passes += 1


def pass_number() -> int:
    """Changes whenever the recorded gradients do (a cache of their previews keys on it)."""
    return _passes


def gradient_through(node: Any) -> np.ndarray | None:
    """The gradient of ``node``'s output that reached it in the latest backward pass (what it
    passed on to its inputs), or None when it did not run in that pass or was not recorded."""
    seq = getattr(node, "_seq", None)
    return None if seq is None else _latest.get(seq)
