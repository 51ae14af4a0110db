"""Torch dtypes on numpy dtypes, and torch's type-promotion rules.

Promotion (torch's ``result_type``) works in three tiers: tensors with at least one dimension,
0-d tensors, and Python scalars. A lower tier only changes the result when its *category*
(bool < integer < floating) is higher than the result so far; a Python scalar then contributes
the default dtype of its category (float -> float32, int -> int64), which is why
``int64 tensor + 0.5`` is float32 and ``float16 tensor + 0.5`` stays float16.
"""

from __future__ import annotations

import numpy as np

_BOOL, _INT, _FLOAT = 0, 1, 2


class dtype:  # noqa: N801 - torch spells it in lower case
    """A torch dtype: ``str(torch.float32) == "torch.float32"``."""

    __slots__ = ("name", "np", "category", "is_floating_point", "is_signed", "itemsize",
                 "legacy_name", "short_name")

    def __init__(self, name: str, np_dtype: type, legacy: str, short: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        kind = self.np.kind
        self.category = _FLOAT if kind == "f" else _BOOL if kind == "b" else _INT
        self.is_floating_point = self.category == _FLOAT
        self.is_signed = kind in "if"
        self.itemsize = self.np.itemsize
        self.legacy_name = legacy  # torch.FloatTensor ...: what .type() returns
        self.short_name = short  # "Float", "Long": used in some error messages

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


dtype.__module__ = "torch"

float16 = dtype("float16", np.float16, "torch.HalfTensor", "Half")
float32 = dtype("float32", np.float32, "torch.FloatTensor", "Float")
float64 = dtype("float64", np.float64, "torch.DoubleTensor", "Double")
uint8 = dtype("uint8", np.uint8, "torch.ByteTensor", "Byte")
int8 = dtype("int8", np.int8, "torch.CharTensor", "Char")
int16 = dtype("int16", np.int16, "torch.ShortTensor", "Short")
int32 = dtype("int32", np.int32, "torch.IntTensor", "Int")
int64 = dtype("int64", np.int64, "torch.LongTensor", "Long")
bool_ = dtype("bool", np.bool_, "torch.BoolTensor", "Bool")

ALL_DTYPES: tuple[dtype, ...] = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
BY_NAME: dict[str, dtype] = {d.name: d for d in ALL_DTYPES}
# torch's aliases (torch.float is float32, torch.long is int64, ...)
ALIASES: dict[str, dtype] = {
    "float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
    "short": int16, "bool": bool_,
}
BY_NUMPY: dict[np.dtype, dtype] = {d.np: d for d in ALL_DTYPES}

_default_float = float32


def default_float() -> dtype:
    """The default floating dtype (float32 unless ``torch.set_default_dtype`` changed it)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """torch.set_default_dtype: only floating dtypes are accepted, like torch."""
    global _default_float
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The torch dtype of a numpy dtype; TypeError for dtypes torch has no equivalent of."""
    try:
        return BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(value: object) -> dtype:
    """Accept a torch dtype, or the Python types ``float``/``int``/``bool`` as torch does."""
    if isinstance(value, dtype):
        return value
    if value is float:
        return float64
    if value is int:
        return int64
    if value is bool:
        return bool_
    raise TypeError(f"dtype must be a torch.dtype, not {type(value).__name__}")


def promote_pair(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the higher category wins outright; within one, numpy's rule."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return BY_NUMPY[np.promote_types(a.np, b.np)]


def scalar_category(value: object) -> int:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    return _FLOAT


def _scalar_default(category: int) -> dtype:
    return (bool_, int64, _default_float)[category]


def result_type(dim_dtypes: list[dtype], zero_dim_dtypes: list[dtype],
                scalars: list[object]) -> dtype:
    """torch.result_type over tensors (by dimension tier) and Python scalars."""
    result: dtype | None = None
    for d in dim_dtypes:
        result = d if result is None else promote_pair(result, d)
    zd: dtype | None = None
    for d in zero_dim_dtypes:
        zd = d if zd is None else promote_pair(zd, d)
    if zd is not None and (result is None or zd.category > result.category):
        result = zd
    if scalars:
        cat = max(scalar_category(s) for s in scalars)
        if result is None or cat > result.category:
            result = _scalar_default(cat)
    assert result is not None
    return result
