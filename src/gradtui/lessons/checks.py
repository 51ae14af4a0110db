"""The check registry: each kind validates its parameters at load time and judges one cell.

Checks judge the learner's *state* (the kernel's snapshot and cell result, or an expression the
kernel evaluates), never the typed text, so a right answer reached another way passes. Every
failure message says what is wrong in words a learner who knows no PyTorch can act on.
"""

from __future__ import annotations

import ast
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gradtui.kernel.protocol import ExecuteReply, Snapshot, TensorInfo

Evaluate = Callable[[str], tuple[bool, str]]


class CheckParamError(Exception):
    """A check's parameters are wrong; ``key`` names the offending field (for its line)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    message: str  # what is wrong (on failure) or what was confirmed (on pass)


@dataclass
class JudgeContext:
    """What a check may look at: the reply to the learner's last cell and the kernel."""

    reply: ExecuteReply
    evaluate: Evaluate

    @property
    def snapshot(self) -> Snapshot:
        return self.reply.snapshot or Snapshot()


class Check(ABC):
    """Base class: subclasses declare ``kind``, ``required``/``optional`` fields and ``judge``."""

    kind: ClassVar[str]
    required: ClassVar[dict[str, type | tuple[type, ...]]] = {}
    optional: ClassVar[dict[str, type | tuple[type, ...]]] = {}

    def __init__(self, params: dict[str, Any], line: int = 0) -> None:
        self.params = params
        self.line = line
        self.custom_message: str | None = params.get("message")
        self.validate()

    def validate(self) -> None:
        """Extra checks beyond field names and types; raise CheckParamError."""
        return None  # most kinds need nothing beyond the field types

    def judge(self, ctx: JudgeContext) -> CheckResult:
        result = self.run(ctx)
        if not result.passed and self.custom_message:
            return CheckResult(False, self.custom_message)
        return result

    @abstractmethod
    def run(self, ctx: JudgeContext) -> CheckResult:
        """Judge the state; the message says what is wrong when it fails."""

    def describe(self) -> str:
        """A one-line summary for listings and self-test reports."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "message")
        return f"{self.kind}({args})"


REGISTRY: dict[str, type[Check]] = {}
COMMON_OPTIONAL: dict[str, type | tuple[type, ...]] = {"message": str}


def register(cls: type[Check]) -> type[Check]:
    REGISTRY[cls.kind] = cls
    return cls


_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", float: "a number",
               list: "an array"}


def _type_name(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    names = [_TYPE_NAMES.get(t, t.__name__) for t in types if not (t is int and float in types)]
    return " or ".join(names)


def build_check(table: dict[str, Any], line: int = 0) -> Check:
    """A check from its TOML table; raises CheckParamError saying what is wrong."""
    kind = table.get("kind")
    if kind is None:
        raise CheckParamError(
            f"check has no `kind` (one of: {', '.join(sorted(REGISTRY))})", None)
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise CheckParamError(
            f"unknown check kind {kind!r} (known kinds: {', '.join(sorted(REGISTRY))})", "kind")
    cls = REGISTRY[kind]
    params = {k: v for k, v in table.items() if k != "kind"}
    allowed = {**cls.required, **cls.optional, **COMMON_OPTIONAL}
    for key in cls.required:
        if key not in params:
            raise CheckParamError(f"check kind {kind!r} needs the field `{key}`", None)
    for key, value in params.items():
        if key not in allowed:
            raise CheckParamError(
                f"check kind {kind!r} has no field `{key}` (fields: {', '.join(sorted(allowed))})",
                key)
        expected = allowed[key]
        # TOML booleans are ints to Python; a bool where a number is wanted is still a mistake.
        is_bool = isinstance(value, bool)
        wants_bool = expected is bool or (isinstance(expected, tuple) and bool in expected)
        if not isinstance(value, expected) or (is_bool and not wants_bool):
            raise CheckParamError(
                f"field `{key}` of check kind {kind!r} must be {_type_name(expected)}, "
                f"not {type(value).__name__} {value!r}", key)
    return cls(params, line)


# --- helpers -------------------------------------------------------------------------------

# What learner code records each node, so a message can say "a power such as ** 2" to someone
# who has never seen the name PowBackward0.
_OP_MEANING = {
    "AddBackward0": "an addition (+)", "SubBackward0": "a subtraction (-)",
    "MulBackward0": "a multiplication (*)", "DivBackward0": "a division (/)",
    "PowBackward0": "a power such as ** 2", "SumBackward0": "a sum such as torch.sum",
    "MeanBackward0": "a mean", "MseLossBackward0": "F.mse_loss", "ExpBackward0": "torch.exp",
    "NegBackward0": "a negation (-x)", "MmBackward0": "a matrix product (@)",
    "AccumulateGrad": "a leaf tensor that requires grad",
}


def _op(name: str) -> str:
    meaning = _OP_MEANING.get(name)
    return f"{name} ({meaning})" if meaning else name


def _missing(name: str) -> CheckResult:
    return CheckResult(False, f"There is no tensor named `{name}` yet.")


def _tensor(ctx: JudgeContext, name: str) -> TensorInfo | None:
    return ctx.snapshot.tensor(name)


def _fmt(values: Any) -> str:
    """Numbers the way a learner reads them: 10.0 -> 10., 0.5 -> 0.5."""
    if isinstance(values, list):
        return "[" + ", ".join(_fmt(v) for v in values) + "]"
    if isinstance(values, float) and math.isfinite(values) and values == int(values):
        return f"{int(values)}."
    if isinstance(values, float):
        return f"{values:.4g}"
    return repr(values)


_NONFINITE = {"nan": math.nan, "inf": math.inf}


def parse_numbers(text: str) -> Any:
    """A number or nested list of numbers from its repr (``nan``/``inf`` allowed); else raise."""

    def convert(node: ast.AST) -> Any:
        if isinstance(node, ast.List | ast.Tuple):
            return [convert(e) for e in node.elts]
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float | bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = convert(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Name) and node.id in _NONFINITE:
            return _NONFINITE[node.id]
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        raise ValueError(f"not a list of numbers: {text[:80]}")

    return convert(ast.parse(text.strip(), mode="eval").body)


def _compare(name: str, what: str, actual: Any, expected: Any, atol: float,
             rtol: float) -> CheckResult:
    got = np.asarray(actual, dtype=float)
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return CheckResult(False, f"`{what}` has shape {list(got.shape)}, expected "
                                  f"{list(want.shape)}.")
    if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True):
        close = "close enough to " if atol > 1e-3 else ""
        return CheckResult(True, f"`{what}` is {close}{_fmt(expected)}.")
    message = f"`{what}` is {_fmt(got.tolist())} but should be {_fmt(want.tolist())}."
    nonzero = want != 0
    if nonzero.any() and np.all(np.isfinite(got)):
        ratio = got[nonzero] / want[nonzero]
        if np.allclose(ratio, ratio.flat[0]) and np.isclose(ratio.flat[0], round(ratio.flat[0])) \
                and round(ratio.flat[0]) >= 2 and np.allclose(got[~nonzero], 0):
            message += (f" That is {round(ratio.flat[0])} times too much: gradients add up over "
                        "backward() calls.") if what.endswith(".grad") else ""
    return CheckResult(False, message)


def _values_of(ctx: JudgeContext, name: str, info: TensorInfo, grad: bool) -> Any:
    """The tensor's values (or grad) from the snapshot, else asked of the kernel."""
    snap_values = info.grad_values if grad else info.values
    if snap_values is not None:
        # The snapshot lists a 0-d tensor's value as [v]; the tensor's shape says what it is.
        array = np.asarray(snap_values, dtype=float)
        if array.size == math.prod(info.shape):
            return array.reshape(info.shape).tolist()
        return snap_values
    # Large tensors and non-leaf grads are not in the snapshot; `_grad` avoids torch's warning
    # about reading .grad of a non-leaf.
    expr = (f"(None if ({name})._grad is None else ({name})._grad.detach().tolist())" if grad
            else f"({name}).detach().tolist()")
    ok, text = ctx.evaluate(expr)
    try:
        return parse_numbers(text)
    except (SyntaxError, ValueError) as exc:
        raise LookupError(f"could not read `{name}`: {text}") from exc


