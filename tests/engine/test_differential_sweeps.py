"""Exhaustive differential sweeps against real torch: every small shape x every dim argument,
every index kind and every special value, for the ops learners use.

Where the hypothesis tests sample, these enumerate a small closed space completely (a few
thousand combinations, a few seconds), comparing the result's shape/dtype/repr, gradients, or
the exact exception type and message. One test per op keeps a failure readable.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                             "differential sweeps skipped")

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

# Sizes 1 (squeezable, broadcastable) and 3 (neither) cover the cases; 2 adds only time.
SHAPES = [()] + [s for nd in (1, 2, 3) for s in itertools.product((1, 3), repeat=nd)]
DIMS = (-4, -3, -2, -1, 0, 1, 2, 3)


def _outcome(fn: Callable[[], Any]) -> tuple[str, str]:
    """("ok", a description of the result) or (exception type, message)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn()
        except Exception as exc:  # noqa: BLE001 - the error is the observation
            return type(exc).__name__, str(exc)
    if hasattr(out, "shape"):
        return "ok", f"{tuple(out.shape)} {out.dtype} {out!r}"
    return "ok", repr(out)


def _arange(T: Any, shape: tuple[int, ...], requires_grad: bool = False) -> Any:
    values = np.arange(1, int(np.prod(shape)) + 1, dtype=np.float32).reshape(shape)
    return T.tensor(values, requires_grad=requires_grad)


DIM_OPS: dict[str, Callable[[Any, Any, int], Any]] = {
    "sum": lambda T, t, d: t.sum(d),
    "sum_keepdim": lambda T, t, d: t.sum(d, keepdim=True),
    "mean": lambda T, t, d: t.mean(d),
    "max": lambda T, t, d: t.max(d),
    "min": lambda T, t, d: T.min(t, d),
    "softmax": lambda T, t, d: T.softmax(t, d),
    "log_softmax": lambda T, t, d: T.nn.functional.log_softmax(t, dim=d),
    "squeeze": lambda T, t, d: t.squeeze(d),
    "unsqueeze": lambda T, t, d: t.unsqueeze(d),
    "transpose": lambda T, t, d: t.transpose(d, 0),
    "flatten": lambda T, t, d: t.flatten(d),
    "cat": lambda T, t, d: T.cat([t, t], d),
    "stack": lambda T, t, d: T.stack([t, t], d),
    "select": lambda T, t, d: t[d],
    "view": lambda T, t, d: t.view(d, -1),
    "argmax": lambda T, t, d: t.argmax(d),
}


def _with_gradient(T: Any, op: Callable[[Any, Any, int], Any], shape: tuple[int, ...],
                   dim: int) -> tuple[tuple[str, str], np.ndarray | None]:
    """The op's result (or error) and, when it is differentiable, the input's gradient under a
    non-uniform upstream gradient (so misrouted gradients show). The gradient is compared with
    a float32 tolerance: its last bits depend on exp's implementation, the golden corpus pins
    the printed digits of the cases learners meet."""
    grads: list[np.ndarray] = []

    def go() -> Any:
        x = _arange(T, shape, requires_grad=True)
        out = op(T, x, dim)
        y = out[0] if isinstance(out, tuple) else out
        if y.requires_grad:
            weights = T.arange(1.0, y.numel() + 1).reshape(y.shape)
            (y * weights).sum().backward()
            grads.append(x.grad.numpy().copy())
        return out

    outcome = _outcome(go)
    return outcome, (grads[0] if grads else None)


