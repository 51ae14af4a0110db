# ruff: noqa: F401 - this module re-exports the engine under torch's names
"""The torch-shaped package learners import as ``torch`` inside gradtui (see ``shim``)."""

from __future__ import annotations

import math
from typing import Any as _Any

from gradtui.engine import dtypes as _dtypes
from gradtui.engine import errors as _errors
from gradtui.engine import generator as _generator
from gradtui.engine.bitwise import *  # noqa: F401,F403
from gradtui.engine.creation import (  # noqa: F401
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from gradtui.engine.device import Device as device  # noqa: F401
from gradtui.engine.device import get_default_device, set_default_device  # noqa: F401
from gradtui.engine.dispatch import promote as _promote
from gradtui.engine.dtypes import (  # noqa: F401
    bool_ as bool,
)
from gradtui.engine.dtypes import (
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from gradtui.engine.functional import *  # noqa: F401,F403
from gradtui.engine.functional import (  # noqa: F401
    abs,
    all,
    any,
    max,
    min,
    pow,
    round,
    sum,
)
from gradtui.engine.functional_more import *  # noqa: F401,F403
from gradtui.engine.generator import (  # noqa: F401
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from gradtui.engine.grad_mode import (  # noqa: F401
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from gradtui.engine.linalg import *  # noqa: F401,F403
from gradtui.engine.out_param import with_out as _with_out
from gradtui.engine.printing import set_printoptions  # noqa: F401
from gradtui.engine.random_ops import (  # noqa: F401
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from gradtui.engine.scatter import *  # noqa: F401,F403
from gradtui.engine.selection import *  # noqa: F401,F403
from gradtui.engine.size import Size  # noqa: F401
from gradtui.engine.tensor import Tensor  # noqa: F401
from gradtui.engine.torchapi import (  # noqa: F401
    accelerator,
    autograd,
    backends,
    cuda,
    linalg,
    nn,
    optim,
    random,
    serialization,
    utils,
)
from gradtui.engine.torchapi.nn.functional_distance import (  # noqa: F401
    cdist,
    cosine_similarity,
    pairwise_distance,
)
from gradtui.engine.torchapi.serialization import load, save  # noqa: F401
from gradtui.engine.typename import typename  # noqa: F401
from gradtui.engine.views import *  # noqa: F401,F403

__version__ = "2.13.0+cpu"

nan, inf, pi, e = math.nan, math.inf, math.pi, math.e  # torch's constants are Python floats
float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
strided = "torch.strided"
default_generator = _generator.default_generator


def set_default_dtype(d: dtype) -> None:
    _dtypes.set_default_dtype(d)


_TENSOR_TYPE_WARNING = (
    "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
    "torch.set_default_dtype() and torch.set_default_device() as alternatives. (Triggered "
    "internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)")


def set_default_tensor_type(t: _Any) -> None:
    """The old spelling of ``set_default_dtype``: a legacy type (``torch.DoubleTensor``) or its
    name; deprecated, as torch warns."""
    if isinstance(t, str):
        found = globals().get(t.removeprefix("torch."))
        if not t.startswith("torch.") or not hasattr(found, "_legacy_dtype"):
            raise TypeError(f"invalid type: '{t}'")
        t = found
    _errors.warn_once(_TENSOR_TYPE_WARNING)
    legacy = getattr(t, "_legacy_dtype", None)
    if legacy is None:
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not legacy.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtypes.set_default_dtype(legacy)


def get_default_dtype() -> dtype:
    return _dtypes.default_float()


def promote_types(type1: dtype, type2: dtype) -> dtype:
    for position, given in enumerate((type1, type2), 1):
        if not isinstance(given, dtype):
            raise TypeError(f"promote_types(): argument 'type{position}' (position {position}) "
                            f"must be torch.dtype, not {type(given).__name__}")
    return _dtypes.promote_pair(type1, type2)


def result_type(tensor1: _Any, tensor2: _Any) -> dtype:
    return _promote((tensor1, tensor2))


def set_num_threads(n: _Any) -> None:
    """Accepted for compatibility; numpy's threading is configured outside the engine."""


def get_num_threads() -> _Any:
    return 1


# The functions torch lets write into a given tensor (``torch.mul(a, b, out=c)``).
_OUT_FUNCTIONS = (
    "add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow "
    "matmul mm mv dot addmm cat concat concatenate stack exp log log1p sqrt rsqrt sin cos tanh "
    "sigmoid abs absolute neg negative reciprocal square clamp clip maximum minimum where "
    "floor ceil round trunc sign eq ne lt le gt ge logical_and logical_or logical_xor "
    "logical_not cumsum"
).split()
for _name in _OUT_FUNCTIONS:
    if _name in globals():
        globals()[_name] = _with_out(globals()[_name], _name)

del annotations  # the __future__ flag this module imported is not a torch name

