"""The step-by-step backward (``:step``): the backward walk run dry, node by node.

``trace`` runs ``walk.dry_run``, the very walk ``Tensor.backward`` runs, without changing
any state (no ``.grad`` written, no saved buffer freed), and adds what a learner needs to follow
the chain rule: each input's rule from the op table and, where the rule is a per-element
derivative, its value (the local derivative, so ``grad in * local = grad out`` can be shown
with numbers). The end of the walk says what each leaf's ``.grad`` would become, counting what
it already holds (accumulation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradtui.engine import quiet, walk
from gradtui.engine.autograd import Node
from gradtui.engine.tensor import Tensor
from gradtui.engine.walk import LeafVisit

# Local derivatives are evaluated for inputs of at most this many elements (two more calls of
# the rule each): a :step through a big network still shows its gradients, just not them.
MAX_LOCAL_ELEMENTS = 100_000


@dataclass
class Step:
    """One node of the backward walk."""

    node: Node
    grad_in: np.ndarray
    grads_out: list[np.ndarray | None] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    # per input: the local derivative d(result)/d(input), element by element, where the rule
    # is one (grad_out = grad_in * local, before summing to the input's shape); else None
    locals: list[np.ndarray | None] = field(default_factory=list)
    # the gradient before the register_hook hooks of the node's output tensor replaced it
    # (None without hooks; ``grad_in`` is what they returned), and how many hooks ran
    before_hooks: np.ndarray | None = None
    hooks: int = 0


@dataclass
class Trace:
    """A whole dry run: the steps in the engine's order, then each leaf's accumulation."""

    steps: list[Step]
    leaves: list[LeafVisit]


def trace(t: Tensor, gradient: Tensor | None = None) -> Trace:
    """What ``t.backward(gradient)`` would do, changing nothing; raises what it would raise
    (non-scalar output, no grad_fn, freed buffers, in-place modification)."""
    visits, leaves = walk.dry_run(t, gradient)
    token = quiet.enter()
    try:
        steps = [Step(v.node, v.grad_in, v.grads_out, v.node.rules(),
                      local_derivatives(v.node, v.grad_in), v.before_hooks, v.hooks)
                 for v in visits]
    finally:
        quiet.leave(token)
    return Trace(steps, leaves)


def trace_backward(t: Tensor, gradient: Tensor | None = None) -> list[Step]:
    """The steps ``t.backward(gradient)`` would take, in the engine's execution order."""
    return trace(t, gradient).steps


def leaf_gradients(t: Tensor, gradient: Tensor | None = None) -> list[tuple[Tensor, np.ndarray]]:
    """The gradient each leaf would receive from ``t.backward(gradient)`` (no state change)."""
    _, leaves = walk.dry_run(t, gradient)
    return [(leaf.leaf, leaf.grad) for leaf in leaves]


def local_derivatives(node: Node, grad_in: np.ndarray) -> list[np.ndarray | None]:
    """Per input, the local derivative element by element, where the rule is one.

    A rule is per-element when it maps any incoming gradient ``g`` to ``g * local``: then
    ``local`` is what it gives for a gradient of ones. That is checked, not assumed (a matrix
    product or a cumulative sum is not one): the rule is run with ones and with another
    gradient. A scalar output's rule is always one (``d(sum a)/da_i = 1``). A custom
    Function's backward is the learner's own code and is not run again.
    """
    op = node.op
    edges = node.next_functions
    if op.custom or op.variadic or node.saved is None or grad_in.size > MAX_LOCAL_ELEMENTS:
        return [None] * len(edges)
    ones = np.ones_like(grad_in)
    probe = (1 + np.arange(grad_in.size, dtype=grad_in.dtype).reshape(grad_in.shape) % 7 / 8
             if grad_in.ndim else np.asarray(grad_in.dtype.type(0.625)))
    out: list[np.ndarray | None] = []
    for i, (nxt, _) in enumerate(edges):
        out.append(None if nxt is None else _local(op.formulas[i], node.saved, ones, probe))
    return out


def _local(rule: Any, saved: tuple, ones: np.ndarray, probe: np.ndarray) -> np.ndarray | None:
    try:
        local = rule(ones, *saved)
        if local is None:
            return None
        local = np.asarray(local)
        if ones.ndim == 0:
            return np.array(local)  # a scalar output: the gradient is the local derivative
        if local.shape != ones.shape or local.dtype.kind not in "fc":
            return None
        probed = np.asarray(rule(probe, *saved))
    except Exception:  # noqa: BLE001 - no number to show is fine; the walk itself worked
        return None
    if probed.shape != local.shape or not np.allclose(probed, probe * local, rtol=1e-4,
                                                      atol=1e-6, equal_nan=True):
        return None
    return np.array(local)