def _same_gradient(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", sorted(DIM_OPS))
def test_dim_arguments_behave_like_torch(name: str) -> None:
    op = DIM_OPS[name]
    mismatches = []
    for shape, dim in itertools.product(SHAPES, DIMS):
        expected, expected_grad = _with_gradient(torch, op, shape, dim)
        got, got_grad = _with_gradient(ours, op, shape, dim)
        if got != expected or not _same_gradient(got_grad, expected_grad):
            mismatches.append(f"{name} shape={shape} dim={dim}\n  torch:   {expected} "
                              f"grad={expected_grad}\n  gradtui: {got} grad={got_grad}")
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


INDEXES: dict[str, Callable[[Any], Any]] = {
    "int": lambda T: 0,
    "negative": lambda T: -1,
    "out_of_range": lambda T: 5,
    "slice": lambda T: slice(1, None),
    "step": lambda T: slice(None, None, 2),
    "empty_slice": lambda T: slice(3, 1),
    "none": lambda T: None,
    "ellipsis": lambda T: Ellipsis,
    "pair": lambda T: (0, 0),
    "column": lambda T: (slice(None), -1),
    "none_int": lambda T: (None, 0),
    "list": lambda T: [0, 1],
    "repeat_list": lambda T: [1, 0, 1],
    "bool_list": lambda T: [True, False],
    "long_tensor": lambda T: T.tensor([0, 1]),
    "long_0d": lambda T: T.tensor(1),
    "bool_tensor": lambda T: T.tensor([True, False]),
    "two_tensors": lambda T: (T.tensor([0, 1]), T.tensor([1, 0])),
    "slice_and_list": lambda T: (slice(None), [0, 1]),
    "float": lambda T: 1.0,
}
INDEX_SHAPES = [(), (3,), (2, 3), (1, 3), (2, 2, 3)]


@pytest.mark.parametrize("kind", sorted(INDEXES))
def test_indexing_behaves_like_torch(kind: str) -> None:
    """Result, grad_fn and gradient, or the error, for one index kind on every shape."""

    def run(T: Any, shape: tuple[int, ...]) -> tuple[str, str]:
        def go() -> str:
            x = _arange(T, shape, requires_grad=True)
            y = x[INDEXES[kind](T)]
            name = y.grad_fn.name() if y.grad_fn is not None else None
            (y * 2).sum().backward()
            return f"{y!r} {name} {x.grad!r}"

        return _outcome(go)

    mismatches = [
        f"x[{kind}] shape={shape}\n  torch:   {run(torch, shape)}\n  gradtui: {run(ours, shape)}"
        for shape in INDEX_SHAPES
        if run(torch, shape) != run(ours, shape)
    ]
    assert not mismatches, "\n".join(mismatches[:3])


SPECIAL_VALUES = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1e-45, 3e38, -2.0, 0.5]
UNARY: dict[str, Callable[[Any, Any], Any]] = {
    "exp": lambda T, t: t.exp(), "log": lambda T, t: t.log(), "sqrt": lambda T, t: t.sqrt(),
    "sin": lambda T, t: t.sin(), "cos": lambda T, t: t.cos(), "tanh": lambda T, t: t.tanh(),
    "sigmoid": lambda T, t: t.sigmoid(), "relu": lambda T, t: t.relu(),
    "abs": lambda T, t: t.abs(), "neg": lambda T, t: -t, "clamp": lambda T, t: t.clamp(-1, 1),
    "square": lambda T, t: t**2, "sqrt_pow": lambda T, t: t**0.5, "reciprocal": lambda T, t: 1 / t,
    "rpow": lambda T, t: 2**t, "max_with_1": lambda T, t: T.stack([t, T.tensor(1.0)]).max(),
    "softmax_with_1": lambda T, t: T.stack([t, T.tensor(1.0)]).softmax(0),
    "mse_to_1": lambda T, t: T.nn.functional.mse_loss(t, T.tensor(1.0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_special_values_forward_and_gradient_like_torch(name: str) -> None:
    """nan, ±inf, ±0, a denormal and a huge value: the printed result and the gradient."""

    def run(T: Any, value: float) -> tuple[str, str]:
        def go() -> str:
            x = T.tensor(value, requires_grad=True)
            y = UNARY[name](T, x)
            y.sum().backward()
            return f"{y!r} {x.grad!r}"

        return _outcome(go)

    mismatches = [
        f"{name}({value})\n  torch:   {run(torch, value)}\n  gradtui: {run(ours, value)}"
        for value in SPECIAL_VALUES
        if run(torch, value) != run(ours, value)
    ]
    assert not mismatches, "\n".join(mismatches[:3])


DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
OPERANDS = [*DTYPES, "python_int", "python_float", "python_bool", "0d_float64", "0d_int64"]
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
    "floordiv": lambda a, b: a // b,
    "pow": lambda a, b: a**b,
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
}
INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "add_": lambda a, b: a.add_(b),
    "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b),
    "div_": lambda a, b: a.div_(b),
}


def _operand(T: Any, kind: str) -> Any:
    scalars = {"python_int": 2, "python_float": 1.5, "python_bool": True}
    if kind in scalars:
        return scalars[kind]
    if kind == "0d_float64":
        return T.tensor(1.5, dtype=T.float64)
    if kind == "0d_int64":
        return T.tensor(2)
    return T.tensor([1, 2], dtype=getattr(T, kind))


@pytest.mark.parametrize("name", sorted(BINARY) + sorted(INPLACE))
def test_type_promotion_table_matches_torch(name: str) -> None:
    """Every tensor dtype against every dtype, Python scalar and 0-d tensor, both orders."""
    op = BINARY.get(name) or INPLACE[name]
    orders = (False,) if name in INPLACE else (False, True)
    mismatches = []
    for left, right, swapped in itertools.product(DTYPES, OPERANDS, orders):
        def run(T: Any, left: str = left, right: str = right, swapped: bool = swapped) -> Any:
            a, b = _operand(T, left), _operand(T, right)
            return _outcome(lambda: op(b, a) if swapped else op(a, b))

        if run(torch) != run(ours):
            order = f"{right} {name} {left}" if swapped else f"{left} {name} {right}"
            mismatches.append(f"{order}\n  torch:   {run(torch)}\n  gradtui: {run(ours)}")
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


DTYPE_UNARY: dict[str, Callable[[Any, Any], Any]] = {
    "neg": lambda T, t: -t,
    "abs": lambda T, t: t.abs(),
    "exp": lambda T, t: t.exp(),
    "log": lambda T, t: t.log(),
    "sqrt": lambda T, t: t.sqrt(),
    "sigmoid": lambda T, t: t.sigmoid(),
    "relu": lambda T, t: t.relu(),
    "clamp": lambda T, t: t.clamp(min=0),
    "sum": lambda T, t: t.sum(),
    "mean": lambda T, t: t.mean(),
    "max": lambda T, t: t.max(),
    "argmax": lambda T, t: t.argmax(),
    "softmax": lambda T, t: T.softmax(t, 0),
    "matmul": lambda T, t: t @ t,
    "mse_loss": lambda T, t: T.nn.functional.mse_loss(t, t),
    "requires_grad_": lambda T, t: t.requires_grad_(),
    "double": lambda T, t: t.double(),
    "long": lambda T, t: t.long(),
    "bool": lambda T, t: t.bool(),
    "item": lambda T, t: t[0].item(),
    "tolist": lambda T, t: t.tolist(),
    "cumsum": lambda T, t: t.cumsum(0),
}


@pytest.mark.parametrize("name", sorted(DTYPE_UNARY))
def test_ops_on_every_dtype_match_torch(name: str) -> None:
    """Result dtype and value, or torch's refusal, for each of the nine dtypes."""
    mismatches = []
    for dtype in DTYPES:
        def run(T: Any, dtype: str = dtype) -> Any:
            return _outcome(lambda: DTYPE_UNARY[name](T, T.tensor([1, 0], dtype=getattr(T, dtype))))

        if run(torch) != run(ours):
            mismatches.append(f"{name} on {dtype}\n  torch:   {run(torch)}\n  gradtui: {run(ours)}")
    assert not mismatches, "\n".join(mismatches[:3])


def _graph_names(fn: Any, depth: int = 4) -> str:
    if fn is None or depth == 0:
        return "" if fn is None else fn.name()
    kids = ",".join(_graph_names(f, depth - 1) for f, _ in fn.next_functions)
    return f"{fn.name()}({kids})"


VIEW_OPS: dict[str, Callable[[Any], Any]] = {
    "reshape_flat": lambda t: t.reshape(-1),
    "view_flat": lambda t: t.view(-1),
    "t": lambda t: t.t(),
    "T": lambda t: t.T,
    "mT_like_transpose": lambda t: t.transpose(0, -1),
    "permute_reversed": lambda t: t.permute(*reversed(range(t.dim()))),
    "unsqueeze": lambda t: t.unsqueeze(0),
    "squeeze": lambda t: t.squeeze(),
    "flatten": lambda t: t.flatten(),
    "none": lambda t: t[None],
    "expand": lambda t: t.expand(2, *t.shape),
    "repeat": lambda t: t.repeat(2, *([1] * t.dim())),
    "transpose_then_reshape": lambda t: t.transpose(0, -1).reshape(-1),
    "contiguous_of_transpose": lambda t: t.transpose(0, -1).contiguous(),
    "clone": lambda t: t.clone(),
    "double_then_float": lambda t: t.double().float(),
}


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_views_match_torch_in_value_graph_and_gradient(name: str) -> None:
    """Shape ops are exact, so values, the graph's names and the gradients must all be equal."""

    def run(T: Any, shape: tuple[int, ...]) -> tuple[str, str]:
        def go() -> str:
            x = _arange(T, shape, requires_grad=True)
            y = VIEW_OPS[name](x)
            graph = _graph_names(y.grad_fn)
            (y * T.arange(1.0, y.numel() + 1).reshape(y.shape)).sum().backward()
            return f"{y!r} {graph} {x.grad!r}"

        return _outcome(go)

    mismatches = [
        f"{name} shape={shape}\n  torch:   {run(torch, shape)}\n  gradtui: {run(ours, shape)}"
        for shape in SHAPES
        if run(torch, shape) != run(ours, shape)
    ]
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


BROADCAST_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "where": lambda a, b: a.where(a > 2, b),
    "maximum_via_max": lambda a, b: a.max() * b,
    "mse_loss": lambda a, b: a.new_zeros(()) + ((a - b) ** 2).mean(),
}


