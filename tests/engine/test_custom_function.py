"""torch.autograd.Function: gradients through a learner's own op, its node in the graph, the
snapshot and the step-by-step view of it, and what it does not support."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors
from gradtui.engine.autograd import AccumulateGrad, Node
from gradtui.engine.stepper import trace_backward
from gradtui.engine.torchapi.autograd.function import FunctionCtx, once_differentiable


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Any) -> Any:
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class MulConstant(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, tensor: Any, constant: float) -> Any:
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        return grad_output * ctx.constant, None


def _p3(values: np.ndarray) -> np.ndarray:
    return 0.5 * (5 * values ** 3 - 3 * values)


def test_gradient_through_a_custom_function_matches_finite_differences() -> None:
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 4))
    x0 = rng.normal(size=4)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(x0, dtype=torch.float64)

    def loss(wv: np.ndarray) -> float:
        return float((_p3(wv @ x0) ** 2).sum())

    out = (LegendrePolynomial3.apply(w @ x) ** 2).sum()
    out.backward()
    eps = 1e-6
    numeric = np.zeros_like(w0)
    for idx in np.ndindex(*w0.shape):
        up, down = w0.copy(), w0.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (loss(up) - loss(down)) / (2 * eps)
    np.testing.assert_allclose(w.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_the_node_is_the_ctx_with_torchs_name_edges_and_rules() -> None:
    x = torch.tensor([1., 2.], requires_grad=True)
    c = torch.tensor([3., 4.])
    y = MulConstant.apply(x * 2, 5)
    node = y.grad_fn
    assert isinstance(node, Node)
    assert node.name() == "MulConstantBackward"
    assert type(node).__module__ == "torch.autograd.function"
    assert repr(node).startswith("<torch.autograd.function.MulConstantBackward object at 0x")
    assert "grad_fn=<MulConstantBackward>" in repr(y)
    assert node.constant == 5 and node.needs_input_grad == (True, False)
    (edge,) = node.next_functions  # one edge per tensor argument: the 5 has none
    assert edge[0].name() == "MulBackward0" and edge[1] == 0
    assert node.rules() == ["the backward you wrote (MulConstant.backward)"]
    assert node.output_shape == (2,)
    z = LegendrePolynomial3.apply(c)  # no input requires grad: no node
    assert z.grad_fn is None and not z.requires_grad
    mixed = MulConstant.apply(x, 2) + LegendrePolynomial3.apply(c)
    assert mixed.grad_fn.next_functions[1] == (None, 0)
    leaf_edge = MulConstant.apply(x, 2).grad_fn.next_functions[0][0]
    assert type(leaf_edge) is AccumulateGrad and leaf_edge.variable is x


def test_saved_values_show_saved_tensors_and_ctx_attributes_until_freed() -> None:
    x = torch.tensor([1., 2.], requires_grad=True)
    y = LegendrePolynomial3.apply(x)
    saved = y.grad_fn.saved_values()
    np.testing.assert_array_equal(saved["saved_tensors[0]"], [1., 2.])
    assert MulConstant.apply(x, 3).grad_fn.saved_values() == {"ctx.constant": 3}
    y.sum().backward()
    assert y.grad_fn.saved_freed and y.grad_fn.saved_values() == {}
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors


def test_autograd_grad_and_retain_graph_through_a_custom_function() -> None:
    x = torch.tensor([0.5, 2.], requires_grad=True)
    y = LegendrePolynomial3.apply(x).sum()
    expected = 1.5 * (5 * np.array([0.5, 2.], dtype=np.float32) ** 2 - 1)
    (g,) = torch.autograd.grad(y, x, retain_graph=True)
    np.testing.assert_allclose(g.numpy(), expected)
    (g,) = torch.autograd.grad(y, x)
    np.testing.assert_allclose(g.numpy(), expected)
    assert x.grad is None
    with pytest.raises(RuntimeError) as info:
        torch.autograd.grad(y, x)
    assert str(info.value) == errors.BACKWARD_TWICE


def test_a_function_that_saved_nothing_can_run_backward_twice() -> None:
    x = torch.tensor([1., 2.], requires_grad=True)
    y = MulConstant.apply(x, 3).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6., 6.])


def test_a_returned_input_array_is_never_summed_into() -> None:
    class Leak(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any) -> Any:
            ctx.save_for_backward(b)
            return a * 1

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (b,) = ctx.saved_tensors
            return b, None  # hands back its saved tensor as the gradient

    x = torch.zeros(5000, requires_grad=True)
    b = torch.ones(5000)
    (Leak.apply(x, b) + x).sum().backward()
    np.testing.assert_array_equal(b.numpy(), np.ones(5000))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(5000, 2.))


def test_create_graph_runs_the_backward_in_grad_mode() -> None:
    x = torch.tensor([0.5, 2.], requires_grad=True)
    (g,) = torch.autograd.grad(LegendrePolynomial3.apply(x).sum(), x, create_graph=True)
    assert g.requires_grad
    (h,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 15 * np.array([0.5, 2.]))


def test_once_differentiable_runs_without_grad_mode() -> None:
    seen = []

    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            ctx.save_for_backward(a)
            return a ** 2

        @staticmethod
        @once_differentiable
        def backward(ctx: Any, g: Any) -> Any:
            seen.append(torch.is_grad_enabled())
            (a,) = ctx.saved_tensors
            return g * 2 * a

    x = torch.tensor([1., 3.], requires_grad=True)
    (g,) = torch.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    assert seen == [False] and not g.requires_grad


def test_trace_backward_steps_through_the_custom_node_without_freeing() -> None:
    x = torch.tensor([0.5, 2.], requires_grad=True)
    y = (LegendrePolynomial3.apply(x * 2)).sum()
    steps = trace_backward(y)
    assert [s.node.name() for s in steps] == ["SumBackward0", "LegendrePolynomial3Backward",
                                               "MulBackward0"]
    custom = steps[1]
    assert custom.rules == ["the backward you wrote (LegendrePolynomial3.backward)"]
    np.testing.assert_allclose(custom.grads_out[0], 1.5 * (5 * np.array([1., 4.]) ** 2 - 1))
    assert not custom.node.saved_freed and x.grad is None
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        trace_backward(y)


def test_snapshot_of_a_namespace_with_a_custom_output() -> None:
    from gradtui.kernel.backward_trace import trace_backward as kernel_trace
    from gradtui.kernel.evaluator import Evaluator
    from gradtui.kernel.protocol import to_dict
    from gradtui.kernel.snapshot import build_snapshot

    ev = Evaluator()
    ev.execute(
        "import torch\n"
        "class MulConstant(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, t, c):\n"
        "        ctx.constant = c\n"
        "        ctx.save_for_backward(t)\n"
        "        return t * c\n"
        "    @staticmethod\n"
        "    def backward(ctx, g):\n"
        "        return g * ctx.constant, None\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "y = MulConstant.apply(x, 3)\n"
        "o = y.sum()\n"
    )
    snap = build_snapshot(ev.namespace)
    y = snap.tensor("y")
    assert y is not None and y.grad_fn == "MulConstantBackward"
    node = snap.nodes[y.node]
    assert node.name == "MulConstantBackward" and node.shape == [2]
    assert node.rules == ["the backward you wrote (MulConstant.backward)"]
    assert [s.name for s in node.saved] == ["saved_tensors[0]", "ctx.constant"]
    assert snap.nodes[node.next[0]].variable == "x"
    to_dict(snap)  # JSON-serialisable
    trace = kernel_trace(ev.namespace, "o")
    assert trace.error is None
    assert [s.name for s in trace.steps] == ["SumBackward0", "MulConstantBackward"]
    exec("o.backward()", ev.namespace)
    assert build_snapshot(ev.namespace).nodes[y.node].saved_freed


def test_several_differentiable_outputs_share_one_node_and_get_their_own_gradients() -> None:
    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a * 2, a * 3

        @staticmethod
        def backward(ctx: Any, g1: Any, g2: Any) -> Any:
            seen.append((g1.tolist(), g2.tolist()))
            return g1 * 2 + g2 * 3

    seen: list = []
    x = torch.ones(2, requires_grad=True)
    a, b = Split.apply(x)
    assert a.grad_fn is b.grad_fn and (a.output_nr, b.output_nr) == (0, 1)
    assert (b * 1).grad_fn.next_functions[0] == (b.grad_fn, 1)
    (a.sum() + 10 * b.sum()).backward()
    assert seen == [([1.0, 1.0], [10.0, 10.0])]  # one backward call, each output's gradient
    assert x.grad.tolist() == [32.0, 32.0]
    seen.clear()
    x.grad = None
    b.backward(torch.tensor([1.0, 2.0]))  # only the second output: the first gets zeros
    assert seen == [([0.0, 0.0], [1.0, 2.0])]
    assert x.grad.tolist() == [3.0, 6.0]
    with torch.no_grad():
        a, b = Split.apply(x)  # no graph recorded
    assert a.grad_fn is None and b.grad_fn is None


def test_engine_fields_of_ctx_are_reserved_with_a_clear_message() -> None:
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            ctx.saved = a
            return a * 2

    with pytest.raises(AttributeError, match="ctx.saved"):
        F.apply(torch.ones(2, requires_grad=True))


def test_function_ctx_by_hand_records_what_forward_saved() -> None:
    ctx = FunctionCtx()
    out = LegendrePolynomial3.forward(ctx, torch.tensor([1., 2.]))
    assert out.tolist() == [1., 17.] and ctx.to_save[0].tolist() == [1., 2.]
