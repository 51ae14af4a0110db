"""``torch.linalg``: the functions of it that tutorials reach for and the engine has."""

from __future__ import annotations

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from gradtui.engine import functional as _functional
from gradtui.engine.linalg import linalg_cross as cross
from gradtui.engine.linalg import matmul

if _TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["cross", "matmul", "vector_norm"]


def vector_norm(x: Tensor, ord: _Any = 2, dim: _Any = None, keepdim: bool = False, *,
                dtype: _Any = None) -> Tensor:
    """The ``ord``-norm of ``x``'s entries (along ``dim``). ``ord=2`` is torch's node
    (LinalgVectorNormBackward0); other orders are composed of abs/sum/pow, so their graph
    shows those nodes."""
    if dtype is not None:
        x = x.to(dtype)
    return _functional.norm(x, ord, dim, keepdim)


del annotations  # the __future__ flag this module imported is not a torch name
