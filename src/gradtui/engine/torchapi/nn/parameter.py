"""``torch.nn.Parameter``: a leaf tensor a ``Module`` registers as one of its parameters."""

from __future__ import annotations

from typing import Any

from gradtui.engine.creation import empty
from gradtui.engine.device import check_device
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


# ---------------------------------------------------------------- lazy (uninitialized) tensors
_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in {func}. This error happens when you are "
    "using a `LazyModule` or explicitly manipulating `torch.nn.parameter.{cls}` objects. When "
    "using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
    "calling torch functions")
_NO_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes.")
# What torch's UninitializedTensorMixin lets through (its _allowed_methods); attributes that are
# properties (dtype, requires_grad, grad, data, device, ...) are always allowed.
_ALLOWED = frozenset({"size", "copy_", "is_complex", "is_floating_point", "half", "float",
                      "double", "char", "short", "int", "long", "cuda", "cpu", "to",
                      "get_device", "materialize", "share_memory_"})
# Python operators by the name torch's error gives them (the C method they call).
_OPERATORS = {"__add__": "add", "__radd__": "add", "__sub__": "sub", "__mul__": "mul",
              "__rmul__": "mul", "__truediv__": "div", "__matmul__": "matmul",
              "__rmatmul__": "matmul", "__neg__": "neg", "__abs__": "abs", "__gt__": "gt",
              "__lt__": "lt", "__ge__": "ge", "__le__": "le", "__eq__": "__eq__",
              "__ne__": "__ne__", "__rsub__": "Tensor.__rsub__", "__rtruediv__": "Tensor.__rdiv__",
              "__pow__": "TensorBase.pow", "__rpow__": "Tensor.__rpow__",
              "__getitem__": "__getitem__", "__setitem__": "__setitem__",
              "__len__": "Tensor.__len__", "__iter__": "Tensor.__iter__",
              "__float__": "__float__", "__int__": "__int__", "__bool__": "__bool__",
              "__format__": "Tensor.__format__"}


def _method_text(name: str) -> str:
    if "." in name:  # a method torch writes in Python: its repr has its address
        return f"<function {name} at {id(name):#x}>"
    if name.startswith("__"):
        return f"<slot wrapper '{name}' of 'torch._C.TensorBase' objects>"
    return f"<method '{name}' of 'torch._C.TensorBase' objects>"


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (a lazy module's parameter before its first
    forward): only its dtype, device and ``requires_grad`` can be read; every operation raises
    torch's ValueError, ``.shape`` its RuntimeError, until ``materialize(shape)`` makes it a
    real Parameter (or buffer) of that shape, in place."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Become a ``cls_to_become`` of ``shape`` (same dtype unless ``dtype``), in place:
        modules and optimizers that hold this object hold the materialized one."""
        new = empty(shape, dtype=self.dtype if dtype is None else dtype)
        object.__setattr__(self, "__class__", self.cls_to_become)
        self.data = new

    @property
    def shape(self) -> Any:
        raise RuntimeError(_NO_SHAPE)

    def share_memory_(self) -> Any:
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call "
                           "`forward` to initialize the parameters before calling "
                           "`module.share_memory()`.")

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if (callable(value) and not name.startswith("_") and name not in _ALLOWED
                and hasattr(Tensor, name) and not isinstance(getattr(Tensor, name), property)):
            raise ValueError(_UNINITIALIZED_USE.format(func=_method_text(name),
                                                       cls=type(self).__name__))
        return value


def _blocked_operator(name: str) -> Any:
    def operator(self: Any, *args: Any) -> Any:
        raise ValueError(_UNINITIALIZED_USE.format(func=_method_text(_OPERATORS[name]),
                                                   cls=type(self).__name__))
    operator.__name__ = name
    return operator


for _name in _OPERATORS:
    setattr(UninitializedTensorMixin, _name, _blocked_operator(_name))


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter with no shape yet (``nn.LazyLinear``'s weight and bias before the first
    forward); ``materialize`` turns it into a ``Parameter``."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        check_device(device)
        p = Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)
        return p  # type: ignore[return-value]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # everything happened in __new__

    def __deepcopy__(self, memo: dict) -> UninitializedParameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.dtype)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (type(self), (self.requires_grad,))


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer with no shape yet; ``materialize`` turns it into a plain tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None,
                dtype: Any = None) -> UninitializedBuffer:
        check_device(device)
        data = empty(0, dtype=dtype)
        t = object.__new__(cls)
        t._init(data._array)
        t._requires_grad = bool(requires_grad)
        return t

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (type(self), (self.requires_grad,))


for _cls in (UninitializedTensorMixin, UninitializedParameter, UninitializedBuffer):
    _cls.__module__ = "torch.nn.parameter"
