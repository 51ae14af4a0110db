"""Differential property tests: gradtui's engine against real torch on random inputs.

Hypothesis draws broadcastable shapes, values and short op chains; each program runs once with
real torch (``import torch``) and once with our engine (``gradtui.engine.torchapi``, used directly,
without the shim) in the same process, and everything a learner could observe is compared:
forward values, dtypes, shapes, ``grad_fn`` names and the gradients of every leaf. Examples are
bounded and derandomized, so CI time is fixed and a failure reproduces.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                             "differential op tests skipped")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from gradtui.engine import torchapi as ours  # noqa: E402

pytestmark = pytest.mark.torch

BOUNDED = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------------------------------------
# Strategies.

values32 = st.floats(-2.0, 2.0, width=32, allow_subnormal=False)


@st.composite
def broadcastable_shapes(draw: st.DrawFn, operands: int = 2) -> list[tuple[int, ...]]:
    """Shapes that broadcast together: a common shape, each operand dropping leading dims and
    turning some dims into 1 (so gradients must be summed back)."""
    base = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3))
    shapes = []
    for _ in range(operands):
        keep = draw(st.integers(0, len(base)))
        dims = base[len(base) - keep:]
        shapes.append(tuple(1 if draw(st.booleans()) else d for d in dims))
    return shapes


def arrays_of(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float32, shape, elements=values32)


# Unary steps: each is written once against the torch API. Inputs of log/sqrt/division are made
# positive by the step itself, so every value stays finite and the comparison means something.
UNARY: dict[str, Callable[[Any, Any], Any]] = {
    "neg": lambda T, t: -t,
    "abs": lambda T, t: t.abs(),
    "exp": lambda T, t: (t * 0.5).exp(),
    "log": lambda T, t: (t.abs() + 0.5).log(),
    "sqrt": lambda T, t: (t * t + 0.25).sqrt(),
    "sin": lambda T, t: t.sin(),
    "cos": lambda T, t: T.cos(t),
    "tanh": lambda T, t: t.tanh(),
    "sigmoid": lambda T, t: T.sigmoid(t),
    "relu": lambda T, t: t.relu(),
    "F.relu": lambda T, t: T.nn.functional.relu(t),
    "clamp": lambda T, t: t.clamp(-1.0, 1.0),
    "clamp_min": lambda T, t: t.clamp(min=0.1),
    "square": lambda T, t: t**2,
    "cube": lambda T, t: t.pow(3),
    "recip": lambda T, t: 1 / (t.abs() + 0.5),
    "rsub": lambda T, t: 1 - t,
    "scale": lambda T, t: 2.5 * t,
    "shift": lambda T, t: t + 0.5,
}

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b.abs() + 0.5),
}


# ---------------------------------------------------------------------------------------------
# Running one program on one library and collecting what is observable.


def observe(out: Any) -> dict[str, Any]:
    return {
        "value": out.detach().numpy().copy(),
        "dtype": str(out.dtype),
        "shape": tuple(out.shape),
        "grad_fn": out.grad_fn.name() if out.grad_fn is not None else None,
        "graph": graph_signature(out.grad_fn),
        "requires_grad": out.requires_grad,
    }


def graph_signature(fn: Any, depth: int = 8) -> str:
    """The graph below `fn` as nested names in `next_functions` order (what a learner walks)."""
    if fn is None:
        return "None"
    if depth == 0:
        return fn.name()
    kids = ", ".join(f"{graph_signature(f, depth - 1)}:{i}" for f, i in fn.next_functions)
    return f"{fn.name()}({kids})"


def backward_and_grads(out: Any, leaves: list[Any], upstream: np.ndarray, T: Any) -> list:
    out.backward(T.tensor(upstream))
    return [None if leaf.grad is None else leaf.grad.numpy().copy() for leaf in leaves]


def assert_same(ours_obs: dict[str, Any], torch_obs: dict[str, Any]) -> None:
    for key in ("dtype", "shape", "grad_fn", "graph", "requires_grad"):
        assert ours_obs[key] == torch_obs[key], key
    np.testing.assert_allclose(ours_obs["value"], torch_obs["value"], rtol=2e-5, atol=1e-6)


def assert_same_grads(ours_grads: list, torch_grads: list) -> None:
    assert len(ours_grads) == len(torch_grads)
    for mine, theirs in zip(ours_grads, torch_grads, strict=True):
        assert (mine is None) == (theirs is None)
        if theirs is not None:
            assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=2e-5, atol=1e-5)


# ---------------------------------------------------------------------------------------------
# Properties.


@BOUNDED
@given(data=st.data())
def test_op_chains_on_broadcast_shapes_match_torch(data: st.DataObject) -> None:
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a_np, b_np = data.draw(arrays_of(shape_a)), data.draw(arrays_of(shape_b))
    # Mostly float32 (the default); sometimes float64 leaves, alone or mixed with float32.
    a_np = a_np.astype(data.draw(st.sampled_from([np.float32, np.float32, np.float64])))
    b_np = b_np.astype(data.draw(st.sampled_from([np.float32, np.float32, np.float64])))
    steps = _draw_chain(data, sorted(UNARY))

    def program(T: Any) -> tuple[dict, list]:
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        y = _run_chain(T, steps, a, b)
        obs = observe(y)
        upstream = np.linspace(-1, 1, max(1, int(np.prod(obs["shape"]))))
        upstream = upstream.astype(obs["value"].dtype).reshape(obs["shape"])
        grads = backward_and_grads(y, [a, b], upstream, T)
        return obs, grads

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


def _draw_chain(data: st.DataObject, unary_names: list[str]) -> list[tuple]:
    """One to four steps: a unary op, a binary op with ``b`` (either side), or a scalar op."""
    return data.draw(st.lists(
        st.one_of(
            st.tuples(st.just("unary"), st.sampled_from(unary_names)),
            st.tuples(st.just("binary"), st.sampled_from(sorted(BINARY)), st.booleans()),
            st.tuples(st.just("scalar"), st.sampled_from(["+", "-", "*", "/"]),
                      st.sampled_from([0.5, 2, -1.5, 3]), st.booleans()),
        ),
        min_size=1, max_size=4,
    ))


def _run_chain(T: Any, steps: list[tuple], a: Any, b: Any) -> Any:
    """Apply ``_draw_chain``'s steps to ``a`` with library ``T``."""
    y = a
    for step in steps:
        if step[0] == "unary":
            y = UNARY[step[1]](T, y)
        elif step[0] == "binary":
            y = BINARY[step[1]](b, y) if step[2] else BINARY[step[1]](y, b)
        else:
            y = _scalar_op(step[1], step[2], y, swapped=step[3])
    return y


