"""More rows of the op table (the schema is at the top of ``ops.py``): reading and writing
entries by index: ``index_select``, ``masked_select``, ``take``, ``scatter`` and its
reductions, ``index_add``/``index_copy``/``index_fill``, and padding.

The forwards and backwards that need more than a line of numpy are in ``kernels/scatter.py``
and ``kernels/padding.py``.
"""

from __future__ import annotations

import numpy as np

from gradtui.engine.kernels import padding as pd
from gradtui.engine.kernels import scatter as sc
from gradtui.engine.op_schema import op, wrt


def _same_shape_or_raise(grad: np.ndarray, shape: tuple, name: str, i: int) -> np.ndarray:
    """torch's check of a gradient against its input's shape (``validate_outputs``): the
    gradient of ``scatter``'s ``src`` has the index's shape, which must be src's."""
    if grad.shape != tuple(shape):
        raise RuntimeError(
            f"Function {name} returned an invalid gradient at index {i} - got "
            f"[{', '.join(map(str, grad.shape))}] but expected shape compatible with "
            f"[{', '.join(map(str, shape))}]")
    return grad


# ================================================================ reading by index
op("index_select", "IndexSelectBackward0",
   lambda self, dim, index: (np.take(self, index.reshape(-1), axis=dim) if self.ndim
                             else self.reshape(-1)[index.reshape(-1)].reshape(()),
                             (dim, index, self.shape)),
   saved=("dim", "index", "self_sym_sizes"), plain=("dim", "self_sym_sizes"), derivatives=(
       wrt("self", "each selected slice's gradient is added back where it came from",
           sc.index_select_backward),))
op("masked_select", "MaskedSelectBackward0",
   lambda self, mask: (np.broadcast_to(self, (shape := np.broadcast_shapes(
       self.shape, mask.shape)))[np.broadcast_to(mask, shape)], (mask, self)),
   saved=("mask", "self"), derivatives=(
       wrt("self", "each selected entry's gradient goes back where it came from, 0 elsewhere",
           lambda grad, mask, self: sc.masked_select_backward(grad, self, mask)),))
op("take", "TakeBackward0",
   lambda self, index: (self.reshape(-1)[index], (index, self)),
   saved=("index", "self"), derivatives=(
       wrt("self", "each taken entry's gradient is added back where it came from",
           lambda grad, index, self: sc.index_select_backward(
               grad.reshape(-1), 0, index, (self.size,)).reshape(self.shape)),))

# ================================================================ writing by index
op("scatter", "ScatterBackward0",
   lambda self, src, dim, index: (sc.scatter(self, dim, index, src), (dim, index, src.shape)),
   saved=("dim", "index", "src_sym_sizes"), plain=("dim", "src_sym_sizes"), derivatives=(
       wrt("self", "0 at the overwritten entries, 1 elsewhere",
           lambda grad, dim, index, src_sym_sizes: sc.scatter(grad, dim, index, 0)),
       wrt("src", "the gradient of the entry each value was written to",
           lambda grad, dim, index, src_sym_sizes: _same_shape_or_raise(
               sc.gathered(grad, dim, index), src_sym_sizes, "ScatterBackward0", 1))))
op("scatter_value", "ScatterBackward1",
   lambda self, dim, index, value: (sc.scatter(self, dim, index, value), (dim, index)),
   saved=("dim", "index"), plain=("dim",), derivatives=(
       wrt("self", "0 at the overwritten entries, 1 elsewhere",
           lambda grad, dim, index: sc.scatter(grad, dim, index, 0)),))
op("scatter_add", "ScatterAddBackward0",
   lambda self, src, dim, index: (sc.scatter(self, dim, index, src, "add"),
                                  (dim, index, src.shape)),
   saved=("dim", "index", "src_sym_sizes"), plain=("dim", "src_sym_sizes"), derivatives=(
       wrt("self", "d(a + scattered)/da = 1", lambda grad, dim, index, src_sym_sizes: grad),
       wrt("src", "the gradient of the entry each value was added to",
           lambda grad, dim, index, src_sym_sizes: _same_shape_or_raise(
               sc.gathered(grad, dim, index), src_sym_sizes, "ScatterAddBackward0", 1))))
