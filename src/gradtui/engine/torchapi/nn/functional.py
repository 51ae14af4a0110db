"""``torch.nn.functional``: relu, softmax, losses, linear."""

from __future__ import annotations

from typing import Any as _Any

import numpy as np

from gradtui.engine import dtypes as _dtypes
from gradtui.engine import errors as _errors
from gradtui.engine import random_ops as _random_ops
from gradtui.engine.dispatch import apply as _apply
from gradtui.engine.dispatch import broadcast_shape as _broadcast_shape
from gradtui.engine.dispatch import promote as _promote
from gradtui.engine.functional import log_softmax as _log_softmax
from gradtui.engine.functional import relu as _relu
from gradtui.engine.functional import sigmoid, tanh  # noqa: F401
from gradtui.engine.functional import softmax as _softmax
from gradtui.engine.inplace import check_inplace as _check_inplace
from gradtui.engine.inplace import write_result as _write_result
from gradtui.engine.kernels.elementwise import SELU_ALPHA as _SELU_ALPHA
from gradtui.engine.kernels.elementwise import SELU_SCALE as _SELU_SCALE
from gradtui.engine.linalg import addmm as _addmm
from gradtui.engine.linalg import matmul as _matmul
from gradtui.engine.ops import OPS as _OPS
from gradtui.engine.padding import pad  # noqa: F401
from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn._reduction import reduction_mode as _reduction
from gradtui.engine.torchapi.nn.functional_distance import (  # noqa: F401
    cosine_similarity,
    pairwise_distance,
)
from gradtui.engine.torchapi.nn.functional_losses import (  # noqa: F401
    huber_loss,
    kl_div,
    l1_loss,
    smooth_l1_loss,
    soft_margin_loss,
)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """F.relu; ``inplace=True`` writes the result into ``input`` (torch's relu_)."""
    if inplace:
        return input.relu_()
    return _relu(input)


def _warn_implicit_dim(name: str) -> None:
    _errors.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.")


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: _Any = None) -> Tensor:
    if dim is None:
        _warn_implicit_dim("softmax")
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: _Any = None) -> Tensor:
    if dim is None:
        _warn_implicit_dim("log_softmax")
    return _log_softmax(input, dim, dtype)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``; torch's _addmm (AddmmBackward0) for a 2-d input."""
    ndim = input._array.ndim
    if ndim == 0 or weight._array.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{ndim}D and {weight._array.ndim}D")
    if ndim == 2 and bias is not None:
        return _addmm(bias, input, weight.t())
    if bias is not None and ndim != 0:
        # torch folds the leading dims into rows, runs _addmm, and views the result back
        rows = input.reshape(-1, input._array.shape[-1])
        out = _addmm(bias, rows, weight.t())
        return out.view(*input._array.shape[:-1], weight._array.shape[0])
    out = _matmul(input, weight.t())
    return out if bias is None else out + bias


