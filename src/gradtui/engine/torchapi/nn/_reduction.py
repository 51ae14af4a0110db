"""``torch.nn._reduction``: which reduction a loss applies, from ``reduction=`` or the legacy
``size_average``/``reduce`` arguments (which warn)."""

from __future__ import annotations

from typing import Any

from gradtui.engine import errors


def reduction_mode(size_average: Any, reduce: Any, reduction: str) -> str:
    """"mean", "sum" or "none"; torch's ValueError for anything else."""
    if size_average is None and reduce is None:
        if reduction == "elementwise_mean":
            errors.warn("reduction='elementwise_mean' is deprecated. Please use "
                        "reduction='mean' instead.")
            return "mean"
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    mode = "none" if not reduce else ("mean" if size_average else "sum")
    errors.warn(f"size_average and reduce args will be deprecated, please use "
                f"reduction='{mode}' instead.")
    return mode
