"""The autograd graph: the nodes backward walks.

A ``Node`` is the ``grad_fn`` of a tensor produced by an op: it points at its op's table row
(``ops.Op``), at the nodes of its inputs (``next_functions``, torch's order, ``None`` for
constants) and at what the forward saved. ``AccumulateGrad`` is the sink of a leaf. Every node
carries a creation sequence number: a node's inputs are always older than it, which gives the
backward walk (``walk.py``) its order.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from gradtui.engine import dtypes, errors
from gradtui.engine.kernels.sums import torch_sum
from gradtui.engine.tensor_base import TensorBase, new_leaf

if TYPE_CHECKING:
    from gradtui.engine.op_schema import Op
    from gradtui.engine.tensor import Tensor

_sequence = itertools.count()
_last_leaves: list[weakref.ref] = []


_REDUCTION_ENUM = {"none": 0, "mean": 1, "sum": 2}


class Node:
    """A ``grad_fn``: one recorded op application."""

    __slots__ = ("op", "next_functions", "saved", "saved_freed", "output_shape", "_dtype",
                 "_seq", "_versions", "_retained", "_tensor_hooks", "__weakref__")

    def __init__(self, op: Op, next_functions: tuple, saved: tuple, output_shape: tuple,
                 dtype: np.dtype) -> None:
        self.op = op
        self.next_functions = next_functions
        self.saved = saved
        self.saved_freed = False
        self.output_shape = output_shape
        self._dtype = dtype
        self._seq = next(_sequence)
        # (index in saved, shared version counter, version when saved, tensor description)
        self._versions: tuple | None = None
        self._retained: weakref.ref | None = None  # a non-leaf output that called retain_grad()
        self._tensor_hooks: list | None = None  # register_hook() on the output tensor

    def name(self) -> str:
        """torch's grad_fn class name, e.g. ``"MulBackward0"``."""
        return self.op.grad_fn

    def saved_values(self) -> dict[str, Any]:
        """What the forward saved for backward, by torch's names without ``_saved_``;
        ``{}`` once the buffers were freed."""
        if self.saved_freed or self.saved is None:
            return {}
        out: dict[str, Any] = {}
        for name, value in zip(self.op.saved, self.saved, strict=False):
            shown = _displayable(value)
            if shown is not _HIDDEN:
                out[name] = shown
        return out

    def rules(self) -> list[str]:
        """One human-readable local derivative per input (from the op table)."""
        rules = self.op.rules
        if len(rules) == len(self.next_functions):
            return list(rules)
        # variadic ops (cat, stack) state one rule for every input
        return [rules[0]] * len(self.next_functions)

    def __getattr__(self, attr: str) -> Any:
        # torch exposes saved values as ``grad_fn._saved_self`` ...
        if attr.startswith("_saved_"):
            key = attr[len("_saved_"):]
            if key in self.op.saved:
                index = self.op.saved.index(key)
                plain = self.op.plain_mask
                # after backward only saved tensors are gone; scalars (exponent, dim) stay
                if self.saved_freed and (plain is None or not plain[index]):
                    raise RuntimeError(errors.BACKWARD_TWICE)
                value = self.saved[index]
                if isinstance(value, np.ndarray):
                    return self._unpack(index, value)
                if key == "reduction" and isinstance(value, str):
                    return _REDUCTION_ENUM[value]  # torch saves the enum: 0 none, 1 mean, 2 sum
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def register_hook(self, hook: Any) -> None:
        raise RuntimeError("gradtui does not support hooks on grad_fn nodes")

    def __repr__(self) -> str:
        # the class name, which drops name()'s "torch::autograd::" (CopySlices), as in torch
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _free(self) -> None:
        if self.op.plain_mask is not None:
            # scalars such as ``exponent``/``dim`` survive, tensors are released (like torch)
            self.saved = tuple([v if keep else None  # a list first: twice as fast
                                for v, keep in zip(self.saved, self.op.plain_mask, strict=True)])
            self.saved_freed = self.op.saves_tensors
        elif self.saved:
            self.saved = None
            self.saved_freed = True

    def _check_versions(self) -> None:
        for entry in self._versions or ():
            _check_version(entry, self)

    def _unpack(self, index: int, value: np.ndarray) -> Any:
        """A saved tensor as torch's ``SavedVariable`` gives it back: None when no input that
        needs it requires grad (torch did not save it); torch's in-place error when it was
        changed since; a saved input is the very tensor object; a saved output is a new tensor
        whose ``grad_fn`` is this node."""
        read_by = self.op.read_by
        if read_by is not None and all(self.next_functions[i][0] is None
                                       for i in read_by[index]):
            return None
        for entry in self._versions or ():
            if entry[2] is value:
                _check_version(entry, self)
                source = entry[3]
                if isinstance(source, TensorBase):
                    return source
                out = new_leaf(value)
                out._vc = entry[0]
                out.grad_fn = self
                out._requires_grad = True
                return out
        return new_leaf(value)


