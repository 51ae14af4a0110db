"""The op table: every differentiable (and a few non-differentiable) op, one row each.

Schema of a row (``Op``), in the spirit of PyTorch's ``derivatives.yaml``:

- ``name``      our name for the row (``"mul"``); rows are looked up as ``OPS["mul"]``.
- ``grad_fn``   the literal torch 2.13 grad_fn class name, copied from real torch, never derived.
- ``forward``   ``(*inputs, **params) -> (result, saved)``: numpy in, numpy out. ``inputs`` are
                the op's *edges* (ndarrays, or Python scalars that torch wraps as constants);
                ``params`` are options that are not edges (``dim``, ``exponent``...). ``saved``
                is the tuple of values the backward needs, in the order of ``saves``.
- ``grads``     one function per input: ``(grad, *saved) -> grad for that input`` (or None when
                the input gets no gradient). The engine calls it only when that input needs a
                gradient, and sums the result back to the input's shape (the edge loop of
                ``autograd._execute``).
                ``variadic`` rows (cat, stack) have one function ``(grad, i, *saved)``.
- ``saves``     torch's names of the saved values (``self``, ``other``, ``result``...).
- ``keeps``     the saved names that are plain scalars: they survive ``backward()``, while saved
                arrays are freed (then a second backward raises torch's error).
- ``rules``     the local derivative per input, in words, for the step-by-step backward.
- ``view``      the result shares memory (and the version counter) with input 0.
- ``custom``    the row of every ``torch.autograd.Function`` node (``custom_function.py``):
                its backward reads saved tensors itself (``ctx.saved_tensors``), so freed
                buffers raise there, not before the node runs.
- ``uses``      optional, per input: the saved names its formula reads. torch saves (and
                version-checks) a value only when an input needing it requires grad:
                ``x * 2`` does not keep ``x``, so changing x in place is no error there.

Every forward (``dispatch.apply``) and every rule (``autograd.execute``) runs with numpy's
floating-point warnings off: torch answers 1/0 and log(-1) with inf/nan silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradtui.engine import fma64, moments, softmax_kernels, unary_kernels
from gradtui.engine.reduction import torch_sum

Grad = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Op:
    name: str
    grad_fn: str
    forward: Callable[..., tuple[Any, tuple]]
    grads: tuple[Grad, ...]
    saves: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()
    view: bool = False
    variadic: bool = False
    differentiable: bool = True
    custom: bool = False
    uses: tuple[tuple[str, ...], ...] | None = None
    kept: tuple[bool, ...] | None = field(init=False, default=None)
    has_tensor_saves: bool = field(init=False, default=False)
    node_class: type = field(init=False, default=object)
    slot_users: tuple[frozenset[int], ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        from gradtui.engine.autograd import node_class

        # type(y.grad_fn).__name__ is the grad_fn name, as in torch
        object.__setattr__(self, "node_class", node_class(self.grad_fn))
        if self.keeps:
            object.__setattr__(self, "kept", tuple(s in self.keeps for s in self.saves))
        if self.uses is not None:
            users = tuple(frozenset(i for i, names in enumerate(self.uses) if s in names)
                          for s in self.saves)
            object.__setattr__(self, "slot_users", users)
        object.__setattr__(self, "has_tensor_saves",
                           any(s not in self.keeps for s in self.saves))


OPS: dict[str, Op] = {}


def op(name: str, grad_fn: str, forward: Callable[..., tuple[Any, tuple]],
       grads: tuple[Grad, ...] = (), **kw: Any) -> Op:
    row = Op(name, grad_fn, forward, grads, **kw)
    OPS[name] = row
    return row


# ---------------------------------------------------------------- helpers used by rules
def _expand_reduced(g: np.ndarray, dims: tuple[int, ...], keepdim: bool,
                    shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast the gradient of a reduction over ``dims`` back to the input ``shape``."""
    if not keepdim and dims:
        g = np.expand_dims(g, dims)
    return np.broadcast_to(g, shape)


def _power(base: Any, exponent: Any) -> Any:
    """``base ** exponent``; for integers torch gives 0 (or +-1 for bases +-1) where the
    exponent is negative, where numpy would raise."""
    e = np.asarray(exponent)
    b = np.asarray(base)
    if e.dtype.kind in "iu" and b.dtype.kind in "iu" and (e < 0).any():
        safe = b ** np.where(e < 0, 0, e)
        odd = (e % 2) != 0
        neg_value = np.where(b == 1, 1, np.where(b == -1, np.where(odd, -1, 1), 0))
        return np.where(e < 0, neg_value, safe).astype(safe.dtype)
    # the tensor operand's dtype (a Python number never decides it)
    target = e.dtype if np.ndim(base) == 0 and not isinstance(base, np.ndarray) else (
        b.dtype if not isinstance(exponent, np.ndarray) else np.result_type(b, e))
    if target == np.float32:
        wide = np.power(b.astype(np.float64), e.astype(np.float64))
        return wide.astype(np.float32)
    return base ** exponent


def _wide(fn: Callable) -> Callable:
    """A float32 transcendental computed in float64, then rounded: this lands on torch's
    (SLEEF) float32 results far more often than numpy's float32 loops (exp: 39% of values
    differ in the last bit, this way 1%)."""
    def wide(a: np.ndarray) -> np.ndarray:
        if a.dtype == np.float32:
            return fn(a.astype(np.float64)).astype(np.float32)
        return fn(a)

    return wide


_exp, _log = _wide(np.exp), _wide(np.log)


def _log1p(a: np.ndarray) -> np.ndarray:
    """``log(1 + a)``; in float32 SLEEF's ``log1pf_u10``, as torch (float64-then-rounded
    misses ~1% of values)."""
    if a.dtype == np.float32 and a.size:
        return softmax_kernels.log1pf(a)
    return np.log1p(a)