op("scatter_reduce", "ScatterReduceBackward0",
   lambda self, src, dim, index, reduce, include_self: (
       (result := sc.scatter_reduce(self, dim, index, src, reduce, include_self)),
       (dim, include_self, index, reduce, result, self, src)),
   saved=("dim", "include_self", "index", "reduce", "result", "self", "src"),
   plain=("dim", "include_self", "reduce"), derivatives=(
       wrt("self", "the reduction's derivative for each entry of self",
           lambda grad, dim, include_self, index, reduce, result, self, src:
           sc.scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self,
                                      result)[0]),
       wrt("src", "the reduction's derivative for each value scattered",
           lambda grad, dim, include_self, index, reduce, result, self, src:
           sc.scatter_reduce_backward(grad, self, dim, index, src, reduce, include_self,
                                      result)[1])))
op("index_add", "IndexAddBackward0",
   lambda self, source, dim, index, alpha: (sc.index_add(self, dim, index, source, alpha),
                                            (alpha, dim, index, source.shape)),
   saved=("alpha", "dim", "index", "source_sym_sizes"),
   plain=("alpha", "dim", "source_sym_sizes"), derivatives=(
       wrt("self", "d(a + added)/da = 1",
           lambda grad, alpha, dim, index, source_sym_sizes: grad),
       wrt("source", "alpha times the gradient of the slice each was added to",
           lambda grad, alpha, dim, index, source_sym_sizes: (
               np.take(grad, index, axis=dim) if grad.ndim else grad).reshape(
               source_sym_sizes) * (1 if alpha == 1 else grad.dtype.type(alpha)))))
op("index_copy", "IndexCopyBackward0",
   lambda self, source, dim, index: (sc.index_write(self, dim, index, source),
                                     (dim, index, source.shape)),
   saved=("dim", "index", "source_sym_sizes"), plain=("dim", "source_sym_sizes"), derivatives=(
       wrt("self", "0 at the overwritten slices, 1 elsewhere",
           lambda grad, dim, index, source_sym_sizes: sc.index_write(grad, dim, index, 0)),
       wrt("source", "the gradient of the slice each was copied to",
           lambda grad, dim, index, source_sym_sizes: (
               np.take(grad, index, axis=dim) if grad.ndim else grad).reshape(
               source_sym_sizes))))
op("index_fill", "IndexFillBackward0",
   lambda self, dim, index, value: (sc.index_write(self, dim, index, value), (dim, index)),
   saved=("dim", "index"), plain=("dim",), derivatives=(
       wrt("self", "0 at the filled slices, 1 elsewhere",
           lambda grad, dim, index: sc.index_write(grad, dim, index, 0)),))
op("index_fill_tensor", "IndexFillBackward1",
   lambda self, value, dim, index: (sc.index_write(self, dim, index, value), (dim, index)),
   saved=("dim", "index"), plain=("dim",), derivatives=(
       wrt("self", "0 at the filled slices, 1 elsewhere",
           lambda grad, dim, index: sc.index_write(grad, dim, index, 0)),
       wrt("value", "the gradients of every filled entry, summed",
           lambda grad, dim, index: np.asarray(
               (_index_select_checked(grad, dim, index) if grad.ndim else grad).sum(),
               dtype=grad.dtype))))


def _index_select_checked(grad: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    """torch's index_select inside IndexFillBackward1, which refuses the negative positions
    index_fill itself accepted."""
    if (index < 0).any():
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(index[index < 0][0])}"
                           f" axis_dim={grad.shape[dim]}")
    return np.take(grad, index, axis=dim)


# ================================================================ padding (F.pad)
op("constant_pad_nd", "ConstantPadNdBackward0",
   lambda self, pad, value: (pd.constant_pad(self, pad, value), (pad,)),
   saved=("pad",), plain=("pad",), derivatives=(
       wrt("self", "the gradient of the kept entries; the padding gets none",
           pd.constant_pad_backward),))
for _dims in (1, 2, 3):
    for _mode, _kind in (("reflect", "Reflection"), ("replicate", "Replication")):
        op(f"{_mode}_pad{_dims}d", f"{_kind}Pad{_dims}DBackward0",
           (lambda mode: lambda self, padding: (
               pd.gather_pad(self, padding, mode), (padding, self)))(_mode),
           saved=("padding", "self"), plain=("padding",),
           derivatives=(
               wrt("self", "each padded entry's gradient is added to the entry it copies",
                   (lambda mode: lambda grad, padding, self:
                    pd.gather_pad_backward(grad, padding, mode, self.shape))(_mode)),))
