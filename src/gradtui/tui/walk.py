"""The state of a step-by-step backward (``:step o``): which node we are on and what to say.

The kernel computes the whole trace up front without changing any state
(``client.trace_backward``); this walks it one node at a time. Position ``-1`` is the start
(before the first node), ``len(steps)`` the end, where the leaves' gradients are shown.
"""

from __future__ import annotations

from gradtui.kernel.protocol import BackwardTrace


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

    def visited_nodes(self, leaf_nodes: frozenset[str] = frozenset()) -> frozenset[str]:
        """Nodes whose gradient the walk has computed so far; once finished, also the leaves
        (``leaf_nodes``: the graph ids of ``trace.leaf_grads``' tensors), now filled."""
        passed = frozenset(step.node for step in self.trace.steps[: max(0, self.position)])
        return passed | leaf_nodes if self.finished else passed

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

    def describe(self, node_names: dict[str, str] | None = None) -> str:
        """What to show for the current position, in words and maths."""
        names = node_names or {}
        trace = self.trace
        if trace.error:
            return f"Cannot step through {trace.root}.backward():\n{trace.error}" \
                + freed_graph_hint(trace.root, trace.error)
        if self.position < 0:
            return (
                f"Backward of {trace.root}, step by step: {self.total} nodes from the output to "
                "the leaves. Each node receives the gradient of the output with respect to its "
                "result, multiplies it by its local derivative (the chain rule), and passes one "
                "gradient to each input.\nPress n (or Right) for the next node."
            )
        if self.position >= self.total:
            lines = [f"Done: {trace.root}.backward() would fill these leaves' .grad:"]
            for name, grad in trace.leaf_grads.items():
                lines.append(f"  {name}.grad = {grad}")
            if not trace.leaf_grads:
                lines.append("  (no leaf requires grad)")
            lines.append("Nothing was changed: run the backward yourself to store them.")
            return "\n".join(lines)
        step = trace.steps[self.position]
        lines = [f"Step {self.position + 1}/{self.total}: {step.name}",
                 f"  gradient in: {step.grad_in}"]
        for index, grad in enumerate(step.grads_out):
            target = step.targets[index] if index < len(step.targets) else None
            rule = step.rules[index] if index < len(step.rules) else ""
            to = names.get(target, target) if target is not None else "a constant"
            passed = "nothing (no grad needed)" if grad is None else grad
            rule_text = f"  [{rule}]" if rule else ""
            lines.append(f"  input {index} -> {to}: {passed}{rule_text}")
        return "\n".join(lines)


def freed_graph_hint(root: str, error: str) -> str:
    """What to do when the graph was freed by an earlier backward (else "")."""
    if "backward through the graph a second time" not in error:
        return ""
    return (f"\nAn earlier {root}.backward() without retain_graph=True freed this graph. "
            f"Run the cells that compute {root} again to build a new one, then :step {root}.")
