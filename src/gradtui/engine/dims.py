"""Dims and shapes as torch reads them: a dim in ``[-ndim, ndim)`` (``normalize_dim``), several
dims (``normalize_dims``), a shape given as varargs or as one sequence (``shape_args``), with
torch's errors."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from gradtui.engine import errors
from gradtui.engine.tensor_base import TensorBase


def normalize_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` made non-negative, or torch's IndexError."""
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    if dim < lo or dim > hi:
        raise IndexError(errors.DIM_RANGE.format(lo=lo, hi=hi, dim=dim))
    return int(dim) % ndim if ndim else 0


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    return tuple(sorted({normalize_dim(d, ndim) for d in dims}))


def shape_args(args: tuple, name: str = "view") -> tuple[int, ...]:
    """Shapes given as varargs ``(2, 3)`` or one tuple/list/Size ``((2, 3),)``; ``name`` is
    the function torch names in its TypeError (``ones(): argument 'size' ...``)."""
    single = len(args) == 1 and isinstance(args[0], tuple | list)
    values = tuple(args[0]) if single else args
    out = []
    for pos, a in enumerate(values):
        if type(a) is int:  # the common case, first: a plain int needs no conversion
            out.append(a)
            continue
        if isinstance(a, TensorBase) and a._array.size == 1 and a._array.dtype.kind in "iu":
            a = a.item()
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            kind = type(a).__name__
            if len(args) == 1 and not single:
                msg = f"must be tuple of ints, not {kind}"
                raise TypeError(f"{name}(): argument 'size' (position 1) {msg}")
            if single and pos == 0:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"but found element of type {kind} at pos 0")
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{pos + 1} with error \"type must be tuple of ints,but got {kind}\"")
        out.append(int(a))
    return tuple(out)


# numpy's spellings torch's argument parser accepts for its own (python_arg_parser.cpp)
_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}


def dim_alias(func: Any) -> Any:
    """torch accepts numpy's ``axis=`` and ``keepdims=`` wherever it takes ``dim=`` and
    ``keepdim=``; both spellings at once is the numpy one torch calls unexpected."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:  # most calls have no keywords: one test
            for numpy_name, torch_name in _NUMPY_NAMES.items():
                if numpy_name in kwargs:
                    if torch_name in kwargs:
                        raise TypeError(f"{func.__name__}() got an unexpected keyword "
                                        f"argument '{numpy_name}'")
                    kwargs[torch_name] = kwargs.pop(numpy_name)
        return func(*args, **kwargs)

    return wrapper
