"""trace_backward: the backward walk, step by step, without changing any state."""

from __future__ import annotations

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors
from gradtui.engine.stepper import leaf_gradients, trace_backward


def _notebook() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.ones(2, requires_grad=True)
    return x, (1 / 2) * torch.sum(5 * (x + 1) ** 2)


def test_steps_follow_the_engine_order_with_rules_and_gradients() -> None:
    x, o = _notebook()
    steps = trace_backward(o)
    assert [s.node.name() for s in steps] == ["MulBackward0", "SumBackward0", "MulBackward0",
                                               "PowBackward0", "AddBackward0"]
    assert steps[0].rules == ["d(a*b)/da = b", "d(a*b)/db = a"]
    pow_step = steps[3]
    np.testing.assert_allclose(pow_step.grad_in, [2.5, 2.5])
    np.testing.assert_allclose(pow_step.grads_out[0], [10.0, 10.0])
    assert steps[-1].grads_out[1] is None  # the constant 1 of x + 1


def test_tracing_changes_no_state() -> None:
    x, o = _notebook()
    trace_backward(o)
    trace_backward(o)
    assert x.grad is None
    assert not o.grad_fn.saved_freed
    o.backward()
    assert x.grad.tolist() == [10.0, 10.0]


def test_tracing_raises_what_backward_would() -> None:
    x, o = _notebook()
    o.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        trace_backward(o)
    with pytest.raises(RuntimeError, match=errors.IMPLICIT_GRAD_SCALAR):
        trace_backward(x * 2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        trace_backward(torch.ones(2).sum())


def test_leaf_gradients_match_backward() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    out = (a * b + a).sum()
    got = {id(t): g for t, g in leaf_gradients(out)}
    out.backward()
    np.testing.assert_allclose(got[id(a)], a.grad._array)
    np.testing.assert_allclose(got[id(b)], b.grad._array)
