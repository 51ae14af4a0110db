"""``torch.autograd.function``: ``Function``, ``FunctionCtx``, ``once_differentiable``."""

from __future__ import annotations

from gradtui.engine.custom_function import (  # noqa: F401
    BackwardCFunction,
    Function,
    FunctionCtx,
    FunctionMeta,
    InplaceFunction,
    once_differentiable,
)