def mse_loss(input: Tensor, target: Tensor, size_average: _Any = None, reduce: _Any = None,
             reduction: str = "mean", weight: _Any = None) -> Tensor:
    mode = _reduction(size_average, reduce, reduction)
    if input._array.shape != target._array.shape:
        _errors.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.")
    a, t = input._array, target._array
    _broadcast_shape(a.shape, t.shape)
    common_type = _promote((input, target))
    if not common_type.is_floating_point:
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{common_type.short_name}\'')
    if a.dtype != t.dtype:
        common = _promote((input, target)).np
        a, t = a.astype(common, copy=False), t.astype(common, copy=False)
    return _apply(_OPS["mse_loss"], (input, target), (a, t), reduction=mode)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: _Any = None,
             ignore_index: int = -100, reduce: _Any = None, reduction: str = "mean") -> Tensor:
    mode = _reduction(size_average, reduce, reduction)
    tgt = target._array
    if tgt.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{_dtypes.BY_NUMPY[tgt.dtype].short_name}")
    if input._array.ndim > 1 and tgt.shape[0] != input._array.shape[0]:
        raise ValueError(f"Expected input batch_size ({input._array.shape[0]}) to match target "
                         f"batch_size ({tgt.shape[0]}).")
    n_classes = input._array.shape[1] if input._array.ndim > 1 else input._array.shape[0]
    kept = tgt != ignore_index
    all_kept = bool(kept.all())
    if not all_kept or tgt.size and (tgt.min() < 0 or tgt.max() >= n_classes):
        bad = tgt[kept & ((tgt < 0) | (tgt >= n_classes))]
        if bad.size:
            raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
    if not all_kept:
        # ignored targets weigh nothing (and point at class 0 so indexing stays valid)
        w = np.ones(n_classes, dtype=input._array.dtype) if weight is None else weight._array
        tgt = np.where(kept, tgt, 0)
        w_rows = np.where(kept, w[tgt], 0).astype(input._array.dtype)
        return _apply(_OPS["nll_loss"], (input,), target=tgt, reduction=mode,
                     weight=w_rows, per_row=True)
    return _apply(_OPS["nll_loss"], (input,), target=tgt, reduction=mode,
                 weight=None if weight is None else weight._array)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: _Any = None, ignore_index: int = -100, reduce: _Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim, then nll_loss (LogSoftmaxBackward0 -> NllLossBackward0)."""
    tgt = target._array
    if tgt.dtype.kind == "f" and tgt.shape != input._array.shape:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_dtypes.BY_NUMPY[tgt.dtype].short_name}")
    if tgt.dtype.kind != "f" and input._array.ndim == 2 and tgt.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    class_dim = 1 if input._array.ndim > 1 else 0
    n_classes = input._array.shape[class_dim]
    if target._array.dtype.kind == "f":  # class probabilities
        mode = _reduction(size_average, reduce, reduction)
        logp = _log_softmax(input, class_dim)
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        per = -(logp * target).sum(class_dim)
        if mode == "mean":
            return _apply(_OPS["div_scalar"], (per.sum(),),
                         other=float(input._array.size // n_classes))
        return per.sum() if mode == "sum" else per
    logp = _log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, size_average, ignore_index, reduce, reduction)
    if not label_smoothing:
        return nll
    mode = _reduction(size_average, reduce, reduction)
    smooth = -logp.sum(class_dim)
    ignored = Tensor._wrap(target._array == ignore_index)
    if ignored._array.any():
        smooth = smooth.masked_fill(ignored, 0.0)
    if mode == "mean":
        kept = int((~ignored._array).sum())
        smooth = smooth.sum() / kept
    elif mode == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: _Any = None,
                         size_average: _Any = None, reduce: _Any = None,
                         reduction: str = "mean") -> Tensor:
    mode = _reduction(size_average, reduce, reduction)
    if input._array.shape != target._array.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        _expandable_weight(weight, input)
    return _apply(_OPS["binary_cross_entropy"], (input, target), reduction=mode,
                 weight=None if weight is None else weight._array)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: _Any = None,
                                     size_average: _Any = None, reduce: _Any = None,
                                     reduction: str = "mean", pos_weight: _Any = None) -> Tensor:
    mode = _reduction(size_average, reduce, reduction)
    if target._array.shape != input._array.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    for extra in (pos_weight, weight):  # broadcast against the input in torch's kernel order
        if extra is not None:
            _broadcast_shape(extra._array.shape, input._array.shape)
    return _apply(_OPS["bce_with_logits"], (input, target), reduction=mode,
                 weight=None if weight is None else weight._array,
                 pos_weight=None if pos_weight is None else pos_weight._array)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, torch's kernel (LogSigmoidBackward0,
    which saves ``exp(-|x|)`` as its buffer)."""
    arr = input._array
    if arr.dtype.kind != "f":
        raise NotImplementedError('"log_sigmoid_cpu" not implemented for '
                                  f"'{_dtypes.BY_NUMPY[arr.dtype].short_name}'")
    return _apply(_OPS["log_sigmoid"], (input,))


def _expandable_weight(weight: Tensor, input: Tensor) -> None:
    """binary_cross_entropy expands its weight to the input's shape (torch's expand error)."""
    shape, target = weight._array.shape, input._array.shape
    message = (f"Attempting to broadcast a dimension of length {{size}} at {{dim}}! Mismatching "
               f"argument at index 1 had {weight.shape}; but expected shape should be "
               f"broadcastable to [{', '.join(map(str, target))}]")
    for i in range(1, min(len(shape), len(target)) + 1):
        if shape[-i] not in (1, target[-i]):
            raise RuntimeError(message.format(size=shape[-i], dim=-i))
    if len(shape) > len(target):
        wide = np.broadcast_shapes(shape, target)
        raise RuntimeError(f"output with shape [{', '.join(map(str, target))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, wide))}]")


def _number(value: _Any, function: str, argument: str, position: int) -> None:
    """torch's parser: a Number argument given something else."""
    if not isinstance(value, int | float | np.number):
        raise TypeError(f"{function}(): argument '{argument}' (position {position}) must be "
                        f"Number, not {type(value).__name__}")


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    _number(negative_slope, "leaky_relu", "negative_slope", 2)
    out = _apply(_OPS["leaky_relu"], (input,), slope=negative_slope)
    if inplace:
        _write_result(input, out, "leaky_relu")
        return input
    return out


def _float_only(input: Tensor, kernel: str) -> None:
    """torch's activation kernels are dispatched for floating types only."""
    if input._array.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtypes.BY_NUMPY[input._array.dtype].short_name}'")


def _maybe_inplace(input: Tensor, out: Tensor, inplace: bool, name: str) -> Tensor:
    """``inplace=True``: the values go into ``input`` (its version bumps), which takes over
    the result's grad_fn, as torch's ``op_`` does."""
    if not inplace:
        return out
    _write_result(input, out, name)
    return input


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear (``x``) where ``beta * x > threshold``."""
    _number(beta, "softplus", "beta", 2)
    _number(threshold, "softplus", "threshold", 3)
    _float_only(input, "softplus_cpu")
    return _apply(_OPS["softplus"], (input,), beta=beta, threshold=threshold)


def _elu(input: Tensor, alpha: float, scale: float, inplace: bool, name: str) -> Tensor:
    _float_only(input, "elu_cpu")
    if inplace:  # torch's elu_ saves its result: EluBackward1
        _check_inplace(input)
        out = _apply(_OPS["elu_result"], (input,), alpha=alpha, scale=scale, input_scale=1.0)
        return _maybe_inplace(input, out, True, name)
    return _apply(_OPS["elu"], (input,), alpha=alpha, scale=scale, input_scale=1.0)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (EluBackward0)."""
    _number(alpha, "elu", "alpha", 2)
    return _elu(input, alpha, 1.0, inplace, "elu")


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with torch's fixed alpha and scale (an EluBackward0)."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, inplace, "selu")


def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the standard normal CDF); ``approximate='tanh'`` uses
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return _apply(_OPS["gelu"], (input,), approximate=approximate)


def _unary_activation(name: str, kernel: str, doc: str):
    row = _OPS[name]

    def fn(input: Tensor, inplace: bool = False) -> Tensor:
        _float_only(input, kernel)
        if inplace:
            _check_inplace(input)
        return _maybe_inplace(input, _apply(row, (input,)), inplace, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


silu = _unary_activation("silu", "silu_cpu", "``x * sigmoid(x)`` (swish).")
mish = _unary_activation("mish", "mish_cpu", "``x * tanh(softplus(x))``.")
hardsigmoid = _unary_activation("hardsigmoid", "hardsigmoid_cpu",
                                "``clamp(x + 3, 0, 6) / 6``: 0 below -3, 1 above 3.")
hardswish = _unary_activation("hardswish", "hardswish_cpu",
                              "``x * clamp(x + 3, 0, 6) / 6``: 0 below -3, x above 3.")


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``clamp(x, min_val, max_val)``; the gradient is 1 strictly inside, 0 elsewhere."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        _check_inplace(input)
    out = _apply(_OPS["hardtanh"], (input,), min_val=min_val, max_val=max_val)
    return _maybe_inplace(input, out, inplace, "hardtanh")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``: torch's hardtanh(x, 0, 6) (a HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    arr = tensor._array
    n = int(arr.max()) + 1 if num_classes == -1 else num_classes
    return Tensor._wrap((arr[..., None] == np.arange(n)).astype(np.int64))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the others by ``1 / (1 - p)``, as
    torch's CPU kernel does: a ``noise`` tensor laid out like ``input`` gets ``bernoulli_(1 - p)``
    (torch's generator, so the same mask as torch for the same seed), then ``div_(1 - p)``,
    and the result is ``input * noise`` (a ``MulBackward0``)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._array.size == 0:
        return input
    if p == 1:  # torch multiplies by a zero (1 / (1 - p) would be inf)
        noise = Tensor._wrap(np.zeros((), dtype=input._array.dtype))
    else:
        noise = _random_ops.empty_like(input).bernoulli_(1 - p)
        noise.div_(1 - p)
    if inplace:
        return input.mul_(noise)
    return input * noise


del annotations  # the __future__ flag this module imported is not a torch name
