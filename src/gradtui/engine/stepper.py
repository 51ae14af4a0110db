"""The step-by-step backward: the same walk as ``Tensor.backward`` but *without changing any
state* (no ``.grad`` written, no saved buffer freed), recording what flows through each node.

The kernel's ``:step`` view and the lesson checks read it to show a learner, node by node, the
gradient coming in, the local rule of each input, and the gradient sent on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradtui.engine import errors, quiet
from gradtui.engine.autograd import (
    AccumulateGrad,
    Node,
    _Buffers,
    _reachable,
    _root_grad,
    _root_node,
    unbroadcast,
)
from gradtui.engine.tensor import Tensor


@dataclass
class Step:
    """One node of the backward walk."""

    node: Node
    grad_in: np.ndarray
    grads_out: list[np.ndarray | None] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


def _deliver(g: np.ndarray, nxt: Any) -> np.ndarray:
    if g.shape != nxt.output_shape:
        g = unbroadcast(g, nxt.output_shape)
    if g.dtype != nxt._dtype:
        g = g.astype(nxt._dtype)
    return np.array(g)  # a private copy: the caller may keep it


def trace_backward(t: Tensor, gradient: Tensor | None = None) -> list[Step]:
    """The steps ``t.backward(gradient)`` would take, in the engine's execution order; raises
    the same errors it would (non-scalar, no grad, freed buffers, in-place modification)."""
    token = quiet.enter()
    try:
        return _trace(t, gradient)
    finally:
        quiet.leave(token)


def _trace(t: Tensor, gradient: Tensor | None) -> list[Step]:
    root = _root_node(t, 0)
    grad = _root_grad(t, gradient, 0)
    buffers = _Buffers()
    buffers.add(root, grad)
    steps: list[Step] = []
    for node in _reachable([root]):
        g = buffers.grads.pop(node, None)
        if g is None:
            continue
        op = node.op
        if node.saved_freed and not op.custom:  # a custom Function raises as it unpacks
            raise RuntimeError(errors.BACKWARD_TWICE)
        if node._versions is not None:
            node._check_versions()
        outs: list[np.ndarray | None] = []
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is None:
                outs.append(None)
                continue
            gi = (op.formulas[0](g, i, *node.saved) if op.variadic
                  else op.formulas[i](g, *node.saved))
            if gi is None:
                outs.append(None)
                continue
            gi = _deliver(np.asarray(gi), nxt)
            outs.append(gi)
            buffers.add(nxt, gi.copy())
        steps.append(Step(node=node, grad_in=np.array(g), grads_out=outs, rules=node.rules()))
    return steps


def leaf_gradients(t: Tensor, gradient: Tensor | None = None) -> list[tuple[Tensor, np.ndarray]]:
    """The gradient each leaf would receive from ``t.backward(gradient)`` (no state change)."""
    steps = trace_backward(t, gradient)
    totals: dict[int, tuple[Tensor, np.ndarray]] = {}
    for step in steps:
        for (nxt, _), g in zip(step.node.next_functions, step.grads_out, strict=True):
            if type(nxt) is AccumulateGrad and g is not None:
                leaf = nxt.variable
                prev = totals.get(id(leaf))
                totals[id(leaf)] = (leaf, g if prev is None else prev[1] + g)
    if not steps and t.grad_fn is None:
        totals[id(t)] = (t, _root_grad(t, gradient, 0))
    return list(totals.values())
