"""``torch.Tensor`` on a numpy array.

A Tensor owns ``_array`` (an ndarray of its dtype), its autograd state (``_requires_grad``,
``grad_fn``, ``_grad``) and a version counter ``_vc`` (a one-item list shared with its views,
bumped by every in-place write): that state is declared in ``tensor_base.TensorBase``. This
module is the method surface learners call: attributes, conversions, autograd, in-place ops,
operators, and (at the end of the class) torch's functions as methods, ``x.sum(1)`` being
``torch.sum(x, 1)`` from ``functional.py``. Every op goes through ``dispatch.apply``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from gradtui.engine import (
    autograd_api,
    bitwise,
    creation,
    dtypes,
    errors,
    indexing,
    linalg,
    random_ops,
    selection,
    views,
)
from gradtui.engine import functional as F
from gradtui.engine import scatter as scatter_ops
from gradtui.engine.autograd import AccumulateGrad
from gradtui.engine.device import CPU, Device, check_device
from gradtui.engine.dims import normalize_dim, shape_args
from gradtui.engine.dispatch import _scalar_value, apply, binary
from gradtui.engine.grad_mode import is_inference_mode_enabled
from gradtui.engine.inplace import view_grad_fn_after_write
from gradtui.engine.ops import OPS
from gradtui.engine.printing import tensor_repr
from gradtui.engine.size import Size
from gradtui.engine.tensor_base import new_leaf, register_tensor_class
from gradtui.engine.tensor_inplace import InplaceMethods
from gradtui.engine.tensor_more import MoreMethods
from gradtui.engine.walk import execute

# op rows used by the dunders, bound once (a dict lookup per operator adds up)
_ADD, _SUB, _MUL, _DIV = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"]
_FLOOR_DIVIDE, _REMAINDER = OPS["floor_divide"], OPS["remainder"]


def _cast_method(name: str, target: dtypes.dtype) -> Any:
    """``x.float()`` & co: ``x.to(target)`` (``x`` itself when it already is)."""
    def cast(self: Tensor) -> Tensor:
        return self._cast(target)

    cast.__name__, cast.__qualname__ = name, f"Tensor.{name}"
    return cast


class Tensor(InplaceMethods, MoreMethods):
    """A multi-dimensional array with autograd, like ``torch.Tensor``."""

    __slots__ = ()  # a tensor's state is declared (and initialised) in TensorBase
    # numpy must hand operators over to us: ndarray + tensor -> Tensor.__radd__
    __array_priority__ = 1000

    def __init__(self, *args: Any) -> None:
        # torch.Tensor(data) or torch.Tensor(*shape): always the default float dtype
        if len(args) == 1 and not isinstance(args[0], int):
            src = creation.tensor(args[0], dtype=dtypes.default_float())
            array = src._array
        else:
            array = np.zeros(shape_args(args), dtype=dtypes.default_float().np)
        self._init(array)

    _wrap = staticmethod(new_leaf)  # a new leaf around an array (no copy)

    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor (None for a leaf). A view whose memory was changed in
        place since its node was made (through its base or another view) gets, as in torch, a
        new ``AsStridedBackward0`` over the base's current graph, so a gradient through the
        view passes the in-place ops too."""
        fn = self._grad_fn
        if fn is not None and self._base is not None and self._vc[0] != self._fn_version:
            fn = view_grad_fn_after_write(self)
        return fn

    @grad_fn.setter
    def grad_fn(self, node: Any) -> None:
        self._grad_fn = node
        if self._base is not None:
            self._fn_version = self._vc[0]

    @staticmethod
    def _from_numpy_copy(array: np.ndarray) -> Tensor:
        return new_leaf(np.array(array))

    # ------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size(self._array.shape)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.BY_NUMPY[self._array.dtype]

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def device(self) -> Device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "torch.strided"

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._inference and not is_inference_mode_enabled():
            raise RuntimeError(errors.INFERENCE_REQUIRES_GRAD)
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                errors.REQUIRES_GRAD_NON_LEAF + " If you want to use a computed variable in a "
                "subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        if value and self._array.dtype.kind != "f":
            raise RuntimeError(errors.ONLY_FLOAT_REQUIRES_GRAD_)
        self._requires_grad = bool(value)

    @property
    def volatile(self) -> bool:
        errors.warn("volatile was removed (Variable.volatile is always False)")
        return False

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version(self) -> int:
        if self._inference:
            raise RuntimeError(errors.INFERENCE_VERSION)
        return self._vc[0]

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn this tensor is (the ``k`` of an edge ``(node, k)``)."""
        return self._output_nr

    def is_inference(self) -> bool:
        """Whether this tensor was made in inference mode (``torch.inference_mode``)."""
        return self._inference

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad:
            errors.warn(errors.NON_LEAF_GRAD)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._array.shape != self._array.shape:
                raise RuntimeError(errors.GRAD_SIZE.format(
                    got=", ".join(map(str, value._array.shape)),
                    expected=", ".join(map(str, self._array.shape))))
            if value._array.dtype != self._array.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same values as a tensor that does not require grad (own version counter)."""
        return Tensor._wrap(self._array)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._array = value._array

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        n = self._array.ndim
        if n == 2:
            return apply(OPS["permute"], (self,), dims=(1, 0))
        errors.warn_once(errors.T_0D if n == 0 else errors.T_NOT_2D)
        return apply(OPS["permute"], (self,), dims=tuple(range(n - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self._array.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._array.ndim}-D tensor.")
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[normalize_dim(dim, self._array.ndim)]

    def dim(self) -> int:
        return self._array.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._array.size)

    nelement = numel

    def element_size(self) -> int:
        return self._array.itemsize

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._array.flags.c_contiguous)

    def get_device(self) -> int:
        return -1

    def stride(self, dim: int | None = None) -> Any:
        a = self._array
        strides = tuple(s // a.itemsize for s in a.strides)
        return strides if dim is None else strides[normalize_dim(dim, a.ndim)]

    # ------------------------------------------------------------ conversion
    def item(self) -> Any:
        a = self._array
        if a.size != 1:
            raise RuntimeError(errors.ITEM_NOT_SCALAR.format(n=a.size))
        return a.reshape(()).item()

    def tolist(self) -> Any:
        return self._array.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError(errors.NUMPY_REQUIRES_GRAD)
        return self._array

    # torch 2.13's own numpy protocol, signatures included: numpy 2 warns about them exactly
    # as it does for torch (DeprecationWarning on np.array(t) and on ufuncs of tensors)
    def __array__(self, dtype: Any = None) -> np.ndarray:
        if dtype is None:
            return self.numpy()
        return self.numpy().astype(dtype, copy=False)

    def __array_wrap__(self, array: np.ndarray) -> Tensor:
        if array.dtype == bool:
            array = array.astype("uint8")
        return Tensor._wrap(array)

    def _python_scalar(self) -> Any:
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._array.reshape(()).item()

    def __float__(self) -> float:
        value = self._python_scalar()
        if self._requires_grad:  # torch warns for float() only
            errors.warn(errors.FLOAT_REQUIRES_GRAD)
        return float(value)

    def __int__(self) -> int:
        return int(self._python_scalar())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._array.size == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self._array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._array.reshape(()))

    def __complex__(self) -> complex:
        return complex(self.item())

    def __len__(self) -> int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        fn = self.grad_fn
        name = type(fn).__name__ if fn is not None else None  # torch prints the class name
        req = self._requires_grad and fn is None
        return tensor_repr(self._array, self.dtype.name, requires_grad=req, grad_fn=name)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # torch formats a 0-d tensor as its Python number, whatever the spec
        if self._array.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._array.copy(), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(errors.DEEPCOPY_NON_LEAF)
        out = Tensor._wrap(self._array.copy())
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = Tensor._wrap(self._grad._array.copy())
        memo[id(self)] = out
        return out

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return self.dtype.legacy_name
        legacy = getattr(dtype, "_legacy_dtype", None)  # torch.FloatTensor & co
        if legacy is not None:
            dtype = legacy
        if isinstance(dtype, str):
            target = next((d for d in dtypes.ALL_DTYPES if d.legacy_name == dtype), None)
            if target is None:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = target
        return self.to(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        target = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, dtypes.dtype):
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, str | Device | int) and not isinstance(a, bool):
                check_device(a)
        check_device(kwargs.get("device"))
        if target is None or target.np == self._array.dtype:
            return self.clone() if copy else self
        return apply(OPS["to_copy"], (self,), dtype=target.np)

    def _cast(self, target: dtypes.dtype) -> Tensor:
        if target.np == self._array.dtype:
            return self
        return apply(OPS["to_copy"], (self,), dtype=target.np)

    float = _cast_method("float", dtypes.float32)
    double = _cast_method("double", dtypes.float64)
    half = _cast_method("half", dtypes.float16)
    long = _cast_method("long", dtypes.int64)
    int = _cast_method("int", dtypes.int32)
    short = _cast_method("short", dtypes.int16)
    char = _cast_method("char", dtypes.int8)
    byte = _cast_method("byte", dtypes.uint8)
    bool = _cast_method("bool", dtypes.bool_)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, *args: Any, **kwargs: Any) -> Tensor:
        check_device(Device(device) if isinstance(device, int) else "cuda")
        return self

    # ------------------------------------------------------------ autograd
    def _accumulator(self) -> AccumulateGrad:
        ref = self._accum
        acc = ref() if ref is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._accum = weakref.ref(acc)
        return acc

    def _accumulate_grad(self, grad: np.ndarray, owned: bool) -> None:
        """Add ``grad`` into ``.grad`` (in place once a grad exists, like torch)."""
        if self._hooks:
            for hook in self._hooks:
                res = hook(Tensor._wrap(grad))
                if res is not None:
                    grad = res._array
        old = self._grad
        if old is None:
            if not owned or not grad.flags.writeable or grad.base is not None:
                grad = np.array(grad, dtype=self._array.dtype)
            self._grad = Tensor._wrap(grad)
        else:
            # torch adds in place (its backward runs in no-grad mode without create_graph),
            # even into a .grad that has a graph of its own: it keeps its grad_fn
            old._array += grad
            old._vc[0] += 1

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        if create_graph or inputs is not None:
            autograd_api.backward([self], [gradient], retain_graph, create_graph, inputs)
            return
        execute((self,), (gradient,), retain_graph=bool(retain_graph))

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self._retains_grad = True
        self.grad_fn._retained = weakref.ref(self)

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient arrives; a hook that returns a
        tensor replaces the gradient (leaves and non-leaves, like torch)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            # a non-leaf: the hook sees (and may replace) the gradient reaching its grad_fn
            node = self.grad_fn
            if node._tensor_hooks is None:
                node._tensor_hooks = []
            node._tensor_hooks.append(hook)
            return RemovableHandle(node._tensor_hooks, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def detach(self) -> Tensor:
        out = Tensor._wrap(self._array)
        out._vc = self._vc
        out._inference = self._inference  # a view of an inference tensor is one
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self, *, memory_format: Any = None) -> Tensor:
        return apply(OPS["clone"], (self,))

    def contiguous(self, memory_format: Any = None) -> Tensor:
        if self._array.flags.c_contiguous:
            return self
        return apply(OPS["clone"], (self,))

    # ------------------------------------------------------------ arithmetic dunders
    def __add__(self, other: Any) -> Any:
        return binary(_ADD, self, other)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if self._array.dtype.kind == "b" or other is True or other is False or (
                type(other) is Tensor and other._array.dtype.kind == "b"):
            F.check_bool_sub(self, other)
        return binary(_SUB, self, other)

    def __rsub__(self, other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return binary(_SUB, other, self)
        return F.rsub(self, other)

    def __mul__(self, other: Any) -> Any:
        return binary(_MUL, self, other)

    def __rmul__(self, other: Any) -> Any:
        # torch evaluates `2 * x` as x.mul(2): the tensor stays the first input
        if isinstance(other, np.ndarray):
            return binary(_MUL, other, self)
        return binary(_MUL, self, other)

    def __truediv__(self, other: Any) -> Any:
        return binary(_DIV, self, other, float_result=True)

    def __rtruediv__(self, other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return binary(_DIV, other, self, float_result=True)
        if _scalar_value(other) is None:
            return NotImplemented
        return binary(_MUL, self.reciprocal(), other)

    def __floordiv__(self, other: Any) -> Any:
        F.check_bool_kernel(self, other, "div_floor_cpu")
        return binary(_FLOOR_DIVIDE, self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        F.check_bool_kernel(other, self, "div_floor_cpu")
        return binary(_FLOOR_DIVIDE, other, self)

    def __mod__(self, other: Any) -> Any:
        return F.remainder(self, other)

    def __rmod__(self, other: Any) -> Any:
        return binary(_REMAINDER, other, self)

    def __pow__(self, exponent: Any) -> Any:
        return self.pow(exponent)

    def __rpow__(self, base: Any) -> Any:
        return F.pow(base, self)

    def __neg__(self) -> Tensor:
        if self._array.dtype.kind == "b":
            raise RuntimeError(errors.BOOL_NEG)
        return apply(OPS["neg"], (self,))

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __invert__(self) -> Tensor:
        return bitwise.invert(self)

    def __matmul__(self, other: Any) -> Any:
        if not isinstance(other, Tensor):
            return NotImplemented
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        if isinstance(other, np.ndarray):
            return linalg.matmul(Tensor._from_numpy_copy(other), self)
        return NotImplemented

    __eq__ = F.eq  # type: ignore[assignment]  # x == y is a tensor, as in torch
    __ne__ = F.ne  # type: ignore[assignment]
    __lt__, __le__, __gt__, __ge__ = F.lt, F.le, F.gt, F.ge

    def __and__(self, other: Any) -> Any:
        return bitwise.bitwise_and(self, other)

    def __or__(self, other: Any) -> Any:
        return bitwise.bitwise_or(self, other)

    def __xor__(self, other: Any) -> Any:
        return bitwise.bitwise_xor(self, other)

    def __lshift__(self, other: Any) -> Any:
        return bitwise.bitwise_left_shift(self, other)

    def __rshift__(self, other: Any) -> Any:
        return bitwise.bitwise_right_shift(self, other)

    def __rlshift__(self, other: Any) -> Any:
        return bitwise.bitwise_left_shift(other, self)

    def __rrshift__(self, other: Any) -> Any:
        return bitwise.bitwise_right_shift(other, self)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    # ------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> Tensor:
        return indexing.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        indexing.setitem(self, index, value)

    # ------------------------------------------------------------ torch functions as methods
    # ``x.sum(1)`` is ``torch.sum(x, 1)``: one implementation for both spellings (functional.py,
    # linalg.py, views.py)
    # arithmetic
    add = F.add
    sub = subtract = F.sub
    rsub = F.rsub
    mul = multiply = F.mul
    div = divide = true_divide = F.div
    floor_divide = F.floor_divide
    remainder = F.remainder
    fmod = F.fmod
    pow = F.pow
    square = F.square
    reciprocal = F.reciprocal
    neg = negative = F.neg
    abs = absolute = F.abs
    # elementwise functions
    exp = F.exp
    exp2 = F.exp2
    expm1 = F.expm1
    log = F.log
    log1p = F.log1p
    log2 = F.log2
    log10 = F.log10
    sqrt = F.sqrt
    rsqrt = F.rsqrt
    sin = F.sin
    cos = F.cos
    tanh = F.tanh
    sinh = F.sinh
    cosh = F.cosh
    atan = arctan = F.atan
    asin = arcsin = F.asin
    acos = arccos = F.acos
    erf = F.erf
    sigmoid = F.sigmoid
    relu = F.relu
    softmax = F.softmax
    log_softmax = F.log_softmax
    clamp = clip = F.clamp
    maximum = F.maximum
    minimum = F.minimum
    floor = F.floor
    ceil = F.ceil
    round = F.round
    trunc = F.trunc
    sign = F.sign
    masked_fill = F.masked_fill
    # reductions
    sum = F.sum
    mean = F.mean
    prod = F.prod
    max = F.max
    min = F.min
    amax = F.amax
    amin = F.amin
    argmax = F.argmax
    argmin = F.argmin
    logsumexp = F.logsumexp
    norm = F.norm
    var = F.var
    std = F.std
    all = F.all
    any = F.any
    cumsum = F.cumsum
    topk = F.topk
    sort = F.sort
    argsort = F.argsort
    msort = F.msort
    gather = F.gather
    # random samplers that make new tensors (random_ops.py)
    bernoulli = random_ops.bernoulli
    multinomial = random_ops.multinomial
    # reading and writing by index (selection.py, scatter.py)
    index_select = selection.index_select
    masked_select = selection.masked_select
    take = selection.take
    nonzero = selection.nonzero
    argwhere = selection.argwhere
    unique = selection.unique
    unique_consecutive = selection.unique_consecutive
    scatter = scatter_ops.scatter
    scatter_add = scatter_ops.scatter_add
    scatter_reduce = scatter_ops.scatter_reduce
    index_add = scatter_ops.index_add
    index_copy = scatter_ops.index_copy
    index_fill = scatter_ops.index_fill
    # bits (bitwise.py)
    bitwise_and = bitwise.bitwise_and
    bitwise_or = bitwise.bitwise_or
    bitwise_xor = bitwise.bitwise_xor
    bitwise_not = bitwise.bitwise_not
    bitwise_left_shift = bitwise.bitwise_left_shift
    bitwise_right_shift = bitwise.bitwise_right_shift
    # linear algebra
    matmul = linalg.matmul
    mm = linalg.mm
    dot = linalg.dot
    mv = linalg.mv
    addmm = linalg.addmm
    outer = linalg.outer
    cross = linalg.cross
    # shapes and views
    t = views.t
    transpose = swapaxes = swapdims = views.transpose
    permute = views.permute
    view = views.view
    view_as = views.view_as
    reshape = views.reshape
    reshape_as = views.reshape_as
    flatten = views.flatten
    unflatten = views.unflatten
    squeeze = views.squeeze
    unsqueeze = views.unsqueeze
    expand = views.expand
    expand_as = views.expand_as
    broadcast_to = views.broadcast_to
    repeat = views.repeat
    split = views.split
    chunk = views.chunk
    unbind = views.unbind
    narrow = views.narrow
    # comparisons and tests
    eq = F.eq
    ne = not_equal = F.ne
    lt = less = F.lt
    le = less_equal = F.le
    gt = greater = F.gt
    ge = greater_equal = F.ge
    logical_and = F.logical_and
    logical_or = F.logical_or
    logical_xor = F.logical_xor
    logical_not = F.logical_not
    equal = F.equal
    allclose = F.allclose
    isclose = F.isclose
    isnan = F.isnan
    isinf = F.isinf
    isfinite = F.isfinite

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """``self`` where ``condition``, else ``other`` (``torch.where(condition, self,
        other)``)."""
        return F.where(condition, self, other)

    # new tensors with this one's dtype (unless given)
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        return creation.tensor(data, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return creation.zeros(*size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    new_empty = new_zeros

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return creation.ones(*size, dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return creation.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _rebuild(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    t._requires_grad = requires_grad
    return t


Tensor.__module__ = "torch"
RemovableHandle.__module__ = "torch.utils.hooks"
register_tensor_class(Tensor)  # the engine's new tensors are torch.Tensors from now on