def _check_atol(params: dict[str, Any]) -> None:
    for key in ("atol", "rtol"):
        if key in params and params[key] < 0:
            raise CheckParamError(f"`{key}` must not be negative", key)


def _check_numeric(value: Any, key: str) -> None:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CheckParamError(f"`{key}` must be a number or a (nested) array of numbers "
                              "with equal-length rows", key) from exc
    if array.dtype == object:
        raise CheckParamError(f"`{key}` must be a number or a rectangular array of numbers", key)


# --- the kinds -----------------------------------------------------------------------------

@register
class TensorCheck(Check):
    """A tensor exists, optionally with a shape, dtype, requires_grad and is_leaf."""

    kind = "tensor"
    required = {"name": str}
    optional = {"shape": list, "dtype": str, "requires_grad": bool, "is_leaf": bool}

    def validate(self) -> None:
        shape = self.params.get("shape")
        if shape is not None and not all(
                isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise CheckParamError("`shape` must be an array of non-negative integers", "shape")

    def run(self, ctx: JudgeContext) -> CheckResult:
        name = self.params["name"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        shape = self.params.get("shape")
        if shape is not None and list(info.shape) != list(shape):
            return CheckResult(False, f"`{name}` has shape {list(info.shape)}, but this step "
                                      f"needs shape {list(shape)}.")
        dtype = self.params.get("dtype")
        if dtype is not None and info.dtype.removeprefix("torch.") != dtype.removeprefix("torch."):
            return CheckResult(False, f"`{name}` has dtype {info.dtype}, but this step needs "
                                      f"torch.{dtype.removeprefix('torch.')}.")
        wants_grad = self.params.get("requires_grad")
        if wants_grad is True and not info.requires_grad:
            return CheckResult(False, f"`{name}` does not require gradients: create it with "
                                      "requires_grad=True.")
        if wants_grad is False and info.requires_grad:
            return CheckResult(False, f"`{name}` requires gradients, but this step needs one "
                                      "that does not.")
        wants_leaf = self.params.get("is_leaf")
        if wants_leaf is True and not info.is_leaf:
            return CheckResult(False, f"`{name}` is not a leaf: it was computed by an operation "
                                      f"({info.grad_fn}). This step needs a tensor you created.")
        if wants_leaf is False and info.is_leaf:
            return CheckResult(False, f"`{name}` is a leaf, but this step needs a tensor "
                                      "computed from others (one with a grad_fn).")
        return CheckResult(True, f"`{name}` is right.")


@register
class ValuesCheck(Check):
    """A tensor's values are close to an expected number or array."""

    kind = "values"
    required = {"name": str, "expected": (int, float, list)}
    optional = {"atol": (int, float), "rtol": (int, float)}

    def validate(self) -> None:
        _check_numeric(self.params["expected"], "expected")
        _check_atol(self.params)

    def run(self, ctx: JudgeContext) -> CheckResult:
        name = self.params["name"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        try:
            values = _values_of(ctx, name, info, grad=False)
        except LookupError as exc:
            return CheckResult(False, str(exc))
        return _compare(name, name, values, self.params["expected"],
                        self.params.get("atol", 1e-4), self.params.get("rtol", 1e-4))


@register
class GradCheck(Check):
    """A tensor's ``.grad`` is close to an expected array, or is None (``none = true``)."""

    kind = "grad"
    required = {"name": str}
    optional = {"expected": (int, float, list), "none": bool, "atol": (int, float),
                "rtol": (int, float)}

    def validate(self) -> None:
        has_expected = "expected" in self.params
        wants_none = self.params.get("none", False)
        if has_expected == wants_none:
            raise CheckParamError("check kind 'grad' needs exactly one of `expected` (an array) "
                                  "or `none = true`", "none" if wants_none else None)
        if has_expected:
            _check_numeric(self.params["expected"], "expected")
        _check_atol(self.params)

    def run(self, ctx: JudgeContext) -> CheckResult:
        name = self.params["name"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        try:
            grad = _values_of(ctx, name, info, grad=True) if (
                info.grad_preview is not None or not info.is_leaf) else None
        except LookupError as exc:
            return CheckResult(False, str(exc))
        if self.params.get("none"):
            if grad is None:
                return CheckResult(True, f"`{name}.grad` is None.")
            return CheckResult(False, f"`{name}.grad` holds {_fmt(grad)}, but it should be "
                                      "None (empty) here.")
        if grad is None:
            return CheckResult(False, f"`{name}.grad` is None: no gradient has reached `{name}` "
                                      "yet. Call .backward() on a result computed from it.")
        return _compare(name, f"{name}.grad", grad, self.params["expected"],
                        self.params.get("atol", 1e-4), self.params.get("rtol", 1e-4))


@register
class GradFnCheck(Check):
    """A tensor was made by a given operation (its ``grad_fn`` name)."""

    kind = "grad_fn"
    required = {"name": str, "expected": str}

    def run(self, ctx: JudgeContext) -> CheckResult:
        name, expected = self.params["name"], self.params["expected"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        if info.grad_fn is None:
            return CheckResult(False, f"`{name}` has no grad_fn: it is a leaf, not the result "
                                      f"of an operation on tensors that require grad "
                                      f"(expected {_op(expected)}).")
        if info.grad_fn != expected:
            return CheckResult(False, f"`{name}.grad_fn` is {_op(info.grad_fn)}, but should "
                                      f"be {_op(expected)}: the last operation that made "
                                      f"`{name}` is the wrong one.")
        return CheckResult(True, f"`{name}.grad_fn` is {expected}.")


@register
class GraphHasCheck(Check):
    """The graph behind a tensor contains a node named ``op`` (e.g. PowBackward0)."""

    kind = "graph_has"
    required = {"name": str, "op": str}

    def run(self, ctx: JudgeContext) -> CheckResult:
        name, op = self.params["name"], self.params["op"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        nodes = ctx.snapshot.nodes
        seen: set[str] = set()
        stack = [info.node] if info.node else []
        while stack:
            node_id = stack.pop()
            if node_id in seen or node_id not in nodes:
                continue
            seen.add(node_id)
            node = nodes[node_id]
            if node.name == op or node.name.endswith("::" + op):
                return CheckResult(True, f"The graph of `{name}` contains {op}.")
            stack.extend(n for n in node.next if n is not None)
        if not seen:
            return CheckResult(False, f"`{name}` has no graph: it was not computed from tensors "
                                      f"that require grad, so it cannot contain {op}.")
        return CheckResult(False, f"The graph of `{name}` has no {_op(op)} node.")


@register
class RaisedCheck(Check):
    """The last cell raised an exception of ``type`` whose message contains ``contains``."""

    kind = "raised"
    optional = {"type": str, "contains": str}

    def validate(self) -> None:
        if "type" not in self.params and "contains" not in self.params:
            raise CheckParamError("check kind 'raised' needs `type`, `contains`, or both", None)

    def run(self, ctx: JudgeContext) -> CheckResult:
        error = ctx.reply.result.error
        wanted = self.params.get("type")
        text = self.params.get("contains")
        if error is None:
            return CheckResult(False, "The last cell ran without an error, but this step wants "
                                      f"you to see {wanted or 'an error'} happen.")
        if wanted is not None and error.type.rsplit(".", 1)[-1] != wanted.rsplit(".", 1)[-1]:
            return CheckResult(False, f"The last cell raised {error.type}, but this step "
                                      f"expects a {wanted}.")
        if text is not None and text not in error.message:
            return CheckResult(False, f"The last cell raised {error.type}, but not the one this "
                                      f"step is about (its message should mention “{text}”).")
        return CheckResult(True, f"You got the {error.type} this step is about.")


@register
class PrintedCheck(Check):
    """The last cell printed (or echoed) text containing ``contains``."""

    kind = "printed"
    required = {"contains": str}

    def validate(self) -> None:
        if not self.params["contains"]:
            raise CheckParamError("`contains` must not be empty", "contains")

    def run(self, ctx: JudgeContext) -> CheckResult:
        result = ctx.reply.result
        shown = result.stdout + ("\n" + result.value_repr if result.value_repr else "")
        text = self.params["contains"]
        if text in shown:
            return CheckResult(True, f"The output shows {text}.")
        if not shown.strip():
            return CheckResult(False, f"The last cell showed nothing; this step wants to see "
                                      f"{text} in its output.")
        return CheckResult(False, f"The last cell's output does not show {text}.")


@register
class ExprCheck(Check):
    """A Python expression, evaluated in the learner's namespace, is true."""

    kind = "expr"
    required = {"expr": str}

    def validate(self) -> None:
        try:
            ast.parse(self.params["expr"], mode="eval")
        except SyntaxError as exc:
            raise CheckParamError(f"`expr` is not a Python expression: {exc.msg}", "expr") from exc

    def run(self, ctx: JudgeContext) -> CheckResult:
        expr = self.params["expr"]
        truth, text = ctx.evaluate(expr)
        if truth:
            return CheckResult(True, f"`{expr}` holds.")
        return CheckResult(False, f"`{expr}` is not true yet (it gives {text}).")
