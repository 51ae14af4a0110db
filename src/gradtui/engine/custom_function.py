"""``torch.autograd.Function``: a learner's own op, with the forward and backward they wrote.

As in torch, ``MyFn.apply(x)`` makes a context object that *is* the output's ``grad_fn``:
an instance of ``MyFnBackward`` (a class made for every Function subclass), which is both the
``ctx`` the learner's ``forward``/``backward`` receive (``save_for_backward``, ``saved_tensors``,
``needs_input_grad``, ``mark_non_differentiable``, ``set_materialize_grads``, any attribute)
and an ``autograd.Node`` the backward walk (``walk.py``) runs like any op node:

- ``next_functions`` has one edge per *tensor* argument (torch's order; non-tensor arguments
  have no edge and must get a None gradient);
- its op row (``CUSTOM_OP``) is variadic: the walk calls its one rule per input, and the rule
  runs the learner's ``backward`` once per node visit (at the first input that needs a
  gradient) and hands out the result input by input, as ``kernels.spread.times`` shares one
  product between the two inputs of ``x * x``;
- saved tensors are unpacked (and version-checked) only when ``backward`` reads
  ``ctx.saved_tensors``, so torch's "backward through the graph a second time" and in-place
  errors come from there, exactly when torch raises them.

The first-order loop runs ``backward`` in no-grad mode on Tensors wrapped around its numpy
gradients; ``create_graph=True`` (``higher_order``) runs it in grad mode, so the Tensor ops it
uses record the gradient's graph (``once_differentiable`` turns that off, as in torch).

A forward may return several differentiable outputs: all of them have the ctx as grad_fn
(``a.grad_fn is b.grad_fn``), and an edge to output ``k`` is ``(ctx, k)`` as in torch. The walk
keeps the first one's gradient in its buffer for the node and the others' in
``ctx._output_grads`` (``walk.Walk._to_output``); ``backward`` gets one gradient per output,
zeros (or None, after ``set_materialize_grads(False)``) for those no gradient reached.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import warnings
import weakref
from typing import Any

import numpy as np

from gradtui.engine import autograd, errors
from gradtui.engine.autograd import _HIDDEN, Node, _displayable, describe, origin_text
from gradtui.engine.dispatch import apply
from gradtui.engine.grad_mode import is_grad_enabled, no_grad
from gradtui.engine.op_schema import Op, wrt
from gradtui.engine.tensor import Tensor

_FUNCTION_MODULE = "torch.autograd.function"
TWICE = ("trying to differentiate twice a function that was marked with "
         "@once_differentiable")


def _rule(grad: np.ndarray, i: int, ctx: BackwardCFunction) -> np.ndarray | None:
    """The op row's one (variadic) rule: input ``i``'s share of the learner's backward."""
    return ctx._numpy_gradient(grad, i)


