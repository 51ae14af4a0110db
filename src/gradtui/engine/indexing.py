"""``x[index]`` and ``x[index] = value`` the way torch decomposes them.

torch applies an index left to right: an int is a ``select`` (SelectBackward0), a slice a
``slice`` (SliceBackward0; a bare ``:`` inside a tuple is skipped), ``None`` an ``unsqueeze``,
``...`` skips dims; advanced indices (int lists/tensors, bool masks) are gathered at the end in
one ``index`` op (IndexBackward0). So ``x[0, 1:]`` is SliceBackward0 over SelectBackward0,
exactly as in torch, and every step is a view sharing the version counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors
from gradtui.engine.dispatch import apply
from gradtui.engine.grad_mode import is_grad_enabled, no_grad
from gradtui.engine.inplace import fill_from_tensor
from gradtui.engine.ops import OPS
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

_NON_TUPLE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/"
    "python_variable_indexing.cpp:349.)"
)


def _as_tuple(index: Any) -> Any:
    """torch reads a short list holding sequences, slices, None, ... as a tuple (and warns);
    a ``range`` is the sequence of its ints (``x[range(3)]`` is ``x[[0, 1, 2]]``)."""
    if isinstance(index, range):
        return list(index)
    if isinstance(index, tuple) and any(isinstance(i, range) for i in index):
        index = tuple(list(i) if isinstance(i, range) else i for i in index)
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, list | tuple | slice | TensorBase) or i is None or i is Ellipsis
            for i in index):
        errors.warn(_NON_TUPLE_WARNING)
        return tuple(index)
    return index


def _components(index: Any) -> tuple:
    if isinstance(index, tuple):
        return index
    return (index,)


def _is_advanced(item: Any) -> bool:
    if isinstance(item, TensorBase):
        return item._array.ndim > 0 or item._array.dtype.kind == "b"
    return isinstance(item, list | np.ndarray)


def _to_numpy_index(item: Any) -> Any:
    if isinstance(item, TensorBase):
        arr = item._array
        if arr.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    if isinstance(item, list):
        arr = np.asarray(item) if item else np.empty(0, dtype=np.int64)
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return arr
    return item


def _scalar_int(item: Any) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int | np.integer):
        return int(item)
    if isinstance(item, TensorBase) and item._array.ndim == 0 and item._array.dtype.kind in "iu":
        return int(item._array)
    return None


def getitem(t: Tensor, index: Any) -> Tensor:
    """``t[index]``: ints, slices, ``None`` and ``...`` one view at a time (select, slice,
    unsqueeze), then the advanced indices together in one ``index`` op, as torch does."""
    index = _as_tuple(index)
    items = _components(index)
    consumed = _check_index(t, items)
    if t._array.ndim == 0 and len(items) == 1 and isinstance(items[0], TensorBase) \
            and items[0]._array.dtype.kind == "b" and items[0]._array.ndim == 0:
        return apply(OPS["index"], (t,), index=items[0]._array)
    lone_slice = not isinstance(index, tuple) and isinstance(index, slice)
    out, advanced, touched = _basic_steps(t, items, consumed, lone_slice)
    if advanced:
        return apply(OPS["index"], (out,), index=_advanced_index(out, advanced))
    if not touched:
        return apply(OPS["alias"], (out,))
    return out


def _check_index(t: Tensor, items: tuple) -> int:
    """torch's errors for an index that cannot apply to ``t``; returns how many of ``t``'s dims
    the index addresses (a bool mask addresses as many as it has)."""
    for it in items:
        if isinstance(it, TensorBase) and it._array.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    consumed = sum(
        0 if (it is None or it is Ellipsis) else
        (it._array.ndim if isinstance(it, TensorBase) and it._array.dtype.kind == "b" else 1)
        for it in items)
    ndim = t._array.ndim
    if ndim == 0 and len(items) == 1 and isinstance(items[0], slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if ndim == 0 and len(items) == 1:
        k = _scalar_int(items[0]) if not isinstance(items[0], TensorBase) else None
        if k is not None and k != 0:
            raise IndexError(f"index {k} is out of bounds for dimension 0 with size 0")
    if consumed > ndim:
        if ndim == 0 and consumed == 1 and _scalar_int(items[0]) is not None and not \
                isinstance(items[0], TensorBase):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    return consumed


def _basic_steps(t: Tensor, items: tuple, consumed: int,
                 lone_slice: bool) -> tuple[Tensor, list[tuple[int, Any]], bool]:
    """Apply the basic indices left to right as views; returns the result, the advanced
    indices met on the way (with the dim of the result each applies to), and whether any view
    was taken."""
    ndim = t._array.ndim
    out = t
    dim = 0  # position in `out` of the next dim the index addresses
    source_dim = 0  # the same dim counted in `t` (torch's error messages use it)
    advanced: list[tuple[int, Any]] = []
    touched = False
    for it in items:
        if it is Ellipsis:
            dim += ndim - consumed
            source_dim += ndim - consumed
            continue
        if it is None:
            out = apply(OPS["unsqueeze"], (out,), dim=dim)
            dim += 1
            touched = True
            continue
        k = _scalar_int(it)
        if k is not None:
            size = out._array.shape[dim]
            if k < -size or k >= size:
                raise IndexError(f"index {k} is out of bounds for dimension {source_dim} with "
                                 f"size {size}")
            out = apply(OPS["select"], (out,), dim=dim, index=k % size)
            source_dim += 1
            touched = True
            continue
        if isinstance(it, slice):
            if it.step is not None and it.step <= 0:
                raise ValueError("step must be greater than zero")
            size = out._array.shape[dim]
            sl = slice(*it.indices(size))
            # inside a tuple torch skips a slice that keeps the whole dim (x[:, 0:4] on 4 cols)
            if lone_slice or not (sl.start == 0 and sl.stop == size and sl.step == 1):
                out = apply(OPS["slice"], (out,), dim=dim, sl=sl)
                touched = True
            dim += 1
            source_dim += 1
            continue
        if _is_advanced(it):
            arr = _to_numpy_index(it)
            advanced.append((dim, arr))
            step = arr.ndim if arr.dtype.kind == "b" else 1
            dim += step
            source_dim += step
            continue
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {type(it).__name__})")
    return out, advanced, touched


def _advanced_index(out: Tensor, advanced: list[tuple[int, Any]]) -> tuple:
    """The numpy index of the advanced indices (full slices elsewhere), checked like torch:
    a bool mask's shape against the dims it covers, integer indices against their dim."""
    full: list[Any] = [slice(None)] * out._array.ndim
    for pos, arr in advanced:
        full[pos] = arr
    # bool masks span several dims: drop the slots they consume
    np_index: list[Any] = []
    skip = 0
    for i, part in enumerate(full):
        if skip:
            skip -= 1
            continue
        np_index.append(part)
        if isinstance(part, np.ndarray) and part.dtype.kind == "b":
            skip = part.ndim - 1
            _check_mask(part, out._array.shape[i:], i)
    for part, size in zip(np_index, out._array.shape, strict=False):
        if isinstance(part, np.ndarray) and part.dtype.kind != "b" and part.size:
            bad = part[(part >= size) | (part < -size)]
            if bad.size:
                raise IndexError(f"index {int(bad.flat[0])} is out of bounds for dimension "
                                 f"{np_index.index(part)} with size {size}")
    return tuple(np_index)


