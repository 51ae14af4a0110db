"""Table-driven checks of the op table: every differentiable row's backward against central
differences (float64), forwards against numpy, grad_fn names against real torch's."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine.autograd import AccumulateGrad
from gradtui.engine.dispatch import apply
from gradtui.engine.kernels import losses, spread
from gradtui.engine.ops import OPS
from gradtui.engine.torchapi.nn import functional as F

RNG = np.random.default_rng(1234)


def _positive(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, size=shape)


def _any(*shape: int) -> np.ndarray:
    # away from 0 and from ties so that abs/relu/clamp/max are differentiable at the samples
    values = RNG.uniform(0.3, 2.0, size=shape) * RNG.choice([-1.0, 1.0], size=shape)
    return values


def _scatter_reduce(reduce: str, include_self: bool) -> Callable:
    index = torch.tensor([0, 1, 0, 1, 2, 1])
    return lambda a, b: a.scatter_reduce(0, index, b, reduce, include_self=include_self)


def _compared(name: str, number: float | None = None) -> Callable:
    """``y.gt_(0.5)`` (a number) or ``y.gt_(b)`` written into a copy, plus something smooth."""
    if number is not None:
        return lambda a: getattr(a * 1, name + "_")(number) + a
    return lambda a, b: getattr(a * 1, name + "_")(b) + a * b


# (case id, function of float64 leaf tensors -> tensor, input arrays)
GRAD_CASES: list[tuple[str, Callable, list[np.ndarray]]] = [
    ("add_broadcast", lambda a, b: a + b, [_any(3, 1), _any(1, 4)]),
    ("add_alpha", lambda a, b: torch.add(a, b, alpha=2.5), [_any(3), _any(3)]),
    ("sub", lambda a, b: a - b, [_any(2, 3), _any(3)]),
    ("sub_alpha", lambda a, b: a.sub(b, alpha=3), [_any(2), _any(2)]),
    ("rsub_scalar", lambda a: 1.5 - a, [_any(4)]),
    ("rsub_tensor", lambda a, b: torch.rsub(a, b), [_any(3), _any(3)]),
    ("mul", lambda a, b: a * b, [_any(2, 3), _any(2, 1)]),
    ("div", lambda a, b: a / b, [_any(3), _positive(3)]),
    ("rdiv_reciprocal", lambda a: 2.0 / a, [_positive(3)]),
    ("reciprocal", lambda a: a.reciprocal(), [_positive(3)]),
    ("neg", lambda a: -a, [_any(3)]),
    ("pow_scalar", lambda a: a ** 3, [_any(3)]),
    ("pow_fraction", lambda a: a ** 0.5, [_positive(3)]),
    ("pow_tensor", lambda a, b: a ** b, [_positive(3), _any(3)]),
    ("rpow", lambda a: 2.0 ** a, [_any(3)]),
    ("abs", lambda a: a.abs(), [_any(4)]),
    ("exp", lambda a: a.exp(), [_any(3)]),
    ("log", lambda a: a.log(), [_positive(3)]),
    ("log1p", lambda a: a.log1p(), [_positive(3)]),
    ("sqrt", lambda a: a.sqrt(), [_positive(3)]),
    ("rsqrt", lambda a: a.rsqrt(), [_positive(3)]),
    ("sin", lambda a: a.sin(), [_any(3)]),
    ("cos", lambda a: a.cos(), [_any(3)]),
    ("tanh", lambda a: a.tanh(), [_any(3)]),
    ("sigmoid", lambda a: a.sigmoid(), [_any(3)]),
    ("log_sigmoid", lambda a: F.logsigmoid(a), [_any(5)]),
    ("relu", lambda a: a.relu(), [_any(5)]),
    ("clamp", lambda a: a.clamp(-1.0, 1.0), [_any(6)]),
    ("maximum", lambda a, b: torch.maximum(a, b), [_any(4), _any(4)]),
    ("minimum", lambda a, b: torch.minimum(a, b), [_any(4), _any(4)]),
    ("remainder", lambda a: a % 0.7, [_positive(3)]),
    ("sum", lambda a: a.sum(), [_any(2, 3)]),
    ("sum_dim", lambda a: a.sum(1, keepdim=True), [_any(2, 3)]),
    ("sum_dims", lambda a: a.sum((0, 2)), [_any(2, 3, 2)]),
    ("mean", lambda a: a.mean(), [_any(2, 3)]),
    ("mean_dim", lambda a: a.mean(0), [_any(2, 3)]),
    ("max", lambda a: a.max(), [_any(5)]),
    ("min", lambda a: a.min(), [_any(5)]),
    ("max_dim", lambda a: a.max(1)[0], [_any(3, 4)]),
    ("min_dim", lambda a: a.min(0, keepdim=True).values, [_any(3, 4)]),
    ("prod", lambda a: a.prod(), [_any(4)]),
    ("norm", lambda a: a.norm(), [_any(4)]),
    ("var", lambda a: a.var(), [_any(5)]),
    ("var_dim", lambda a: a.var(1), [_any(2, 5)]),
    ("std", lambda a: a.std(), [_any(5)]),
    ("std_dim", lambda a: a.std(0, keepdim=True), [_any(4, 2)]),
    ("mm", lambda a, b: a @ b, [_any(2, 3), _any(3, 4)]),
    ("dot", lambda a, b: a @ b, [_any(3), _any(3)]),
    ("mv", lambda a, b: a @ b, [_any(2, 3), _any(3)]),
    ("vec_mat", lambda a, b: a @ b, [_any(3), _any(3, 2)]),
    ("bmm", lambda a, b: a @ b, [_any(2, 2, 3), _any(2, 3, 2)]),
    ("batched_by_matrix", lambda a, b: a @ b, [_any(2, 2, 3), _any(3, 2)]),
    ("addmm_linear", lambda x, w, b: F.linear(x, w, b), [_any(2, 3), _any(4, 3), _any(4)]),
    ("view", lambda a: a.view(3, 2), [_any(2, 3)]),
    ("reshape_non_contiguous", lambda a: a.t().reshape(6), [_any(2, 3)]),
    ("t", lambda a: a.t(), [_any(2, 3)]),
    ("transpose", lambda a: a.transpose(0, 2), [_any(2, 3, 2)]),
    ("permute", lambda a: a.permute(2, 0, 1), [_any(2, 3, 2)]),
    ("unsqueeze", lambda a: a.unsqueeze(1), [_any(3)]),
    ("squeeze", lambda a: a.squeeze(), [_any(1, 3, 1)]),
    ("squeeze_dim", lambda a: a.squeeze(0), [_any(1, 3)]),
    ("squeeze_dims", lambda a: a.squeeze((0, 2)), [_any(1, 3, 1)]),
    ("expand", lambda a: a.expand(3, 2), [_any(1, 2)]),
    ("repeat", lambda a: a.repeat(2, 3), [_any(2, 2)]),
    ("alias", lambda a: a[...], [_any(2, 2)]),
    ("select", lambda a: a[1], [_any(3, 2)]),
    ("slice", lambda a: a[:, 1:], [_any(2, 3)]),
    ("index", lambda a: a[[0, 2, 0]], [_any(3, 2)]),
    ("mask_index", lambda a: a[a > 0], [_any(2, 3)]),
    ("cat", lambda a, b: torch.cat([a, b], 1), [_any(2, 1), _any(2, 3)]),
    ("stack", lambda a, b: torch.stack([a, b], 1), [_any(2), _any(2)]),
    ("split", lambda a: a.split(2)[1], [_any(3, 2)]),
    ("chunk", lambda a: a.chunk(2, 1)[0], [_any(2, 4)]),
    ("unbind", lambda a: a.unbind(1)[1], [_any(2, 3)]),
    ("clone", lambda a: a.clone(), [_any(3)]),
    # through float32 and back: central differences need a coarse step (see LOOSE)
    ("to_copy", lambda a: a.float().double(), [_any(3)]),
    ("where", lambda a, b: torch.where(a > 0, a, b), [_any(4), _any(4)]),
    ("softmax", lambda a: a.softmax(1), [_any(2, 3)]),
    ("log_softmax", lambda a: a.log_softmax(0), [_any(2, 3)]),
    ("mse_loss", lambda a, b: F.mse_loss(a, b), [_any(2, 3), _any(2, 3)]),
    ("mse_loss_sum", lambda a, b: F.mse_loss(a, b, reduction="sum"), [_any(3), _any(3)]),
    ("nll_loss", lambda a: F.nll_loss(a, torch.tensor([0, 2])), [_any(2, 3)]),
    ("cross_entropy", lambda a: F.cross_entropy(a, torch.tensor([1, 0, 2])), [_any(3, 3)]),
    ("copy_slices", lambda a, b: _setitem(a * 1, slice(0, 2), b), [_any(3), _any(2)]),
    ("copy_slices_via_view", lambda a, b: _inplace_on_view(a * 1, b), [_any(2, 3), _any(3)]),
    ("as_strided", lambda a, b: _view_after_inplace(a * 1, b), [_any(2, 3), _any(3)]),
    ("zero", lambda a, b: (a * 1).zero_() + b, [_any(3), _any(3)]),
    ("fill", lambda a, b: (a * 1).fill_(2.0) * b, [_any(3), _any(3)]),
    ("fill_tensor", lambda a, b: (a * 1).fill_(b.sum()), [_any(2, 3), _any(2)]),
    ("copy", lambda a, b: (a * 1).copy_(b), [_any(2, 3), _any(3)]),
    ("amax", lambda a: a.amax(1), [_any(3, 4)]),
    ("amin", lambda a: a.amin(0, keepdim=True), [_any(3, 4)]),
    ("cumsum", lambda a: a.cumsum(1), [_any(2, 4)]),
    ("gather", lambda a: a.gather(1, torch.tensor([[0, 2], [1, 1]])), [_any(2, 3)]),
    ("topk", lambda a: a.topk(2).values, [_any(2, 4)]),
    ("sort", lambda a: a.sort(dim=0, descending=True).values, [_any(3, 4)]),
    ("masked_fill", lambda a: a.masked_fill(a > 0, 0.5), [_any(2, 3)]),
    ("div_scalar", lambda a: F.cross_entropy(a, torch.tensor([[0.2, 0.8], [1.0, 0.0]])),
     [_any(2, 2)]),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.2), [_any(5)]),
    ("clamp_tensor", lambda a, lo: a.clamp(min=lo, max=torch.tensor(1.5, dtype=torch.float64)),
     [_any(4), _any(4)]),
    ("binary_cross_entropy", lambda a: F.binary_cross_entropy(a.sigmoid(), torch.tensor(
        [1.0, 0.0, 1.0], dtype=torch.float64)), [_any(3)]),
    ("bce_with_logits", lambda a: F.binary_cross_entropy_with_logits(a, torch.tensor(
        [1.0, 0.0, 0.5], dtype=torch.float64)), [_any(3)]),
    ("index_put", lambda a, b: _setitem(a * 1, [0, 2], b), [_any(3), _any(2)]),
    ("bce_weight", lambda a: F.binary_cross_entropy(a.sigmoid(), torch.tensor(
        [1.0, 0.0, 0.4], dtype=torch.float64), weight=torch.tensor(
        [0.5, 2.0, 1.5], dtype=torch.float64), reduction="sum"), [_any(3)]),
    ("bce_with_logits_weights", lambda a: F.binary_cross_entropy_with_logits(
        a, torch.tensor([[1.0, 0.0, 0.3]] * 2, dtype=torch.float64),
        weight=torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64),
        pos_weight=torch.tensor([3.0, 0.5, 2.0], dtype=torch.float64)), [_any(2, 3)]),
    ("atan", lambda a: a.atan(), [_any(4)]),
    ("asin", lambda a: torch.asin(a * 0.4), [_any(4)]),
    ("acos", lambda a: torch.acos(a * 0.4), [_any(4)]),
    ("sinh", lambda a: a.sinh(), [_any(4)]),
    ("cosh", lambda a: a.cosh(), [_any(4)]),
    ("exp2", lambda a: torch.exp2(a), [_any(4)]),
    ("expm1", lambda a: a.expm1(), [_any(4)]),
    ("log2", lambda a: a.log2(), [_positive(4)]),
    ("log10", lambda a: torch.log10(a), [_positive(4)]),
    ("erf", lambda a: a.erf(), [_any(4)]),
    ("logsumexp", lambda a: torch.logsumexp(a, 1), [_any(2, 3)]),
    ("logsumexp_keepdim", lambda a: a.logsumexp((0, 1), keepdim=True), [_any(2, 3)]),
    ("softplus", lambda a: F.softplus(a, beta=2.0, threshold=3.0), [_any(6)]),
    ("elu", lambda a: F.elu(a, alpha=0.7), [_any(6)]),
    ("elu_result", lambda a: F.elu(a * 1, inplace=True), [_any(6)]),
    ("selu", lambda a: F.selu(a), [_any(6)]),
    ("gelu", lambda a: F.gelu(a), [_any(6)]),
    ("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), [_any(6)]),
    ("silu", lambda a: F.silu(a), [_any(6)]),
    ("mish", lambda a: F.mish(a), [_any(6)]),
    ("hardtanh", lambda a: F.hardtanh(a, -1.5, 1.5), [_any(6)]),
    ("relu6", lambda a: F.relu6(a * 4), [_any(6)]),
    ("hardsigmoid", lambda a: F.hardsigmoid(a * 2), [_any(6)]),
    ("hardswish", lambda a: F.hardswish(a * 2.5), [_any(6)]),
    # reading and writing by index
    ("linalg_cross", lambda a, b: torch.linalg.cross(a, b), [_any(2, 3), _any(1, 3)]),
    # functions real code reaches for next (ops_more.py)
    ("tan", lambda a: a.tan(), [_any(5)]),
    ("atan2", lambda a, b: torch.atan2(a, b), [_any(2, 3), _any(3)]),
    ("deg2rad", lambda a: a.deg2rad(), [_any(4)]),
    ("rad2deg", lambda a: a.rad2deg(), [_any(4)]),
    ("flip", lambda a: a.flip(0, -1), [_any(2, 3)]),
    ("roll", lambda a: a.roll((1, -2), (0, 1)), [_any(3, 4)]),
    ("roll_flat", lambda a: a.roll(2), [_any(2, 3)]),
    ("tril", lambda a: a.tril(-1), [_any(3, 4)]),
    ("triu", lambda a: a.triu(1), [_any(2, 3, 4)]),
    ("trace", lambda a: a.trace(), [_any(3, 4)]),
    ("bmm", lambda a, b: torch.bmm(a, b), [_any(2, 3, 4), _any(2, 4, 2)]),
    ("acosh", lambda a: (a * a + 1.5).acosh(), [_any(4)]),
    ("asinh", lambda a: a.asinh(), [_any(4)]),
    ("atanh", lambda a: (a * 0.3).atanh(), [_any(4)]),
    ("addcmul", lambda a, b, c: torch.addcmul(a, b, c, value=0.5),
     [_any(2, 3), _any(3), _any(2, 1)]),
    ("addcdiv", lambda a, b, c: torch.addcdiv(a, b, c * c + 1, value=2),
     [_any(2, 3), _any(3), _any(2, 1)]),
    # padding (F.pad): a row per mode and number of padded dims; circular is slice copies
    ("constant_pad", lambda a: F.pad(a, (1, -1, 2, 0), value=0.5), [_any(2, 3)]),
    *[(f"{mode}_pad{n}d", (lambda m, k: lambda a: F.pad(a, (2, 1, 1, 0, 1, 1)[:2 * k], mode=m))(
        mode, n), [_any(*(2, 3, 3, 4)[3 - n:])])
      for mode in ("reflect", "replicate") for n in (1, 2, 3)],
    ("circular_pad", lambda a: F.pad(a, (2, 1, 1, 0), mode="circular"), [_any(1, 2, 3)]),
    ("index_select", lambda a: a.index_select(0, torch.tensor([2, 0, 2])), [_any(3, 2)]),
    ("masked_select", lambda a: a.masked_select(torch.tensor([True, False, True])),
     [_any(2, 3)]),
    ("take", lambda a: a.take(torch.tensor([[0, 5], [-1, 0]])), [_any(2, 3)]),
    ("scatter", lambda a, b: a.scatter(0, torch.tensor([[0, 1, 2], [2, 0, 1]]), b),
     [_any(3, 3), _any(2, 3)]),
    ("scatter_value", lambda a: a.scatter(1, torch.tensor([[0], [2]]), 1.5), [_any(2, 3)]),
    ("scatter_add", lambda a, b: a.scatter_add(0, torch.tensor([[0, 0, 2], [1, 0, 1]]), b),
     [_any(3, 3), _any(2, 3)]),
    *[(f"scatter_reduce_{r}_{s}", _scatter_reduce(r, s), [_positive(4), _positive(6)])
      for r in ("sum", "prod", "mean", "amax", "amin") for s in (True, False)],
    ("index_add", lambda a, b: a.index_add(0, torch.tensor([0, 2, 0]), b, alpha=1.5),
     [_any(3, 2), _any(3, 2)]),
    ("index_copy", lambda a, b: a.index_copy(1, torch.tensor([2, 0]), b),
     [_any(2, 3), _any(2, 2)]),
    ("index_fill", lambda a: a.index_fill(1, torch.tensor([1]), -2.0), [_any(2, 3)]),
    ("index_fill_tensor", lambda a, v: a.index_fill(0, torch.tensor([0, 2]), v.sum()),
     [_any(3, 2), _any(2)]),
    ("remainder", lambda a: a % 0.7, [np.array([0.1, 0.9, -0.4, 1.65])]),
    ("remainder_tensor", lambda a, b: a % b,
     [np.array([0.1, 0.9, -0.4, 1.65]), np.array([0.7, -0.5, 0.3, 0.6])]),
    ("fmod", lambda a: torch.fmod(a, 0.7), [np.array([0.1, 0.9, -0.4, 1.65])]),
    ("fmod_tensor", lambda a, b: torch.fmod(a, b),
     [np.array([0.1, 0.9, -0.4, 1.65]), np.array([0.7, -0.5, 0.3, 0.6])]),
    # in-place forms with nodes of their own
    ("inplace_views", lambda a: _inplace_views(a * a) * a, [_any(3)]),
    *[(f"{name}_", _compared(name, 0.5), [_any(4)])
      for name in ("eq", "ne", "lt", "le", "gt", "ge")],
    *[(f"{name}_tensor_", _compared(name), [_any(4), _any(4)])
      for name in ("eq", "ne", "lt", "le", "gt", "ge")],
    ("clamp_min", lambda a: (a * 1).clamp_min_(0.2), [_any(5)]),
    ("clamp_max", lambda a: (a * 1).clamp_max_(-0.2), [_any(5)]),
    # rows that appear in the graphs of create_graph=True gradients (higher_order)
    ("mul_scalar", lambda a: apply(OPS["mul_scalar"], (a,), other=2.5), [_any(3)]),
    ("add_scalar", lambda a: apply(OPS["add_scalar"], (a,), other=1.5) * a, [_any(3)]),
    ("sub_scalar", lambda a: apply(OPS["sub_scalar"], (a,), other=1.5) * a, [_any(3)]),
    ("sgn", lambda a: apply(OPS["sgn"], (a,)) * a, [_any(4)]),
    ("tanh_backward", lambda g, r: apply(OPS["tanh_backward"], (g, r)), [_any(3), _any(3)]),
    ("sigmoid_backward", lambda g, r: apply(OPS["sigmoid_backward"], (g, r)),
     [_any(3), _any(3)]),
    ("threshold_backward", lambda g, a: apply(OPS["threshold_backward"], (g, a), threshold=0.1),
     [_any(4), _any(4)]),
    # losses and distances (appended: the samples above keep their random draws)
    ("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(a, b, beta=0.8), [_any(3, 12), _any(3, 12)]),
    ("huber_loss", lambda a, b: F.huber_loss(a, b, delta=0.8, reduction="sum"),
     [_any(2, 9), _any(2, 9)]),
    ("soft_margin_loss", lambda a: F.soft_margin_loss(a, torch.tensor([[1.0, -1.0, 1.0]])),
     [_any(2, 3)]),
    ("xlogy", lambda a, b: torch.xlogy(a, b), [_any(4), _positive(4)]),
    ("norm_p", lambda a: F.pairwise_distance(a, torch.zeros(3), p=3.0), [_any(2, 3)]),
    ("cdist", lambda a, b: torch.cdist(a, b), [_any(3, 2), _any(4, 2)]),
    ("cdist_p1", lambda a, b: torch.cdist(a, b, p=1.0), [_any(3, 2), _any(4, 2)]),
    ("euclidean_dist", lambda a, b: torch.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
     [_any(3, 2), _any(4, 2)]),
]


# cases whose forward runs in float32: (step, tolerance) for the central differences
LOOSE = {"to_copy": (1e-2, 1e-4)}


def _inplace_views(y: torch.Tensor) -> torch.Tensor:
    """Every in-place view row on a (3,) tensor, ending (3,) again."""
    y.unsqueeze_(0)
    y.t_()
    y.transpose_(0, 1)
    y.unsqueeze_(0)
    y.squeeze_(0)
    y.squeeze_((0,))
    y.unsqueeze_(1)
    return y.squeeze_()


def _inplace_on_view(t: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    t[0].mul_(value)  # CopySlices on t
    return t


def _view_after_inplace(t: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    row = t[1]
    row.add_(value)
    return row  # AsStridedBackward0 over t's CopySlices


def _setitem(t: torch.Tensor, index: object, value: torch.Tensor) -> torch.Tensor:
    t[index] = value
    return t


def _numeric_grad(fn: Callable, arrays: list[np.ndarray], which: int, weights: np.ndarray,
                  eps: float = 1e-6) -> np.ndarray:
    """Central differences of sum(weights * fn(...)) with respect to input ``which``."""
    base = [a.copy() for a in arrays]
    grad = np.zeros_like(base[which])
    for idx in np.ndindex(base[which].shape):
        vals = []
        for sign in (1, -1):
            moved = [a.copy() for a in base]
            moved[which][idx] += sign * eps
            out = fn(*[torch.tensor(a) for a in moved])
            vals.append(float((out._array * weights).sum()))
        grad[idx] = (vals[0] - vals[1]) / (2 * eps)
    return grad


@pytest.mark.parametrize("case_id,fn,arrays", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_backward_matches_central_differences(case_id: str, fn: Callable,
                                              arrays: list[np.ndarray]) -> None:
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    weights = RNG.uniform(0.5, 1.5, size=out.shape)  # a non-uniform upstream gradient
    out.backward(torch.tensor(weights))
    eps, tol = LOOSE.get(case_id, (1e-6, 1e-6))
    for i, leaf in enumerate(leaves):
        expected = _numeric_grad(fn, arrays, i, weights, eps)
        assert leaf.grad is not None, f"{case_id}: input {i} got no gradient"
        np.testing.assert_allclose(leaf.grad._array, expected, rtol=max(tol, 1e-5), atol=tol,
                                   err_msg=f"{case_id}: input {i}")


def _rows_used(fn: Callable, arrays: list[np.ndarray]) -> set[str]:
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    seen, stack, names = set(), [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, AccumulateGrad) or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.op.name)
        stack.extend(n for n, _ in node.next_functions)
    return names


def test_every_differentiable_row_has_a_gradient_check() -> None:
    covered: set[str] = set()
    for _, fn, arrays in GRAD_CASES:
        covered |= _rows_used(fn, arrays)
    # rounding ops have zero gradient almost everywhere and floor_divide has none (as in torch)
    exempt = {"floor", "ceil", "round", "trunc", "sign", "floor_divide", "squeeze_matmul"}
    rows = {name for name, row in OPS.items() if row.differentiable}
    assert rows - covered - exempt == set()


@pytest.mark.parametrize("name", sorted(n for n, r in OPS.items() if r.differentiable))
def test_every_row_states_one_rule_per_input_and_names_its_saves(name: str) -> None:
    row = OPS[name]
    assert row.grad_fn, name
    assert row.derivatives, f"{name} has no derivative"
    for d in row.derivatives:
        assert d.rule, f"{name}: the derivative for {d.input} has no human-readable rule"
        assert callable(d.formula), name
        assert d.reads is None or set(d.reads) <= set(row.saved), name
    if row.variadic:
        assert len(row.derivatives) == 1, name
    assert len(set(row.inputs)) == len(row.inputs), f"{name}: input names repeat"
    assert set(row.plain) <= set(row.saved), name


@pytest.mark.parametrize("name", sorted(n for n, r in OPS.items() if r.differentiable
                                        and not r.variadic))
def test_every_formula_takes_the_gradient_then_the_saved_values_by_name(name: str) -> None:
    # a formula is called as formula(grad, *saved): its parameters must say so, so that a
    # learner reading ``lambda grad, self, other: grad * other`` reads the truth
    row = OPS[name]
    for d in row.derivatives:
        params = list(inspect.signature(d.formula).parameters)
        assert len(params) == 1 + len(row.saved), (name, d.input, params)
        if d.formula.__name__ == "<lambda>":  # written in the row: named exactly
            assert params == ["grad", *row.saved], (name, d.input, params)


# Forward values against numpy, on the dtype torch would compute in.
FORWARD_CASES = [
    ("exp", lambda t: t.exp(), np.exp),
    ("log", lambda t: t.log(), np.log),
    ("sqrt", lambda t: t.sqrt(), np.sqrt),
    ("sin", lambda t: t.sin(), np.sin),
    ("cos", lambda t: t.cos(), np.cos),
    ("tanh", lambda t: t.tanh(), np.tanh),
    ("sigmoid", lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    ("relu", lambda t: t.relu(), lambda a: np.maximum(a, 0)),
    ("abs", lambda t: t.abs(), np.abs),
    ("neg", lambda t: -t, np.negative),
    ("square", lambda t: t ** 2, np.square),
    ("sum0", lambda t: t.sum(0), lambda a: a.sum(0)),
    ("mean1", lambda t: t.mean(1), lambda a: a.mean(1)),
    ("softmax", lambda t: t.softmax(1), lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True)),
    ("matmul", lambda t: t @ t.t(), lambda a: a @ a.T),
]


@pytest.mark.parametrize("case_id,fn,reference", FORWARD_CASES,
                         ids=[c[0] for c in FORWARD_CASES])
def test_forward_matches_numpy_in_float32(case_id: str, fn: Callable,
                                          reference: Callable) -> None:
    data = RNG.uniform(0.1, 3.0, size=(3, 4)).astype(np.float32)
    out = fn(torch.tensor(data))
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out._array, reference(data.astype(np.float64)), rtol=1e-5,
                               atol=1e-6)


# grad_fn names observed from real torch 2.13 (see ../shared/torch-2.13-reference.md)
TORCH_NAMES = [
    ("x + 1", "AddBackward0"), ("1 + x", "AddBackward0"), ("x - 1", "SubBackward0"),
    ("1 - x", "RsubBackward1"), ("torch.rsub(x, x)", "RsubBackward0"), ("2 * x", "MulBackward0"),
    ("x / 2", "DivBackward0"), ("2 / x", "MulBackward0"), ("x ** 2", "PowBackward0"),
    ("x ** x", "PowBackward1"), ("2 ** x", "PowBackward2"), ("-x", "NegBackward0"),
    ("x.sum()", "SumBackward0"), ("x.sum(0)", "SumBackward1"), ("x.mean()", "MeanBackward0"),
    ("x.mean(1)", "MeanBackward1"), ("x @ x.t()", "MmBackward0"), ("v @ v", "DotBackward0"),
    ("x @ v3", "MvBackward0"), ("v @ x", "SqueezeBackward4"),
    ("F.linear(x, x, v)", "AddmmBackward0"), ("x.exp()", "ExpBackward0"),
    ("x.relu()", "ReluBackward0"), ("x.view(-1)", "ViewBackward0"),
    ("x.reshape(6)", "ViewBackward0"), ("x.t().reshape(6)", "UnsafeViewBackward0"),
    ("x.t()", "TBackward0"), ("x.T", "PermuteBackward0"), ("x.transpose(0, 1)",
                                                            "TransposeBackward0"),
    ("x[0]", "SelectBackward0"), ("x[0:1]", "SliceBackward0"), ("x[[0, 1]]", "IndexBackward0"),
    ("x[None]", "UnsqueezeBackward0"), ("x.unsqueeze(0).squeeze()", "SqueezeBackward0"),
    ("x.unsqueeze(0).squeeze(0)", "SqueezeBackward1"), ("x.expand(2, 2, 3)", "ExpandBackward0"),
    ("x.clone()", "CloneBackward0"), ("torch.cat([x, x])", "CatBackward0"),
    ("torch.stack([x, x])", "StackBackward0"), ("x.softmax(0)", "SoftmaxBackward0"),
    ("x.log_softmax(0)", "LogSoftmaxBackward0"), ("x.max()", "MaxBackward1"),
    ("x.max(0)[0]", "MaxBackward0"), ("x.min()", "MinBackward1"),
    ("x.clamp(min=0)", "ClampBackward1"), ("x.norm()", "LinalgVectorNormBackward0"),
    ("x.double()", "ToCopyBackward0"), ("F.mse_loss(x, x.detach())", "MseLossBackward0"),
    ("F.cross_entropy(x, torch.tensor([0, 1]))", "NllLossBackward0"),
    ("x.repeat(2, 1)", "RepeatBackward0"), ("torch.where(x > 0, x, 0.)", "WhereBackward0"),
    ("x.prod()", "ProdBackward0"), ("x.reciprocal()", "ReciprocalBackward0"),
    ("x.flatten()", "ViewBackward0"), ("x.permute(1, 0)", "PermuteBackward0"),
    ("x[...]", "AliasBackward0"), ("x.split(1)[0]", "SplitBackward0"),
    ("x.unbind(0)[0]", "UnbindBackward0"), ("torch.maximum(x, x)", "MaximumBackward0"),
]


@pytest.mark.parametrize("expr,name", TORCH_NAMES, ids=[e for e, _ in TORCH_NAMES])
def test_grad_fn_name_is_torchs(expr: str, name: str) -> None:
    x = torch.ones(2, 3, requires_grad=True)
    v = torch.ones(2, requires_grad=True)
    v3 = torch.ones(3, requires_grad=True)
    out = eval(expr, {"torch": torch, "F": F, "x": x, "v": v, "v3": v3})
    assert out.grad_fn.name() == name
    assert type(out.grad_fn).__name__ == name


def test_tanh_backward_rounds_one_minus_y_squared_once_like_torch() -> None:
    x = torch.tensor([0.37, -1.21, 2.05, 0.83, -0.49], requires_grad=True)
    x.tanh().backward(torch.tensor([0.3, -1.7, 0.9, 2.2, -0.6]))
    assert x.grad.tolist() == [0.26240697503089905, -0.5099445581436157, 0.05773220583796501,
                               1.1812952756881714, -0.4762124717235565]  # torch 2.13


def test_softmax_backward_keeps_torchs_one_ulp_residue() -> None:
    x = torch.tensor([[1., -2., 3.], [-0.5, 0.25, 4.]], requires_grad=True)
    x.softmax(0).sum().backward()
    assert x.grad[:, 0].tolist() == pytest.approx([4.873063e-08, 1.0873e-08], rel=1e-3)
    assert x.grad[:, 1:].abs().sum().item() == 0.0


def test_log_softmax_backward_is_a_fused_multiply_subtract_like_torch() -> None:
    x = torch.arange(1., 19.).reshape(3, 2, 3).requires_grad_()
    (torch.log_softmax(x, 1) * torch.arange(1., 19.).reshape(3, 2, 3)).sum().backward()
    # torch 2.13 prints -11.6247 here; an unfused g - exp(y) * s rounds to -11.6246
    assert f"{x.grad[2, 1, 0].item():.4f}" == "-11.6247"


def test_sigmoid_of_a_small_tensor_has_torchs_float32_values() -> None:
    x = torch.tensor([0.06875000894069672, -2.3, 0.7, 4.1, -0.01, 1.9])
    assert torch.sigmoid(x).tolist() == [  # torch 2.13; numpy's float32 exp misses the first
        0.5171807408332825, 0.09112296253442764, 0.6681877374649048, 0.9836974740028381,
        0.4975000023841858, 0.8698915839195251]


def test_mv_backward_adds_the_rows_in_order_like_torchs_gemv() -> None:
    X = torch.tensor([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [3.0, 0.5], [2.0, 2.0], [0.2, 3.0]])
    y = torch.tensor([0., 0., 0., 1., 1., 0.])
    w = torch.zeros(2, requires_grad=True)
    p = torch.sigmoid(X @ w)
    (-(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()).backward()
    # torch 2.13 (numpy's BLAS gives 0.2916666865348816 for the second)
    assert w.grad.tolist() == [-0.15000000596046448, 0.2916666567325592]


def test_small_float32_matmul_adds_products_in_order_like_torch() -> None:
    X = torch.tensor([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7], [0.2, 0.9, 1.3], [-0.6, 0.1, 0.8]])
    W = torch.tensor([[0.1, -0.2, 0.3], [0.05, 0.4, -0.1]])
    # torch 2.13; numpy's BLAS gives 0.2849999964237213, 0.23000000417232513, ...
    assert (X @ W.t()).tolist() == [
        [0.3800000250339508, -0.48500001430511475], [-0.18000000715255737, 0.2850000262260437],
        [0.23000001907348633, 0.23999997973442078], [0.1599999964237213, -0.07000000774860382]]
    A = torch.tensor([[0.3, -0.7, 1.1, 0.2], [0.9, 0.4, -0.5, 1.3]])
    B = torch.tensor([[0.6, -0.2, 0.8], [0.1, 1.7, -0.4], [-0.9, 0.3, 0.5], [0.7, 0.2, -1.1]])
    assert (A @ B).tolist()[1] == [1.9399999380111694, 0.6100000143051147, -1.1200000047683716]


def test_big_square_gradient_is_computed_once_and_summed_in_torchs_order() -> None:
    values = np.random.default_rng(3).standard_normal(10_000).astype(np.float32)
    x = torch.tensor(values, requires_grad=True)
    (x * x * 0.3 + x).sum().backward()
    g = np.float32(0.3)  # what reaches x * x: the sum's 1 times 0.3
    gx = values * g
    expected = (np.float32(1) + gx) + gx  # torch: the add's gradient first, then x*x's two
    np.testing.assert_array_equal(x.grad._array, expected)
    assert x.grad._array.flags.writeable  # the shared read-only product never became .grad
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, values + values)


def test_big_product_under_a_sum_shares_no_memory_with_its_inputs() -> None:
    # The gradient of a sum is one spread everywhere; g * x is then x itself (no pass over
    # the data), handed out read-only: neither .grad nor later sums may write into x or w.
    rng = np.random.default_rng(4)
    xs, ws = (rng.standard_normal(10_000).astype(np.float32) for _ in range(2))
    spread_one = spread.spread(np.float32(1), xs.shape)
    times_one = spread.times(spread_one, xs)
    assert np.shares_memory(times_one, xs) and not times_one.flags.writeable  # no pass made
    x = torch.tensor(xs, requires_grad=True)
    w = torch.tensor(ws, requires_grad=True)
    (x * w).sum().backward()
    np.testing.assert_array_equal(w.grad._array, xs)
    np.testing.assert_array_equal(x.grad._array, ws)
    assert not np.shares_memory(w.grad._array, x._array)
    w.grad.add_(1.0)
    np.testing.assert_array_equal(x._array, xs)  # x untouched by writing into w.grad
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, ws + ((np.float32(1) + xs) + xs))
    np.testing.assert_array_equal(x._array, xs)


def test_small_mlp_layer_x_at_w_t_sums_in_torchs_lanes() -> None:
    X = torch.tensor([[0.5, -1.2, 0.3, 0.9], [1.1, 0.4, -0.7, 0.2], [0.2, 0.9, 1.3, -0.4],
                      [-0.6, 0.1, 0.8, 1.5], [0.3, 0.3, -0.2, -1.1], [1.4, -0.5, 0.6, 0.0]])
    W = torch.tensor([[0.1 * ((i * 7 + j * 3) % 5 - 2) for j in range(4)] for i in range(8)])
    # torch 2.13, (p0 + p2) + (p1 + p3); numpy differs in 26 of the 48 (-0.07000003010034561 here)
    assert (X @ W.t())[0].tolist() == [
        -0.07000000774860382, 0.18000000715255737, 0.12999999523162842, -0.4700000286102295,
        0.23000000417232513, -0.07000000774860382, 0.18000000715255737, 0.12999999523162842]


def test_cross_entropy_mean_sums_the_batch_in_torchs_cascade() -> None:
    v = torch.arange(40.).mul(0.73).sin()
    logits = torch.stack([v, v.cos(), -v], 1)
    target = torch.tensor([i % 3 for i in range(40)])
    # torch 2.13; a plain float32 sum of the 40 losses gives 1.314496636390686
    assert F.cross_entropy(logits, target).item() == 1.3144965171813965


def test_bce_with_logits_applies_weight_and_pos_weight_like_torch() -> None:
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor([3.0, 3.0, 3.0]))
    loss.backward()
    # torch 2.13
    assert repr(loss) == "tensor(0.7054, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"
    assert repr(x.grad) == "tensor([-0.3775,  0.0896, -0.1192])"
    weighted = F.binary_cross_entropy_with_logits(x, t, weight=torch.tensor([1.0, 2.0, 0.5]))
    assert repr(weighted) == "tensor(0.3880, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)"


def test_binary_cross_entropy_weight_is_inside_its_node_like_torch() -> None:
    x = torch.tensor([0.2, 0.7, 0.9], requires_grad=True)
    loss = F.binary_cross_entropy(x, torch.tensor([0.0, 1.0, 1.0]),
                                  weight=torch.tensor([1.0, 2.0, 3.0]))
    loss.backward()
    # torch 2.13
    assert repr(loss) == "tensor(0.4175, grad_fn=<BinaryCrossEntropyBackward0>)"
    assert x.grad.tolist() == pytest.approx([0.41666666, -0.95238095, -1.11111111], rel=1e-5)


def _nll_cascade_reference(values: np.ndarray) -> np.float32:
    """LossNLL.cpp's cascade as a plain loop: level 0 adds the values one by one; after the
    value at an index that is a multiple of 16 it hands its partial to level 1 (level 1 to
    level 2 at multiples of 256, ...), each hand-over an add into the level above; then the 8
    partials are added, lowest level first, to a zero."""
    partial = [np.float32(0)] * 8
    for i, value in enumerate(values):
        partial[0] = np.float32(partial[0] + value)
        for level in range(7):  # index 0 is a multiple of every span: it climbs to the top
            if (i >> (4 * level)) & 15:
                break
            partial[level + 1] = np.float32(partial[level + 1] + partial[level])
            partial[level] = np.float32(0)
    total = np.float32(0)
    for value in partial:
        total = np.float32(total + value)
    return total


@pytest.mark.parametrize("n", [1, 2, 16, 17, 33, 64, 255, 256, 257, 273, 1000, 4097])
def test_nll_batch_sum_follows_the_cascade_loop(n: int) -> None:
    rng = np.random.default_rng(n)
    values = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(np.float32)
    values[::5] = -0.0
    expected = _nll_cascade_reference(values)
    got = losses.nll_cascade_sum(values)
    assert got == expected and np.signbit(got) == np.signbit(expected)