def _no_forward(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a custom Function runs its own forward")


# The op row of every custom Function node. "ctx" (the node itself, handed to the rule) is kept
# after backward; "tensors" stands for what save_for_backward saved, freed by ``_free``.
CUSTOM_OP = Op("autograd_function", "", _no_forward,
               (wrt("inputs", "the backward you wrote", _rule),), saved=("ctx", "tensors"),
               plain=("ctx",), variadic=True, custom=True)

def _differentiated_twice(grad: np.ndarray) -> None:
    raise RuntimeError(TWICE)


# once_differentiable's guard node: its backward raises torch's error.
# (Not a row of ops.OPS: only once_differentiable applies it.)
DELAYED_ERROR = Op("delayed_error", "torch::autograd::Error", lambda a: (a, ()),
                   (wrt("self", "differentiating again raises", _differentiated_twice),))

_RESERVED = frozenset({"op", "saved", "saved_freed", "output_shape", "next_functions"})


class FunctionCtx:
    """What ``forward``/``setup_context`` may call on ``ctx`` (torch's ``FunctionCtx``)."""

    __module__ = _FUNCTION_MODULE

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for ``backward`` (read them back as ``ctx.saved_tensors``)."""
        for i, t in enumerate(tensors):
            if not (isinstance(t, Tensor) or t is None):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        for t in tensors:
            if not (isinstance(t, Tensor) or t is None):
                raise AssertionError("save_for_forward expects all arguments to be tensors; "
                                     "you should save non-tensors as attributes on ctx.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Any) -> None:
        self.dirty_tensors = args

    def mark_shared_storage(self, *pairs: Any) -> None:
        pass

    def mark_non_differentiable(self, *args: Any) -> None:
        """These outputs do not require grad; backward still gets a (zero) gradient for each."""
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """False: backward gets None (not zeros) for outputs that received no gradient."""
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The ctx of one ``apply`` and the output's ``grad_fn`` (``<Name>Backward``)."""

    __module__ = _FUNCTION_MODULE

    _forward_cls: Any = None

    def __init__(self) -> None:
        init = object.__setattr__
        init(self, "op", CUSTOM_OP)
        init(self, "next_functions", ())
        # a weak proxy, not the node itself: a node holding itself would be a reference cycle
        # and its graph would wait for the garbage collector instead of being freed
        init(self, "saved", (weakref.proxy(self),))
        init(self, "saved_freed", False)
        init(self, "output_shape", ())
        init(self, "_dtype", np.dtype(np.float32))
        init(self, "_seq", 0)
        init(self, "_versions", None)
        init(self, "_retained", None)
        init(self, "_output_version", None)
        init(self, "_tensor_hooks", None)
        self._saved_entries: list | None = []
        self._materialize = True
        self._outputs: list[tuple[tuple, np.dtype] | None] = []
        self._output_index = 0
        self._output_grads: dict[int, Any] = {}  # output number -> its gradient (the walk's)
        self._zero_buffer = False  # the walk started the first output's gradient at zeros
        self._saved_output_nrs: dict[int, int] = {}  # saved_tensors index -> output number
        self._arg_is_tensor: tuple[bool, ...] = ()
        self._first = self._last = -1
        self._pending: list | None = None
        self.metadata: dict = {}
        self.to_save = self.non_differentiable = self.dirty_tensors = None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _RESERVED:
            if name == "next_functions":
                raise AttributeError("attribute 'next_functions' of 'torch._C._FunctionBase' "
                                     "objects is not writable")
            raise AttributeError(f"gradtui keeps its graph in ctx.{name}: store your value "
                                 f"under another name")
        object.__setattr__(self, name, value)

    def __getattr__(self, attr: str) -> Any:
        if attr == "materialize_grads":  # the property's getter raised: torch's message
            raise AttributeError("attribute 'materialize_grads' of 'torch._C._FunctionBase' "
                                 "objects is not readable")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __repr__(self) -> str:
        return object.__repr__(self)  # <torch.autograd.function.NameBackward object at 0x...>

    # ------------------------------------------------------------ the Node API
    def name(self) -> str:
        return type(self).__name__

    def rules(self) -> list[str]:
        fn = self._forward_cls.__name__ if self._forward_cls is not None else "Function"
        return [f"the backward you wrote ({fn}.backward)"] * len(self.next_functions)

    def saved_values(self) -> dict[str, Any]:
        """``saved_tensors[i]`` (the arrays) and the plain values set on ctx."""
        if self.saved_freed:
            return {}
        out: dict[str, Any] = {}
        for i, entry in enumerate(self._saved_entries or ()):
            out[f"saved_tensors[{i}]"] = None if entry is None else entry[0]._array
        for key, value in vars(self).items():
            if key.startswith("_") or key in _CTX_FIELDS:
                continue
            shown = _displayable(value)
            if shown is not _HIDDEN:
                out[f"ctx.{key}"] = shown
        return out

    def _free(self) -> None:
        """After a backward without retain_graph (torch's ``release_variables``)."""
        object.__setattr__(self, "saved_freed", True)
        self._saved_entries = None

    # ------------------------------------------------------------ what backward reads
    @property
    def saved_tensors(self) -> tuple:
        """What ``save_for_backward`` kept, checked against in-place changes since."""
        if self._saved_entries is None:
            raise RuntimeError(errors.BACKWARD_TWICE)
        out = []
        for entry in self._saved_entries:
            if entry is None:
                out.append(None)
                continue
            t, vc, version, kind = entry
            if vc[0] != version:
                source = self if kind == "output" else t
                raise RuntimeError(errors.INPLACE_MODIFIED.format(
                    legacy=describe(t._array), shape=", ".join(map(str, t._array.shape)),
                    origin=origin_text(source), now=vc[0], saved=version))
            if kind == "output":  # torch hands back a new tensor whose grad_fn is this node
                t = Tensor._wrap(t._array)
                t._vc = vc
                t._grad_fn = self
                t._requires_grad = True
                t._output_nr = self._saved_output_nrs.get(len(out), self._output_index)
            out.append(t)
        return tuple(out)

    @property
    def materialize_grads(self) -> Any:
        raise AttributeError("materialize_grads")  # write-only, as in torch (see __getattr__)

    @materialize_grads.setter
    def materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    def apply(self, *grad_outputs: Any) -> Any:
        """Run the learner's backward on ``grad_outputs`` (torch's ``grad_fn.apply``)."""
        return _user_backward(self._forward_cls)(self, *grad_outputs)

    # ------------------------------------------------------------ the backward walk's side
    def _numpy_gradient(self, grad: np.ndarray, i: int) -> np.ndarray | None:
        """Input ``i``'s gradient: the first input that needs one runs the learner's backward
        (no grad mode, like torch without create_graph); the others read its result."""
        if i == self._first or self._pending is None:
            with no_grad():
                grads = self._tensor_gradients(Tensor._wrap(np.array(grad)))
            self._pending = [None if g is None else _read_only(g._array) for g in grads]
        pending = self._pending
        if i == self._last:
            self._pending = None
        return pending[i]

    def _tensor_gradients(self, grad: Tensor) -> list[Tensor | None]:
        """Call the learner's backward with one gradient per forward output; return torch's
        checked gradients, one per edge (``higher_order`` calls this in grad mode)."""
        grad_outputs = []
        others, self._output_grads = self._output_grads, {}
        placeholder, self._zero_buffer = self._zero_buffer, False
        for k, meta in enumerate(self._outputs):
            if k == self._output_index:
                # only later outputs got gradients: without materialize_grads that is None
                unreached = placeholder and not self._materialize and not grad._array.any()
                grad_outputs.append(None if unreached else grad)
            elif k in others:
                g = others[k]
                grad_outputs.append(g if isinstance(g, Tensor) else Tensor._wrap(np.array(g)))
            elif meta is not None and self._materialize:
                grad_outputs.append(Tensor._wrap(np.zeros(meta[0], dtype=meta[1])))
            else:
                grad_outputs.append(None)
        result = _user_backward(self._forward_cls)(self, *grad_outputs)
        return self._check_gradients(result)

    def _check_gradients(self, result: Any) -> list[Tensor | None]:
        """torch's checks of what backward returned (PyNode::apply, validate_outputs)."""
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._arg_is_tensor)
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(result)})")
        grads: list[Tensor | None] = []
        for i, (g, is_tensor) in enumerate(zip(result, self._arg_is_tensor, strict=True)):
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a "
                        f"Variable")
                continue
            grads.append(g)
        for j, ((fn, _), g) in enumerate(zip(self.next_functions, grads, strict=True)):
            if fn is None:  # an input that does not require grad: its gradient is dropped
                grads[j] = None
            if fn is None or g is None:
                continue
            got, want = g._array.shape, fn.output_shape
            if got != want and not _expandable(want, got):
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {j} - got "
                    f"[{', '.join(map(str, got))}] but expected shape compatible with "
                    f"[{', '.join(map(str, want))}]")
        return grads