@pytest.mark.parametrize("name", sorted(BROADCAST_OPS))
def test_broadcasting_values_errors_and_summed_gradients_like_torch(name: str) -> None:
    """Every pair of small shapes: the result (or torch's broadcast error) and both inputs'
    gradients summed back to their own shapes."""
    op = BROADCAST_OPS[name]

    def run(T: Any, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> Any:
        grads: list[np.ndarray] = []

        def go() -> Any:
            a = _arange(T, shape_a, requires_grad=True)
            values = np.arange(1, int(np.prod(shape_b)) + 1, dtype=np.float32) / 4 + 0.5
            b = T.tensor(values.reshape(shape_b), requires_grad=True)
            y = op(a, b)
            (y * T.arange(1.0, y.numel() + 1).reshape(y.shape)).sum().backward()
            grads.extend([a.grad.numpy().copy(), b.grad.numpy().copy()])
            return y

        return _outcome(go), grads

    mismatches = []
    for shape_a, shape_b in itertools.product(SHAPES, repeat=2):
        (expected, expected_grads), (got, got_grads) = (run(torch, shape_a, shape_b),
                                                        run(ours, shape_a, shape_b))
        same_grads = len(got_grads) == len(expected_grads) and all(
            _same_gradient(g, e) for g, e in zip(got_grads, expected_grads, strict=True))
        if got != expected or not same_grads:
            mismatches.append(f"{name} {shape_a} with {shape_b}\n  torch:   {expected}\n"
                              f"  gradtui: {got}")
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])


