"""create_graph=True: the op table's formulas run on Tensors (``engine/higher_order.py``),
against finite differences of the first-order gradients (float64); its coverage of the table,
the error for ops it does not cover, and that create_graph=False still takes the numpy path
unchanged."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors, higher_order
from gradtui.engine.autograd import AccumulateGrad
from gradtui.engine.ops import OPS

RNG = np.random.default_rng(77)
F = torch.nn.functional


def _any(*shape: int) -> np.ndarray:
    # away from 0 so abs/relu are differentiable at the samples
    return np.asarray(RNG.uniform(0.3, 1.5, size=shape) * RNG.choice([-1.0, 1.0], size=shape))


def _positive(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, size=shape)


# (case id, function of float64 leaves -> tensor, input arrays): each op of the supported set
# with a curved function around it, so its second derivative is not trivially zero
def _inplace_views(y: torch.Tensor) -> torch.Tensor:
    """Every in-place view (x.unsqueeze_(0) & co) on a (3,) tensor, ending (3,) again."""
    y.unsqueeze_(0)
    y.t_()
    y.transpose_(0, 1)
    y.unsqueeze_(0)
    y.squeeze_(0)
    y.squeeze_((0,))
    y.unsqueeze_(1)
    return y.squeeze_()


CASES: list[tuple[str, Callable, list[np.ndarray]]] = [
    ("add", lambda a, b: (a + b) ** 2, [_any(2, 3), _any(2, 3)]),
    ("add_alpha", lambda a, b: torch.add(a, b, alpha=2.5) ** 3, [_any(3), _any(3)]),
    ("add_scalar_both_orders", lambda a: (a + 2) * (3 + a) * a, [_any(3)]),
    ("sub", lambda a, b: (a - b) ** 3, [_any(3), _any(3)]),
    ("sub_alpha", lambda a, b: torch.sub(a, b, alpha=0.5) ** 2 * a, [_any(3), _any(3)]),
    ("sub_scalar_both_orders", lambda a: (a - 2) * (3 - a) * a, [_any(3)]),
    ("rsub_tensor", lambda a, b: torch.rsub(a, b) ** 3, [_any(3), _any(3)]),
    ("mul", lambda a, b: a * b * a, [_any(2, 2), _any(2, 2)]),
    ("mul_scalar_both_orders", lambda a: (a * 3) * (0.5 * a) * a, [_any(3)]),
    ("mul_self", lambda a: a * a * a, [_any(3)]),
    ("inplace_views", lambda a: _inplace_views(a * a) * a, [_any(3)]),
    ("div", lambda a, b: a / b, [_any(3), _positive(3)]),
    ("div_scalar_both_orders", lambda a: (a / 3) * (2 / a), [_positive(3)]),
    ("neg", lambda a: -(a * a * a), [_any(3)]),
    ("pow_int", lambda a: a ** 3, [_any(4)]),
    ("pow_float", lambda a: a ** 2.5, [_positive(4)]),
    ("pow_negative", lambda a: a ** -1.5, [_positive(4)]),
    ("pow_half", lambda a: a ** 0.5, [_positive(4)]),
    ("pow_one", lambda a: (a ** 1) * a, [_any(3)]),
    ("pow_tensor", lambda a, b: a ** b, [_positive(3), _any(3)]),
    ("rpow", lambda a: 2.5 ** a, [_any(3)]),
    ("exp", lambda a: a.exp(), [_any(3)]),
    ("log", lambda a: a.log(), [_positive(3)]),
    ("sqrt", lambda a: a.sqrt(), [_positive(3)]),
    ("sin", lambda a: a.sin(), [_any(3)]),
    ("cos", lambda a: torch.cos(a), [_any(3)]),
    ("tanh", lambda a: a.tanh(), [_any(3)]),
    ("sigmoid", lambda a: torch.sigmoid(a), [_any(3)]),
    ("relu", lambda a: F.relu(a) * a, [_any(5)]),
    ("abs", lambda a: a.abs() * a, [_any(5)]),
    ("sum", lambda a: a.sum() ** 2, [_any(2, 3)]),
    ("sum_dim", lambda a: a.sum(0) ** 3, [_any(2, 3)]),
    ("sum_dims_keepdim", lambda a: a.sum((0, 2), keepdim=True) ** 3, [_any(2, 3, 2)]),
    ("mean", lambda a: a.mean() ** 3, [_any(2, 3)]),
    ("mean_dim", lambda a: a.mean(1) ** 3, [_any(2, 3)]),
    ("mean_dim_keepdim", lambda a: a.mean(-1, keepdim=True) * a, [_any(2, 3)]),
    ("mm", lambda a, b: (a @ b) ** 2, [_any(2, 3), _any(3, 2)]),
    ("mm_transposed_operands", lambda a, b: a.t().mm(b.t()).tanh(), [_any(3, 2), _any(2, 3)]),
    ("matmul", lambda a, b: torch.matmul(a, b).sigmoid(), [_any(3, 3), _any(3, 2)]),
    ("t", lambda a: a.t() * a * a, [_any(2, 2)]),
    ("transpose", lambda a: a.transpose(0, 1) ** 2 * a, [_any(3, 3)]),
    ("permute", lambda a: a.permute(2, 0, 1).exp() * a.permute(2, 0, 1), [_any(2, 3, 2)]),
    ("reshape", lambda a: a.reshape(6) ** 3, [_any(2, 3)]),
    ("reshape_non_contiguous", lambda a: a.t().reshape(6) ** 3, [_any(2, 3)]),
    ("view", lambda a: a.view(3, 2) ** 3, [_any(2, 3)]),
    ("expand", lambda a: a.expand(3, 2) ** 3, [_any(2)]),
    ("squeeze", lambda a: a.squeeze() ** 3, [_any(1, 3, 1)]),
    ("squeeze_dim", lambda a: a.squeeze(0) ** 3, [_any(1, 3)]),
    ("unsqueeze", lambda a: a.unsqueeze(1) ** 3, [_any(3)]),
    ("clone", lambda a: a.clone() ** 3, [_any(3)]),
    ("broadcast", lambda a, b: (a * b) ** 2 + (a + b).exp(), [_any(3), _any(2, 3)]),
    ("broadcast_0d", lambda a, b: (a * b).sin(), [_any(), _any(2, 2)]),
    ("broadcast_column", lambda a, b: (a - b) ** 3, [_any(2, 1), _any(2, 3)]),
    ("where", lambda a: torch.where(a > 0, a * a, a.exp()), [_any(5)]),
    ("to_copy", lambda a: a.float().double() ** 3, [_any(3)]),
    ("zero_dim_saved_results", lambda a: a.exp() * a.tanh() * a.sigmoid() * (a * a).sqrt()
     * (1 / a) * a.relu() * (a ** a), [np.asarray(0.7)]),
    ("mlp", lambda x, w: torch.tanh(x @ w).sum(1).sigmoid(), [_any(3, 2), _any(2, 4)]),
]

# cases that round through float32: (step, tolerance) of the finite differences
LOOSE = {"to_copy": (1e-2, 1e-3)}


def _first_grads(fn: Callable, arrays: list[np.ndarray], weights: np.ndarray) -> list[np.ndarray]:
    """First-order gradients of sum(weights * fn(...)) by the numpy path."""
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    grads = torch.autograd.grad(fn(*leaves), leaves, torch.tensor(weights), allow_unused=True)
    return [np.zeros_like(a) if g is None else g._array for g, a in zip(grads, arrays,
                                                                       strict=True)]


def _numeric_hvp(fn: Callable, arrays: list[np.ndarray], weights: np.ndarray,
                 vs: list[np.ndarray], which: int, eps: float = 1e-6) -> np.ndarray:
    """d/dx_which of sum_k <grad_k(x), v_k>, by central differences of the first gradients."""
    out = np.zeros_like(arrays[which])
    for idx in np.ndindex(arrays[which].shape):
        vals = []
        for sign in (1, -1):
            moved = [np.array(a) for a in arrays]
            moved[which][idx] += sign * eps
            grads = _first_grads(fn, moved, weights)
            vals.append(sum(float((g * v).sum()) for g, v in zip(grads, vs, strict=True)))
        out[idx] = (vals[0] - vals[1]) / (2 * eps)
    return out


@pytest.mark.parametrize("case_id,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_second_derivatives_match_finite_differences(case_id: str, fn: Callable,
                                                     arrays: list[np.ndarray]) -> None:
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    weights = RNG.uniform(0.5, 1.5, size=out.shape)
    grads = torch.autograd.grad(out, leaves, torch.tensor(weights), create_graph=True)
    first = _first_grads(fn, arrays, weights)
    for g, expected in zip(grads, first, strict=True):  # same values as the numpy path
        np.testing.assert_allclose(g._array, expected, rtol=1e-12, atol=1e-12)
    vs = [RNG.uniform(-1, 1, size=a.shape) for a in arrays]
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, vs, strict=True))
    hvp = torch.autograd.grad(dot, leaves, allow_unused=True)
    eps, tol = LOOSE.get(case_id, (1e-6, 1e-5))
    for i, h in enumerate(hvp):
        expected = _numeric_hvp(fn, arrays, weights, vs, i, eps)
        got = np.zeros_like(arrays[i]) if h is None else h._array
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol / 10,
                                   err_msg=f"{case_id}: input {i}")


def _graph_rows(*tensors: object) -> set[str]:
    seen, names = set(), set()
    stack = [t.grad_fn for t in tensors if t is not None]
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, AccumulateGrad) or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.op.name)
        stack.extend(n for n, _ in node.next_functions)
    return names


HIGHER_ORDER_ROWS = {name for name, row in OPS.items() if row.higher_order}


def test_the_rows_that_run_on_tensors_are_torchs_create_graph_set() -> None:
    # the set of ops create_graph=True goes through (changing it changes what learners see)
    assert HIGHER_ORDER_ROWS == {
        "add", "sub", "rsub", "rsub_tensor", "add_scalar", "sub_scalar", "mul", "mul_scalar",
        "div", "div_scalar", "reciprocal", "neg", "pow", "pow_tensor", "rpow", "exp", "log",
        "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sgn", "tanh_backward",
        "sigmoid_backward", "threshold_backward", "where", "sum", "sum_dim", "mean",
        "mean_dim", "mm", "view", "unsafe_view", "t", "transpose", "permute", "expand",
        "squeeze", "squeeze_dim", "squeeze_matmul", "squeeze_dims", "unsqueeze", "clone",
        "alias", "to_copy", "copy",
        # the in-place views (x.unsqueeze_(0)...): the rows above under torch's other names
        "unsqueeze_", "squeeze_", "squeeze_dim_", "squeeze_dims_", "t_", "transpose_"}


def test_every_rule_row_is_checked_by_a_second_derivative_case() -> None:
    covered: set[str] = set()
    for _, fn, arrays in CASES:
        leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        grads = torch.autograd.grad(out.sum(), leaves, create_graph=True, allow_unused=True)
        covered |= _graph_rows(out, *grads)  # gradient graphs hold tanh_backward & co
    # rows whose rule only runs in special cases: alias (views under no_grad), the squeeze
    # variants of matmul and of a dims tuple, unsafe_view (its rule is view's), the in-place
    # copy of leaf accumulation (tested below), sgn (its gradient is 0)
    exempt = {"alias", "squeeze_matmul", "squeeze_dims", "unsafe_view", "copy", "sgn",
              "rsub", "div_scalar", "reciprocal", "add_scalar"}
    assert HIGHER_ORDER_ROWS - covered - exempt == set(), covered


def test_third_derivatives_through_the_backward_kernels() -> None:
    x = torch.tensor([0.3, -0.7, 1.1], dtype=torch.float64, requires_grad=True)
    for fn, d3 in ((torch.tanh, lambda t: -2 * (1 - np.tanh(t) ** 2) * (1 - 3 * np.tanh(t) ** 2)),
                   (torch.sigmoid, lambda t: (s := 1 / (1 + np.exp(-t))) * (1 - s)
                    * (1 - 6 * s + 6 * s * s))):
        (g,) = torch.autograd.grad(fn(x).sum(), x, create_graph=True)
        (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
        (k,) = torch.autograd.grad(h.sum(), x)
        np.testing.assert_allclose(k._array, d3(x._array), rtol=1e-12)


def test_unsupported_op_raises_naming_it() -> None:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).cumsum(0)
    with pytest.raises(RuntimeError, match="but not through CumsumBackward0") as info:
        torch.autograd.grad((y * y).sum(), x, create_graph=True)
    assert "AddBackward0, " in str(info.value) and "MulBackward0" in str(info.value)
    assert x.grad is None


def test_unsupported_op_with_constant_gradient_uses_the_numpy_rule() -> None:
    # the gradient reaching cumsum is a constant, so its backward builds no graph in torch either
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 2).cumsum(0).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "MulBackward0"
    np.testing.assert_array_equal(g._array, [6.0, 8.0, 6.0])
    (h,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(h._array, [6.0, 4.0, 2.0])


def test_mixed_dtypes_raise_instead_of_cutting_the_graph() -> None:
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="different dtypes"):
        torch.autograd.grad(((a * b) ** 2).sum(), b, create_graph=True)


def test_backward_create_graph_leaves_a_grad_with_a_graph_and_warns_once() -> None:
    errors.forget_warnings_once()
    x = torch.tensor(3.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x ** 3).backward(create_graph=True)
        (x ** 3).backward(create_graph=True)
    assert [str(w.message) for w in caught] == [higher_order.BACKWARD_CREATE_GRAPH_WARNING]
    assert x.grad.grad_fn.name() == "AddBackward0"
    assert x.grad.grad_fn.next_functions[0][0].name() == "torch::autograd::CopyBackwards"
    assert x.grad._array == 54.0
    x.grad.backward()  # d/dx of 2 * 3x^2 = 12x; the graph was retained (retain_graph defaults)
    assert x.grad._array == 54.0 + 36.0


def test_retain_graph_defaults_to_create_graph() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    torch.autograd.grad(y, x, create_graph=True)
    torch.autograd.grad(y, x, create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        torch.autograd.grad(y, x)


def test_create_graph_false_takes_the_numpy_path_unchanged(monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("create_graph=False must not reach higher_order")

    for name in ("node_gradients", "deliver", "accumulate", "add", "root_grad"):
        monkeypatch.setattr(higher_order.GRADIENTS, name, refuse)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g,) = torch.autograd.grad(y, x, retain_graph=True)
    assert g.grad_fn is None and not g.requires_grad
    y.backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    np.testing.assert_array_equal(x.grad._array, [3.0, 12.0])
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        y.backward()  # retain_graph still defaults to False


@pytest.mark.parametrize("case_id,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_one_formula_gives_the_same_float32_bits_on_arrays_and_on_tensors(
        case_id: str, fn: Callable, arrays: list[np.ndarray]) -> None:
    # each row states its formula once: backward() runs it on numpy arrays, create_graph=True on
    # Tensors (building a graph), and both must land on the same float32 values, bit for bit
    arrays32 = [a.astype(np.float32) for a in arrays]
    plain_leaves = [torch.tensor(a, requires_grad=True) for a in arrays32]
    graph_leaves = [torch.tensor(a, requires_grad=True) for a in arrays32]
    weights = torch.tensor(RNG.uniform(0.5, 1.5, size=fn(*plain_leaves).shape).astype(np.float32))
    plain = torch.autograd.grad(fn(*plain_leaves), plain_leaves, weights, allow_unused=True)
    graph = torch.autograd.grad(fn(*graph_leaves), graph_leaves, weights, create_graph=True,
                                allow_unused=True)
    for p, g in zip(plain, graph, strict=True):
        assert (p is None) == (g is None)
        if p is not None:
            np.testing.assert_array_equal(g._array, p._array, err_msg=case_id)