def _log_sigmoid(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """torch's ``log_sigmoid_forward``: ``min(a, 0) - log1p(exp(-|a|))`` and the buffer
    ``exp(-|a|)`` its backward reads; in float32 its SLEEF kernel to the bit."""
    if a.dtype == np.float32 and a.size:
        return unary_kernels.log_sigmoid(a)
    b = np.exp(-np.abs(a))
    return np.minimum(a, 0) - np.log1p(b), b
_sin, _cos, _tanh = _wide(np.sin), _wide(np.cos), _wide(np.tanh)


def _sgn(a: np.ndarray) -> np.ndarray:
    """torch's sgn: like np.sign but 0 at nan (so |x|'s gradient at nan is 0)."""
    s = np.sign(a)
    if a.dtype.kind == "f" and np.isnan(s).any():
        s = np.where(np.isnan(s), 0, s)
    return s


def _clamp(a: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    """torch's clamp compares (``x < lo ? lo : x``), so -0. and nan pass through unchanged."""
    out = a if lo is None else np.where(a < lo, lo, a)
    out = out if hi is None else np.where(out > hi, hi, out)
    return np.asarray(out, dtype=a.dtype) if out is not a else out.copy()


def _spread(g: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only view with the single value ``g`` at every position of ``shape`` (what
    ``np.broadcast_to`` gives for a 0-d array, at a tenth of its cost)."""
    g = np.asarray(g)
    if g.ndim:
        return np.broadcast_to(g, shape)
    out = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
    out.flags.writeable = False
    return out


def _times(g: Any, x: Any) -> Any:
    """``g * x``; when g is one value spread over a big array (the gradient of a sum), multiply
    by that value instead: a contiguous loop, about twice as fast as reading a 0-stride view."""
    if g.size > 4096 and type(g) is np.ndarray and not any(g.strides) and np.shape(x) == g.shape:
        value = g[(0,) * g.ndim]
        if value == 1 and type(x) is np.ndarray and x.dtype == g.dtype:
            # x * 1 is x to the bit: the common `loss = y.sum()` gradient costs no pass at
            # all. A read-only view, so nothing downstream can sum into the input in place.
            view = x.view()
            view.flags.writeable = False
            return view
        return x * value
    return g * x


_square_slot: list = [None]  # (g, x, g * x) between x * x's two gradient rules


def _square_grad(g: Any, x: Any) -> Any:
    """``x * x``: both inputs get ``g * x``; for big arrays compute it once. The product is
    handed out read-only, so the engine never sums into it in place and both inputs receive
    the same values (the engine then adds them in torch's order: (other + gx) + gx)."""
    slot = _square_slot[0]
    _square_slot[0] = None
    if slot is not None and slot[0] is g and slot[1] is x:
        return slot[2]
    product = _times(g, x)
    if type(product) is np.ndarray and product.size > 4096:
        product.flags.writeable = False
        _square_slot[0] = (g, x, product)
    return product


def _integer_safe(fn: Callable, a: Any, b: Any) -> Any:
    """Integer division by zero is an error in torch (numpy would warn and give 0)."""
    if np.asarray(b).dtype.kind in "iub" and np.asarray(a).dtype.kind in "iub" and (
            np.asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")
    return fn(a, b)


def _sum(a: np.ndarray, dims: tuple[int, ...] | None = None, keepdim: bool = False) -> Any:
    """A sum rounded like torch's kernel where we can reproduce it, numpy's elsewhere."""
    exact = torch_sum(a, dims, keepdim)
    if exact is not None:
        return exact
    return np.sum(a, axis=dims, keepdims=keepdim)


def _mean_all(a: np.ndarray) -> np.ndarray:
    if a.size == 0:  # torch: nan, silently (numpy would warn "Mean of empty slice")
        return np.asarray(np.nan, dtype=a.dtype)
    return np.asarray(_sum(a) / a.dtype.type(a.size), dtype=a.dtype)


def _mean_dims(a: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    count = int(np.prod([a.shape[d] for d in dims])) if a.ndim else 1
    return np.asarray(_sum(a, dims, keepdim) / a.dtype.type(count), dtype=a.dtype)


def _sum_to_dims(a: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    return _sum(a, dims, keepdim)


def _scalar_pow(a: np.ndarray, e: Any) -> np.ndarray:
    """``a ** e`` as torch's kernel computes it: a few exponents are products or roots
    (x**3 is x*x*x, rounded twice), the rest go to pow()."""
    if a.dtype.kind == "f":
        if e == 2:
            return a * a
        if e == 3:
            return a * a * a
        if e == 0.5:
            return np.sqrt(a)
        if e == -0.5:
            return 1 / np.sqrt(a)
        if e == -1:
            return 1 / a
        if e == -2:
            return 1 / (a * a)
    return a ** e


def _pow_grad(g: Any, a: np.ndarray, e: float) -> Any:
    if e == 0:
        return np.zeros_like(a)
    return g * (e * _scalar_pow(a, e - 1))


def _pow_tensor_self_grad(g: Any, a: np.ndarray, b: Any) -> Any:
    """torch's ``where(b == 0, 0, g * (b * a ** (b - 1)))`` (that grouping, to the bit)."""
    if not np.ndim(b):
        return _pow_grad(g, a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = g * (b * _power(a, b - 1))
    zero = np.asarray(b) == 0
    return np.where(zero, 0, out).astype(out.dtype, copy=False) if zero.any() else out


def _pow_tensor_exponent_grad(g: Any, a: np.ndarray, b: Any, r: np.ndarray) -> Any:
    """d(a**b)/db = a**b * log(a), as torch's ``g * where(a == 0 & b >= 0, 0, r * log(a))``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        local = r * _log(a)
    mask = (a == 0) & (np.asarray(b) >= 0)
    if mask.any():
        local = np.where(mask, 0, local).astype(local.dtype, copy=False)
    return g * local


def _rpow_grad(g: Any, base: Any, r: np.ndarray) -> Any:
    """d(c**a)/da = c**a * log(c), as torch's ``g * where(c == 0 & a >= 0, 0, r * log(c))``
    (with c == 0, a >= 0 is where r = 0**a is finite)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(c) of the Python number in double precision, then in r's dtype (torch's Scalar)
        local = r * r.dtype.type(math.log(base) if base > 0 else np.log(np.float64(base)))
    if base == 0:
        local = np.where(np.isfinite(r), 0, local).astype(local.dtype, copy=False)
    return g * local


def _torch_kernel(a: np.ndarray, dim: int) -> bool:
    """Whether torch's last-dim float32 softmax kernel is reproduced to the bit here (see
    ``softmax_kernels``); other dims and dtypes get numpy's rounding."""
    return a.dtype == np.float32 and a.size > 0 and dim == a.ndim - 1


def _softmax(a: np.ndarray, dim: int) -> np.ndarray:
    if a.dtype == np.float16:  # torch computes half precision in float32, then rounds
        return _softmax(a.astype(np.float32), dim).astype(np.float16)
    if a.ndim == 0:
        return np.ones_like(a)
    if a.size == 0:
        return a.copy()
    if _torch_kernel(a, dim):
        return softmax_kernels.softmax_lastdim(a)
    shifted = a - a.max(axis=dim, keepdims=True)
    e = _exp(shifted)  # torch's float32 exp lands on float64-then-rounded values
    e /= e.sum(axis=dim, keepdims=True)
    return e


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-a))``; in float32 torch's loop to the bit (``unary_kernels.sigmoid``:
    SLEEF's exp in blocks of two vectors, glibc's in the tail)."""
    if a.dtype == np.float32 and a.size:
        return unary_kernels.sigmoid(a)
    return (1 / (1 + _exp(-a))).astype(a.dtype, copy=False)


def _tanh_grad(g: np.ndarray, r: np.ndarray) -> np.ndarray:
    """torch fuses ``1 - r*r`` in float32 (one rounding): float64 then rounded is the same."""
    if r.dtype == np.float32:
        return g * (1 - np.square(r, dtype=np.float64)).astype(np.float32)
    return g * (1 - r * r)


def _softmax_grad(g: np.ndarray, dim: int, r: np.ndarray) -> np.ndarray:
    """``(g - sum(g * r)) * r`` along ``dim``."""
    if _torch_kernel(r, dim) and g.dtype == np.float32:
        return softmax_kernels.softmax_backward_lastdim(g, r)
    return r * (g - (g * r).sum(axis=dim, keepdims=True))


def _log_softmax_grad(g: np.ndarray, dim: int, r: np.ndarray) -> np.ndarray:
    """``g - exp(r) * g.sum(dim)``; torch's float32 kernel fuses the multiply-subtract (one
    rounding), which float64 arithmetic rounded once to float32 reproduces."""
    if _torch_kernel(r, dim) and g.dtype == np.float32:
        return softmax_kernels.log_softmax_backward_lastdim(g, r)
    total = g.sum(axis=dim, keepdims=True)
    if r.dtype != np.float32 or g.dtype != np.float32:
        return g - np.exp(r) * total
    e = _exp(r).astype(np.float64)
    return (g.astype(np.float64) - e * total.astype(np.float64)).astype(np.float32)


def _log_softmax(a: np.ndarray, dim: int) -> np.ndarray:
    if a.dtype == np.float16:
        return _log_softmax(a.astype(np.float32), dim).astype(np.float16)
    if a.ndim == 0:
        return np.zeros_like(a)
    if a.size == 0:
        return a.copy()
    if _torch_kernel(a, dim):
        return softmax_kernels.log_softmax_lastdim(a)
    shifted = a - a.max(axis=dim, keepdims=True)
    # torch's float32 exp and log: float64 then rounded (a third to a tenth of numpy's misses)
    return shifted - _log(_exp(shifted).sum(axis=dim, keepdims=True))


def _scatter_dim(g: np.ndarray, indices: np.ndarray, dim: int, keepdim: bool,
                 shape: tuple[int, ...]) -> np.ndarray:
    """Gradient of max/min along ``dim``: ``g`` goes to the position of each chosen element."""
    if not shape:
        return np.array(g)
    out = np.zeros(shape, dtype=g.dtype)
    if not keepdim:
        g = np.expand_dims(g, dim)
        indices = np.expand_dims(indices, dim)
    np.put_along_axis(out, indices, g, axis=dim)
    return out


def _evenly_distribute(g: Any, a: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Gradient of a full max/min: shared evenly among the tied extreme elements (torch)."""
    mask = a == r
    if np.isnan(r):
        mask = np.isnan(a)
    # where(), not a product: masked entries must be +0 even under a negative gradient
    return np.where(mask, g / mask.sum(), 0)


def _amax_grad(g: Any, a: np.ndarray, dims: tuple[int, ...], keepdim: bool,
               r: np.ndarray) -> np.ndarray:
    """amax/amin share the gradient evenly among tied extremes along ``dims``."""
    if not keepdim:
        g, r = np.expand_dims(g, dims), np.expand_dims(r, dims)
    mask = a == r
    count = mask.sum(axis=dims, keepdims=True)
    return np.where(mask, g / count, 0)


def _gather_index(index: np.ndarray, dim: int) -> tuple:
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(_sum(values) / values.dtype.type(max(values.size, 1)),
                          dtype=values.dtype)
    if reduction == "sum":
        return np.asarray(_sum(values), dtype=values.dtype)
    return values


def _bce_forward(p: np.ndarray, t: np.ndarray, reduction: str,
                 weight: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    # torch clamps the logs at -100 so p = 0 or 1 gives a finite loss
    log_p = np.maximum(np.log(p), -100)
    log_q = np.maximum(np.log(1 - p), -100)
    values = -(t * log_p + (1 - t) * log_q)
    if weight is not None:
        values = values * weight
    return _reduce(values.astype(p.dtype), reduction), (p, t, weight, reduction)


def _bce_grad(g: Any, p: np.ndarray, t: np.ndarray, weight: np.ndarray | None,
              reduction: str) -> np.ndarray:
    """torch's ``binary_cross_entropy_backward``: ``grad * (p - t) / max((1 - p) * p, eps)``
    (eps the float 1e-12), then times the weight, then (mean) divided by the count."""
    eps = p.dtype.type(np.float32(1e-12))
    out = (g * (p - t)) / np.maximum((1 - p) * p, eps)
    if weight is not None:
        out = out * weight
    if reduction == "mean":
        out = out / p.dtype.type(p.size)
    return out


def _bce_logits_forward(z: np.ndarray, t: np.ndarray, reduction: str,
                        weight: np.ndarray | None = None,
                        pos_weight: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    """torch's order (Loss.cpp): ``(1 - t) * z - logsigmoid(z) * (1 + (pos_weight - 1) * t)``,
    times ``weight``, then the reduction (a mean is torch's sum over ``n``)."""
    log_sig = _log_sigmoid(z)[0]
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * t + 1)
    values = (1 - t) * z - log_sig
    if weight is not None:
        values = values * weight
    return _reduce(values.astype(z.dtype, copy=False), reduction), (
        z, t, weight, pos_weight, reduction)


def _bce_logits_grad(g: Any, z: np.ndarray, t: np.ndarray, weight: np.ndarray | None,
                     pos_weight: np.ndarray | None, reduction: str) -> np.ndarray:
    """torch's order: ``(sigmoid(z) - t) * g`` (with ``pos_weight``,
    ``((pw * t + 1) - t) * sigmoid(z) - pw * t``), times ``weight``, over ``n`` for a mean (its
    own sigmoid kernel, ``_sigmoid``)."""
    s = _sigmoid(z)
    if pos_weight is None:
        local = s - t
    else:  # FunctionsManual.cpp: ((pw * t + 1) - t) * sigmoid(z) - pw * t
        pt = pos_weight * t
        local = ((pt + 1) - t) * s - pt
    local = local * g
    if weight is not None:
        local = local * weight
    if reduction == "mean":
        local = local / local.dtype.type(local.size)
    return local


_MV_IN_ORDER_MAX = 4096  # columns summed one by one in Python below this; BLAS above


def _mv(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``m @ v``. For a float32 matrix stored transposed (``X.t()``, as in every mv backward)
    torch's gemv adds the columns one by one in order, each product rounded (verified
    bit-exact up to 1000 columns, one thread); numpy's BLAS orders them differently."""
    if (m.dtype == np.float32 and v.dtype == np.float32 and m.ndim == 2
            and m.flags.f_contiguous and not m.flags.c_contiguous
            and 0 < m.shape[1] <= _MV_IN_ORDER_MAX):
        acc = m[:, 0] * v[0]
        for j in range(1, m.shape[1]):
            acc += m[:, j] * v[j]
        return acc
    return m @ v


_MM_SMALL = 64  # rows and columns up to this follow torch's (MKL's) order below; BLAS above
_MM_SMALL_K = 128


def _row_major(x: np.ndarray) -> bool:
    """torch's test for a matrix that BLAS reads untransposed (a size-1 dim leaves C- and
    F-order both true; torch looks at the strides)."""
    item = x.itemsize
    return x.strides[1] == item and (x.shape[0] == 1 or x.strides[0] >= max(1, x.shape[1]) * item)


def _mm_order(a: np.ndarray, b: np.ndarray) -> str | None:
    """How torch 2.13 (MKL sgemm, one thread) adds the k products of a small float32 product
    (each element separately), or None where no rule was found (numpy's BLAS then).

    ``"round"``: in order, each product rounded; ``"fma"``: in order, each product fused into
    the running sum; ``"lanes"``: the 4-lane order of ``_mm_lanes``. Measured bit for bit
    against torch for every m, n up to 16 (and spot checks to 64), k up to 100:

    - b row-major (``a @ b``, ``a.T @ g``): fma when m >= 4 and n >= 12; else rounded when
      k <= 7, m == 1, n in (1, 2, 3, 4, 8), or m <= 3 with n == 5 or n % 4 == 0; not the
      row-major ``a``'s n == 1 with k >= 13 (or m >= 4 and k >= 5), nor the other edge
      widths (n = 5..7, 9..11 with k >= 8), where MKL's edge kernels order differently.
    - b column-major (``x @ W.t()``, ``g @ W``'s backward): fma when m >= 4 and n >= 12,
      rounded when k <= 3 (and for n == 1 when k == 4, or m <= 3 and k <= 7); 2..8 x 2..8
      with k >= 4 take the 4-lane order (exact for typical MLP layers, about 2/3 of elements
      elsewhere).
    """
    m, k = a.shape
    n = b.shape[1]
    if m >= 4 and n >= 12:
        return "fma"
    if _row_major(b):
        if n == 1 and _row_major(a) and (k >= 13 or (m >= 4 and k >= 5)):
            return None
        if (k <= 7 or m == 1 or n in (1, 2, 3, 4, 8)
                or (m <= 3 and (n == 5 or n % 4 == 0))):
            return "round"
        return None
    if k <= 3 or (n == 1 and (k == 4 or (m <= 3 and k <= 7))):
        return "round"
    return "lanes" if 2 <= m <= 8 and 2 <= n <= 8 else None


_MM64_SMALL = 16  # float64: m, n, k up to this were measured (MKL dgemm, one thread)


def _mm64_order(a: np.ndarray, b: np.ndarray) -> str | None:
    """How torch 2.13 (MKL dgemm, one thread) adds the k products of a small float64 product,
    or None where no simple order was found (numpy's BLAS then). Measured bit for bit for every
    m, n, k in 1..16 (``"round"`` and ``"fma"`` as in ``_mm_order``):

    - b row-major (``a @ b``, ``a.T @ g``): rounded in order when m == 1, or n is even and
      n <= 10 (or m <= 3), or k <= 7 and not (m >= 4 and n >= 12); for n == 1, when ``a`` is
      column-major (``a.T @ g``) or k <= 4 (k <= 7 for m <= 3). Fused in order for 4, 8, 12 or
      16 rows and exactly 12 columns.
    - b column-major (``x @ W.t()``): rounded when k <= 3; k <= 4 for m == 1 or n == 1, and
      k <= 7 for n in (2, 3) or n == 1 with m <= 3. The same fused 4-row x 12-column case.
    """
    m, k = a.shape
    n = b.shape[1]
    if m >= 4 and n >= 12:
        return "fma" if m % 4 == 0 and n == 12 else None
    if _row_major(b):
        if n == 1:
            limit = 16 if not _row_major(a) else 7 if m <= 3 else 4
            return "round" if k <= limit else None
        if m == 1 or (n % 2 == 0 and (n <= 10 or m <= 3)) or k <= 7:
            return "round"
        return None
    if n == 1:
        limit = 7 if m <= 3 else 4
    elif n <= 3:
        limit = 7
    else:
        limit = 4 if m == 1 else 3
    return "round" if k <= limit else None


def _mm_fma(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The k products fused one by one into a running sum, in order (one rounding a step)."""
    acc = a[:, 0:1] * b[0:1, :]
    if a.dtype == np.float32:  # float32 products are exact in float64
        for q in range(1, a.shape[1]):
            wide = np.multiply(a[:, q:q + 1], b[q:q + 1, :], dtype=np.float64)
            wide += acc
            acc = wide.astype(np.float32)
        return acc
    shape = acc.shape
    for q in range(1, a.shape[1]):
        acc = fma64.fma(np.broadcast_to(a[:, q:q + 1], shape),
                        np.broadcast_to(b[q:q + 1, :], shape), acc)
    return acc


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, in torch's order of additions for small float32 products (``_mm_order``)
    and small float64 ones (``_mm64_order``)."""
    m, k = a.shape
    n = b.shape[1]
    if (a.dtype == np.float64 and b.dtype == np.float64 and m <= _MM64_SMALL
            and n <= _MM64_SMALL and 1 <= k <= _MM64_SMALL and m * n > 1):
        if not (a.flags.c_contiguous or a.flags.f_contiguous) or not (
                b.flags.c_contiguous or b.flags.f_contiguous):
            return a @ b
        order = _mm64_order(a, b)
        if order == "round":
            return np.add.reduce(a[:, :, None] * b[None, :, :], axis=1)
        return _mm_fma(a, b) if order == "fma" else a @ b
    if not (a.dtype == np.float32 and b.dtype == np.float32 and m <= _MM_SMALL
            and n <= _MM_SMALL and 1 <= k <= _MM_SMALL_K and m * n > 1):
        return a @ b
    if m > 8 and k > 7 and n < 12 and n not in (1, 2, 3, 4, 8):  # no rule: skip the checks
        return a @ b  # (an MLP's 64x128 @ 128x10 output layer, every step)
    if not (a.flags.c_contiguous or a.flags.f_contiguous) or not (
            b.flags.c_contiguous or b.flags.f_contiguous):
        return a @ b
    order = _mm_order(a, b)
    if order is None:
        return a @ b
    if order == "round":  # a middle axis: numpy adds it row by row, in order
        return np.add.reduce(a[:, :, None] * b[None, :, :], axis=1)
    if order == "fma":
        return _mm_fma(a, b)
    return _mm_lanes(a, b)


def _mm_lanes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The k products in 4 lanes (product q into lane q % 4, each rounded), then
    ``(l0 + l2) + (l1 + l3)``, then the leftover products in order."""
    k = a.shape[1]
    lanes = [a[:, q:q + 1] * b[q:q + 1, :] for q in range(4)]
    full = k - k % 4
    for q in range(4, full):
        lanes[q % 4] += a[:, q:q + 1] * b[q:q + 1, :]
    acc = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
    for q in range(full, k):
        acc += a[:, q:q + 1] * b[q:q + 1, :]
    return acc


def _column_major(m: np.ndarray) -> bool:
    return m.strides[0] == m.itemsize and m.strides[1] == m.shape[0] * m.itemsize


def _mm_grad_self(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``g @ b.T``; like torch's ``mm_mat1_backward``, ``(b @ g.T).T`` for a column-major
    ``a`` (the product is the same, the order of its additions is not)."""
    if _column_major(a) and a.shape[0] > 1:
        return _mm(b, g.T).T
    return _mm(g, b.T)


def _mm_grad_other(g: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a.T @ g``; ``(g.T @ a).T`` for a column-major ``b`` (``W.t()`` in ``F.linear``), as
    torch's ``mm_mat2_backward`` does."""
    if _column_major(b) and b.shape[0] > 1:
        return _mm(g.T, a).T
    return _mm(a.T, g)


def _batched_matmul_grad(g: np.ndarray, a: np.ndarray, b: np.ndarray, which: int) -> np.ndarray:
    """Gradients of a broadcasting matmul (both operands at least 2-d)."""
    if which == 0:
        return np.matmul(g, np.swapaxes(b, -1, -2))
    return np.matmul(np.swapaxes(a, -1, -2), g)


def _index_backward(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


def _slice_backward(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    out[index] = g
    return out


def _copy_slices_self(g: np.ndarray, view_fn: Callable) -> np.ndarray:
    out = np.array(g)
    view_fn(out)[...] = 0
    return out


class _IndexView:
    """``arr[index] = value`` for advanced indices, which numpy cannot return as a view."""

    __slots__ = ("arr", "index")

    def __init__(self, arr: np.ndarray, index: Any) -> None:
        self.arr, self.index = arr, index

    def __setitem__(self, key: Any, value: Any) -> None:
        self.arr[self.index] = value


def _as_strided_grad(g: np.ndarray, view_fn: Callable, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    view_fn(out)[...] = g
    return out


def _split_grad(g: np.ndarray, i: int, dim: int, sizes: tuple[int, ...]) -> np.ndarray:
    start = sum(sizes[:i])
    index = (slice(None),) * dim + (slice(start, start + sizes[i]),)
    return g[index]


def _row_weights(weight: np.ndarray | None, target: np.ndarray,
                 per_row: bool) -> np.ndarray | None:
    """Class weights as a per-row vector (already per row for ignore_index)."""
    if weight is None or per_row:
        return weight
    return weight[target.reshape(-1)]


def _nll_cascade_sum(values: np.ndarray) -> np.float32:
    """The sum of a batch's losses in torch's order (LossNLL.cpp): 8 levels of partial sums;
    level 0 adds the values one by one and hands its partial up to level 1 at every multiple of
    16 (level 1 to level 2 at every multiple of 256, ...); the partials are added last, lowest
    level first. Golden verified the order bit-exact against torch on 1000 batches."""
    n = len(values)
    zero = np.float32(0)
    if n == 0:
        return zero
    # level 0's runs: values[0] alone (index 0 hands it up), then runs of 16 ending at indices
    # 16, 32, ...; the last run may stay open. Zero padding leaves a sequential sum unchanged.
    rest = values[1:]
    runs = -(-len(rest) // 16)
    padded = np.zeros(runs * 16, dtype=values.dtype)
    padded[:len(rest)] = rest
    run_sums = np.add.accumulate(padded.reshape(runs, 16), axis=1)[:, -1].tolist()
    partial = [zero] * 8
    # index 0 is a multiple of every level's span: values[0] climbs to the top level, added to
    # zeros on the way (which only turns -0. into 0.)
    partial[7] = np.float32(values[0] + zero)
    for i, run_sum in enumerate(run_sums, start=1):
        partial[0] = np.float32(run_sum)
        b = 16 * i
        if b >= n:
            break  # the open run stays at level 0
        for level in range(7):
            if (b >> (4 * level)) & 15:
                break
            partial[level + 1] = np.float32(partial[level + 1] + partial[level])
            partial[level] = zero
    total = zero
    for value in partial:
        # a zero adds nothing to a total that started at +0. (and is never -0.)
        if value != 0 or value != value:
            total = np.float32(total + value)
    return total

def _nll_forward(logp: np.ndarray, target: np.ndarray, reduction: str,
                 weight: np.ndarray | None) -> tuple[np.ndarray, Any]:
    n = logp.shape[0] if logp.ndim > 1 else 1
    lp2 = logp.reshape(n, -1) if logp.ndim > 1 else logp.reshape(1, -1)
    tgt = target.reshape(-1)
    picked = -lp2[np.arange(n), tgt]
    if weight is None:  # every row weighs 1: x * 1 is x, and the weights sum to n exactly
        total = logp.dtype.type(n)
    else:
        w = weight.astype(logp.dtype)
        picked = picked * w
        total = w.sum()
    if reduction in ("mean", "sum"):
        plain = weight is None and picked.dtype == np.float32 and picked.ndim == 1
        summed = _nll_cascade_sum(picked) if plain else picked.sum()
        if reduction == "mean":
            return np.asarray(summed / total, dtype=logp.dtype), total
        return np.asarray(summed, dtype=logp.dtype), total
    return picked.reshape(target.shape).astype(logp.dtype), total


def _nll_grad(g: np.ndarray, logp: np.ndarray, target: np.ndarray, reduction: str,
              weight: np.ndarray | None, total: Any) -> np.ndarray:
    n = logp.shape[0] if logp.ndim > 1 else 1
    out = np.zeros((n, logp.shape[-1]), dtype=logp.dtype)
    tgt = target.reshape(-1)
    if reduction == "mean":
        coeff = g / total
    elif reduction == "sum":
        coeff = g
    else:
        coeff = g.reshape(-1)
    # -w * coeff; without weights -1 * coeff, which is -coeff exactly (a scalar broadcasts)
    coeff = -coeff if weight is None else -weight.astype(logp.dtype) * coeff
    out[np.arange(n), tgt] = coeff + 0  # + 0: ignored rows (weight 0) get +0., not -0.
    return out.reshape(logp.shape)


def _mse_forward(a: np.ndarray, t: np.ndarray, reduction: str) -> tuple[Any, tuple]:
    diff = a - t
    d = diff * diff
    if reduction == "mean":  # torch reduces in its own summation order
        return _mean_all(d), (a, t, reduction)
    if reduction == "sum":
        return np.asarray(_sum(d), dtype=d.dtype), (a, t, reduction)
    return d, (a, t, reduction)


def _mse_grad(g: Any, a: np.ndarray, t: np.ndarray, reduction: str, sign: int) -> np.ndarray:
    diff = np.broadcast_to(a - t, np.broadcast_shapes(np.shape(a), np.shape(t)))
    scale = 2.0 / diff.size if reduction == "mean" else 2.0
    return (sign * scale) * diff * g


def _prod_grad(g: Any, a: np.ndarray, r: np.ndarray) -> np.ndarray:
    zeros = a == 0
    if not zeros.any():
        return g * r / a
    if zeros.sum() > 1:
        return np.zeros_like(a)
    # exactly one zero: its gradient is the product of all the other elements
    out = np.zeros_like(a)
    idx = np.unravel_index(np.argmax(zeros), a.shape)
    others = a.copy()
    others[idx] = 1
    out[idx] = g * np.prod(others)
    return out


# ---------------------------------------------------------------- arithmetic
op("add", "AddBackward0", lambda a, b, alpha=1: (a + b if alpha == 1 else a + alpha * b, (alpha,)),
   (lambda g, alpha: g, lambda g, alpha: g if alpha == 1 else g * alpha),
   saves=("alpha",), keeps=("alpha",), rules=("d(a+b)/da = 1", "d(a+b)/db = 1"))
op("sub", "SubBackward0", lambda a, b, alpha=1: (a - b if alpha == 1 else a - alpha * b, (alpha,)),
   (lambda g, alpha: g, lambda g, alpha: -g if alpha == 1 else g * -alpha),
   saves=("alpha",), keeps=("alpha",), rules=("d(a-b)/da = 1", "d(a-b)/db = -1"))
op("rsub", "RsubBackward1", lambda a, other, alpha=1: (other - alpha * a, (alpha,)),
   (lambda g, alpha: -g if alpha == 1 else g * -alpha,),
   saves=("alpha",), keeps=("alpha",), rules=("d(c-a)/da = -1",))
op("rsub_tensor", "RsubBackward0",
   lambda a, b, alpha=1: (b - a if alpha == 1 else b - alpha * a, (alpha,)),
   (lambda g, alpha: -g if alpha == 1 else g * -alpha, lambda g, alpha: g),
   saves=("alpha",), keeps=("alpha",), rules=("d(b-a)/da = -1", "d(b-a)/db = 1"))
op("mul", "MulBackward0", lambda a, b: (a * b, (a, b)),
   (lambda g, a, b: _square_grad(g, b) if a is b else _times(g, b),
    lambda g, a, b: _square_grad(g, a) if a is b else _times(g, a)),
   saves=("self", "other"), uses=(("other",), ("self",)),
   rules=("d(a*b)/da = b", "d(a*b)/db = a"))
op("div", "DivBackward0", lambda a, b: (a / b, (a, b)),
   (lambda g, a, b: g / b, lambda g, a, b: -g * ((a / b) / b)),  # torch's grouping
   saves=("self", "other"), uses=(("other",), ("self", "other")),
   rules=("d(a/b)/da = 1/b", "d(a/b)/db = -a/b^2"))
op("reciprocal", "ReciprocalBackward0", lambda a: ((r := 1 / a), (r,)),
   (lambda g, r: -g * (r * r),), saves=("result",), rules=("d(1/a)/da = -1/a^2",))
op("neg", "NegBackward0", lambda a: (-a, ()), (lambda g: -g,), rules=("d(-a)/da = -1",))
op("pow", "PowBackward0", lambda a, exponent: (_scalar_pow(a, exponent), (a, exponent)),
   (_pow_grad,), saves=("self", "exponent"), keeps=("exponent",),
   rules=("d(a^n)/da = n*a^(n-1)",))
op("pow_tensor", "PowBackward1", lambda a, b: ((r := _power(a, b)), (a, b, r)),
   (lambda g, a, b, r: _pow_tensor_self_grad(g, a, b), _pow_tensor_exponent_grad),
   saves=("self", "exponent", "result"),
   uses=(("self", "exponent"), ("self", "exponent", "result")),
   rules=("d(a^b)/da = b*a^(b-1)", "d(a^b)/db = a^b*log(a)"))
op("rpow", "PowBackward2", lambda a, base: ((r := _power(base, a)), (base, r)),
   (_rpow_grad,), saves=("self", "result"), keeps=("self",),
   rules=("d(c^a)/da = c^a*log(c)",))
op("abs", "AbsBackward0", lambda a: (np.abs(a), (a,)), (lambda g, a: g * _sgn(a),),
   saves=("self",), rules=("d|a|/da = sign(a)",))
op("exp", "ExpBackward0", lambda a: ((r := _exp(a)), (r,)), (lambda g, r: g * r,),
   saves=("result",), rules=("d(e^a)/da = e^a",))
op("log", "LogBackward0", lambda a: (_log(a), (a,)), (lambda g, a: g / a,),
   saves=("self",), rules=("d(log a)/da = 1/a",))
op("log1p", "Log1PBackward0", lambda a: (_log1p(a), (a,)), (lambda g, a: g / (a + 1),),
   saves=("self",), rules=("d(log(1+a))/da = 1/(1+a)",))
op("sqrt", "SqrtBackward0", lambda a: ((r := np.sqrt(a)), (r,)), (lambda g, r: g / (2 * r),),
   saves=("result",), rules=("d(sqrt a)/da = 1/(2*sqrt a)",))
op("rsqrt", "RsqrtBackward0", lambda a: ((r := 1 / np.sqrt(a)), (r,)),
   (lambda g, r: (-0.5 * g) * ((r * r) * r),),  # torch: -0.5 * grad * result.pow(3)
   saves=("result",), rules=("d(a^-1/2)/da = -a^-3/2/2",))
op("sin", "SinBackward0", lambda a: (_sin(a), (a,)), (lambda g, a: g * _cos(a),),
   saves=("self",), rules=("d(sin a)/da = cos a",))
op("cos", "CosBackward0", lambda a: (_cos(a), (a,)), (lambda g, a: -g * _sin(a),),
   saves=("self",), rules=("d(cos a)/da = -sin a",))
op("tanh", "TanhBackward0", lambda a: ((r := _tanh(a)), (r,)), (_tanh_grad,),
   saves=("result",), rules=("d(tanh a)/da = 1 - tanh(a)^2",))
op("sigmoid", "SigmoidBackward0",
   lambda a: ((r := _sigmoid(a)), (r,)),
   (lambda g, r: g * (1 - r) * r,), saves=("result",), rules=("d(s(a))/da = s(a)*(1-s(a))",))
op("log_sigmoid", "LogSigmoidBackward0",
   lambda a: ((r := _log_sigmoid(a))[0], (a, r[1])),
   (unary_kernels.log_sigmoid_backward,), saves=("self", "buffer"),
   rules=("d(log s(a))/da = 1 - s(a), from the buffer b = exp(-|a|)",))
op("relu", "ReluBackward0", lambda a: ((r := np.where(a < 0, 0, a)), (r,)),
   (lambda g, r: np.where(r <= 0, 0, g),), saves=("result",),
   rules=("d(relu a)/da = 1 if a > 0 else 0",))
op("clamp", "ClampBackward1",
   lambda a, min=None, max=None: (_clamp(a, min, max), (a, min, max)),
   (lambda g, a, lo, hi: np.where((a >= (-np.inf if lo is None else lo))
                                  & (a <= (np.inf if hi is None else hi)), g, 0),),
   saves=("self", "min", "max"), keeps=("min", "max"),
   rules=("d(clamp a)/da = 1 inside [min, max], else 0",))
op("clamp_tensor", "ClampBackward0",
   lambda a, lo, hi: (_clamp(a, lo, hi), (a, lo, hi)),
   (lambda g, a, lo, hi: np.where(((a >= lo) if lo is not None else True)
                                  & ((a <= hi) if hi is not None else True), g, 0),
    lambda g, a, lo, hi: np.where(a < lo, g, 0),
    lambda g, a, lo, hi: np.where(a > hi, g, 0)),
   saves=("self", "min", "max"),
   rules=("1 inside [min, max], else 0", "1 where a < min", "1 where a > max"))
op("maximum", "MaximumBackward0", lambda a, b: (np.maximum(a, b), (a, b)),
   (lambda g, a, b: np.where(a > b, g, np.where(a == b, g / 2, 0)),
    lambda g, a, b: np.where(b > a, g, np.where(a == b, g / 2, 0))),
   saves=("self", "other"), rules=("1 where a > b (1/2 on ties)", "1 where b > a (1/2 on ties)"))
op("minimum", "MinimumBackward0", lambda a, b: (np.minimum(a, b), (a, b)),
   (lambda g, a, b: np.where(a < b, g, np.where(a == b, g / 2, 0)),
    lambda g, a, b: np.where(b < a, g, np.where(a == b, g / 2, 0))),
   saves=("self", "other"), rules=("1 where a < b (1/2 on ties)", "1 where b < a (1/2 on ties)"))
op("remainder", "RemainderBackward0", lambda a, b: (_integer_safe(np.remainder, a, b), ()),
   (lambda g: g, lambda g: None), rules=("d(a mod b)/da = 1", "not differentiable"))

# ---------------------------------------------------------------- reductions
op("sum", "SumBackward0", lambda a: (np.asarray(_sum(a)), (a.shape,)),
   (lambda g, shape: _spread(g, shape),), saves=("self_sym_sizes",),
   keeps=("self_sym_sizes",), rules=("d(sum a)/da_i = 1",))
op("sum_dim", "SumBackward1",
   lambda a, dim, keepdim: (np.asarray(_sum_to_dims(a, dim, keepdim)), (dim, keepdim, a.shape)),
   (_expand_reduced,), saves=("dim", "keepdim", "self_sym_sizes"),
   keeps=("dim", "keepdim", "self_sym_sizes"), rules=("d(sum a)/da_i = 1",))
op("mean", "MeanBackward0", lambda a: (_mean_all(a), (a.size, a.shape)),
   (lambda g, n, shape: _spread(g / n, shape),),
   saves=("self_sym_numel", "self_sym_sizes"), keeps=("self_sym_numel", "self_sym_sizes"),
   rules=("d(mean a)/da_i = 1/n",))
op("mean_dim", "MeanBackward1",
   lambda a, dim, keepdim: (_mean_dims(a, dim, keepdim),
                            (dim, keepdim, a.shape,
                             int(np.prod([a.shape[d] for d in dim])) if a.ndim else 1)),
   (lambda g, dim, keepdim, shape, n: _expand_reduced(g / n, dim, keepdim, shape),),
   saves=("dim", "keepdim", "self_sym_sizes", "self_sym_numel"),
   keeps=("dim", "keepdim", "self_sym_sizes", "self_sym_numel"),
   rules=("d(mean a)/da_i = 1/n",))
op("max", "MaxBackward1", lambda a: ((r := np.asarray(a.max())), (a, r)),
   (_evenly_distribute,), saves=("self", "result"),
   rules=("1 at the maximum (shared among ties), else 0",))
op("min", "MinBackward1", lambda a: ((r := np.asarray(a.min())), (a, r)),
   (_evenly_distribute,), saves=("self", "result"),
   rules=("1 at the minimum (shared among ties), else 0",))
op("max_dim", "MaxBackward0",
   lambda a, dim, keepdim: _reduce_with_indices(np.argmax, a, dim, keepdim),
   (_scatter_dim,), saves=("indices", "dim", "keepdim", "self_sym_sizes"),
   keeps=("dim", "keepdim", "self_sym_sizes"), rules=("1 at the maximum along dim, else 0",))
op("min_dim", "MinBackward0",
   lambda a, dim, keepdim: _reduce_with_indices(np.argmin, a, dim, keepdim),
   (_scatter_dim,), saves=("indices", "dim", "keepdim", "self_sym_sizes"),
   keeps=("dim", "keepdim", "self_sym_sizes"), rules=("1 at the minimum along dim, else 0",))
op("amax", "AmaxBackward0",
   lambda a, dim, keepdim: ((r := np.amax(a, axis=dim, keepdims=keepdim)), (a, dim, keepdim, r)),
   (lambda g, a, dim, keepdim, r: _amax_grad(g, a, dim, keepdim, r),),
   saves=("self", "dim", "keepdim", "result"), keeps=("dim", "keepdim"),
   rules=("1 at the maximum along dim (shared among ties), else 0",))
op("amin", "AminBackward0",
   lambda a, dim, keepdim: ((r := np.amin(a, axis=dim, keepdims=keepdim)), (a, dim, keepdim, r)),
   (lambda g, a, dim, keepdim, r: _amax_grad(g, a, dim, keepdim, r),),
   saves=("self", "dim", "keepdim", "result"), keeps=("dim", "keepdim"),
   rules=("1 at the minimum along dim (shared among ties), else 0",))
op("cumsum", "CumsumBackward0", lambda a, dim: (np.cumsum(a, axis=dim), (dim,)),
   (lambda g, dim: np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim),), saves=("dim",),
   keeps=("dim",), rules=("d(cumsum a)_j/da_i = 1 for j >= i",))
op("gather", "GatherBackward0",
   lambda a, dim, index: (a[_gather_index(index, dim)], (dim, index, a.shape)),
   (lambda g, dim, index, shape: _index_backward(g, _gather_index(index, dim), shape),),
   saves=("dim", "index", "self_sym_sizes"), keeps=("dim", "self_sym_sizes"),
   rules=("the gradient is added at the gathered entries, 0 elsewhere",))
op("topk", "TopkBackward0",
   lambda a, dim, index: (np.take_along_axis(a, index, axis=dim), (dim, index, a.shape)),
   (lambda g, dim, index, shape: _index_backward(g, _gather_index(index, dim), shape),),
   saves=("dim", "indices", "self_sym_sizes"), keeps=("dim", "self_sym_sizes"),
   rules=("the gradient goes to the k chosen entries, 0 elsewhere",))
op("sort", "SortBackward0",
   lambda a, dim, index: (np.take_along_axis(a, index, axis=dim) if a.ndim else a.copy(),
                          (dim, index, a.shape)),
   (lambda g, dim, index, shape: (
       _index_backward(g, _gather_index(index, dim), shape) if len(shape) else g),),
   saves=("dim", "indices", "self_sym_sizes"), keeps=("dim", "self_sym_sizes"),
   rules=("each value's gradient goes back to where it was before sorting",))
op("masked_fill", "MaskedFillBackward0",
   lambda a, mask, value: (np.where(mask, np.asarray(value, dtype=a.dtype), a), (mask,)),
   (lambda g, mask: np.where(mask, 0, g),), saves=("mask",),
   rules=("0 where filled, 1 elsewhere",))
op("prod", "ProdBackward0", lambda a: ((r := np.asarray(a.prod())), (a, r)), (_prod_grad,),
   saves=("self", "result"), rules=("d(prod a)/da_i = prod of the others",))
# var/std/norm round like torch's kernels (double-precision two-pass or Welford, the AVX2
# norm loop) and their gradients group like FunctionsManual.cpp: moments.py
op("norm", "LinalgVectorNormBackward0",
   lambda a, dim=None, keepdim=False: (
       (r := moments.vector_norm2(a, dim, keepdim)), (a, dim, keepdim, r)),
   (moments.norm2_backward,), saves=("self", "dim", "keepdim", "result"),
   keeps=("dim", "keepdim"), rules=("d|a|/da = a/|a|",))
op("var", "VarBackward0",
   lambda a, dim, correction, keepdim: (
       moments.var(a, dim, correction, keepdim), (a, dim, correction, keepdim)),
   (moments.var_backward,), saves=("self", "dim", "correction", "keepdim"),
   keeps=("dim", "correction", "keepdim"), rules=("d(var a)/da_i = 2(a_i-mean)/(n-c)",))
op("std", "StdBackward0",
   lambda a, dim, correction, keepdim: (
       (r := moments.var(a, dim, correction, keepdim, take_sqrt=True)),
       (a, dim, correction, keepdim, r)),
   (moments.std_backward,),
   saves=("self", "dim", "correction", "keepdim", "result"),
   keeps=("dim", "correction", "keepdim"), rules=("d(std a)/da_i = (a_i-mean)/((n-c)*std)",))


def _reduce_with_indices(arg: Callable, a: np.ndarray, dim: int,
                         keepdim: bool) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    if a.ndim == 0:  # a 0-d tensor is its own max along dim 0 (or -1)
        zero = np.zeros((), dtype=np.int64)
        return (a.copy(), zero), (zero, dim, keepdim, a.shape)
    idx = arg(a, axis=dim, keepdims=True)
    values = np.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        idx = np.squeeze(idx, axis=dim)
        values = np.squeeze(values, axis=dim)
    return (values, idx.astype(np.int64)), (idx.astype(np.int64), dim, keepdim, a.shape)


# ---------------------------------------------------------------- linear algebra
op("mm", "MmBackward0", lambda a, b: (_mm(a, b), (a, b)), (_mm_grad_self, _mm_grad_other),
   saves=("self", "mat2"), uses=(("mat2",), ("self",)),
    rules=("d(A@B)/dA = grad @ B^T", "d(A@B)/dB = A^T @ grad"))
op("dot", "DotBackward0", lambda a, b: (np.asarray(a @ b), (a, b)),
   (lambda g, a, b: g * b, lambda g, a, b: g * a), saves=("self", "tensor"),
   uses=(("tensor",), ("self",)),
   rules=("d(a.b)/da = b", "d(a.b)/db = a"))
op("mv", "MvBackward0", lambda m, v: (_mv(m, v), (m, v)),
   (lambda g, m, v: np.outer(g, v), lambda g, m, v: _mv(m.T, g)), saves=("self", "vec"),
   uses=(("vec",), ("self",)),
   rules=("d(M@v)/dM = grad v^T", "d(M@v)/dv = M^T @ grad"))
op("bmm", "BmmBackward0", lambda a, b: (np.matmul(a, b), (a, b)),
   (lambda g, a, b: _batched_matmul_grad(g, a, b, 0),
    lambda g, a, b: _batched_matmul_grad(g, a, b, 1)),
   saves=("self", "mat2"), uses=(("mat2",), ("self",)),
    rules=("d(A@B)/dA = grad @ B^T", "d(A@B)/dB = A^T @ grad"))
op("addmm", "AddmmBackward0",
   lambda bias, a, b: (_mm(a, b) + bias, (a, b)),
   (lambda g, a, b: g, _mm_grad_self, _mm_grad_other),
   saves=("mat1", "mat2"), uses=((), ("mat2",), ("mat1",)),
   rules=("d(c + A@B)/dc = 1", "d(c + A@B)/dA = grad @ B^T", "d(c + A@B)/dB = A^T @ grad"))

# ---------------------------------------------------------------- shape and views
op("view", "ViewBackward0", lambda a, shape: (a.reshape(shape), (a.shape,)),
   (lambda g, shape: g.reshape(shape),), saves=("self_sym_sizes",), keeps=("self_sym_sizes",),
   view=True, rules=("reshape the gradient back",))
op("unsafe_view", "UnsafeViewBackward0", lambda a, shape: (a.reshape(shape), (a.shape,)),
   (lambda g, shape: g.reshape(shape),), saves=("self_sym_sizes",), keeps=("self_sym_sizes",),
   rules=("reshape the gradient back",))
op("t", "TBackward0", lambda a: (a.T, ()), (lambda g: g.T,), view=True,
   rules=("transpose the gradient back",))
op("transpose", "TransposeBackward0",
   lambda a, dim0, dim1: (np.swapaxes(a, dim0, dim1) if a.ndim else a.view(), (dim0, dim1)),
   (lambda g, d0, d1: np.swapaxes(g, d0, d1) if np.ndim(g) else g,), saves=("dim0", "dim1"),
   keeps=("dim0", "dim1"), view=True, rules=("swap the dims of the gradient back",))
op("permute", "PermuteBackward0", lambda a, dims: (np.transpose(a, dims), (dims,)),
   (lambda g, dims: np.transpose(g, np.argsort(dims)),), saves=("dims",), keeps=("dims",),
   view=True, rules=("permute the gradient back",))
op("unsqueeze", "UnsqueezeBackward0", lambda a, dim: (np.expand_dims(a, dim), (dim,)),
   (lambda g, dim: np.squeeze(g, dim),), saves=("dim",), keeps=("dim",), view=True,
   rules=("drop the inserted dim",))
op("squeeze", "SqueezeBackward0", lambda a: (np.squeeze(a), (a.shape,)),
   (lambda g, shape: g.reshape(shape),), saves=("self_sym_sizes",), keeps=("self_sym_sizes",),
   view=True, rules=("put the size-1 dims back",))
op("squeeze_dim", "SqueezeBackward1", lambda a, dim: (np.squeeze(a, dim), (dim, a.shape)),
   (lambda g, dim, shape: g.reshape(shape),), saves=("dim", "self_sym_sizes"),
   keeps=("dim", "self_sym_sizes"), view=True, rules=("put the size-1 dim back",))
op("squeeze_dims", "SqueezeBackward2", lambda a, dims: (np.squeeze(a, dims), (dims, a.shape)),
   (lambda g, dims, shape: g.reshape(shape),), saves=("dim", "self_sym_sizes"),
   keeps=("dim", "self_sym_sizes"), view=True, rules=("put the size-1 dims back",))
op("squeeze_matmul", "SqueezeBackward4", lambda a, dim: (np.squeeze(a, dim), (dim, a.shape)),
   (lambda g, dim, shape: g.reshape(shape),), saves=("dim", "self_sym_sizes"),
   keeps=("dim", "self_sym_sizes"), view=True, rules=("put the size-1 dim back",))
op("expand", "ExpandBackward0", lambda a, shape: (np.broadcast_to(a, shape), (a.shape,)),
   (lambda g, shape: g,), saves=("self_sym_sizes",), keeps=("self_sym_sizes",), view=True,
   rules=("sum the gradient over the expanded dims",))
op("repeat", "RepeatBackward0", lambda a, repeats: (np.tile(a, repeats), (repeats, a.shape)),
   (lambda g, repeats, shape: _repeat_grad(g, repeats, shape),),
   saves=("repeats", "self_sym_sizes"), keeps=("repeats", "self_sym_sizes"),
   rules=("sum the gradient over the copies",))
op("alias", "AliasBackward0", lambda a: (a.view(), ()), (lambda g: g,), view=True,
   rules=("d(a)/da = 1",))
op("select", "SelectBackward0", lambda a, dim, index: (
    a[(slice(None),) * dim + (index, Ellipsis)], (dim, index, a.shape)),
   (lambda g, dim, index, shape: _slice_backward(g, (slice(None),) * dim + (index,), shape),),
   saves=("dim", "index", "self_sym_sizes"), keeps=("dim", "index", "self_sym_sizes"),
   view=True, rules=("the gradient goes to the selected entries, 0 elsewhere",))
op("slice", "SliceBackward0", lambda a, dim, sl: (
    a[(slice(None),) * dim + (sl,)], (dim, sl, a.shape)),
   (lambda g, dim, sl, shape: _slice_backward(g, (slice(None),) * dim + (sl,), shape),),
   saves=("dim", "slice", "self_sym_sizes"), keeps=("dim", "slice", "self_sym_sizes"),
   view=True, rules=("the gradient goes to the sliced entries, 0 elsewhere",))
op("index", "IndexBackward0", lambda a, index: (a[index], (index, a.shape)),
   (lambda g, index, shape: _index_backward(g, index, shape),),
   saves=("indices", "self_sym_sizes"), keeps=("self_sym_sizes",),
   rules=("the gradient is added at the indexed entries, 0 elsewhere",))
# In-place writes into (a view of) a tensor with a graph. The forward returns the base array
# itself: the caller writes the new values into it afterwards, so nothing is copied.
op("copy_slices", "torch::autograd::CopySlices",
   lambda a, v, view_fn: (a, (view_fn, np.shape(v))),
   (lambda g, view_fn, vshape: _copy_slices_self(g, view_fn),
    lambda g, view_fn, vshape: np.array(view_fn(np.ascontiguousarray(g)))),
   saves=("view_fn", "value_shape"), keeps=("view_fn", "value_shape"),
   rules=("0 at the overwritten entries, 1 elsewhere", "the gradient of the written entries"))
op("index_put", "IndexPutBackward0",
   lambda a, v, index: (a, (index, np.shape(v))),
   (lambda g, index, vshape: _copy_slices_self(g, lambda arr: _IndexView(arr, index)),
    lambda g, index, vshape: g[index]),
   saves=("indices", "value_shape"), keeps=("value_shape",),
   rules=("0 at the overwritten entries, 1 elsewhere", "the gradient of the written entries"))
op("as_strided", "AsStridedBackward0", lambda a, view_fn: (view_fn(a), (view_fn, a.shape)),
   (lambda g, view_fn, shape: _as_strided_grad(g, view_fn, shape),),
   saves=("view_fn", "self_sym_sizes"), keeps=("view_fn", "self_sym_sizes"), view=True,
   rules=("the gradient goes to the viewed entries, 0 elsewhere",))
op("zero", "ZeroBackward0", lambda a: (np.zeros_like(a), ()), (lambda g: np.zeros_like(g),),
   rules=("d(0)/da = 0",))
op("fill", "FillBackward2", lambda a, value: (np.full_like(a, value), (value,)),
   (lambda g, value: np.zeros_like(g),), saves=("value",), keeps=("value",),
   rules=("d(c)/da = 0",))
op("fill_tensor", "FillBackward3",
   lambda a, value: (np.full_like(a, value), ()),
   (lambda g: np.zeros_like(g), lambda g: np.asarray(g.sum(), dtype=g.dtype)),
   rules=("d(c)/da = 0", "every filled entry's gradient, summed"))
op("copy", "torch::autograd::CopyBackwards",
   lambda a, src: (np.array(np.broadcast_to(src, a.shape), dtype=a.dtype), ()),
   (lambda g: np.zeros_like(g), lambda g: g), rules=("overwritten: 0", "d(src)/dsrc = 1"))
op("cat", "CatBackward0",
   lambda *arrays, dim: (np.concatenate(arrays, axis=dim),
                         (dim, tuple(a.shape[dim] for a in arrays))),
   (_split_grad,), saves=("dim", "sizes"), keeps=("dim", "sizes"), variadic=True,
   rules=("the gradient's slice for this input",))
op("stack", "StackBackward0",
   lambda *arrays, dim: (np.stack(arrays, axis=dim), (dim,)),
   (lambda g, i, dim: np.take(g, i, axis=dim),), saves=("dim",), keeps=("dim",),
   variadic=True, rules=("the gradient's entry for this input",))
op("split", "SplitBackward0",
   lambda a, dim, start, stop: (a[(slice(None),) * dim + (slice(start, stop),)],
                                (dim, slice(start, stop), a.shape)),
   (lambda g, dim, sl, shape: _slice_backward(g, (slice(None),) * dim + (sl,), shape),),
   saves=("dim", "split_size", "self_sym_sizes"), keeps=("dim", "split_size", "self_sym_sizes"),
   view=True, rules=("the gradient's slice for this chunk",))
op("unbind", "UnbindBackward0",
   lambda a, dim, index: (a[(slice(None),) * dim + (index, Ellipsis)], (dim, index, a.shape)),
   (lambda g, dim, index, shape: _slice_backward(g, (slice(None),) * dim + (index,), shape),),
   saves=("dim", "index", "self_sym_sizes"), keeps=("dim", "index", "self_sym_sizes"),
   view=True, rules=("the gradient's entry for this piece",))
op("clone", "CloneBackward0", lambda a: (a.copy(), ()), (lambda g: g,), rules=("d(a)/da = 1",))
op("to_copy", "ToCopyBackward0", lambda a, dtype: (a.astype(dtype), ()), (lambda g: g,),
   rules=("d(a)/da = 1 (cast back to the input dtype)",))
op("where", "WhereBackward0",
   lambda a, b, condition: (np.where(condition, a, b), (condition,)),
   (lambda g, c: np.where(c, g, 0), lambda g, c: np.where(c, 0, g)), saves=("condition",),
   rules=("1 where condition, else 0", "0 where condition, else 1"))

# ---------------------------------------------------------------- nn functional
op("softmax", "SoftmaxBackward0", lambda a, dim: ((r := _softmax(a, dim)), (dim, r)),
   (lambda g, dim, r: _softmax_grad(g, dim, r) if r.ndim else g * 0,),
   saves=("dim", "result"), keeps=("dim",), rules=("d(softmax)/da = s*(grad - sum(grad*s))",))
op("log_softmax", "LogSoftmaxBackward0",
   lambda a, dim: ((r := _log_softmax(a, dim)), (dim, r)),
   (lambda g, dim, r: _log_softmax_grad(g, dim, r) if r.ndim else g * 0,),
   saves=("dim", "result"), keeps=("dim",),
   rules=("d(log_softmax)/da = grad - softmax*sum(grad)",))
op("mse_loss", "MseLossBackward0",
   lambda a, t, reduction: _mse_forward(a, t, reduction),
   (lambda g, a, t, r: _mse_grad(g, a, t, r, 1), lambda g, a, t, r: _mse_grad(g, a, t, r, -1)),
   saves=("self", "target", "reduction"), keeps=("reduction",),
   rules=("d(mean (a-t)^2)/da = 2(a-t)/n", "d(mean (a-t)^2)/dt = -2(a-t)/n"))
op("nll_loss", "NllLossBackward0",
   lambda logp, target, reduction, weight, per_row=False: (
       (res := _nll_forward(logp, target, reduction, _row_weights(weight, target, per_row)))[0],
       (logp, target, reduction, _row_weights(weight, target, per_row), res[1])),
   (_nll_grad,), saves=("self", "target", "reduction", "weight", "total_weight"),
   keeps=("reduction",), rules=("-1/n at each target class, 0 elsewhere",))

op("div_scalar", "DivBackward1", lambda a, other: (a / other, (other,)),
   (lambda g, other: g / other,), saves=("other",), keeps=("other",),
   rules=("d(a/c)/da = 1/c",))
op("leaky_relu", "LeakyReluBackward0",
   lambda a, slope: (np.where(a > 0, a, a * a.dtype.type(slope)), (a, slope)),
   (lambda g, a, slope: np.where(a > 0, g, g * a.dtype.type(slope)),),
   saves=("self", "negative_slope"), keeps=("negative_slope",),
   rules=("1 where a > 0, else the slope",))
op("binary_cross_entropy", "BinaryCrossEntropyBackward0",
   _bce_forward, (_bce_grad,),
   saves=("self", "target", "weight", "reduction"), keeps=("reduction",),
   rules=("d(bce)/dp = (p - t) / (p (1 - p))",))
op("bce_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
   _bce_logits_forward, (_bce_logits_grad,),
   saves=("self", "target", "weight", "pos_weight", "reduction"), keeps=("reduction",),
   rules=("d(bce)/dz = sigmoid(z) - t",))

# ---------------------------------------------------------------- not differentiable
for _name, _fn in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
                   ("logical_and", np.logical_and), ("logical_or", np.logical_or),
                   ("logical_xor", np.logical_xor), ("bitwise_and", np.bitwise_and),
                   ("bitwise_or", np.bitwise_or), ("bitwise_xor", np.bitwise_xor)):
    op(_name, "", (lambda f: lambda a, b: (f(a, b), ()))(_fn), differentiable=False)
op("floor_divide", "torch::autograd::NotImplemented",
   lambda a, b: (_integer_safe(np.floor_divide, a, b), ()), (lambda g: None, lambda g: None),
   rules=("not differentiable", "not differentiable"))
for _name, _fn in (("floor", np.floor), ("ceil", np.ceil), ("round", np.round),
                   ("trunc", np.trunc), ("sign", np.sign)):
    op(_name, _name.capitalize() + "Backward0", (lambda f: lambda a: (f(a), ()))(_fn),
       (lambda g: np.zeros_like(g),), rules=("d/da = 0 almost everywhere",))
op("logical_not", "", lambda a: (np.logical_not(a), ()), differentiable=False)
op("bitwise_not", "", lambda a: (np.invert(a), ()), differentiable=False)


def _repeat_grad(g: np.ndarray, repeats: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    lead = len(repeats) - len(shape)
    full_shape = (1,) * lead + tuple(shape)
    split = []
    for r, s in zip(repeats, full_shape, strict=True):
        split += [r, s]
    g = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
    return g.reshape(shape)



# ---------------------------------------------------------------- more elementwise functions
# Forwards of float32 transcendentals: float64 then rounded (``_wide``); torch's SLEEF/MKL
# kernels land on the same float32 almost always, not always (the README's known differences).
# Gradients follow derivatives.yaml's grouping op for op, constants in the input's dtype.
_erf_each = np.frompyfunc(math.erf, 1, 1)


def _erf64(a: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_each(a), dtype=np.float64)


_atan, _asin, _acos = _wide(np.arctan), _wide(np.arcsin), _wide(np.arccos)
_sinh, _cosh, _expm1 = _wide(np.sinh), _wide(np.cosh), _wide(np.expm1)
_exp2, _log2, _log10 = _wide(np.exp2), _wide(np.log2), _wide(np.log10)


def _erf(a: np.ndarray) -> np.ndarray:
    return _erf64(a.astype(np.float64)).astype(a.dtype)


def _rsqrt(a: np.ndarray) -> np.ndarray:
    """torch's rsqrt kernel: ``1 / sqrt(a)``, two roundings."""
    return 1 / np.sqrt(a)


def _logsumexp(a: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """torch's ``logsumexp_out_impl``: ``log(sum(exp(a - m))) + m`` with ``m`` the max along
    ``dims`` (0 where that max is infinite, so all -inf gives -inf, not nan)."""
    if a.ndim == 0:
        return a.copy()
    if a.size == 0:
        return _log(np.asarray(np.sum(_exp(a), axis=dims, keepdims=keepdim)))
    m = np.amax(a, axis=dims, keepdims=True)
    m = np.where(np.abs(m) == np.inf, 0, m).astype(a.dtype, copy=False)
    total = np.asarray(_sum(_exp(a - m), dims, keepdim), dtype=a.dtype)
    return _log(total) + (m if keepdim else np.squeeze(m, dims))


def _logsumexp_grad(g: Any, a: np.ndarray, dims: tuple[int, ...], keepdim: bool,
                    r: np.ndarray) -> np.ndarray:
    """torch's ``logsumexp_backward``: ``grad * exp(a - result)``, both unsqueezed."""
    if not keepdim and a.ndim:
        g, r = np.expand_dims(g, dims), np.expand_dims(r, dims)
    return g * _exp(a - r)


def _softplus(a: np.ndarray, beta: Any, threshold: Any) -> np.ndarray:
    """``log1p(exp(a*beta)) / beta``, or ``a`` itself where ``a*beta > threshold``."""
    t = a.dtype.type
    ab = a * t(beta)
    return np.where(ab > t(threshold), a, _log1p(_exp(ab)) / t(beta)).astype(a.dtype, copy=False)


def _softplus_grad(g: Any, a: np.ndarray, beta: Any, threshold: Any) -> np.ndarray:
    """torch's ``softplus_backward``: ``z = exp(a*beta)``; ``g * z / (z + 1)``, or ``g``
    above the threshold."""
    t = a.dtype.type
    ab = a * t(beta)
    z = _exp(ab)
    return np.where(ab > t(threshold), g, g * z / (z + 1))


def _elu_coefs(dtype: np.dtype, alpha: Any, scale: Any, input_scale: Any) -> tuple:
    t = dtype.type
    return t(alpha) * t(scale), t(scale), t(input_scale)  # negcoef, poscoef, negiptcoef


def _elu(a: np.ndarray, alpha: Any, scale: Any, input_scale: Any) -> np.ndarray:
    """``expm1(a * input_scale) * alpha * scale`` where ``a <= 0``, else ``a * scale``."""
    neg, pos, inp = _elu_coefs(a.dtype, alpha, scale, input_scale)
    return np.where(a <= 0, _expm1(a * inp) * neg, a * pos).astype(a.dtype, copy=False)


def _elu_grad(g: Any, x: np.ndarray, alpha: Any, scale: Any, input_scale: Any,
              is_result: bool) -> np.ndarray:
    """torch's ``elu_backward``, from the input (EluBackward0) or the result (in place,
    EluBackward1): ``g * input_scale * alpha*scale * exp(x * input_scale)`` resp.
    ``g * input_scale * (result + alpha*scale)`` where ``x <= 0``; ``g * scale`` elsewhere."""
    neg, pos, inp = _elu_coefs(x.dtype, alpha, scale, input_scale)
    if is_result:
        inside = g * inp * (x + neg)
    else:
        inside = g * inp * neg * _exp(x * inp)
    return np.where(x <= 0, inside, g * pos)


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 2 / math.sqrt(math.pi) * _SQRT1_2 * 0.5  # M_2_SQRTPI * M_SQRT1_2 * 0.5
_GELU_BETA = math.sqrt(2) * 2 / math.sqrt(math.pi) * 0.5  # M_SQRT2 * M_2_SQRTPI * 0.5
_GELU_KAPPA = 0.044715


def _gelu_tanh_inner(x: np.ndarray) -> np.ndarray:
    t = x.dtype.type
    return t(_GELU_BETA) * (x + t(_GELU_KAPPA) * (x * x * x))


def _gelu(a: np.ndarray, approximate: str) -> np.ndarray:
    """``x/2 * (1 + erf(x/sqrt 2))``; with ``'tanh'``,
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`` (torch's kernel grouping)."""
    t = a.dtype.type
    if approximate == "tanh":
        return (t(0.5) * a) * (1 + _tanh(_gelu_tanh_inner(a)))
    return (a * t(0.5)) * (1 + _erf(a * t(_SQRT1_2)))


def _gelu_grad(g: Any, x: np.ndarray, approximate: str) -> np.ndarray:
    """torch's ``gelu_backward``: ``g * (cdf + x * pdf)``; the tanh form's derivative
    ``g * (0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) * beta (1 + 3 kappa x^2))``."""
    t = x.dtype.type
    if approximate == "tanh":
        x_sq = x * x
        tanh_inner = _tanh(t(_GELU_BETA) * (x + t(_GELU_KAPPA) * (x_sq * x)))
        left = t(0.5) * x
        left_derivative = t(0.5) * (1 + tanh_inner)
        tanh_derivative = 1 - tanh_inner * tanh_inner
        inner_derivative = t(_GELU_BETA) * (1 + t(3) * t(_GELU_KAPPA) * x_sq)
        return g * (left_derivative + left * tanh_derivative * inner_derivative)
    cdf = t(0.5) * (1 + _erf(x * t(_SQRT1_2)))
    pdf = t(_GELU_PDF) * _exp(x * x * t(-0.5))
    return g * (cdf + x * pdf)


def _silu_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + _exp(-x))


def _silu_grad(g: Any, x: np.ndarray) -> Any:
    """torch's ``silu_backward``: ``g * s * (1 + x * (1 - s))``, s = sigmoid(x). In float32 the
    scalar loop (the tail after whole blocks of two vectors: every value of a small tensor)
    is compiled with the inner multiply-add fused (one rounding); the vector loop is not."""
    s = _silu_sigmoid(x)
    plain = g * s * (1 + x * (1 - s))
    if x.dtype != np.float32 or np.shape(g) != x.shape or not x.flags.c_contiguous:
        return plain
    block = 2 * softmax_kernels.LANES
    tail = x.size % block
    if not tail:
        return plain
    fx, fs, fg = x.reshape(-1)[-tail:], s.reshape(-1)[-tail:], np.ravel(g)[-tail:]
    fused = (fx.astype(np.float64) * (1 - fs) + 1).astype(np.float32)
    out = np.array(plain).reshape(-1)
    out[-tail:] = fg * fs * fused
    return out.reshape(x.shape)


def _mish_tanh(x: np.ndarray) -> np.ndarray:
    return _tanh(_log1p(_exp(x)))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

op("atan", "AtanBackward0", lambda a: (_atan(a), (a,)), (lambda g, a: g / (a * a + 1),),
   saves=("self",), rules=("d(atan a)/da = 1/(1+a^2)",))
op("asin", "AsinBackward0", lambda a: (_asin(a), (a,)),
   (lambda g, a: g * _rsqrt(-a * a + 1),), saves=("self",),
   rules=("d(asin a)/da = 1/sqrt(1-a^2)",))
op("acos", "AcosBackward0", lambda a: (_acos(a), (a,)),
   (lambda g, a: g * -_rsqrt(-a * a + 1),), saves=("self",),
   rules=("d(acos a)/da = -1/sqrt(1-a^2)",))
op("sinh", "SinhBackward0", lambda a: (_sinh(a), (a,)), (lambda g, a: g * _cosh(a),),
   saves=("self",), rules=("d(sinh a)/da = cosh a",))
op("cosh", "CoshBackward0", lambda a: (_cosh(a), (a,)), (lambda g, a: g * _sinh(a),),
   saves=("self",), rules=("d(cosh a)/da = sinh a",))
op("exp2", "Exp2Backward0", lambda a: ((r := _exp2(a)), (r,)),
   (lambda g, r: g * r * r.dtype.type(math.log(2)),), saves=("result",),
   rules=("d(2^a)/da = 2^a * ln 2",))
op("expm1", "Expm1Backward0", lambda a: ((r := _expm1(a)), (r,)), (lambda g, r: g * (r + 1),),
   saves=("result",), rules=("d(e^a - 1)/da = e^a",))
op("log2", "Log2Backward0", lambda a: (_log2(a), (a,)),
   (lambda g, a: g / (a * a.dtype.type(math.log(2))),), saves=("self",),
   rules=("d(log2 a)/da = 1/(a ln 2)",))
op("log10", "Log10Backward0", lambda a: (_log10(a), (a,)),
   (lambda g, a: g / (a * a.dtype.type(math.log(10))),), saves=("self",),
   rules=("d(log10 a)/da = 1/(a ln 10)",))
op("erf", "ErfBackward0", lambda a: (_erf(a), (a,)),
   (lambda g, a: a.dtype.type(2 / math.sqrt(math.pi)) * _exp(-(a * a)) * g,),
   saves=("self",), rules=("d(erf a)/da = 2/sqrt(pi) * exp(-a^2)",))
op("logsumexp", "LogsumexpBackward0",
   lambda a, dim, keepdim: ((r := _logsumexp(a, dim, keepdim)), (a, dim, keepdim, r)),
   (_logsumexp_grad,), saves=("self", "dim", "keepdim", "result"), keeps=("dim", "keepdim"),
   rules=("d(logsumexp a)/da_i = exp(a_i - logsumexp a) (the softmax)",))

# ---------------------------------------------------------------- more activations
op("softplus", "SoftplusBackward0",
   lambda a, beta, threshold: (_softplus(a, beta, threshold), (a, beta, threshold)),
   (_softplus_grad,), saves=("self", "beta", "threshold"), keeps=("beta", "threshold"),
   rules=("d(softplus a)/da = sigmoid(beta*a) (1 above the threshold)",))
op("elu", "EluBackward0",
   lambda a, alpha, scale, input_scale: (_elu(a, alpha, scale, input_scale),
                                         (a, alpha, scale, input_scale)),
   (lambda g, a, alpha, scale, inp: _elu_grad(g, a, alpha, scale, inp, False),),
   saves=("self", "alpha", "scale", "input_scale"), keeps=("alpha", "scale", "input_scale"),
   rules=("scale where a > 0, else scale*alpha*exp(a)",))
op("elu_result", "EluBackward1",
   lambda a, alpha, scale, input_scale: ((r := _elu(a, alpha, scale, input_scale)),
                                         (r, alpha, scale, input_scale)),
   (lambda g, r, alpha, scale, inp: _elu_grad(g, r, alpha, scale, inp, True),),
   saves=("result", "alpha", "scale", "input_scale"), keeps=("alpha", "scale", "input_scale"),
   rules=("scale where a > 0, else result + scale*alpha",))
op("gelu", "GeluBackward0",
   lambda a, approximate: (_gelu(a, approximate), (a, approximate)),
   (_gelu_grad,), saves=("self", "approximate"), keeps=("approximate",),
   rules=("d(x Phi(x))/dx = Phi(x) + x phi(x)",))
op("silu", "SiluBackward0", lambda a: (a / (1 + _exp(-a)), (a,)),
   (_silu_grad,), saves=("self",),
   rules=("d(a s(a))/da = s(a) (1 + a (1 - s(a)))",))
op("mish", "MishBackward0", lambda a: (a * _mish_tanh(a), (a,)),
   (lambda g, a: g * ((t := _mish_tanh(a)) + a * _silu_sigmoid(a) * (1 - t * t)),),
   saves=("self",), rules=("d(a tanh(softplus a))/da = t + a s(a) (1 - t^2)",))
op("hardtanh", "HardtanhBackward0",
   lambda a, min_val, max_val: (_clamp(a, min_val, max_val), (a, min_val, max_val)),
   (lambda g, a, lo, hi: np.where((a <= lo) | (a >= hi), 0, g),),
   saves=("self", "min_val", "max_val"), keeps=("min_val", "max_val"),
   rules=("1 strictly inside (min_val, max_val), else 0",))
op("hardsigmoid", "HardsigmoidBackward0",
   lambda a: (np.minimum(np.maximum(a + 3, 0), 6) / 6, (a,)),
   # torch's one_sixth is a float constant, in float64 too
   (lambda g, a: np.where((a > -3) & (a < 3), g * a.dtype.type(np.float32(1 / 6)), 0),),
   saves=("self",),
   rules=("1/6 where -3 < a < 3, else 0",))
op("hardswish", "HardswishBackward0",
   lambda a: (a * np.minimum(np.maximum(a + 3, 0), 6) / 6, (a,)),
   (lambda g, a: np.where(a <= -3, 0, np.where(a < 3, g * (a / 3 + a.dtype.type(0.5)), g)),),
   saves=("self",), rules=("0 up to -3, a/3 + 1/2 inside (-3, 3), else 1",))

# ---------------------------------------------------------------- ops of gradient graphs
# With create_graph=True the backward builds gradients from Tensor ops (``higher_order``), and
# torch's formulas use a few ops learner code rarely calls directly: the Scalar overloads
# (``grad * alpha`` is MulBackward1, not MulBackward0) and the fused *_backward kernels, whose
# own gradients a second backward needs.
op("mul_scalar", "MulBackward1", lambda a, other: (a * other, (other,)),
   (lambda g, other: g * other,), saves=("other",), keeps=("other",),
   rules=("d(a*c)/da = c",))
op("add_scalar", "AddBackward1", lambda a, other: (a + other, ()), (lambda g: g,),
   rules=("d(a+c)/da = 1",))
op("sub_scalar", "SubBackward1", lambda a, other: (a - other, ()), (lambda g: g,),
   rules=("d(a-c)/da = 1",))
op("sgn", "SgnBackward0", lambda a: (_sgn(a), ()), (lambda g: np.zeros_like(g),),
   rules=("d(sgn a)/da = 0",))
op("tanh_backward", "TanhBackwardBackward0", lambda g, r: (_tanh_grad(g, r), (g, r)),
   (lambda gg, g, r: _tanh_grad(gg, r), lambda gg, g, r: gg * ((-2 * r) * g)),
   saves=("grad_output", "output"), uses=(("output",), ("grad_output", "output")),
   rules=("d(g*(1-y^2))/dg = 1-y^2", "d(g*(1-y^2))/dy = -2*y*g"))
op("sigmoid_backward", "SigmoidBackwardBackward0", lambda g, r: (g * (1 - r) * r, (g, r)),
   (lambda gg, g, r: gg * (1 - r) * r, lambda gg, g, r: (gg * g) * (-2 * r + 1)),
   saves=("grad_output", "output"), uses=(("output",), ("grad_output", "output")),
   rules=("d(g*(1-y)*y)/dg = (1-y)*y", "d(g*(1-y)*y)/dy = g*(1-2y)"))
op("threshold_backward", "ThresholdBackwardBackward0",
   lambda g, a, threshold: (np.where(a <= threshold, 0, g), (a, threshold)),
   (lambda gg, a, threshold: np.where(a <= threshold, 0, gg),
    lambda gg, a, threshold: np.zeros_like(gg)),
   saves=("self", "threshold"), keeps=("threshold",),
   rules=("1 where a > threshold, else 0", "d/da = 0 almost everywhere"))
