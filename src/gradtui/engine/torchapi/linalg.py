"""``torch.linalg``: the functions of it that tutorials reach for and the engine has."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gradtui.engine import functional
from gradtui.engine.linalg import linalg_cross as cross
from gradtui.engine.linalg import matmul

if TYPE_CHECKING:
    from gradtui.engine.tensor import Tensor

__all__ = ["cross", "matmul", "vector_norm"]


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of ``x``'s entries (along ``dim``). ``ord=2`` is torch's node
    (LinalgVectorNormBackward0); other orders are composed of abs/sum/pow, so their graph
    shows those nodes."""
    if dtype is not None:
        x = x.to(dtype)
    return functional.norm(x, ord, dim, keepdim)

