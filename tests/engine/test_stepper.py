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


def test_local_derivatives_are_the_per_element_rules_values() -> None:
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    y = torch.tensor([4.0, 5.0], requires_grad=True)
    steps = trace_backward((x * y).sum())
    total, product = steps
    assert total.locals[0].tolist() == [1.0, 1.0]  # d(sum a)/da_i = 1
    assert product.locals[0].tolist() == [4.0, 5.0]  # d(x*y)/dx = y
    assert product.locals[1].tolist() == [2.0, 3.0]  # d(x*y)/dy = x
    (power,) = [s for s in trace_backward((x ** 3).sum()) if s.node.name() == "PowBackward0"]
    assert power.locals[0].tolist() == [12.0, 27.0]  # 3 x^2


def test_rules_that_are_not_per_element_get_no_local_value() -> None:
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = torch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    steps = {s.node.name(): s for s in trace_backward(((a @ b).cumsum(0) * 2).mean())}
    assert steps["MmBackward0"].locals == [None, None]  # grad @ B^T mixes elements
    assert steps["CumsumBackward0"].locals == [None]
    assert steps["MulBackward0"].locals[0].tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert steps["MeanBackward0"].locals[0].tolist() == [[0.25, 0.25], [0.25, 0.25]]