_CTX_FIELDS = frozenset({"metadata", "to_save", "needs_input_grad", "non_differentiable",
                         "dirty_tensors", "saved_for_forward"})


def _read_only(array: np.ndarray) -> np.ndarray:
    """A gradient the learner returned may be one of their tensors' arrays: the engine must
    never sum into it in place or keep it as a .grad, so it gets a read-only view."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view


def _expandable(shape: tuple, to: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``to`` (torch's ``is_expandable_to``)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(to), strict=False))


def _user_backward(cls: Any) -> Any:
    backward, vjp = cls.backward, cls.vjp
    if backward is not Function.backward and vjp is not Function.vjp:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not "
                           "allowed. You should only implement one of them.")
    return vjp if vjp is not Function.vjp else backward


_function_ids = itertools.count()


class FunctionMeta(type):
    """Gives every Function subclass its node class ``<Name>Backward`` (``_backward_cls``)."""

    __module__ = _FUNCTION_MODULE

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        backward_cls = type(name + "Backward", (BackwardCFunction,),
                            {"_forward_cls": cls, "__module__": _FUNCTION_MODULE})
        backward_cls._autograd_function_id = next(_function_ids)
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of a custom autograd op: subclass it with static ``forward`` and
    ``backward`` methods and call ``MyFn.apply(...)``."""

    __module__ = _FUNCTION_MODULE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions "
            "are all static, so you should invoke them on the class itself. "
            "Instantiating an autograd function will raise an "
            "error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. "
            "Please use new-style autograd function with static forward method. "
            "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (in no-grad mode) and make the ctx the outputs' grad_fn."""
        separate = cls.setup_context is not Function.setup_context
        if separate:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        elif kwargs:
            args, kwargs = _bind_keywords(cls.forward, args, kwargs), {}
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with no_grad():
            if separate:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args)
        if not (is_grad_enabled() and any(ctx.needs_input_grad)):
            return output
        return _connect(ctx, args, output)


