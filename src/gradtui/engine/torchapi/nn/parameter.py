"""``torch.nn.Parameter``: a leaf tensor a ``Module`` registers as one of its parameters."""

from __future__ import annotations

from typing import Any

from gradtui.engine.creation import empty
from gradtui.engine.tensor import Tensor


class Parameter(Tensor):
    """A tensor that ``Module.__setattr__`` registers; ``requires_grad`` defaults to True.

    Like torch's ``_make_subclass``, it shares its data and version counter with the tensor it
    was made from and is always a leaf (a computed tensor's graph is dropped). Results of ops
    on a Parameter are plain tensors.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            # torch takes its path for tensor-like objects and calls data.detach()
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        p = object.__new__(cls)
        p._init(data._array)
        p._vc = data._vc  # a detached alias: same storage, same version counter
        p._inference = data._inference
        p.requires_grad = bool(requires_grad)  # the setter: an inference tensor refuses
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happened in __new__ (Tensor.__init__ would start over)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # torch formats only exact torch.Tensor 0-d values as numbers; a Parameter is its str
        if spec:
            raise TypeError(f"unsupported format string passed to {type(self).__name__}"
                            ".__format__")
        return str(self)

    def __deepcopy__(self, memo: dict) -> Parameter:
        # torch copies the data only: the copy has no .grad
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._wrap(self._array.copy()), self._requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild_parameter, (self._array.copy(), self._requires_grad))


def _rebuild_parameter(array: Any, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(array), requires_grad)


Parameter.__module__ = "torch.nn.parameter"
