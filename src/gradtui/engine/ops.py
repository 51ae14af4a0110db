"""The op table: every op the engine can run, one row each, with the derivative of each input.

A row, in the spirit of PyTorch's ``tools/autograd/derivatives.yaml``::

    op("mul", "MulBackward0", lambda self, other: (self * other, (self, other)),
       saved=("self", "other"), higher_order=True, derivatives=(
           wrt("self", "d(a*b)/da = b", lambda grad, self, other: times(grad, other, ...)),
           wrt("other", "d(a*b)/db = a", lambda grad, self, other: times(grad, self, ...))))

- **name**: our name for the row; the engine finds it as ``OPS["mul"]``.
- **grad_fn**: torch 2.13's grad_fn class name, copied from real torch, never derived (torch
  numbers them by file order: ``PowBackward0`` is tensor**number, ``PowBackward1`` is
  tensor**tensor).
- **forward**: ``(*inputs, **params) -> (result, saved)``, numpy in, numpy out. The inputs are
  the op's edges in the graph (arrays, or Python numbers torch treats as constants), named as
  torch names them (``self``, ``other``...); params are options that are not edges (``dim``,
  ``exponent``...). ``saved`` is what the backward needs, in the order of ``saved=``.
- **saved**: torch's names of the saved values (``self``, ``other``, ``result``, ``dim``...),
  what ``grad_fn._saved_self`` & co return and the graph panel shows.
- **plain**: the saved values that are plain data (numbers, dims, shapes), not tensors:
  ``backward()`` frees saved tensors (a second backward then raises torch's error); these stay.
- **derivatives**: one ``wrt(input, rule, formula)`` per input, in input order:
    - *rule*: the local derivative in words, shown by the step-by-step backward (``:step``);
    - *formula*: ``(grad, *saved) -> gradient of that input`` (None: no gradient), ``grad``
      being the gradient of the result. The backward walk (``walk.py``) calls it only for
      inputs that need a gradient, and sums what it returns back to the input's shape.
    - *reads* (optional): the saved values the formula reads, where that is not all of them.
      torch saves (and version-checks) a value only when an input that reads it requires
      grad: ``x * 2`` does not keep ``x``, so changing x in place later is no error there.
  ``variadic`` rows (cat, stack) have one derivative for all inputs, ``(grad, i, *saved)``.
- **higher_order**: the formulas are written in the words of ``formulas`` (operators, and
  functions such as ``mul_scalar``), so they also run on Tensors: ``create_graph=True`` works
  through this op, with torch's nodes. Other rows' formulas are numpy only.
- **view**: the result shares memory (and the version counter) with the first input.

Formulas show the math; where torch's rounding or speed needs more than numpy's arithmetic,
they call a named kernel (``gradtui.engine.kernels``: ``times`` is ``grad * other``, computed
faster for a gradient spread over a big array; ``mm_mat1_backward`` sums in MKL's order...).

To add an op: add a row below (copy torch's grad_fn name from real torch), call it through
``dispatch.apply(OPS[name], inputs, **params)`` from the function that checks the arguments
(``functional.py``), and give ``tests/engine/test_ops.py`` a gradient case for it.
Every forward (``dispatch.apply``) and every formula (``walk.py``) runs with numpy's
floating-point warnings off: torch answers 1/0 and log(-1) with inf and nan silently.
"""

from __future__ import annotations

import math

import numpy as np

from gradtui.engine.formulas import (
    add_scalar,
    cos,
    div_scalar,
    expand,
    maybe_multiply,
    mean_backward,
    mean_dim_backward,
    mm_mat1_backward,
    mm_mat2_backward,
    mul_scalar,
    permute,
    pow_backward,
    pow_backward_exponent,
    pow_backward_self,
    rpow_backward,
    sgn,
    sigmoid_backward,
    sin,
    squeeze,
    sum_backward,
    sum_to,
    t,
    tanh_backward,
    threshold_backward,
    transpose,
    unsqueeze_to,
    where,
    zeros_like,
)
from gradtui.engine.kernels import cdist, losses, matmul, moments, unary
from gradtui.engine.kernels import elementwise as ew
from gradtui.engine.kernels import pointwise_losses as pl
from gradtui.engine.kernels import reductions as red
from gradtui.engine.kernels import shapes as sh
from gradtui.engine.kernels import softmax as sm
from gradtui.engine.kernels.spread import times
from gradtui.engine.op_schema import OPS, Op, op, wrt

__all__ = ["OPS", "Op"]

def _cross(a: np.ndarray, b: np.ndarray, dim: int) -> np.ndarray:
    """The cross product of the 3-vectors along ``dim`` (broadcast over the other dims)."""
    return np.moveaxis(np.cross(np.moveaxis(a, dim, -1), np.moveaxis(b, dim, -1)), -1, dim)


# ================================================================ arithmetic
op("add", "AddBackward0",
   lambda self, other, alpha=1: (self + other if alpha == 1 else self + alpha * other, (alpha,)),
   saved=("alpha",), plain=("alpha",), higher_order=True, derivatives=(
       wrt("self", "d(a+b)/da = 1", lambda grad, alpha: grad),
       wrt("other", "d(a+b)/db = 1", lambda grad, alpha: maybe_multiply(grad, alpha))))
op("sub", "SubBackward0",
   lambda self, other, alpha=1: (self - other if alpha == 1 else self - alpha * other, (alpha,)),
   saved=("alpha",), plain=("alpha",), higher_order=True, derivatives=(
       wrt("self", "d(a-b)/da = 1", lambda grad, alpha: grad),
       wrt("other", "d(a-b)/db = -1", lambda grad, alpha: maybe_multiply(-grad, alpha))))
op("rsub", "RsubBackward1", lambda self, other, alpha=1: (other - alpha * self, (alpha,)),
   saved=("alpha",), plain=("alpha",), higher_order=True, derivatives=(
       wrt("self", "d(c-a)/da = -1", lambda grad, alpha: maybe_multiply(-grad, alpha)),))
op("rsub_tensor", "RsubBackward0",
   lambda self, other, alpha=1: (other - self if alpha == 1 else other - alpha * self, (alpha,)),
   saved=("alpha",), plain=("alpha",), higher_order=True, derivatives=(
       wrt("self", "d(b-a)/da = -1", lambda grad, alpha: maybe_multiply(-grad, alpha)),
       wrt("other", "d(b-a)/db = 1", lambda grad, alpha: grad)))
op("mul", "MulBackward0", lambda self, other: (self * other, (self, other)),
   saved=("self", "other"), higher_order=True, derivatives=(
       wrt("self", "d(a*b)/da = b", reads=("other",),
           formula=lambda grad, self, other: times(grad, other, self is other)),
       wrt("other", "d(a*b)/db = a", reads=("self",),
           formula=lambda grad, self, other: times(grad, self, self is other))))