# In a node's version entry, "this node's own output" (its saved result). A marker, not the
# node: a node holding itself would be a reference cycle, and every graph that saved a result
# would wait for Python's garbage collector instead of being freed when dropped.
OWN_OUTPUT = "own output"


def _check_version(entry: tuple, node: Any) -> None:
    """torch's in-place error when a saved tensor's version moved since ``node`` saved it."""
    vc, expected, array, source = entry
    if vc[0] != expected:
        if source is OWN_OUTPUT:
            source = node
        raise RuntimeError(errors.INPLACE_MODIFIED.format(
            legacy=describe(array), shape=", ".join(map(str, array.shape)),
            origin=origin_text(source), now=vc[0], saved=expected))


def describe(array: np.ndarray) -> str:
    """torch's legacy type name of an array's dtype (``torch.FloatTensor``)."""
    return dtypes.BY_NUMPY[array.dtype].legacy_name


def origin_text(source: Any) -> str:
    """How torch names a saved tensor in the in-place error: an output by the node that made
    it, an input by its grad_fn at the time of the error, a leaf by nothing."""
    fn = source if isinstance(source, Node) else getattr(source, "grad_fn", None)
    if fn is None:
        return ""
    name = fn.name()
    stripped = name.rstrip("0123456789")
    if stripped.endswith("Backward"):
        name = stripped[: -len("Backward")]
    return f", which is output 0 of {name},"


_HIDDEN = object()


def _displayable(value: Any) -> Any:
    """A saved value as plain data for the graph panel: arrays, numbers, tuples; slices as
    (start, stop, step); internal helpers (view functions) are not shown."""
    if isinstance(value, np.ndarray | bool | int | float) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, slice):
        return (value.start, value.stop, value.step)
    if isinstance(value, tuple):
        items = tuple(_displayable(v) for v in value)
        return _HIDDEN if any(i is _HIDDEN for i in items) else items
    if isinstance(value, str):
        return value
    return _HIDDEN


_node_classes: dict[str, type[Node]] = {}


def node_class(grad_fn: str) -> type[Node]:
    """The Node subclass named like torch's grad_fn class (``MulBackward0``)."""
    cls = _node_classes.get(grad_fn)
    if cls is None:
        short = grad_fn.rsplit("::", 1)[-1] or "Node"
        cls = type(short, (Node,), {"__slots__": (), "__module__": "torch.autograd.graph"})
        _node_classes[grad_fn] = cls
    return cls


class AccumulateGrad:
    """The sink that adds incoming gradients into a leaf's ``.grad``."""

    __slots__ = ("variable", "output_shape", "_dtype", "__weakref__")
    next_functions: tuple = ()
    saved_freed = False

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.output_shape = variable._array.shape
        self._dtype = variable._array.dtype

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def saved_values(self) -> dict[str, Any]:
        return {}

    def rules(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def last_backward_leaves() -> list[Tensor]:
    """The leaves that received a gradient in the most recent backward()/autograd.grad call."""
    alive = (ref() for ref in _last_leaves)
    return [t for t in alive if t is not None]


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` back to ``shape``: the adjoint of broadcasting ``shape`` to grad.shape.
    One reduction over all the broadcast dims, like torch's ``sum_to``, so the rounding is
    torch's too."""
    extra = grad.ndim - len(shape)
    if extra < 0:
        return np.broadcast_to(grad, shape)
    dims = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    if not dims:
        return grad.reshape(shape)
    exact = torch_sum(grad, dims, True)
    summed = exact if exact is not None else grad.sum(axis=dims, keepdims=True)
    return np.asarray(summed).reshape(shape)


def set_last_backward_leaves(leaves: list[weakref.ref]) -> None:
    """Record the leaves (weakly) a backward()/autograd.grad call just gave gradients to."""
    _last_leaves[:] = leaves