SETITEM_VALUES: dict[str, Callable[[Any], Any]] = {
    "python_float": lambda T: 0.0,
    "python_int": lambda T: 7,
    "python_bool": lambda T: True,
    "tensor_0d": lambda T: T.tensor(9.0),
    "tensor_2": lambda T: T.tensor([1.0, 2.0]),
    "tensor_3": lambda T: T.tensor([1.0, 2.0, 3.0]),
    "tensor_1x3": lambda T: T.tensor([[1.0, 2.0, 3.0]]),
    "tensor_2x3": lambda T: T.ones(2, 3),
    "int_tensor_3": lambda T: T.tensor([1, 2, 3]),
    "list": lambda T: [1.0, 2.0, 3.0],
    "nan": lambda T: float("nan"),
}
SETITEM_INDEXES = ["int", "negative", "out_of_range", "slice", "column", "pair", "list",
                   "long_tensor", "none", "ellipsis"]


@pytest.mark.parametrize("value", sorted(SETITEM_VALUES))
def test_item_assignment_behaves_like_torch(value: str) -> None:
    """t[index] = value for every index kind and 1-d/2-d targets: the result or the error."""

    def run(T: Any, shape: tuple[int, ...], kind: str) -> tuple[str, str]:
        def go() -> Any:
            t = _arange(T, shape)
            t[INDEXES[kind](T)] = SETITEM_VALUES[value](T)
            return t

        return _outcome(go)

    mismatches = [
        f"t{shape}[{kind}] = {value}\n  torch:   {run(torch, shape, kind)}\n"
        f"  gradtui: {run(ours, shape, kind)}"
        for shape, kind in itertools.product([(3,), (2, 3)], SETITEM_INDEXES)
        if run(torch, shape, kind) != run(ours, shape, kind)
    ]
    assert not mismatches, f"{len(mismatches)} mismatches, first:\n" + "\n".join(mismatches[:3])
