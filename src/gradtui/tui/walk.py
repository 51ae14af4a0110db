"""The state of a step-by-step backward (``:step o``): which node we are on and what to say.

The kernel computes the whole trace up front without changing any state
(``client.trace_backward``: the dry run of the very walk ``backward()`` runs); this walks it one
node at a time. Position ``-1`` is the start (before the first node), ``len(steps)`` the end,
where the leaves' gradients are shown. The words are ``kernel.step_text``'s, shared with the
plain REPL's ``:step NAME``.
"""

from __future__ import annotations

from gradtui.kernel import step_text
from gradtui.kernel.protocol import BackwardTrace

KEYS = ("Right: the next node; Left: back; Esc: end the walk; Ctrl+O: the code of the "
        "node's rule (:source).")


class BackwardWalk:
    """Forward/backward through a ``BackwardTrace``."""

    def __init__(self, trace: BackwardTrace) -> None:
        self.trace = trace
        self.position = -1

    @property
    def total(self) -> int:
        return len(self.trace.steps)

    @property
    def finished(self) -> bool:
        return self.position >= self.total

    @property
    def current_node(self) -> str | None:
        """Graph node id of the current step, or None at the start and the end."""
        if 0 <= self.position < self.total:
            return self.trace.steps[self.position].node
        return None

    @property
    def current_op(self) -> str | None:
        """The op table row of the current step (what :source shows), if any."""
        if 0 <= self.position < self.total:
            return self.trace.steps[self.position].op or None
        return None

    def leaf_nodes(self) -> frozenset[str]:
        """Graph ids of the leaves the walk ends at (filled once it is finished)."""
        return frozenset(leaf.node for leaf in self.trace.leaves if leaf.node)

    def visited_nodes(self, leaf_nodes: frozenset[str] = frozenset()) -> frozenset[str]:
        """Nodes whose gradient the walk has computed so far; once finished, also the leaves
        (``leaf_nodes``, or the trace's own), now filled."""
        passed = frozenset(step.node for step in self.trace.steps[: max(0, self.position)])
        if not self.finished:
            return passed
        return passed | (leaf_nodes or self.leaf_nodes())

    def next(self) -> bool:
        """Advance one node; False when already at the end."""
        if self.position >= self.total:
            return False
        self.position += 1
        return True

    def previous(self) -> bool:
        """Go back one node; False when already at the start."""
        if self.position < 0:
            return False
        self.position -= 1
        return True

    def describe(self, node_names: dict[str, str] | None = None, keys: str = KEYS) -> str:
        """What to show for the current position, in words and maths."""
        trace = self.trace
        if trace.error:
            return step_text.error_text(trace)
        if self.position < 0:
            return step_text.intro(trace, keys)
        if self.position >= self.total:
            return step_text.end(trace)
        return step_text.step(trace, self.position, node_names)


freed_graph_hint = step_text.freed_graph_hint
