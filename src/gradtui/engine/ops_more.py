"""More rows of the op table (the schema is at the top of ``ops.py``): the functions tutorials
and torch's own docstring examples reach for next: ``tan``, ``atan2``, ``deg2rad``/``rad2deg``,
``flip``, ``roll``, ``tril``/``triu``, ``trace`` and the batched product ``bmm``."""

from __future__ import annotations

import numpy as np

from gradtui.engine.op_schema import op, wrt

# ================================================================ elementwise
op("tan", "TanBackward0", lambda self: ((result := np.tan(self)), (result,)),
   saved=("result",), derivatives=(
       wrt("self", "d(tan a)/da = 1 + tan(a)^2",
           lambda grad, result: grad * (result * result + 1)),))
op("atan2", "Atan2Backward0", lambda self, other: (np.arctan2(self, other), (self, other)),
   saved=("self", "other"), derivatives=(
       wrt("self", "d atan2(a, b)/da = b / (a^2 + b^2)",
           lambda grad, self, other: grad * other / (self * self + other * other)),
       wrt("other", "d atan2(a, b)/db = -a / (a^2 + b^2)",
           lambda grad, self, other: grad * -self / (self * self + other * other))))
op("deg2rad", "Deg2RadBackward0",
   lambda self: (self * self.dtype.type(np.pi / 180), ()), derivatives=(
       wrt("self", "d(a pi/180)/da = pi/180", lambda grad: grad * grad.dtype.type(np.pi / 180)),))
op("rad2deg", "Rad2DegBackward0",
   lambda self: (self * self.dtype.type(180 / np.pi), ()), derivatives=(
       wrt("self", "d(a 180/pi)/da = 180/pi", lambda grad: grad * grad.dtype.type(180 / np.pi)),))

# ================================================================ rearranging entries
op("flip", "FlipBackward0", lambda self, dims: (np.flip(self, dims).copy(), (dims,)),
   saved=("dims",), plain=("dims",), derivatives=(
       wrt("self", "flip the gradient back", lambda grad, dims: np.flip(grad, dims).copy()),))
op("roll", "RollBackward0",
   lambda self, shifts, dims: (np.roll(self, shifts, dims or None), (dims, shifts)),
   saved=("dims", "shifts"), plain=("dims", "shifts"), derivatives=(
       wrt("self", "roll the gradient back", lambda grad, dims, shifts: np.roll(
           grad, tuple(-s for s in shifts), dims or None)),))
op("tril", "TrilBackward0", lambda self, diagonal: (np.tril(self, diagonal), (diagonal,)),
   saved=("diagonal",), plain=("diagonal",), derivatives=(
       wrt("self", "the gradient of the kept lower triangle",
           lambda grad, diagonal: np.tril(grad, diagonal)),))
op("triu", "TriuBackward0", lambda self, diagonal: (np.triu(self, diagonal), (diagonal,)),
   saved=("diagonal",), plain=("diagonal",), derivatives=(
       wrt("self", "the gradient of the kept upper triangle",
           lambda grad, diagonal: np.triu(grad, diagonal)),))
op("trace", "TraceBackward0",
   lambda self: (np.asarray(np.trace(self), dtype=self.dtype), (self.shape,)),
   saved=("self_sym_sizes",), plain=("self_sym_sizes",), derivatives=(
       wrt("self", "the gradient on the diagonal, zero elsewhere",
           lambda grad, self_sym_sizes: np.eye(*self_sym_sizes, dtype=grad.dtype) * grad),))

# ================================================================ batched products
op("bmm", "BmmBackward0", lambda self, mat2: (np.matmul(self, mat2), (mat2, self)),
   saved=("mat2", "self"), derivatives=(
       wrt("self", "grad @ mat2^T, batch by batch", reads=("mat2",),
           formula=lambda grad, mat2, self: np.matmul(grad, mat2.transpose(0, 2, 1))),
       wrt("mat2", "self^T @ grad, batch by batch", reads=("self",),
           formula=lambda grad, mat2, self: np.matmul(self.transpose(0, 2, 1), grad))))


# ================================================================ inverse hyperbolic functions
op("acosh", "AcoshBackward0", lambda self: (np.arccosh(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(acosh a)/da = 1/sqrt(a^2 - 1)",
                    lambda grad, self: grad / np.sqrt((self - 1) * (self + 1))),))
op("asinh", "AsinhBackward0", lambda self: (np.arcsinh(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(asinh a)/da = 1/sqrt(a^2 + 1)",
                    lambda grad, self: grad / np.sqrt(self * self + 1)),))
op("atanh", "AtanhBackward0", lambda self: (np.arctanh(self), (self,)), saved=("self",),
   derivatives=(wrt("self", "d(atanh a)/da = 1/(1 - a^2)",
                    lambda grad, self: grad / (1 - self * self)),))

# ================================================================ fused multiply-adds
op("addcmul", "AddcmulBackward0",
   lambda self, tensor1, tensor2, value: (self + self.dtype.type(value) * tensor1 * tensor2,
                                          (tensor1, tensor2, value)),
   saved=("tensor1", "tensor2", "value"), plain=("value",), derivatives=(
       wrt("self", "d/da (a + v b c) = 1", lambda grad, tensor1, tensor2, value: grad,
           reads=()),
       wrt("tensor1", "d/db (a + v b c) = v c", reads=("tensor2", "value"),
           formula=lambda grad, tensor1, tensor2, value: grad * tensor2 * value),
       wrt("tensor2", "d/dc (a + v b c) = v b", reads=("tensor1", "value"),
           formula=lambda grad, tensor1, tensor2, value: grad * tensor1 * value)))
op("addcdiv", "AddcdivBackward0",
   lambda self, tensor1, tensor2, value: (self + self.dtype.type(value) * tensor1 / tensor2,
                                          (tensor1, tensor2, value)),
   saved=("tensor1", "tensor2", "value"), plain=("value",), derivatives=(
       wrt("self", "d/da (a + v b / c) = 1", lambda grad, tensor1, tensor2, value: grad,
           reads=()),
       wrt("tensor1", "d/db (a + v b / c) = v / c", reads=("tensor2", "value"),
           formula=lambda grad, tensor1, tensor2, value: grad * value / tensor2),
       wrt("tensor2", "d/dc (a + v b / c) = -v b / c^2", reads=("tensor1", "tensor2", "value"),
           formula=lambda grad, tensor1, tensor2, value:
           -grad * value * tensor1 / (tensor2 * tensor2))))
