"""The words the op table's gradient formulas are written in, for numpy arrays and for Tensors.

torch states each derivative once (``tools/autograd/derivatives.yaml``), in ATen functions that
record a graph or not depending on grad mode. Here too each formula is written once and runs
two ways:

- a plain ``backward()`` calls it with **numpy arrays**: the fast path, values only;
- ``backward(create_graph=True)`` (and ``autograd.grad``'s) calls it with **Tensors**, so the
  gradient is built from ops and can be differentiated again. Rows marked ``higher_order`` in
  the table are written in the words below, which on Tensors apply the op torch's formula uses:
  ``x ** 3``'s gradient ``grad * (3 * x.pow(2))`` becomes a MulBackward0 over a MulBackward1
  over a PowBackward0, the nodes torch's own gradient graph has.

Python's operators need no word: ``grad * other``, ``-grad`` and ``grad / self`` mean the same
on arrays and on Tensors. The functions here cover the rest; on arrays they compute the value
(through a kernel where torch's rounding needs one), on Tensors they apply an op-table row.
Helpers named like torch's (``pow_backward``, ``mm_mat1_backward``, ``sum_backward``...) are
its FunctionsManual.cpp functions of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gradtui.engine.autograd import unbroadcast
from gradtui.engine.dispatch import apply, binary
from gradtui.engine.kernels import elementwise as ew
from gradtui.engine.kernels import matmul
from gradtui.engine.kernels.reductions import expand_reduced
from gradtui.engine.kernels.spread import spread
from gradtui.engine.op_schema import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf


def is_tensor(x: Any) -> bool:
    """Whether a formula runs on Tensors (create_graph=True) rather than arrays."""
    return isinstance(x, TensorBase)


# ---------------------------------------------------------------- arithmetic with a number
def mul_scalar(x: Any, c: Any) -> Any:
    """``x * c`` with a Python number ``c`` (torch's mul.Scalar: MulBackward1)."""
    return apply(OPS["mul_scalar"], (x,), other=c) if is_tensor(x) else x * c


def div_scalar(x: Any, c: Any) -> Any:
    """``x / c`` with a Python number ``c`` (torch's div.Scalar: DivBackward1)."""
    return apply(OPS["div_scalar"], (x,), other=c) if is_tensor(x) else x / c


def add_scalar(x: Any, c: Any) -> Any:
    """``x + c`` with a Python number ``c`` (torch's add.Scalar: AddBackward1)."""
    return apply(OPS["add_scalar"], (x,), other=c) if is_tensor(x) else x + c


def maybe_multiply(x: Any, alpha: Any) -> Any:
    """``x * alpha``, or ``x`` itself when alpha is 1 (torch's ``maybe_multiply``)."""
    return x if alpha == 1 else mul_scalar(x, alpha)


def zeros_like(x: Any) -> Any:
    """Zeros of ``x``'s shape and dtype (a constant: no graph)."""
    return new_leaf(np.zeros_like(x._array)) if is_tensor(x) else np.zeros_like(x)


# ---------------------------------------------------------------- elementwise functions
def _row(name: str, x: Any, *others: Any, **params: Any) -> Any:
    """Apply the op-table row ``name`` to Tensors (recording its node)."""
    return apply(OPS[name], (x, *others), **params)


def sin(x: Any) -> Any:
    return _row("sin", x) if is_tensor(x) else ew.sin(x)


def cos(x: Any) -> Any:
    return _row("cos", x) if is_tensor(x) else ew.cos(x)


def sgn(x: Any) -> Any:
    """The sign of ``x`` (0 at 0 and at nan)."""
    return _row("sgn", x) if is_tensor(x) else ew.sgn(x)


def tanh_backward(grad: Any, result: Any) -> Any:
    """``grad * (1 - result^2)``, tanh's gradient from its result (TanhBackwardBackward0)."""
    if is_tensor(grad):
        return _row("tanh_backward", grad, result)
    return ew.tanh_backward(grad, result)


def sigmoid_backward(grad: Any, result: Any) -> Any:
    """``grad * (1 - result) * result``, sigmoid's gradient from its result."""
    if is_tensor(grad):
        return _row("sigmoid_backward", grad, result)
    return grad * (1 - result) * result


def threshold_backward(grad: Any, x: Any, threshold: Any) -> Any:
    """``grad`` where ``x > threshold``, else 0 (relu's gradient, from its result)."""
    if is_tensor(grad):
        return _row("threshold_backward", grad, x, threshold=threshold)
    return np.where(x <= threshold, 0, grad)


def where(condition: np.ndarray, a: Any, b: Any) -> Any:
    """``a`` where ``condition``, else ``b`` (the condition is a bool array, never a graph)."""
    if is_tensor(a) or is_tensor(b):
        return apply(OPS["where"], (a, b), condition=condition)
    return np.where(condition, a, b)


# ---------------------------------------------------------------- powers
def pow_backward(grad: Any, self: Any, exponent: Any) -> Any:
    """``grad * (exponent * self^(exponent - 1))``, 0 where the exponent is 0 (torch's
    ``pow_backward`` for a number exponent)."""
    if exponent == 0:
        return zeros_like(self)
    e = float(exponent)
    power = _row("pow", self, exponent=e - 1) if is_tensor(self) else ew.scalar_pow(self, e - 1)
    return grad * mul_scalar(power, e)


def pow_backward_self(grad: Any, self: Any, exponent: Any) -> Any:
    """``grad * (exponent * self^(exponent - 1))``, 0 where the exponent is 0 (a Tensor
    exponent: torch's ``pow_backward_self``)."""
    if not is_tensor(grad):
        return ew.pow_tensor_self_backward(grad, self, exponent)
    if not is_tensor(exponent):  # a Python exponent: pow_backward
        return pow_backward(grad, self, exponent)
    zero = new_leaf(np.zeros((), dtype=grad._array.dtype))
    power = binary(OPS["pow_tensor"], self, apply(OPS["sub_scalar"], (exponent,), other=1))
    return where(exponent._array == 0, zero, grad * (exponent * power))


def pow_backward_exponent(grad: Any, self: Any, exponent: Any, result: Any) -> Any:
    """``grad * self^exponent * log(self)``, 0 where self is 0 and the exponent >= 0."""
    if not is_tensor(grad):
        return ew.pow_tensor_exponent_backward(grad, self, exponent, result)
    self_array = self._array if is_tensor(self) else np.asarray(self)
    zero = new_leaf(np.zeros((), dtype=grad._array.dtype))
    condition = (self_array == 0) & (exponent._array >= 0)
    return grad * where(condition, zero, result * _row("log", self))


def rpow_backward(grad: Any, base: Any, result: Any) -> Any:
    """``grad * base^self * log(base)`` for a number ``base``."""
    if not is_tensor(grad):
        return ew.rpow_backward(grad, base, result)
    if base == 0:  # torch masks by the exponent, which this row does not save
        raise RuntimeError("gradtui does not support create_graph=True through PowBackward2 "
                           "with base 0")
    return grad * mul_scalar(result, float(np.log(np.float64(base))))


# ---------------------------------------------------------------- reductions
def expand(grad: Any, shape: tuple[int, ...]) -> Any:
    """``grad`` broadcast to ``shape`` (a 0-d gradient spread without a copy)."""
    if is_tensor(grad):
        return apply(OPS["expand"], (grad,), shape=tuple(shape))
    return spread(grad, shape)


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """torch's ``at::sum_to``: sum a broadcast gradient back to ``shape`` (on Tensors
    SumBackward0 for a 0-d target, else SumBackward1 with keepdim, then ViewBackward0 when dims
    were added)."""
    if not is_tensor(grad):
        return unbroadcast(grad, shape)
    if not shape:
        return apply(OPS["sum"], (grad,))
    lead = grad._array.ndim - len(shape)
    if lead < 0:
        return expand(grad, shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad._array.shape[lead + i] != 1)
    if dims:
        grad = apply(OPS["sum_dim"], (grad,), dim=dims, keepdim=True)
    if lead:
        grad = apply(OPS["view"], (grad,), shape=tuple(shape))
    return grad


def sum_backward(grad: Any, dims: tuple[int, ...], keepdim: bool,
                 shape: tuple[int, ...]) -> Any:
    """The gradient of a sum over ``dims``: unsqueeze the reduced dims (lowest first), then
    expand to the input's ``shape``."""
    if not is_tensor(grad):
        return expand_reduced(grad, dims, keepdim, shape)
    if not keepdim and shape:
        for d in sorted(dims):
            grad = unsqueeze(grad, d)
    return expand(grad, shape)


def mean_backward(grad: Any, shape: tuple[int, ...], numel: int) -> Any:
    """The gradient of a full mean: ``grad / numel`` at every position of ``shape`` (on arrays
    divided once, then spread; torch's graph expands, then divides)."""
    if is_tensor(grad):
        return div_scalar(expand(grad, shape), numel)
    return spread(grad / numel, shape)


def mean_dim_backward(grad: Any, dims: tuple[int, ...], keepdim: bool, shape: tuple[int, ...],
                      numel: int) -> Any:
    """The gradient of a mean over ``dims``: ``grad / numel``, expanded back to ``shape``."""
    if is_tensor(grad):
        return div_scalar(sum_backward(grad, dims, keepdim, shape), numel)
    return expand_reduced(grad / numel, dims, keepdim, shape)


# ---------------------------------------------------------------- matrices
def t(x: Any) -> Any:
    """The transpose of a matrix."""
    return _row("t", x) if is_tensor(x) else x.T


def mm(a: Any, b: Any) -> Any:
    """``a @ b`` of two matrices (in MKL's order of additions for small ones)."""
    return _row("mm", a, b) if is_tensor(a) else matmul.mm(a, b)


def _column_major(x: Any) -> bool:
    return matmul.column_major(x._array)


def mm_mat1_backward(grad: Any, mat1: Any, mat2: Any) -> Any:
    """``grad @ mat2^T`` (as ``(mat2 @ grad^T)^T`` for a column-major ``mat1``, like torch)."""
    if not is_tensor(grad):
        return matmul.mm_mat1_backward(grad, mat1, mat2)
    if _column_major(mat1):
        return t(mm(mat2, t(grad)))
    return mm(grad, t(mat2))


def mm_mat2_backward(grad: Any, mat1: Any, mat2: Any) -> Any:
    """``mat1^T @ grad`` (as ``(grad^T @ mat1)^T`` for a column-major ``mat2``, like torch)."""
    if not is_tensor(grad):
        return matmul.mm_mat2_backward(grad, mat1, mat2)
    if _column_major(mat2):
        return t(mm(t(grad), mat1))
    return mm(t(mat1), grad)


# ---------------------------------------------------------------- shapes
def transpose(x: Any, dim0: int, dim1: int) -> Any:
    if is_tensor(x):
        return apply(OPS["transpose"], (x,), dim0=dim0, dim1=dim1)
    return np.swapaxes(x, dim0, dim1) if np.ndim(x) else x


def permute(x: Any, dims: Sequence[int]) -> Any:
    if is_tensor(x):
        return apply(OPS["permute"], (x,), dims=tuple(int(i) for i in dims))
    return np.transpose(x, dims)


def unsqueeze(x: Any, dim: int) -> Any:
    return apply(OPS["unsqueeze"], (x,), dim=dim) if is_tensor(x) else np.expand_dims(x, dim)


def squeeze(x: Any, dim: int) -> Any:
    return apply(OPS["squeeze_dim"], (x,), dim=dim) if is_tensor(x) else np.squeeze(x, dim)


def unsqueeze_to(grad: Any, dims: Sequence[int] | int, shape: tuple[int, ...]) -> Any:
    """torch's ``unsqueeze_to``: put back the size-1 dims of ``shape`` (among ``dims``) that a
    squeeze removed. ``dims`` may be one dim, or ``()`` for none."""
    if not is_tensor(grad):
        return grad.reshape(shape)
    if isinstance(dims, int):
        dims = (dims,)
    for d in sorted(dims):
        if shape[d] == 1:
            grad = unsqueeze(grad, d)
    return grad
