"""Distances and similarities: ``cosine_similarity`` and ``pairwise_distance`` (torch's and
``F``'s), and ``torch.cdist``. The first two are made of the same ops as torch's C++
(Distance.cpp), so their graphs are torch's node for node: ``SumBackward1`` of ``MulBackward0``
of two ``DivBackward0`` by a cloned ``LinalgVectorNormBackward0``; ``NormBackward1`` of
``AddBackward1`` (the eps) of ``SubBackward0``."""

from __future__ import annotations

import numpy as np

from gradtui.engine.dims import normalize_dim
from gradtui.engine.dispatch import apply, broadcast_shape, promote
from gradtui.engine.functional import norm
from gradtui.engine.grad_mode import no_grad
from gradtui.engine.ops import OPS
from gradtui.engine.tensor import Tensor
from gradtui.engine.views import expand


def _cpp_double(value: float) -> str:
    """A double as C++ streams print it (``-1``, ``0.5``, ``1e-08``)."""
    return f"{value:g}"


def _expand_outplace(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """torch's ``expand_outplace``: both expanded to the common shape unless the shapes are
    already equal (then neither is, and no ExpandBackward0 appears)."""
    if a._array.shape == b._array.shape:
        return a, b
    shape = broadcast_shape(a._array.shape, b._array.shape)
    return expand(a, shape), expand(b, shape)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 * x2, dim) / (|x1| |x2|)``, computed as torch does: each input divided by its
    norm (clamped at ``eps``) first, then the products summed."""
    common = promote((x1, x2))
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{common.short_name}")
    if eps < 0:
        raise RuntimeError(f"eps must be non-negative, got: {_cpp_double(eps)}")
    x1 = x1 if x1.is_floating_point() else x1.to(common)
    x2 = x2 if x2.is_floating_point() else x2.to(common)
    x1, x2 = _expand_outplace(x1, x2)
    n1 = norm(x1, 2, dim, keepdim=True).clone()
    n2 = norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():  # in place, outside the graph (the clones are what the divisions save)
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim (torch.norm, NormBackward1)."""
    ndim = max(x1._array.ndim, x2._array.ndim)
    diff = x1 - x2
    if diff.is_floating_point():
        shifted = apply(OPS["add_scalar"], (diff,), other=eps)  # C++'s Tensor + double
    else:
        shifted = diff + eps
    arr = shifted._array
    dim = normalize_dim(ndim - 1, arr.ndim) if arr.ndim else None
    return apply(OPS["norm_p"], (shifted,), p=float(p), dim=None if dim is None else (dim,),
                 keepdim=keepdim)



_COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                  "donot_use_mm_for_euclid_dist": 2}


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 (..., r1, m) and each row of x2
    (..., r2, m): a (..., r1, r2) tensor. Euclidean distances between more than 25 rows go
    through one matrix product (EuclideanDistBackward0, then a view), as in torch; the rest
    through torch's pairwise kernel (CdistBackward0)."""
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _COMPUTE_MODES[compute_mode]
    a, b = x1._array, x2._array
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: "
                           f"{a.shape[-1]} X2: {b.shape[-1]}")
    for name, x in (("X1", x1), ("X2", x1)):  # torch checks x1's dtype twice
        if not x.is_floating_point():
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{x.dtype.short_name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype.short_name} but found "
                           f"{x2.dtype.short_name}")
    batch = broadcast_shape(a.shape[:-2], b.shape[:-2])
    r1, r2 = a.shape[-2], b.shape[-2]
    shape = (*batch, r1, r2)
    euclid = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if euclid and a.size and b.size:
        if batch:
            x1, x2 = expand(x1, (*batch, *a.shape[-2:])), expand(x2, (*batch, *b.shape[-2:]))
        return apply(OPS["euclidean_dist"], (x1, x2)).view(shape)
    arrays = (np.broadcast_to(a, (*batch, *a.shape[-2:])),
              np.broadcast_to(b, (*batch, *b.shape[-2:])))
    return apply(OPS["cdist"], (x1, x2), arrays, p=float(p))