def _check_mask(mask: np.ndarray, shape: tuple, start: int) -> None:
    for k, (m, s) in enumerate(zip(mask.shape, shape[:mask.ndim], strict=False)):
        if m != s:
            raise IndexError(f"The shape of the mask [{', '.join(map(str, mask.shape))}] at index "
                             f"{k} does not match the shape of the indexed tensor "
                             f"[{', '.join(map(str, shape))}] at index {start + k}")


def _view_index(np_index: Any) -> tuple:
    parts = np_index if isinstance(np_index, tuple) else (np_index,)
    return parts if any(p is Ellipsis for p in parts) else (*parts, Ellipsis)


def _check_expand(shape: tuple[int, ...], target: tuple[int, ...],
                  legacy: str = "torch.FloatTensor") -> None:
    """torch expands the value to the indexed shape, with expand's error message."""
    lead = len(target) - len(shape)
    # leading size-1 dims of the value may be dropped, like torch's slicePrefix1sSize
    while lead < 0 and shape and shape[0] == 1:
        shape = shape[1:]
        lead += 1
    detail = (f"Target sizes: [{', '.join(map(str, target))}].  Tensor sizes: "
              f"[{', '.join(map(str, shape))}]")
    if lead < 0:
        raise RuntimeError(f"expand({legacy}{{[{', '.join(map(str, shape))}]}}, "
                           f"size=[{', '.join(map(str, target))}]): the number of sizes provided "
                           f"({len(target)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    for i in range(len(shape) - 1, -1, -1):  # torch reports the last mismatching dim
        s = shape[i]
        want = target[lead + i]
        if s != want and s != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing "
                               f"size ({s}) at non-singleton dimension {lead + i}.  {detail}")


