"""The regression and divergence losses of ``torch.nn.functional``: ``l1_loss``,
``smooth_l1_loss``, ``huber_loss``, ``soft_margin_loss`` and ``kl_div``, with torch 2.13's
argument checks, warnings and graphs (``kl_div`` is made of ordinary ops in torch, so its
graph is theirs: ``SubBackward0`` of an ``XlogyBackward0`` and a ``MulBackward0``)."""

from __future__ import annotations

from typing import Any

from gradtui.engine import errors
from gradtui.engine.dispatch import apply, cast_arrays, promote
from gradtui.engine.functional import exp, xlogy
from gradtui.engine.ops import OPS
from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn._reduction import reduction_mode as _reduction
from gradtui.engine.views import broadcast_tensors


def _size_of(x: Any) -> Any:
    if not isinstance(x, Tensor):
        raise AttributeError(f"'{type(x).__name__}' object has no attribute 'size'")
    return x.size()


def _warn_size_mismatch(input: Tensor, target: Tensor) -> None:
    target_size, input_size = _size_of(target), _size_of(input)
    if target_size != input_size:
        errors.warn(f"Using a target size ({target_size}) that is different to the input size "
                    f"({input_size}). This will likely lead to incorrect results due to "
                    "broadcasting. Please ensure they have the same size.")


def _float_kernel(kernel: str, *tensors: Tensor) -> tuple[Any, ...]:
    """The arrays in the tensors' common dtype, which torch's kernel needs floating."""
    common = promote(tensors)
    if not common.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{common.short_name}\'')
    return cast_arrays(tensors, common.np)


def _reduce(loss: Tensor, mode: str) -> Tensor:
    return loss.mean() if mode == "mean" else loss.sum() if mode == "sum" else loss


def _l1(input: Tensor, target: Tensor, mode: str) -> Tensor:
    return _reduce((input - target).abs(), mode)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """``|a - t|`` reduced (MeanBackward0 of AbsBackward0 of SubBackward0, as torch builds
    it); ``weight`` scales each element, and a weighted mean divides by ``weight.sum()``."""
    _warn_size_mismatch(input, target)
    mode = _reduction(size_average, reduce, reduction)
    input, target = broadcast_tensors(input, target)
    if weight is None:
        return _l1(input, target, mode)
    if _size_of(weight) != input.size():
        raise ValueError("Weights and input must have the same size.")
    weighted = (input - target).abs() * weight
    if mode == "mean":
        return weighted.sum() / weight.sum()
    return _reduce(weighted, mode)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 (a - t)^2 / beta`` where ``|a - t| < beta``, else ``|a - t| - 0.5 beta``
    (SmoothL1LossBackward0); with ``beta=0`` it is ``l1_loss``, as in torch."""
    _warn_size_mismatch(input, target)
    mode = _reduction(size_average, reduce, reduction)
    input, target = broadcast_tensors(input, target)
    if beta == 0.0:
        return _l1(input, target, mode)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    arrays = _float_kernel("smooth_l1_cpu", input, target)
    return apply(OPS["smooth_l1_loss"], (input, target), arrays, reduction=mode,
                 beta=float(beta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 (a - t)^2`` where ``|a - t| < delta``, else ``delta (|a - t| - 0.5 delta)``
    (HuberLossBackward0); ``weight`` multiplies each element's loss before the reduction."""
    _warn_size_mismatch(input, target)
    input, target = broadcast_tensors(input, target)
    if weight is not None and _size_of(weight) != input.size():
        raise ValueError("Weights and input must have the same size.")
    mode = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    arrays = _float_kernel("huber_cpu", input, target)
    if weight is None:
        return apply(OPS["huber_loss"], (input, target), arrays, reduction=mode,
                     delta=float(delta))
    loss = apply(OPS["huber_loss"], (input, target), arrays, reduction="none",
                 delta=float(delta)) * weight
    return _reduce(loss, mode)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-a t))`` for labels t in {-1, 1} (SoftMarginLossBackward0)."""
    mode = _reduction(size_average, reduce, reduction)
    if not input.is_floating_point():  # torch's exp_ of the (integer) output fails
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{input.dtype.short_name}")
    shape = input._array.shape
    full = broadcast_tensors(input, target)[0].shape
    if tuple(full) != shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, full))}]")
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    # torch computes in place in the input's tensor: the loss has the input's dtype
    a, t = cast_arrays((input, target), input._array.dtype)
    return apply(OPS["soft_margin_loss"], (input, target), (a, t), reduction=mode)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """``target * (log(target) - input)`` summed as ``reduction`` says; ``input`` holds
    log-probabilities (and ``target`` too with ``log_target=True``). ``'batchmean'`` divides the
    sum by the batch size, the KL divergence's definition; ``'mean'`` divides by every element
    (and warns, as torch does)."""
    if size_average is not None or reduce is not None:
        mode = _reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            errors.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                        "support size.'batchmean' divides only by the batch size, and aligns "
                        "with the KL div math definition.'mean' will be changed to behave the "
                        "same as 'batchmean' in the next major release.")
        mode = "sum" if reduction == "batchmean" else _reduction(None, None, reduction)
    if input._array.dtype.kind not in "fc" or target._array.dtype.kind not in "fc":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    # torch's C++ builds the right operand first (GCC evaluates these operands right to
    # left), which decides the order the backward walk meets the nodes, and so the order a
    # target that requires grad sums its gradients in
    if log_target:
        difference = target - input
        output = exp(target) * difference
    else:
        product = target * input
        output = xlogy(target, target) - product
    reduced = _reduce(output, mode)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced

