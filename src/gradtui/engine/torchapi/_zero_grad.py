"""Forgetting gradients, as ``Module.zero_grad`` and ``Optimizer.zero_grad`` both do."""

from __future__ import annotations

from collections.abc import Iterable

from gradtui.engine.tensor import Tensor


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """``p.grad = None`` for every parameter (torch 2's default), or, with
    ``set_to_none=False``, zero each ``.grad`` in place after cutting it from any graph."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        if p.grad.grad_fn is not None:
            p.grad.detach_()
        else:
            p.grad.requires_grad_(False)
        p.grad.zero_()