def _scalar_op(op: str, scalar: float, t: Any, *, swapped: bool) -> Any:
    if op == "/":
        return scalar / (t.abs() + 0.5) if swapped else t / scalar
    ops = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}
    return ops[op](scalar, t) if swapped else ops[op](t, scalar)


REDUCTIONS: dict[str, Callable[[Any, Any, int, bool], Any]] = {
    "sum": lambda T, t, d, k: t.sum(dim=d, keepdim=k),
    "mean": lambda T, t, d, k: t.mean(d, keepdim=k),
    "max": lambda T, t, d, k: t.max(dim=d, keepdim=k)[0],
    "min": lambda T, t, d, k: T.min(t, d, keepdim=k).values,
    "softmax": lambda T, t, d, k: T.nn.functional.softmax(t, dim=d),
    "log_softmax": lambda T, t, d, k: T.nn.functional.log_softmax(t, dim=d),
}


@BOUNDED
@given(data=st.data())
def test_reductions_over_a_dim_match_torch(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x_np = data.draw(arrays_of(shape))
    name = data.draw(st.sampled_from(sorted(REDUCTIONS)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())

    def program(T: Any) -> tuple[dict, list]:
        x = T.tensor(x_np, requires_grad=True)
        y = REDUCTIONS[name](T, x, dim, keepdim)
        obs = observe(y)
        upstream = np.linspace(0.5, 2, max(1, int(np.prod(obs["shape"])))).astype(np.float32)
        return obs, backward_and_grads(y, [x], upstream.reshape(obs["shape"]), T)

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


@BOUNDED
@given(data=st.data())
def test_full_reductions_match_torch(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    x_np = data.draw(arrays_of(shape))
    name = data.draw(st.sampled_from(["sum", "mean", "max", "min"]))

    def program(T: Any) -> tuple[dict, list]:
        x = T.tensor(x_np, requires_grad=True)
        y = getattr(x, name)()
        obs = observe(y)
        y.backward()
        return obs, [x.grad.numpy().copy()]

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


@BOUNDED
@given(data=st.data())
def test_matmul_variants_match_torch(data: st.DataObject) -> None:
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    kind = data.draw(st.sampled_from(["mm", "dot", "mv", "vm", "batched"]))
    shape_a = {"mm": (n, k), "dot": (k,), "mv": (n, k), "vm": (k,), "batched": (2, n, k)}[kind]
    shape_b = {"mm": (k, m), "dot": (k,), "mv": (k,), "vm": (k, m), "batched": (k, m)}[kind]
    a_np, b_np = data.draw(arrays_of(shape_a)), data.draw(arrays_of(shape_b))
    spelling = data.draw(st.sampled_from(["@", "matmul"]))

    def program(T: Any) -> tuple[dict, list]:
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        y = a @ b if spelling == "@" else T.matmul(a, b)
        obs = observe(y)
        upstream = np.linspace(-1, 1, max(1, int(np.prod(obs["shape"])))).astype(np.float32)
        return obs, backward_and_grads(y, [a, b], upstream.reshape(obs["shape"]), T)

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


@BOUNDED
@given(data=st.data())
def test_indexing_and_views_match_torch(data: st.DataObject) -> None:
    rows, cols = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x_np = data.draw(arrays_of((rows, cols)))
    r = data.draw(st.integers(-rows, rows - 1))
    start = data.draw(st.integers(0, cols - 1))
    picks = data.draw(st.lists(st.integers(0, rows - 1), min_size=1, max_size=4))
    view = data.draw(st.sampled_from([
        "row", "col", "elem", "slice", "mask", "int_tensor", "list", "none", "t", "T",
        "transpose", "permute", "view", "reshape_t", "flatten", "unsqueeze", "squeeze",
        "expand", "clone",
    ]))

    def apply(T: Any, x: Any) -> Any:
        return {
            "row": lambda: x[r],
            "col": lambda: x[:, start],
            "elem": lambda: x[r, start],
            "slice": lambda: x[:, start:],
            "mask": lambda: x[x > 0],
            "int_tensor": lambda: x[T.tensor(picks)],
            "list": lambda: x[picks],
            "none": lambda: x[None],
            "t": lambda: x.t(),
            "T": lambda: x.T,
            "transpose": lambda: x.transpose(0, 1),
            "permute": lambda: x.permute(1, 0),
            "view": lambda: x.view(-1),
            "reshape_t": lambda: x.t().reshape(rows * cols),
            "flatten": lambda: x.flatten(),
            "unsqueeze": lambda: x.unsqueeze(1),
            "squeeze": lambda: x[:1].squeeze(),
            "expand": lambda: x[:, :1].expand(rows, 3),
            "clone": lambda: x.clone(),
        }[view]()

    def program(T: Any) -> tuple[dict, list]:
        x = T.tensor(x_np, requires_grad=True)
        y = apply(T, x)
        obs = observe(y)
        upstream = np.arange(1, max(1, int(np.prod(obs["shape"]))) + 1, dtype=np.float32)
        return obs, backward_and_grads(y, [x], upstream[: int(np.prod(obs["shape"]))]
                                       .reshape(obs["shape"]), T)

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


DTYPE_NAMES = ["float32", "float64", "int64", "int32", "bool"]


@BOUNDED
@given(data=st.data())
def test_type_promotion_matches_torch(data: st.DataObject) -> None:
    shape_a, shape_b = data.draw(broadcastable_shapes())
    dtype_a = data.draw(st.sampled_from(DTYPE_NAMES))
    other = data.draw(st.sampled_from([*DTYPE_NAMES, "py_int", "py_float", "py_bool"]))
    op = data.draw(st.sampled_from(["+", "-", "*", "/", "//", "==", "<"]))
    swapped = data.draw(st.booleans())
    a_np = data.draw(hnp.arrays(np.int64, shape_a, elements=st.integers(1, 5)))
    b_np = data.draw(hnp.arrays(np.int64, shape_b, elements=st.integers(1, 5)))
    scalar = {"py_int": 3, "py_float": 1.5, "py_bool": True}.get(other)

    def program(T: Any) -> tuple[str, str | None, np.ndarray | None]:
        a = T.tensor(a_np.tolist(), dtype=getattr(T, dtype_a))
        b = scalar if scalar is not None else T.tensor(b_np.tolist(), dtype=getattr(T, other))
        left, right = (b, a) if swapped else (a, b)
        try:
            out = _binary(op, left, right)
        except Exception as exc:  # noqa: BLE001 - torch refuses some pairs; so must we
            return "error", f"{type(exc).__name__}: {exc}", None
        return str(out.dtype), None, out.numpy().copy()

    expected = program(torch)
    got = program(ours)
    assert got[:2] == expected[:2]
    if expected[2] is not None:
        np.testing.assert_allclose(got[2].astype(np.float64), expected[2].astype(np.float64),
                                   rtol=1e-6)


def _binary(op: str, left: Any, right: Any) -> Any:
    return {
        "+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
        "/": lambda: left / right, "//": lambda: left // right, "==": lambda: left == right,
        "<": lambda: left < right,
    }[op]()


@settings(BOUNDED, max_examples=30)
@given(data=st.data())
def test_cross_entropy_and_mse_match_torch(data: st.DataObject) -> None:
    batch, classes = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    logits_np = data.draw(arrays_of((batch, classes)))
    labels = data.draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    target_np = data.draw(arrays_of((batch, classes)))
    reduction = data.draw(st.sampled_from(["mean", "sum"]))

    def program(T: Any) -> tuple[dict, dict, list]:
        F = T.nn.functional
        x = T.tensor(logits_np, requires_grad=True)
        ce = F.cross_entropy(x, T.tensor(labels), reduction=reduction)
        mse = F.mse_loss(x, T.tensor(target_np), reduction=reduction)
        obs_ce, obs_mse = observe(ce), observe(mse)
        (ce + mse).backward()
        return obs_ce, obs_mse, [x.grad.numpy().copy()]

    t_ce, t_mse, t_grads = program(torch)
    o_ce, o_mse, o_grads = program(ours)
    assert_same(o_ce, t_ce)
    assert_same(o_mse, t_mse)
    assert_same_grads(o_grads, t_grads)


@BOUNDED
@given(data=st.data())
def test_cat_stack_where_and_inplace_match_torch(data: st.DataObject) -> None:
    rows, cols = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    a_np, b_np = data.draw(arrays_of((rows, cols))), data.draw(arrays_of((rows, cols)))
    kind = data.draw(st.sampled_from(["cat0", "cat1", "stack0", "stack2", "where", "add_",
                                      "mul_", "retain_grad", "accumulate"]))

    def program(T: Any) -> tuple[dict, list]:
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        extra = []
        if kind == "cat0":
            y = T.cat([a, b * 2])
        elif kind == "cat1":
            y = T.cat((a.exp(), b), dim=1)
        elif kind == "stack0":
            y = T.stack([a, b])
        elif kind == "stack2":
            y = T.stack([a * b, b], dim=2)
        elif kind == "where":
            y = T.where(a > b, a * 3, b)
        elif kind == "add_":
            y = a * b
            y.add_(b)
        elif kind == "mul_":
            y = a + 1
            y.mul_(b)
        elif kind == "retain_grad":
            h = a * b
            h.retain_grad()
            y = h.tanh()
            extra.append(h)
        else:  # gradients accumulate over two backward passes into the same leaves
            (a * b).sum().backward()
            y = a - b
        obs = observe(y)
        upstream = np.linspace(-1, 1, max(1, int(np.prod(obs["shape"])))).astype(np.float32)
        grads = backward_and_grads(y, [a, b], upstream.reshape(obs["shape"]), T)
        grads += [h.grad.numpy().copy() for h in extra]
        return obs, grads

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


SHAPE_OPS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add": lambda T, a, b: a + b,
    "mul": lambda T, a, b: a * b,
    "sub_": lambda T, a, b: a.clone().sub_(b),
    "matmul": lambda T, a, b: a @ b,
    "mm": lambda T, a, b: T.mm(a, b),
    "cat0": lambda T, a, b: T.cat([a, b]),
    "cat1": lambda T, a, b: T.cat([a, b], dim=1),
    "stack": lambda T, a, b: T.stack([a, b]),
    "where": lambda T, a, b: T.where(a > 0, a, b),
    "mse_loss": lambda T, a, b: T.nn.functional.mse_loss(a, b),
    "view_as": lambda T, a, b: a.view(b.shape),
    "expand_as": lambda T, a, b: a.expand_as(b),
}


@settings(BOUNDED, max_examples=120)
@given(data=st.data())
def test_shape_mistakes_raise_like_torch(data: st.DataObject) -> None:
    """Random, often incompatible shapes: the same result shape, or the same error and message."""
    dims = st.lists(st.integers(1, 4), min_size=0, max_size=3)
    shape_a, shape_b = tuple(data.draw(dims)), tuple(data.draw(dims))
    name = data.draw(st.sampled_from(sorted(SHAPE_OPS)))
    a_np = np.arange(1, int(np.prod(shape_a)) + 1, dtype=np.float32).reshape(shape_a)
    b_np = np.arange(1, int(np.prod(shape_b)) + 1, dtype=np.float32).reshape(shape_b)

    def program(T: Any) -> tuple[str, str]:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mse_loss's size warning is compared by the corpus
            try:
                out = SHAPE_OPS[name](T, T.tensor(a_np), T.tensor(b_np))
            except Exception as exc:  # noqa: BLE001 - the error is the observation
                return type(exc).__name__, str(exc)
        return "ok", f"{tuple(out.shape)} {out.dtype}"

    assert program(ours) == program(torch)


@settings(BOUNDED, max_examples=80)
@given(data=st.data())
def test_random_graphs_with_shared_nodes_match_torch(data: st.DataObject) -> None:
    """DAGs, not chains: each step may reuse any earlier node, so gradients meet and add up."""
    shape_a, shape_b = data.draw(broadcastable_shapes())
    a_np, b_np = data.draw(arrays_of(shape_a)), data.draw(arrays_of(shape_b))
    steps = []
    for i in range(data.draw(st.integers(1, 6))):
        pool = i + 2  # leaves a, b, then one node per step
        if data.draw(st.booleans()):
            steps.append(("unary", data.draw(st.sampled_from(sorted(UNARY))),
                          data.draw(st.integers(0, pool - 1))))
        else:
            steps.append(("binary", data.draw(st.sampled_from(sorted(BINARY))),
                          data.draw(st.integers(0, pool - 1)), data.draw(st.integers(0, pool - 1))))

    def program(T: Any) -> tuple[dict, list]:
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        nodes = [a, b]
        for step in steps:
            if step[0] == "unary":
                nodes.append(UNARY[step[1]](T, nodes[step[2]]))
            else:
                nodes.append(BINARY[step[1]](nodes[step[2]], nodes[step[3]]))
        out = nodes[-1]
        for node in nodes[2:-1]:  # every intermediate also feeds the loss
            out = out + node.sum()
        obs = observe(out)
        upstream = np.linspace(-1, 1, max(1, int(np.prod(obs["shape"])))).astype(np.float32)
        return obs, backward_and_grads(out, [a, b], upstream.reshape(obs["shape"]), T)

    torch_obs, torch_grads = program(torch)
    ours_obs, ours_grads = program(ours)
    assert_same(ours_obs, torch_obs)
    assert_same_grads(ours_grads, torch_grads)


EXACT_VIEWS: dict[str, Callable[[Any], Any]] = {
    # Ops whose results are exact in every dtype, so any difference is in printing or suffixes.
    "self": lambda t: t,
    "neg": lambda t: -t if t.dtype.is_floating_point else t,
    "twice": lambda t: t * 2,
    "none": lambda t: t[None],
    "unsqueeze": lambda t: t.unsqueeze(-1),
    "t": lambda t: t.t() if t.dim() == 2 else t,
    "flatten": lambda t: t.flatten(),
    "first": lambda t: t[0] if t.dim() else t,
}


@settings(BOUNDED, max_examples=150)
@given(data=st.data())
def test_printing_through_ops_matches_torch(data: st.DataObject) -> None:
    """repr of random tensors of every dtype, scale and rank, straight or through exact ops."""
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=0, max_size=3)))
    dtype = data.draw(st.sampled_from(["float32", "float64", "float16", "int64", "int32",
                                       "int8", "uint8", "bool"]))
    scale = data.draw(st.sampled_from([0.25, 1.0, 3.0, 1024.0, 1e-3, 1e5, 1e9]))
    ints = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(-40, 40)))
    values = ints * scale if dtype.startswith("float") else np.clip(ints, 0, 40)
    requires_grad = dtype.startswith("float") and data.draw(st.booleans())
    op = data.draw(st.sampled_from(sorted(EXACT_VIEWS)))

    def program(T: Any) -> tuple[str, list[str]]:
        import warnings

        with warnings.catch_warnings(record=True) as caught:  # overflow to inf is silent
            warnings.simplefilter("always")
            t = T.tensor(values.tolist(), dtype=getattr(T, dtype), requires_grad=requires_grad)
            text = repr(EXACT_VIEWS[op](t))
        return text, [str(w.message) for w in caught]

    assert program(ours) == program(torch)


# Unary steps whose gradients create_graph=True can carry (clamp is outside that set).
SECOND_ORDER_UNARY = sorted(k for k in UNARY if not k.startswith("clamp"))


@settings(BOUNDED, max_examples=80)
@given(data=st.data())
def test_second_derivatives_of_op_chains_match_torch(data: st.DataObject) -> None:
    """The op chains above through ``autograd.grad(create_graph=True)``: each first derivative's
    value and whole graph, then the gradient of a penalty on them (a second derivative)."""
    shape_a, shape_b = data.draw(broadcastable_shapes())
    dtype = data.draw(st.sampled_from([np.float32, np.float32, np.float64]))
    a_np, b_np = data.draw(arrays_of(shape_a)).astype(dtype), data.draw(arrays_of(shape_b))
    b_np = b_np.astype(dtype)
    steps = _draw_chain(data, SECOND_ORDER_UNARY)

    def program(T: Any) -> tuple[list, list]:
        a = T.tensor(a_np, requires_grad=True)
        b = T.tensor(b_np, requires_grad=True)
        y = _run_chain(T, steps, a, b)
        upstream = np.linspace(-1, 1, max(1, y.numel())).astype(dtype).reshape(tuple(y.shape))
        firsts = T.autograd.grad(y, [a, b], T.tensor(upstream), create_graph=True,
                                 allow_unused=True)
        observed = [None if g is None else observe(g) for g in firsts]
        carried = [g for g in firsts if g is not None and g.requires_grad]
        if not carried:
            return observed, []
        penalty = sum((g * g).sum() for g in carried)
        seconds = T.autograd.grad(penalty, [a, b], allow_unused=True)
        return observed, [None if h is None else h.numpy(force=True).copy() for h in seconds]

    torch_obs, torch_seconds = program(torch)
    ours_obs, ours_seconds = program(ours)
    for mine, theirs in zip(ours_obs, torch_obs, strict=True):
        assert (mine is None) == (theirs is None)
        if theirs is not None:
            assert_same(mine, theirs)
    assert_same_grads(ours_seconds, torch_seconds)