op("div", "DivBackward0", lambda self, other: (self / other, (self, other)),
   saved=("self", "other"), higher_order=True, derivatives=(
       wrt("self", "d(a/b)/da = 1/b", lambda grad, self, other: grad / other, reads=("other",)),
       wrt("other", "d(a/b)/db = -a/b^2", reads=("self", "other"),  # torch's grouping
           formula=lambda grad, self, other: -grad * ((self / other) / other))))
op("reciprocal", "ReciprocalBackward0", lambda self: ((result := 1 / self), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(1/a)/da = -1/a^2", lambda grad, result: -grad * (result * result)),))
op("neg", "NegBackward0", lambda self: (-self, ()), higher_order=True, derivatives=(
    wrt("self", "d(-a)/da = -1", lambda grad: -grad),))
op("pow", "PowBackward0",
   lambda self, exponent: (ew.scalar_pow(self, exponent), (self, exponent)),
   saved=("self", "exponent"), plain=("exponent",), higher_order=True, derivatives=(
       wrt("self", "d(a^n)/da = n*a^(n-1)", pow_backward),))
op("pow_tensor", "PowBackward1",
   lambda self, exponent: ((result := ew.power(self, exponent)), (self, exponent, result)),
   saved=("self", "exponent", "result"), higher_order=True, derivatives=(
       wrt("self", "d(a^b)/da = b*a^(b-1)", reads=("self", "exponent"),
           formula=lambda grad, self, exponent, result: pow_backward_self(grad, self, exponent)),
       wrt("exponent", "d(a^b)/db = a^b*log(a)", pow_backward_exponent)))
op("rpow", "PowBackward2",  # number ** tensor: torch's "self" is the number
   lambda exponent, base: ((result := ew.power(base, exponent)), (base, result)),
   saved=("self", "result"), plain=("self",), higher_order=True, derivatives=(
       wrt("exponent", "d(c^a)/da = c^a*log(c)", rpow_backward),))
op("mul_scalar", "MulBackward1", lambda self, other: (self * other, (other,)),
   saved=("other",), plain=("other",), higher_order=True, derivatives=(
       wrt("self", "d(a*c)/da = c", lambda grad, other: mul_scalar(grad, other)),))
op("div_scalar", "DivBackward1", lambda self, other: (self / other, (other,)),
   saved=("other",), plain=("other",), higher_order=True, derivatives=(
       wrt("self", "d(a/c)/da = 1/c", lambda grad, other: div_scalar(grad, other)),))
op("add_scalar", "AddBackward1", lambda self, other: (self + other, ()), higher_order=True,
   derivatives=(wrt("self", "d(a+c)/da = 1", lambda grad: grad),))
op("sub_scalar", "SubBackward1", lambda self, other: (self - other, ()), higher_order=True,
   derivatives=(wrt("self", "d(a-c)/da = 1", lambda grad: grad),))
op("remainder", "RemainderBackward0",  # a number divisor
   lambda self, other: (ew.integer_safe(np.remainder, self, other), ()), derivatives=(
       wrt("self", "d(a mod c)/da = 1", lambda grad: grad),
       wrt("other", "a number: no gradient", lambda grad: None)))
op("remainder_tensor", "RemainderBackward1",
   lambda self, other: (ew.integer_safe(np.remainder, self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "d(a mod b)/da = 1", lambda grad, self, other: grad, reads=()),
       wrt("other", "d(a mod b)/db = -floor(a/b)",
           lambda grad, self, other: -grad * np.floor_divide(self, other))))
op("fmod", "FmodBackward0",  # C's remainder: the sign of the dividend
   lambda self, other: (ew.integer_safe(np.fmod, self, other), ()), derivatives=(
       wrt("self", "d(fmod(a, c))/da = 1", lambda grad: grad),
       wrt("other", "a number: no gradient", lambda grad: None)))
op("fmod_tensor", "FmodBackward1",
   lambda self, other: (ew.integer_safe(np.fmod, self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "d(fmod(a, b))/da = 1", lambda grad, self, other: grad, reads=()),
       wrt("other", "d(fmod(a, b))/db = -trunc(a/b)",
           lambda grad, self, other: -grad * np.trunc(self / other))))

# ================================================================ elementwise functions
# float32 transcendentals round like torch's through ``ew`` (float64 then rounded, or a SLEEF
# port); gradients follow derivatives.yaml's grouping op for op, constants in the input's dtype
op("exp", "ExpBackward0", lambda self: ((result := ew.exp(self)), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(e^a)/da = e^a", lambda grad, result: grad * result),))
op("log", "LogBackward0", lambda self: (ew.log(self), (self,)),
   saved=("self",), higher_order=True, derivatives=(
       wrt("self", "d(log a)/da = 1/a", lambda grad, self: grad / self),))
op("xlogy", "XlogyBackward0", lambda self, other: (ew.xlogy(self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "d(a log b)/da = log b (0 where a = 0)",
           lambda grad, self, other: grad * ew.xlogy(self != 0, other)),
       wrt("other", "d(a log b)/db = a/b", lambda grad, self, other: grad * self / other)))
op("log1p", "Log1PBackward0", lambda self: (ew.log1p(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(log(1+a))/da = 1/(1+a)", lambda grad, self: grad / (self + 1)),))
op("sqrt", "SqrtBackward0", lambda self: ((result := np.sqrt(self)), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(sqrt a)/da = 1/(2*sqrt a)",
           lambda grad, result: grad / mul_scalar(result, 2)),))
op("rsqrt", "RsqrtBackward0", lambda self: ((result := ew.rsqrt(self)), (result,)),
   saved=("result",), derivatives=(  # torch: -0.5 * grad * result.pow(3)
       wrt("self", "d(a^-1/2)/da = -a^-3/2/2",
           lambda grad, result: (-0.5 * grad) * ((result * result) * result)),))
op("sin", "SinBackward0", lambda self: (ew.sin(self), (self,)),
   saved=("self",), higher_order=True, derivatives=(
       wrt("self", "d(sin a)/da = cos a", lambda grad, self: grad * cos(self)),))
op("cos", "CosBackward0", lambda self: (ew.cos(self), (self,)),
   saved=("self",), higher_order=True, derivatives=(
       wrt("self", "d(cos a)/da = -sin a", lambda grad, self: grad * -sin(self)),))
op("tanh", "TanhBackward0", lambda self: ((result := ew.tanh(self)), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(tanh a)/da = 1 - tanh(a)^2", tanh_backward),))
op("sigmoid", "SigmoidBackward0", lambda self: ((result := ew.sigmoid(self)), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(s(a))/da = s(a)*(1-s(a))", sigmoid_backward),))
op("abs", "AbsBackward0", lambda self: (np.abs(self), (self,)),
   saved=("self",), higher_order=True, derivatives=(
       wrt("self", "d|a|/da = sign(a)", lambda grad, self: grad * sgn(self)),))
op("sgn", "SgnBackward0", lambda self: (ew.sgn(self), ()), higher_order=True, derivatives=(
    wrt("self", "d(sgn a)/da = 0", lambda grad: zeros_like(grad)),))
op("atan", "AtanBackward0", lambda self: (ew.atan(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(atan a)/da = 1/(1+a^2)",
                    lambda grad, self: grad / (self * self + 1)),))
op("asin", "AsinBackward0", lambda self: (ew.asin(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(asin a)/da = 1/sqrt(1-a^2)",
                    lambda grad, self: grad * ew.rsqrt(-self * self + 1)),))
op("acos", "AcosBackward0", lambda self: (ew.acos(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(acos a)/da = -1/sqrt(1-a^2)",
                    lambda grad, self: grad * -ew.rsqrt(-self * self + 1)),))
op("sinh", "SinhBackward0", lambda self: (ew.sinh(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(sinh a)/da = cosh a", lambda grad, self: grad * ew.cosh(self)),))
op("cosh", "CoshBackward0", lambda self: (ew.cosh(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(cosh a)/da = sinh a", lambda grad, self: grad * ew.sinh(self)),))
op("exp2", "Exp2Backward0", lambda self: ((result := ew.exp2(self)), (result,)),
   saved=("result",), derivatives=(
       wrt("self", "d(2^a)/da = 2^a * ln 2",
           lambda grad, result: grad * result * result.dtype.type(math.log(2))),))
op("expm1", "Expm1Backward0", lambda self: ((result := ew.expm1(self)), (result,)),
   saved=("result",), derivatives=(
       wrt("self", "d(e^a - 1)/da = e^a", lambda grad, result: grad * (result + 1)),))
op("log2", "Log2Backward0", lambda self: (ew.log2(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(log2 a)/da = 1/(a ln 2)",
                    lambda grad, self: grad / (self * self.dtype.type(math.log(2)))),))
op("log10", "Log10Backward0", lambda self: (ew.log10(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(log10 a)/da = 1/(a ln 10)",
                    lambda grad, self: grad / (self * self.dtype.type(math.log(10)))),))
op("erf", "ErfBackward0", lambda self: (ew.erf(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(erf a)/da = 2/sqrt(pi) * exp(-a^2)",
                    lambda grad, self: self.dtype.type(2 / math.sqrt(math.pi))
                    * ew.exp(-(self * self)) * grad),))
op("clamp", "ClampBackward1",
   lambda self, min=None, max=None: (ew.clamp(self, min, max), (self, min, max)),
   saved=("self", "min", "max"), plain=("min", "max"), derivatives=(
       wrt("self", "d(clamp a)/da = 1 inside [min, max], else 0",
           lambda grad, self, min, max: np.where(
               (self >= (-np.inf if min is None else min))
               & (self <= (np.inf if max is None else max)), grad, 0)),))
op("clamp_tensor", "ClampBackward0",
   lambda self, min, max: (ew.clamp(self, min, max), (self, min, max)),
   saved=("self", "min", "max"), derivatives=(
       wrt("self", "1 inside [min, max], else 0",
           lambda grad, self, min, max: np.where(((self >= min) if min is not None else True)
                                                 & ((self <= max) if max is not None else True),
                                                 grad, 0)),
       wrt("min", "1 where a < min", lambda grad, self, min, max: np.where(self < min, grad, 0)),
       wrt("max", "1 where a > max", lambda grad, self, min, max: np.where(self > max, grad, 0))))
op("maximum", "MaximumBackward0", lambda self, other: (np.maximum(self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "1 where a > b (1/2 on ties)", lambda grad, self, other: np.where(
           self > other, grad, np.where(self == other, grad / 2, 0))),
       wrt("other", "1 where b > a (1/2 on ties)", lambda grad, self, other: np.where(
           other > self, grad, np.where(self == other, grad / 2, 0)))))
op("minimum", "MinimumBackward0", lambda self, other: (np.minimum(self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "1 where a < b (1/2 on ties)", lambda grad, self, other: np.where(
           self < other, grad, np.where(self == other, grad / 2, 0))),
       wrt("other", "1 where b < a (1/2 on ties)", lambda grad, self, other: np.where(
           other < self, grad, np.where(self == other, grad / 2, 0)))))

# ================================================================ reductions
op("sum", "SumBackward0", lambda self: (np.asarray(red.sum_like_torch(self)), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), higher_order=True, derivatives=(
       wrt("self", "d(sum a)/da_i = 1",
           lambda grad, self_sym_sizes: expand(grad, self_sym_sizes)),))
op("sum_dim", "SumBackward1",
   lambda self, dim, keepdim: (np.asarray(red.sum_like_torch(self, dim, keepdim)),
                               (dim, keepdim, self.shape)),
   saved=("dim", "keepdim", "self_sym_sizes"), plain=("dim", "keepdim", "self_sym_sizes"),
   higher_order=True, derivatives=(wrt("self", "d(sum a)/da_i = 1", sum_backward),))
op("mean", "MeanBackward0", lambda self: (red.mean_all(self), (self.size, self.shape)),
   saved=("self_sym_numel", "self_sym_sizes"), plain=("self_sym_numel", "self_sym_sizes"),
   higher_order=True, derivatives=(
       wrt("self", "d(mean a)/da_i = 1/n", lambda grad, self_sym_numel, self_sym_sizes:
           mean_backward(grad, self_sym_sizes, self_sym_numel)),))
op("mean_dim", "MeanBackward1",
   lambda self, dim, keepdim: (red.mean_dims(self, dim, keepdim),
                               (dim, keepdim, self.shape, red.count(self.shape, dim))),
   saved=("dim", "keepdim", "self_sym_sizes", "self_sym_numel"),
   plain=("dim", "keepdim", "self_sym_sizes", "self_sym_numel"), higher_order=True,
   derivatives=(wrt("self", "d(mean a)/da_i = 1/n", mean_dim_backward),))
op("prod", "ProdBackward0", lambda self: ((result := np.asarray(self.prod())), (self, result)),
   saved=("self", "result"), derivatives=(
       wrt("self", "d(prod a)/da_i = prod of the others", red.prod_backward),))
op("cumsum", "CumsumBackward0", lambda self, dim: (np.cumsum(self, axis=dim), (dim,)),
   saved=("dim",), plain=("dim",), derivatives=(
       wrt("self", "d(cumsum a)_j/da_i = 1 for j >= i", red.cumsum_backward),))
op("logsumexp", "LogsumexpBackward0",
   lambda self, dim, keepdim: ((result := red.logsumexp(self, dim, keepdim)),
                               (self, dim, keepdim, result)),
   saved=("self", "dim", "keepdim", "result"), plain=("dim", "keepdim"), derivatives=(
       wrt("self", "d(logsumexp a)/da_i = exp(a_i - logsumexp a) (the softmax)",
           red.logsumexp_backward),))
op("max", "MaxBackward1", lambda self: ((result := np.asarray(self.max())), (self, result)),
   saved=("self", "result"), derivatives=(
       wrt("self", "1 at the maximum (shared among ties), else 0", red.evenly_distribute),))
op("min", "MinBackward1", lambda self: ((result := np.asarray(self.min())), (self, result)),
   saved=("self", "result"), derivatives=(
       wrt("self", "1 at the minimum (shared among ties), else 0", red.evenly_distribute),))
op("max_dim", "MaxBackward0",
   lambda self, dim, keepdim: red.reduce_with_indices(np.argmax, self, dim, keepdim),
   saved=("indices", "dim", "keepdim", "self_sym_sizes"),
   plain=("dim", "keepdim", "self_sym_sizes"), derivatives=(
       wrt("self", "1 at the maximum along dim, else 0", red.scatter_to_indices),))
op("min_dim", "MinBackward0",
   lambda self, dim, keepdim: red.reduce_with_indices(np.argmin, self, dim, keepdim),
   saved=("indices", "dim", "keepdim", "self_sym_sizes"),
   plain=("dim", "keepdim", "self_sym_sizes"), derivatives=(
       wrt("self", "1 at the minimum along dim, else 0", red.scatter_to_indices),))
op("amax", "AmaxBackward0",
   lambda self, dim, keepdim: ((result := np.amax(self, axis=dim, keepdims=keepdim)),
                               (self, dim, keepdim, result)),
   saved=("self", "dim", "keepdim", "result"), plain=("dim", "keepdim"), derivatives=(
       wrt("self", "1 at the maximum along dim (shared among ties), else 0",
           red.amax_backward),))
op("amin", "AminBackward0",
   lambda self, dim, keepdim: ((result := np.amin(self, axis=dim, keepdims=keepdim)),
                               (self, dim, keepdim, result)),
   saved=("self", "dim", "keepdim", "result"), plain=("dim", "keepdim"), derivatives=(
       wrt("self", "1 at the minimum along dim (shared among ties), else 0",
           red.amax_backward),))
# var/std/norm round like torch's kernels (double-precision two-pass or Welford, the AVX2
# norm loop) and their gradients group like FunctionsManual.cpp: kernels/moments.py
op("norm", "LinalgVectorNormBackward0",
   lambda self, dim=None, keepdim=False: (
       (result := moments.vector_norm2(self, dim, keepdim)), (self, dim, keepdim, result)),
   saved=("self", "dim", "keepdim", "result"), plain=("dim", "keepdim"), derivatives=(
       wrt("self", "d|a|/da = a/|a|", moments.norm2_backward),))
op("norm_p", "NormBackward1",  # torch.norm(a, p, dim): what F.pairwise_distance calls
   lambda self, p, dim, keepdim: (
       (result := moments.vector_norm(self, p, dim, keepdim)), (self, p, dim, keepdim, result)),
   saved=("self", "p", "dim", "keepdim", "result"), plain=("p", "dim", "keepdim"), derivatives=(
       wrt("self", "d|a|_p/da = sign(a) |a|^(p-1) / |a|_p^(p-1)", moments.norm_backward),))
op("var", "VarBackward0",
   lambda self, dim, correction, keepdim: (
       moments.var(self, dim, correction, keepdim), (self, dim, correction, keepdim)),
   saved=("self", "dim", "correction", "keepdim"), plain=("dim", "correction", "keepdim"),
   derivatives=(wrt("self", "d(var a)/da_i = 2(a_i-mean)/(n-c)", moments.var_backward),))
op("std", "StdBackward0",
   lambda self, dim, correction, keepdim: (
       (result := moments.var(self, dim, correction, keepdim, take_sqrt=True)),
       (self, dim, correction, keepdim, result)),
   saved=("self", "dim", "correction", "keepdim", "result"),
   plain=("dim", "correction", "keepdim"), derivatives=(
       wrt("self", "d(std a)/da_i = (a_i-mean)/((n-c)*std)", moments.std_backward),))

# ================================================================ linear algebra
# small products add their terms in MKL's order (kernels/matmul.py), so they print torch's digits
op("mm", "MmBackward0", lambda self, mat2: (matmul.mm(self, mat2), (self, mat2)),
   saved=("self", "mat2"), higher_order=True, derivatives=(
       wrt("self", "d(A@B)/dA = grad @ B^T", mm_mat1_backward, reads=("mat2",)),
       wrt("mat2", "d(A@B)/dB = A^T @ grad", mm_mat2_backward, reads=("self",))))
op("addmm", "AddmmBackward0", lambda self, mat1, mat2: (matmul.mm(mat1, mat2) + self,
                                                       (mat1, mat2)),
   saved=("mat1", "mat2"), derivatives=(
       wrt("self", "d(c + A@B)/dc = 1", lambda grad, mat1, mat2: grad, reads=()),
       wrt("mat1", "d(c + A@B)/dA = grad @ B^T", mm_mat1_backward, reads=("mat2",)),
       wrt("mat2", "d(c + A@B)/dB = A^T @ grad", mm_mat2_backward, reads=("mat1",))))
op("dot", "DotBackward0", lambda self, tensor: (np.asarray(self @ tensor), (self, tensor)),
   saved=("self", "tensor"), derivatives=(
       wrt("self", "d(a.b)/da = b", lambda grad, self, tensor: grad * tensor, reads=("tensor",)),
       wrt("tensor", "d(a.b)/db = a", lambda grad, self, tensor: grad * self, reads=("self",))))
op("linalg_cross", "LinalgCrossBackward0",
   lambda self, other, dim: (_cross(self, other, dim), (dim, other, self)),
   saved=("dim", "other", "self"), plain=("dim",), derivatives=(
       wrt("self", "d(a x b)/da: grad -> b x grad", reads=("other",),
           formula=lambda grad, dim, other, self: _cross(other, grad, dim)),
       wrt("other", "d(a x b)/db: grad -> grad x a", reads=("self",),
           formula=lambda grad, dim, other, self: _cross(grad, self, dim))))
op("mv", "MvBackward0", lambda self, vec: (matmul.mv(self, vec), (self, vec)),
   saved=("self", "vec"), derivatives=(
       wrt("self", "d(M@v)/dM = grad v^T", lambda grad, self, vec: np.outer(grad, vec),
           reads=("vec",)),
       wrt("vec", "d(M@v)/dv = M^T @ grad", lambda grad, self, vec: matmul.mv(self.T, grad),
           reads=("self",))))
op("bmm", "BmmBackward0", lambda self, mat2: (np.matmul(self, mat2), (self, mat2)),
   saved=("self", "mat2"), derivatives=(
       wrt("self", "d(A@B)/dA = grad @ B^T", reads=("mat2",),
           formula=lambda grad, self, mat2: grad @ mat2.swapaxes(-1, -2)),
       wrt("mat2", "d(A@B)/dB = A^T @ grad", reads=("self",),
           formula=lambda grad, self, mat2: self.swapaxes(-1, -2) @ grad)))

# ================================================================ shapes and views
op("view", "ViewBackward0", lambda self, shape: (self.reshape(shape), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), view=True, higher_order=True,
   derivatives=(wrt("self", "reshape the gradient back",
                    lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes)),))
op("unsafe_view", "UnsafeViewBackward0", lambda self, shape: (self.reshape(shape), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), higher_order=True, derivatives=(
       wrt("self", "reshape the gradient back",
           lambda grad, self_sym_sizes: grad.reshape(self_sym_sizes)),))
op("t", "TBackward0", lambda self: (self.T, ()), view=True, higher_order=True, derivatives=(
    wrt("self", "transpose the gradient back", lambda grad: t(grad)),))
op("transpose", "TransposeBackward0",
   lambda self, dim0, dim1: (np.swapaxes(self, dim0, dim1) if self.ndim else self.view(),
                             (dim0, dim1)),
   saved=("dim0", "dim1"), plain=("dim0", "dim1"), view=True, higher_order=True, derivatives=(
       wrt("self", "swap the dims of the gradient back",
           lambda grad, dim0, dim1: transpose(grad, dim0, dim1)),))
op("permute", "PermuteBackward0", lambda self, dims: (np.transpose(self, dims), (dims,)),
   saved=("dims",), plain=("dims",), view=True, higher_order=True, derivatives=(
       wrt("self", "permute the gradient back",
           lambda grad, dims: permute(grad, np.argsort(dims))),))
op("unsqueeze", "UnsqueezeBackward0", lambda self, dim: (np.expand_dims(self, dim), (dim,)),
   saved=("dim",), plain=("dim",), view=True, higher_order=True, derivatives=(
       wrt("self", "drop the inserted dim", lambda grad, dim: squeeze(grad, dim)),))
op("squeeze", "SqueezeBackward0", lambda self: (np.squeeze(self), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), view=True, higher_order=True,
   derivatives=(wrt("self", "put the size-1 dims back", lambda grad, self_sym_sizes:
                    unsqueeze_to(grad, range(len(self_sym_sizes)), self_sym_sizes)),))
op("squeeze_dim", "SqueezeBackward1", lambda self, dim: (np.squeeze(self, dim), (dim, self.shape)),
   saved=("dim", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), view=True,
   higher_order=True, derivatives=(wrt("self", "put the size-1 dim back", unsqueeze_to),))
op("squeeze_dims", "SqueezeBackward2",
   lambda self, dims: (np.squeeze(self, dims), (dims, self.shape)),
   saved=("dim", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), view=True,
   higher_order=True, derivatives=(wrt("self", "put the size-1 dims back", unsqueeze_to),))
op("squeeze_matmul", "SqueezeBackward4",
   lambda self, dim: (np.squeeze(self, dim), (dim, self.shape)),
   saved=("dim", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), view=True,
   higher_order=True, derivatives=(wrt("self", "put the size-1 dim back", unsqueeze_to),))
op("expand", "ExpandBackward0", lambda self, shape: (np.broadcast_to(self, shape), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), view=True, higher_order=True,
   derivatives=(wrt("self", "sum the gradient over the expanded dims", sum_to),))
op("repeat", "RepeatBackward0",
   lambda self, repeats: (np.tile(self, repeats), (repeats, self.shape)),
   saved=("repeats", "self_sym_sizes"), plain=("repeats", "self_sym_sizes"), derivatives=(
       wrt("self", "sum the gradient over the copies", sh.repeat_backward),))
op("alias", "AliasBackward0", lambda self: (self.view(), ()), view=True, higher_order=True,
   derivatives=(wrt("self", "d(a)/da = 1", lambda grad: grad),))
op("select", "SelectBackward0",
   lambda self, dim, index: (self[sh.dim_index(dim, index) + (Ellipsis,)],
                             (dim, index, self.shape)),
   saved=("dim", "index", "self_sym_sizes"), plain=("dim", "index", "self_sym_sizes"),
   view=True, derivatives=(
       wrt("self", "the gradient goes to the selected entries, 0 elsewhere",
           lambda grad, dim, index, self_sym_sizes:
           sh.slice_backward(grad, sh.dim_index(dim, index), self_sym_sizes)),))
op("slice", "SliceBackward0",
   lambda self, dim, sl: (self[sh.dim_index(dim, sl)], (dim, sl, self.shape)),
   saved=("dim", "slice", "self_sym_sizes"), plain=("dim", "slice", "self_sym_sizes"),
   view=True, derivatives=(
       wrt("self", "the gradient goes to the sliced entries, 0 elsewhere",
           lambda grad, dim, slice, self_sym_sizes:
           sh.slice_backward(grad, sh.dim_index(dim, slice), self_sym_sizes)),))
op("split", "SplitBackward0",
   lambda self, dim, start, stop: (self[sh.dim_index(dim, slice(start, stop))],
                                   (dim, slice(start, stop), self.shape)),
   saved=("dim", "split_size", "self_sym_sizes"),
   plain=("dim", "split_size", "self_sym_sizes"), view=True, derivatives=(
       wrt("self", "the gradient's slice for this chunk",
           lambda grad, dim, split_size, self_sym_sizes:
           sh.slice_backward(grad, sh.dim_index(dim, split_size), self_sym_sizes)),))
op("unbind", "UnbindBackward0",
   lambda self, dim, index: (self[sh.dim_index(dim, index) + (Ellipsis,)],
                             (dim, index, self.shape)),
   saved=("dim", "index", "self_sym_sizes"), plain=("dim", "index", "self_sym_sizes"),
   view=True, derivatives=(
       wrt("self", "the gradient's entry for this piece",
           lambda grad, dim, index, self_sym_sizes:
           sh.slice_backward(grad, sh.dim_index(dim, index), self_sym_sizes)),))
op("as_strided", "AsStridedBackward0",
   lambda self, view_fn: (view_fn(self), (view_fn, self.shape)),
   saved=("view_fn", "self_sym_sizes"), plain=("view_fn", "self_sym_sizes"), view=True,
   derivatives=(wrt("self", "the gradient goes to the viewed entries, 0 elsewhere",
                    sh.as_strided_backward),))
op("index", "IndexBackward0", lambda self, index: (self[index], (index, self.shape)),
   saved=("indices", "self_sym_sizes"), plain=("self_sym_sizes",), derivatives=(
       wrt("self", "the gradient is added at the indexed entries, 0 elsewhere",
           sh.index_backward),))
op("gather", "GatherBackward0",
   lambda self, dim, index: (self[sh.gather_index(index, dim)], (dim, index, self.shape)),
   saved=("dim", "index", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), derivatives=(
       wrt("self", "the gradient is added at the gathered entries, 0 elsewhere",
           lambda grad, dim, index, self_sym_sizes:
           sh.index_backward(grad, sh.gather_index(index, dim), self_sym_sizes)),))
op("topk", "TopkBackward0",
   lambda self, dim, index: (np.take_along_axis(self, index, axis=dim), (dim, index, self.shape)),
   saved=("dim", "indices", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), derivatives=(
       wrt("self", "the gradient goes to the k chosen entries, 0 elsewhere",
           lambda grad, dim, indices, self_sym_sizes:
           sh.index_backward(grad, sh.gather_index(indices, dim), self_sym_sizes)),))
op("sort", "SortBackward0",
   lambda self, dim, index: (np.take_along_axis(self, index, axis=dim) if self.ndim
                             else self.copy(), (dim, index, self.shape)),
   saved=("dim", "indices", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), derivatives=(
       wrt("self", "each value's gradient goes back to where it was before sorting",
           lambda grad, dim, indices, self_sym_sizes: sh.index_backward(
               grad, sh.gather_index(indices, dim), self_sym_sizes)
           if len(self_sym_sizes) else grad),))
op("cat", "CatBackward0",
   lambda *tensors, dim: (np.concatenate(tensors, axis=dim),
                          (dim, tuple(a.shape[dim] for a in tensors))),
   saved=("dim", "sizes"), plain=("dim", "sizes"), variadic=True, derivatives=(
       wrt("tensors", "the gradient's slice for this input", sh.split_backward),))
op("stack", "StackBackward0", lambda *tensors, dim: (np.stack(tensors, axis=dim), (dim,)),
   saved=("dim",), plain=("dim",), variadic=True, derivatives=(
       wrt("tensors", "the gradient's entry for this input",
           lambda grad, i, dim: np.take(grad, i, axis=dim)),))
op("where", "WhereBackward0",
   lambda self, other, condition: (np.where(condition, self, other), (condition,)),
   saved=("condition",), higher_order=True, derivatives=(
       wrt("self", "1 where condition, else 0",
           lambda grad, condition: where(condition, grad, 0)),
       wrt("other", "0 where condition, else 1",
           lambda grad, condition: where(condition, 0, grad))))
op("masked_fill", "MaskedFillBackward0",
   lambda self, mask, value: (np.where(mask, np.asarray(value, dtype=self.dtype), self),
                              (mask,)),
   saved=("mask",), derivatives=(
       wrt("self", "0 where filled, 1 elsewhere", lambda grad, mask: np.where(mask, 0, grad)),))

# ================================================================ copies and in-place writes
op("clone", "CloneBackward0", lambda self: (self.copy(), ()), higher_order=True, derivatives=(
    wrt("self", "d(a)/da = 1", lambda grad: grad),))
op("to_copy", "ToCopyBackward0", lambda self, dtype: (self.astype(dtype), ()),
   higher_order=True, derivatives=(  # the engine casts the gradient back to the input's dtype
       wrt("self", "d(a)/da = 1 (cast back to the input dtype)", lambda grad: grad),))
op("copy", "torch::autograd::CopyBackwards",
   lambda self, src: (np.array(np.broadcast_to(src, self.shape), dtype=self.dtype), ()),
   higher_order=True, derivatives=(
       wrt("self", "overwritten: 0", lambda grad: zeros_like(grad)),
       wrt("src", "d(src)/dsrc = 1", lambda grad: grad)))
# Writes into (a view of) a tensor with a graph. The forward returns the base array itself: the
# caller writes the new values into it afterwards, so nothing is copied.
op("copy_slices", "torch::autograd::CopySlices",
   lambda self, src, view_fn: (self, (view_fn, np.shape(src))),
   saved=("view_fn", "value_shape"), plain=("view_fn", "value_shape"), derivatives=(
       wrt("self", "0 at the overwritten entries, 1 elsewhere",
           lambda grad, view_fn, value_shape: sh.copy_slices_self(grad, view_fn)),
       wrt("src", "the gradient of the written entries",
           lambda grad, view_fn, value_shape: np.array(view_fn(np.ascontiguousarray(grad))))))
op("index_put", "IndexPutBackward0",
   lambda self, values, index: (self, (index, np.shape(values))),
   saved=("indices", "value_shape"), plain=("value_shape",), derivatives=(
       wrt("self", "0 at the overwritten entries, 1 elsewhere",
           lambda grad, indices, value_shape: sh.copy_slices_self(
               grad, lambda arr: sh.IndexView(arr, indices))),
       wrt("values", "the gradient of the written entries",
           lambda grad, indices, value_shape: grad[indices])))
op("zero", "ZeroBackward0", lambda self: (np.zeros_like(self), ()), derivatives=(
    wrt("self", "d(0)/da = 0", lambda grad: np.zeros_like(grad)),))
op("fill", "FillBackward2", lambda self, value: (np.full_like(self, value), (value,)),
   saved=("value",), plain=("value",), derivatives=(
       wrt("self", "d(c)/da = 0", lambda grad, value: np.zeros_like(grad)),))
op("fill_tensor", "FillBackward3", lambda self, value: (np.full_like(self, value), ()),
   derivatives=(
       wrt("self", "d(c)/da = 0", lambda grad: np.zeros_like(grad)),
       wrt("value", "every filled entry's gradient, summed",
           lambda grad: np.asarray(grad.sum(), dtype=grad.dtype))))

# ================================================================ neural-network functions
op("relu", "ReluBackward0", lambda self: ((result := np.where(self < 0, 0, self)), (result,)),
   saved=("result",), higher_order=True, derivatives=(
       wrt("self", "d(relu a)/da = 1 if a > 0 else 0",
           lambda grad, result: threshold_backward(grad, result, 0)),))
op("softmax", "SoftmaxBackward0",
   lambda self, dim: ((result := sm.softmax(self, dim)), (dim, result)),
   saved=("dim", "result"), plain=("dim",), derivatives=(
       wrt("self", "d(softmax)/da = s*(grad - sum(grad*s))", sm.softmax_backward),))
op("log_softmax", "LogSoftmaxBackward0",
   lambda self, dim: ((result := sm.log_softmax(self, dim)), (dim, result)),
   saved=("dim", "result"), plain=("dim",), derivatives=(
       wrt("self", "d(log_softmax)/da = grad - softmax*sum(grad)", sm.log_softmax_backward),))
op("log_sigmoid", "LogSigmoidBackward0",
   lambda self: ((result := ew.log_sigmoid(self))[0], (self, result[1])),
   saved=("self", "buffer"), derivatives=(
       wrt("self", "d(log s(a))/da = 1 - s(a), from the buffer b = exp(-|a|)",
           unary.log_sigmoid_backward),))
op("mse_loss", "MseLossBackward0",
   lambda self, target, reduction: losses.mse_forward(self, target, reduction),
   saved=("self", "target", "reduction"), plain=("reduction",), derivatives=(
       wrt("self", "d(mean (a-t)^2)/da = 2(a-t)/n", lambda grad, self, target, reduction:
           losses.mse_backward(grad, self, target, reduction, 1)),
       wrt("target", "d(mean (a-t)^2)/dt = -2(a-t)/n", lambda grad, self, target, reduction:
           losses.mse_backward(grad, self, target, reduction, -1))))
op("nll_loss", "NllLossBackward0",
   lambda self, target, reduction, weight, per_row=False: (
       (out := losses.nll_forward(
           self, target, reduction, losses.row_weights(weight, target, per_row)))[0],
       (self, target, reduction, losses.row_weights(weight, target, per_row), out[1])),
   saved=("self", "target", "reduction", "weight", "total_weight"), plain=("reduction",),
   derivatives=(wrt("self", "-1/n at each target class, 0 elsewhere", losses.nll_backward),))
op("binary_cross_entropy", "BinaryCrossEntropyBackward0", losses.bce_forward,
   saved=("self", "target", "weight", "reduction"), plain=("reduction",), derivatives=(
       wrt("self", "d(bce)/dp = (p - t) / (p (1 - p))", losses.bce_backward),
       wrt("target", "d(bce)/dt = log(1 - p) - log(p)", losses.bce_target_backward)))
op("bce_with_logits", "BinaryCrossEntropyWithLogitsBackward0", losses.bce_with_logits_forward,
   saved=("self", "target", "weight", "pos_weight", "reduction"), plain=("reduction",),
   derivatives=(wrt("self", "d(bce)/dz = sigmoid(z) - t", losses.bce_with_logits_backward),
                wrt("target", "d(bce)/dt = -z", losses.bce_with_logits_target_backward)))
op("cdist", "CdistBackward0", cdist.cdist_forward,
   saved=("x1", "x2", "p", "result"), plain=("p",), derivatives=(
       wrt("x1", "d|x1_i - x2_j|_p/dx1_i, summed over j", cdist.cdist_backward),
       wrt("x2", "the same with x1 and x2 swapped", lambda grad, x1, x2, p, result:
           cdist.cdist_backward(np.swapaxes(grad, -1, -2), x2, x1, p,
                                np.swapaxes(result, -1, -2)))))
op("euclidean_dist", "EuclideanDistBackward0", cdist.euclidean_forward,
   saved=("x1", "x2", "result"), derivatives=(
       wrt("x1", "x1 * sum_j r_ij - r @ x2, r = grad / dist",
           lambda grad, x1, x2, result: cdist.euclidean_backward(grad, x1, x2, result, 0)),
       wrt("x2", "x2 * sum_i r_ij - r.T @ x1",
           lambda grad, x1, x2, result: cdist.euclidean_backward(grad, x1, x2, result, 1))))
op("smooth_l1_loss", "SmoothL1LossBackward0", pl.smooth_l1_forward,
   saved=("self", "target", "reduction", "beta"), plain=("reduction", "beta"), derivatives=(
       wrt("self", "(a-t)/beta where |a-t| < beta, else sign(a-t); over n for a mean",
           pl.smooth_l1_backward),
       wrt("target", "minus the input's: (t-a)/beta, or sign(t-a)",
           lambda grad, self, target, reduction, beta:
           pl.smooth_l1_backward(grad, target, self, reduction, beta))))
op("huber_loss", "HuberLossBackward0", pl.huber_forward,
   saved=("self", "target", "reduction", "delta"), plain=("reduction", "delta"), derivatives=(
       wrt("self", "a-t where |a-t| < delta, else delta*sign(a-t); over n for a mean",
           pl.huber_backward),
       wrt("target", "minus the input's: t-a, or delta*sign(t-a)",
           lambda grad, self, target, reduction, delta:
           pl.huber_backward(grad, target, self, reduction, delta))))
op("soft_margin_loss", "SoftMarginLossBackward0", pl.soft_margin_forward,
   saved=("self", "target", "reduction"), plain=("reduction",), derivatives=(
       wrt("self", "d log(1 + e^(-a t))/da = -t e^(-a t) / (1 + e^(-a t))",
           pl.soft_margin_backward),))
op("leaky_relu", "LeakyReluBackward0",
   lambda self, slope: (np.where(self > 0, self, self * self.dtype.type(slope)), (self, slope)),
   saved=("self", "negative_slope"), plain=("negative_slope",), derivatives=(
       wrt("self", "1 where a > 0, else the slope", lambda grad, self, negative_slope: np.where(
           self > 0, grad, grad * self.dtype.type(negative_slope))),))
op("softplus", "SoftplusBackward0",
   lambda self, beta, threshold: (ew.softplus(self, beta, threshold), (self, beta, threshold)),
   saved=("self", "beta", "threshold"), plain=("beta", "threshold"), derivatives=(
       wrt("self", "d(softplus a)/da = sigmoid(beta*a) (1 above the threshold)",
           ew.softplus_backward),))
op("elu", "EluBackward0",
   lambda self, alpha, scale, input_scale: (ew.elu(self, alpha, scale, input_scale),
                                            (self, alpha, scale, input_scale)),
   saved=("self", "alpha", "scale", "input_scale"), plain=("alpha", "scale", "input_scale"),
   derivatives=(wrt("self", "scale where a > 0, else scale*alpha*exp(a)",
                    lambda grad, self, alpha, scale, input_scale:
                    ew.elu_backward(grad, self, alpha, scale, input_scale, False)),))
op("elu_result", "EluBackward1",
   lambda self, alpha, scale, input_scale: ((result := ew.elu(self, alpha, scale, input_scale)),
                                            (result, alpha, scale, input_scale)),
   saved=("result", "alpha", "scale", "input_scale"), plain=("alpha", "scale", "input_scale"),
   derivatives=(wrt("self", "scale where a > 0, else result + scale*alpha",
                    lambda grad, result, alpha, scale, input_scale:
                    ew.elu_backward(grad, result, alpha, scale, input_scale, True)),))
op("gelu", "GeluBackward0",
   lambda self, approximate: (ew.gelu(self, approximate), (self, approximate)),
   saved=("self", "approximate"), plain=("approximate",), derivatives=(
       wrt("self", "d(x Phi(x))/dx = Phi(x) + x phi(x)", ew.gelu_backward),))
op("silu", "SiluBackward0", lambda self: (self / (1 + ew.exp(-self)), (self,)),
   saved=("self",), derivatives=(
       wrt("self", "d(a s(a))/da = s(a) (1 + a (1 - s(a)))", ew.silu_backward),))
op("mish", "MishBackward0", lambda self: (self * ew.mish_tanh(self), (self,)),
   saved=("self",), derivatives=(
       wrt("self", "d(a tanh(softplus a))/da = t + a s(a) (1 - t^2)", lambda grad, self: grad * (
           (tanh_sp := ew.mish_tanh(self)) + self * ew.silu_sigmoid(self)
           * (1 - tanh_sp * tanh_sp))),))
op("hardtanh", "HardtanhBackward0",
   lambda self, min_val, max_val: (ew.clamp(self, min_val, max_val), (self, min_val, max_val)),
   saved=("self", "min_val", "max_val"), plain=("min_val", "max_val"), derivatives=(
       wrt("self", "1 strictly inside (min_val, max_val), else 0",
           lambda grad, self, min_val, max_val: np.where(
               (self <= min_val) | (self >= max_val), 0, grad)),))
op("hardsigmoid", "HardsigmoidBackward0", lambda self: (ew.hardsigmoid(self), (self,)),
   saved=("self",), derivatives=(  # torch's one_sixth is a float constant, in float64 too
       wrt("self", "1/6 where -3 < a < 3, else 0", lambda grad, self: np.where(
           (self > -3) & (self < 3), grad * self.dtype.type(np.float32(1 / 6)), 0)),))
op("hardswish", "HardswishBackward0",
   lambda self: (self * np.minimum(np.maximum(self + 3, 0), 6) / 6, (self,)),
   saved=("self",), derivatives=(
       wrt("self", "0 up to -3, a/3 + 1/2 inside (-3, 3), else 1", lambda grad, self: np.where(
           self <= -3, 0, np.where(self < 3, grad * (self / 3 + self.dtype.type(0.5)), grad))),))

# ================================================================ ops of gradient graphs
# With create_graph=True the formulas above run on Tensors, and torch's formulas use a few ops
# learner code rarely calls itself: the Scalar overloads above (``grad * alpha`` is
# MulBackward1, not MulBackward0) and these fused *_backward kernels, whose own gradients a
# second backward needs.
op("tanh_backward", "TanhBackwardBackward0",
   lambda grad_output, output: (ew.tanh_backward(grad_output, output), (grad_output, output)),
   saved=("grad_output", "output"), higher_order=True, derivatives=(
       wrt("grad_output", "d(g*(1-y^2))/dg = 1-y^2", reads=("output",),
           formula=lambda grad, grad_output, output: tanh_backward(grad, output)),
       wrt("output", "d(g*(1-y^2))/dy = -2*y*g", reads=("grad_output", "output"),
           formula=lambda grad, grad_output, output:
           grad * (mul_scalar(output, -2) * grad_output))))
op("sigmoid_backward", "SigmoidBackwardBackward0",
   lambda grad_output, output: (grad_output * (1 - output) * output, (grad_output, output)),
   saved=("grad_output", "output"), higher_order=True, derivatives=(
       wrt("grad_output", "d(g*(1-y)*y)/dg = (1-y)*y", reads=("output",),
           formula=lambda grad, grad_output, output: sigmoid_backward(grad, output)),
       wrt("output", "d(g*(1-y)*y)/dy = g*(1-2y)", reads=("grad_output", "output"),
           formula=lambda grad, grad_output, output:
           (grad * grad_output) * add_scalar(mul_scalar(output, -2), 1))))
op("threshold_backward", "ThresholdBackwardBackward0",
   lambda grad_output, self, threshold: (np.where(self <= threshold, 0, grad_output),
                                         (self, threshold)),
   saved=("self", "threshold"), plain=("threshold",), higher_order=True, derivatives=(
       wrt("grad_output", "1 where a > threshold, else 0",
           lambda grad, self, threshold: threshold_backward(grad, self, threshold)),
       wrt("self", "d/da = 0 almost everywhere",
           lambda grad, self, threshold: zeros_like(grad))))

# ================================================================ not differentiable
for _name, _fn in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
                   ("logical_and", np.logical_and), ("logical_or", np.logical_or),
                   ("logical_xor", np.logical_xor), ("bitwise_and", np.bitwise_and),
                   ("bitwise_or", np.bitwise_or), ("bitwise_xor", np.bitwise_xor)):
    op(_name, "", (lambda f: lambda self, other: (f(self, other), ()))(_fn),
       differentiable=False)
op("logical_not", "", lambda self: (np.logical_not(self), ()), differentiable=False)
op("bitwise_not", "", lambda self: (np.invert(self), ()), differentiable=False)
op("left_shift", "", lambda self, other: (ew.shift(self, other, left=True), ()),
   differentiable=False)
op("right_shift", "", lambda self, other: (ew.shift(self, other, left=False), ()),
   differentiable=False)
op("floor_divide", "torch::autograd::NotImplemented",
   lambda self, other: (ew.integer_safe(np.floor_divide, self, other), ()), derivatives=(
       wrt("self", "not differentiable", lambda grad: None),
       wrt("other", "not differentiable", lambda grad: None)))
# rounding: a step function, whose derivative is 0 wherever it exists
for _name, _grad_fn, _fn in (("floor", "FloorBackward0", np.floor),
                             ("ceil", "CeilBackward0", np.ceil),
                             ("round", "RoundBackward0", np.round),
                             ("trunc", "TruncBackward0", np.trunc),
                             ("sign", "SignBackward0", np.sign)):
    op(_name, _grad_fn, (lambda f: lambda self: (f(self), ()))(_fn), derivatives=(
        wrt("self", "d/da = 0 almost everywhere", lambda grad: np.zeros_like(grad)),))

# the rows of indexing, scatter and padding, of in-place-only forms and of the functions real
# code reaches for next (tan, flip, tril, bmm...) live beside this file
from gradtui.engine import ops_indexing, ops_inplace, ops_more  # noqa: E402,F401  (they register rows)