def _bind_keywords(forward: Any, args: tuple, kwargs: dict) -> tuple:
    """torch passes keyword arguments to a ctx-style forward as the positional parameters
    they name, in order (no defaults filled in)."""
    params = list(inspect.signature(forward).parameters.values())[1:]
    names = [p.name for p in params
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for key in kwargs:
        if key not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{key}'")
    rest = dict(kwargs)
    out = list(args)
    for position in range(len(args), len(names)):
        if not rest:
            break
        if names[position] not in rest:
            raise TypeError(f"forward() missing required argument: '{names[position]}' "
                            f"(position {position})")
        out.append(rest.pop(names[position]))
    return tuple(out)


def _connect(ctx: BackwardCFunction, args: tuple, output: Any) -> Any:
    """torch's ``_wrap_outputs``: the differentiable tensor output gets ``ctx`` as grad_fn."""
    if ctx.dirty_tensors:
        raise RuntimeError("gradtui does not support ctx.mark_dirty (a custom Function that "
                           "changes its inputs in place)")
    is_tuple = type(output) is tuple
    outputs = list(output) if is_tuple else [output]
    non_diff = {id(t) for t in ctx.non_differentiable or ()}
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    differentiable = []
    for k, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            continue
        if id(out) in inputs:  # an input handed back: the output is a new alias of it
            alias = out.detach()
            alias._base = out if out._base is None else out._base
            alias._view_fn = lambda array: array
            outputs[k] = alias
            out = alias
        if id(out) not in non_diff and out._array.dtype.kind == "f":
            differentiable.append(k)
    if not differentiable:
        return output
    k = differentiable[0]
    result = outputs[k]
    init = object.__setattr__
    init(ctx, "next_functions", tuple(_edge(a) for a in args if isinstance(a, Tensor)))
    init(ctx, "output_shape", result._array.shape)
    init(ctx, "_dtype", result._array.dtype)
    init(ctx, "_seq", next(autograd._sequence))
    ctx._outputs = [(o._array.shape, o._array.dtype) if isinstance(o, Tensor) else None
                    for o in outputs]
    ctx._output_index = k
    ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
    needed = [j for j, (fn, _) in enumerate(ctx.next_functions) if fn is not None]
    ctx._first, ctx._last = needed[0], needed[-1]
    for j in differentiable:  # every differentiable output: grad_fn the ctx, edge (ctx, j)
        out = outputs[j]
        out.grad_fn = ctx
        out._requires_grad = True
        out._output_nr = j
    numbers = {id(outputs[j]): j for j in differentiable}
    ctx._saved_entries = []
    for index, t in enumerate(ctx.to_save or ()):
        if t is not None and id(t) in numbers and id(t) not in inputs:
            ctx._saved_output_nrs[index] = numbers[id(t)]
            ctx._saved_entries.append(_saved_entry(t, t, inputs))
        else:
            ctx._saved_entries.append(_saved_entry(t, result, inputs))
    ctx.to_save = None  # torch keeps them as saved variables from here on
    return tuple(outputs) if is_tuple else result


def _edge(t: Tensor) -> tuple:
    """An input's edge, as ``dispatch._record`` makes it."""
    if not t._requires_grad:
        return (None, 0)
    fn = t.grad_fn
    if fn is None:
        ref = t._accum
        fn = ref() if ref is not None else None
        if fn is None:
            fn = t._accumulator()
    return (fn, t._output_nr)


def _saved_entry(t: Tensor | None, output: Tensor, inputs: set[int]) -> tuple | None:
    """(tensor, its version counter, the version now, what it is to the node)."""
    if t is None:
        return None
    kind = "input" if id(t) in inputs else "output" if t is output else "other"
    if kind == "output":  # its data only: the output's grad_fn is this ctx (no cycle)
        t = _data_of(t)
    return (t, t._vc, t._vc[0], kind)


def _data_of(t: Tensor) -> Tensor:
    data = Tensor._wrap(t._array)
    data._vc = t._vc
    return data


def once_differentiable(fn: Any) -> Any:
    """Run a backward in no-grad mode; differentiating its result again raises torch's error."""
    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        many = isinstance(outputs, tuple)
        wrapped = tuple(None if o is None else apply(DELAYED_ERROR, (_fake_leaf(o),))
                        for o in (outputs if many else (outputs,)))
        return wrapped if many else wrapped[0]

    return wrapper


def _fake_leaf(t: Tensor) -> Tensor:
    leaf = t.detach()
    leaf._requires_grad = True
    return leaf


class InplaceFunction(Function):
    """Kept by torch for backward compatibility."""

    __module__ = _FUNCTION_MODULE

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace
