"""Loss kernels: binary cross-entropy (plain and with logits), nll and mse, as torch computes them.

torch's loss kernels (aten/src/ATen/native/Loss.cpp, LossNLL.cpp) group their arithmetic in a
fixed order and sum a batch in their own order (nll's cascade of partial sums); these functions
follow them so that ``loss.item()`` and the gradients print torch's digits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtui.engine.kernels.elementwise import log_sigmoid, sigmoid
from gradtui.engine.kernels.reductions import mean_all, sum_like_torch


def reduce_loss(values: np.ndarray, reduction: str) -> np.ndarray:
    """The per-element losses reduced as ``reduction`` says: "mean", "sum" or "none"."""
    if reduction == "mean":
        return np.asarray(sum_like_torch(values) / values.dtype.type(max(values.size, 1)),
                          dtype=values.dtype)
    if reduction == "sum":
        return np.asarray(sum_like_torch(values), dtype=values.dtype)
    return values


def bce_forward(p: np.ndarray, t: np.ndarray, reduction: str,
                weight: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    """``-(t log p + (1 - t) log(1 - p))``, times ``weight``, reduced; torch clamps the logs at
    -100 so p = 0 or 1 gives a finite loss."""
    log_p = np.maximum(np.log(p), -100)
    log_q = np.maximum(np.log(1 - p), -100)
    values = -(t * log_p + (1 - t) * log_q)
    if weight is not None:
        values = values * weight
    return reduce_loss(values.astype(p.dtype), reduction), (p, t, weight, reduction)


def bce_backward(g: Any, p: np.ndarray, t: np.ndarray, weight: np.ndarray | None,
                 reduction: str) -> np.ndarray:
    """torch's ``binary_cross_entropy_backward``: ``grad * (p - t) / max((1 - p) * p, eps)``
    (eps the float 1e-12), then times the weight, then (mean) divided by the count."""
    eps = p.dtype.type(np.float32(1e-12))
    out = (g * (p - t)) / np.maximum((1 - p) * p, eps)
    if weight is not None:
        out = out * weight
    if reduction == "mean":
        out = out / p.dtype.type(p.size)
    return out


def bce_target_backward(g: Any, p: np.ndarray, t: np.ndarray, weight: np.ndarray | None,
                        reduction: str) -> np.ndarray:
    """torch's ``binary_cross_entropy_target_backward``: ``-logit(p) * grad`` (the loss falls
    by ``log(p) - log(1 - p)`` per unit of target), times the weight, over the count for a
    mean."""
    out = -(np.log(p) - np.log1p(-p)) * g
    if weight is not None:
        out = out * weight
    if reduction == "mean":
        out = out / out.dtype.type(t.size)
    return out.astype(p.dtype, copy=False)


def bce_with_logits_forward(z: np.ndarray, t: np.ndarray, reduction: str,
                            weight: np.ndarray | None = None,
                            pos_weight: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    """torch's order (Loss.cpp): ``(1 - t) * z - log_sigmoid(z) * (1 + (pos_weight - 1) * t)``,
    times ``weight``, then the reduction (a mean is torch's sum over ``n``)."""
    log_sig = log_sigmoid(z)[0]
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * t + 1)
    values = (1 - t) * z - log_sig
    if weight is not None:
        values = values * weight
    return reduce_loss(values.astype(z.dtype, copy=False), reduction), (
        z, t, weight, pos_weight, reduction)


def bce_with_logits_backward(g: Any, z: np.ndarray, t: np.ndarray, weight: np.ndarray | None,
                             pos_weight: np.ndarray | None, reduction: str) -> np.ndarray:
    """torch's order: ``(sigmoid(z) - t) * g`` (with ``pos_weight``,
    ``((pw * t + 1) - t) * sigmoid(z) - pw * t``), times ``weight``, over ``n`` for a mean (its
    own sigmoid kernel, ``elementwise.sigmoid``)."""
    s = sigmoid(z)
    if pos_weight is None:
        local = s - t
    else:  # FunctionsManual.cpp: ((pw * t + 1) - t) * sigmoid(z) - pw * t
        pt = pos_weight * t
        local = ((pt + 1) - t) * s - pt
    local = local * g
    if weight is not None:
        local = local * weight
    if reduction == "mean":
        local = local / local.dtype.type(local.size)
    return local


def bce_with_logits_target_backward(g: Any, z: np.ndarray, t: np.ndarray,
                                    weight: np.ndarray | None, pos_weight: np.ndarray | None,
                                    reduction: str) -> np.ndarray:
    """torch's ``binary_cross_entropy_with_logits_target_backward``: ``-z * grad``; with
    ``pos_weight``, ``(log(1 - sigmoid(z)) - pw * log(sigmoid(z))) * grad``; times the weight,
    over the count for a mean."""
    if pos_weight is None:
        out = -z * g
    else:
        s = sigmoid(z)
        out = (np.log(1 - s) - pos_weight * np.log(s)) * g
    if weight is not None:
        out = out * weight
    if reduction == "mean":
        out = out / out.dtype.type(t.size)
    return out.astype(z.dtype, copy=False)


def row_weights(weight: np.ndarray | None, target: np.ndarray,
                per_row: bool) -> np.ndarray | None:
    """Class weights as a per-row vector (already per row for ignore_index)."""
    if weight is None or per_row:
        return weight
    return weight[target.reshape(-1)]


def nll_cascade_sum(values: np.ndarray) -> np.float32:
    """The sum of a batch's losses in torch's order (LossNLL.cpp): 8 levels of partial sums;
    level 0 adds the values one by one and hands its partial up to level 1 at every multiple of
    16 (level 1 to level 2 at every multiple of 256, ...); the partials are added last, lowest
    level first. Golden verified the order bit-exact against torch on 1000 batches."""
    n = len(values)
    zero = np.float32(0)
    if n == 0:
        return zero
    # level 0's runs: values[0] alone (index 0 hands it up), then runs of 16 ending at indices
    # 16, 32, ...; the last run may stay open. Zero padding leaves a sequential sum unchanged.
    rest = values[1:]
    runs = -(-len(rest) // 16)
    padded = np.zeros(runs * 16, dtype=values.dtype)
    padded[:len(rest)] = rest
    run_sums = np.add.accumulate(padded.reshape(runs, 16), axis=1)[:, -1].tolist()
    partial = [zero] * 8
    # index 0 is a multiple of every level's span: values[0] climbs to the top level, added to
    # zeros on the way (which only turns -0. into 0.)
    partial[7] = np.float32(values[0] + zero)
    for i, run_sum in enumerate(run_sums, start=1):
        partial[0] = np.float32(run_sum)
        b = 16 * i
        if b >= n:
            break  # the open run stays at level 0
        for level in range(7):
            if (b >> (4 * level)) & 15:
                break
            partial[level + 1] = np.float32(partial[level + 1] + partial[level])
            partial[level] = zero
    total = zero
    for value in partial:
        # a zero adds nothing to a total that started at +0. (and is never -0.)
        if value != 0 or value != value:
            total = np.float32(total + value)
    return total


def nll_forward(logp: np.ndarray, target: np.ndarray, reduction: str,
                weight: np.ndarray | None) -> tuple[np.ndarray, Any]:
    """``-logp[i, target[i]]`` per row (times the row's weight), reduced; also the total
    weight, which a mean divides by (the row count without weights)."""
    n = logp.shape[0] if logp.ndim > 1 else 1
    lp2 = logp.reshape(n, -1) if logp.ndim > 1 else logp.reshape(1, -1)
    tgt = target.reshape(-1)
    picked = -lp2[np.arange(n), tgt]
    if weight is None:  # every row weighs 1: x * 1 is x, and the weights sum to n exactly
        total = logp.dtype.type(n)
    else:
        w = weight.astype(logp.dtype)
        picked = picked * w
        total = w.sum()
    if reduction in ("mean", "sum"):
        plain = weight is None and picked.dtype == np.float32 and picked.ndim == 1
        summed = nll_cascade_sum(picked) if plain else picked.sum()
        if reduction == "mean":
            return np.asarray(summed / total, dtype=logp.dtype), total
        return np.asarray(summed, dtype=logp.dtype), total
    return picked.reshape(target.shape).astype(logp.dtype), total


def nll_backward(g: np.ndarray, logp: np.ndarray, target: np.ndarray, reduction: str,
                 weight: np.ndarray | None, total: Any) -> np.ndarray:
    """``-weight * grad`` (over the total weight for a mean) at each row's target class, 0
    elsewhere."""
    n = logp.shape[0] if logp.ndim > 1 else 1
    out = np.zeros((n, logp.shape[-1]), dtype=logp.dtype)
    tgt = target.reshape(-1)
    if reduction == "mean":
        coeff = g / total
    elif reduction == "sum":
        coeff = g
    else:
        coeff = g.reshape(-1)
    # -w * coeff; without weights -1 * coeff, which is -coeff exactly (a scalar broadcasts)
    coeff = -coeff if weight is None else -weight.astype(logp.dtype) * coeff
    out[np.arange(n), tgt] = coeff + 0  # + 0: ignored rows (weight 0) get +0., not -0.
    return out.reshape(logp.shape)


def mse_forward(a: np.ndarray, t: np.ndarray, reduction: str) -> tuple[Any, tuple]:
    """``(a - t)^2``, reduced in torch's summation order."""
    diff = a - t
    d = diff * diff
    if reduction == "mean":  # torch reduces in its own summation order
        return mean_all(d), (a, t, reduction)
    if reduction == "sum":
        return np.asarray(sum_like_torch(d), dtype=d.dtype), (a, t, reduction)
    return d, (a, t, reduction)


def mse_backward(g: Any, a: np.ndarray, t: np.ndarray, reduction: str, sign: int) -> np.ndarray:
    """``sign * 2 (a - t) * grad`` (over the count for a mean): sign 1 for the input, -1 for
    the target."""
    diff = np.broadcast_to(a - t, np.broadcast_shapes(np.shape(a), np.shape(t)))
    scale = 2.0 / diff.size if reduction == "mean" else 2.0
    return (sign * scale) * diff * g