def _numpy_index(index: Any) -> Any:
    items = tuple(_to_numpy_index(i) if not isinstance(i, TensorBase) or i._array.ndim
                  else (int(i._array) if i._array.dtype.kind in "iu" else i._array)
                  for i in _components(index))
    return items if isinstance(index, tuple) else items[0]


def _strip_leading_ones(shape: tuple[int, ...]) -> tuple[int, ...]:
    """torch's slicePrefix1sSize: the value's leading size-1 dims are dropped before expanding."""
    first = 0
    while first < len(shape) and shape[first] == 1:
        first += 1
    return shape[first:]


def _selects_everything(index: Any, shape: tuple[int, ...]) -> bool:
    """Only ``...`` and slices that keep their whole dim (``t[:]``, ``t[0:n]``, ``t[:, ::1]``):
    torch then writes into the tensor itself rather than into a view of it."""
    parts = _components(index)
    if not all(p is Ellipsis or isinstance(p, slice) for p in parts):
        return False
    ellipsis = [i for i, p in enumerate(parts) if p is Ellipsis]
    if len(ellipsis) > 1:
        return False
    if ellipsis:
        before, after = parts[:ellipsis[0]], parts[ellipsis[0] + 1:]
        dims = list(zip(before, shape, strict=False)) + list(
            zip(after, shape[len(shape) - len(after):], strict=False))
    else:
        dims = list(zip(parts, shape, strict=False))
    return all(p.indices(size) == (0, size, 1) for p, size in dims)


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``: in place, version bump; with grad, t's grad_fn becomes
    CopySlices (IndexPutBackward0 for advanced indices), like torch."""
    index = _as_tuple(index)
    if isinstance(value, list):
        raise TypeError(f"can't assign a list to a {t.dtype.legacy_name}")
    # the same index errors as reading (out of range, too many indices, ...)
    with no_grad():
        getitem(new_leaf(np.empty(t._array.shape, dtype=np.bool_)), index)
    np_index = _numpy_index(index)
    tracked = is_grad_enabled() and (
        t._requires_grad or (isinstance(value, TensorBase) and value._requires_grad))
    if tracked and t._requires_grad and t.grad_fn is None:
        raise RuntimeError(errors.VIEW_OF_LEAF_INPLACE)
    if tracked and t._base is not None and t._base._requires_grad and t._base.grad_fn is None:
        raise RuntimeError(errors.VIEW_OF_LEAF_INPLACE)
    if isinstance(value, TensorBase):
        v = value._array
    else:
        v = np.asarray(value)
        if v.dtype.kind == "f" and t._array.dtype.kind != "f":
            v = v.astype(t._array.dtype)
    try:
        target_shape = np.empty(t._array.shape, dtype=np.bool_)[np_index].shape
    except IndexError as exc:
        raise IndexError(str(exc)) from None
    advanced = any(_is_advanced(i) for i in _components(index))
    _check_value(t, value, v, target_shape, advanced)
    if not tracked:
        t._array[np_index] = v
        t._vc[0] += 1
        return
    _tracked_write(t, index, np_index, value, v, target_shape, advanced)


def _check_value(t: Tensor, value: Any, v: np.ndarray, target_shape: tuple[int, ...],
                 advanced: bool) -> None:
    """torch's errors for a value that does not fit the indexed entries."""
    if not advanced:
        _check_expand(np.shape(v), target_shape,
                      dtypes.BY_NUMPY.get(np.asarray(v).dtype, t.dtype).legacy_name)
        return
    # torch drops the value's leading size-1 dims before reporting (slicePrefix1sSize)
    shown = tuple(np.shape(v))
    while len(shown) > len(target_shape) and shown and shown[0] == 1:
        shown = shown[1:]
    try:
        np.broadcast_shapes(np.shape(v), target_shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape [{', '.join(map(str, shown))}] "
            f"cannot be broadcast to indexing result of shape "
            f"[{', '.join(map(str, target_shape))}]") from None
    if isinstance(value, TensorBase) and value._array.dtype != t._array.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{t.dtype.short_name} for the destination and {value.dtype.short_name} for "
            "the source.")


def _tracked_write(t: Tensor, index: Any, np_index: Any, value: Any, v: np.ndarray,
                   target_shape: tuple[int, ...], advanced: bool) -> None:
    """The write when a graph records it: CopySlices on the root tensor (IndexPutBackward0 for
    advanced indices), a write that covers all of ``t`` as ``copy_``/``fill_`` on ``t``."""
    v_in = value if isinstance(value, TensorBase) else new_leaf(v.astype(t._array.dtype))
    if not advanced:
        # torch's copy_to: a 0-d value fills, any other is viewed without its leading 1s and
        # expanded to the written shape (ViewBackward0, ExpandBackward0 under the write)
        if v_in._array.shape != target_shape and v_in._array.ndim:
            v_in = v_in.view(_strip_leading_ones(v_in._array.shape))
            if v_in._array.shape != target_shape:
                v_in = v_in.expand(target_shape)
        if t._base is None and _selects_everything(index, t._array.shape):
            # torch skips a slice that keeps a whole dim: the write is on t itself
            if v_in._array.ndim == 0 and target_shape != ():
                fill_from_tensor(t, v_in)
            else:
                t.copy_(v_in)
            return
    arr_v = np.broadcast_to(v_in._array.astype(t._array.dtype, copy=False), target_shape)
    # the write happens on the root tensor's memory; a view's path into it comes first
    root = t if t._base is None else t._base
    if advanced:
        if t._base is not None:
            raise RuntimeError("gradtui does not support advanced-index assignment into a view "
                               "of a tensor that requires grad; assign into the tensor itself")
        node = apply(OPS["index_put"], (t, v_in), (t._array, arr_v), index=np_index).grad_fn
        t._array[np_index] = arr_v
    else:
        inner = t._view_fn
        # a trailing ... keeps an all-int index a 0-d view instead of a numpy scalar
        as_view = _view_index(np_index)
        view_fn = (lambda arr: arr[as_view]) if inner is None else (
            lambda arr: inner(arr)[as_view])
        node = apply(OPS["copy_slices"], (root, v_in), (root._array, arr_v),
                     view_fn=view_fn).grad_fn
        t._array[np_index] = arr_v
    t._vc[0] += 1
    root.grad_fn = node
    root._requires_grad = True
    if root is not t:
        t.grad_fn = apply(OPS["as_strided"], (root,), view_fn=t._view_fn).grad_fn
        t._requires_grad = True
