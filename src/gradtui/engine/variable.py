"""``torch.autograd.Variable``: since torch 0.4 it just returns a Tensor.

``Variable(t, requires_grad=True)`` is a *new* tensor object sharing t's memory (and detached
from t's graph); ``isinstance(any_tensor, Variable)`` is True, as in torch.
"""

from __future__ import annotations

from typing import Any

from gradtui.engine import errors
from gradtui.engine.creation import tensor
from gradtui.engine.tensor import Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor)

    def __call__(cls, data: Any = None, requires_grad: bool = False,
                 volatile: bool = False) -> Tensor:
        if data is None:
            data = tensor([])
        if volatile:
            errors.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                        "instead.")
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = Tensor._wrap(data._array)
        out._vc = data._vc
        if requires_grad:
            if data._array.dtype.kind != "f":
                raise RuntimeError(errors.ONLY_FLOAT_CAN_REQUIRE_GRAD)
            out._requires_grad = True
        return out


class Variable(metaclass=_VariableMeta):
    """Returns a ``torch.Tensor``; kept for old tutorials."""


Variable.__module__ = "torch.autograd.variable"
