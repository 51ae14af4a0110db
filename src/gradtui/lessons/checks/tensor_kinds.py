"""Checks on tensors in the learner's namespace: existence and flags, values, grads, graph."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradtui.kernel.protocol import TensorInfo
from gradtui.lessons.checks.base import (
    Check,
    CheckParamError,
    CheckResult,
    JudgeContext,
    register,
)
from gradtui.lessons.checks.numeric import (
    check_numeric,
    check_tolerances,
    compare_numbers,
    format_numbers,
    parse_numbers,
)

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


def observed_tensor(ctx: JudgeContext, name: str) -> str:
    """Everything the snapshot says about tensor ``name`` (not its node id: ids are only stable
    within one snapshot), as text; "missing" when there is none."""
    t = _tensor(ctx, name)
    if t is None:
        return "missing"
    return repr((t.shape, t.dtype, t.requires_grad, t.is_leaf, t.grad_fn, t.value_preview,
                 t.grad_preview, t.version, t.values, t.grad_values))


class _TensorCheck(Check):
    """A check about the tensor named by its ``name`` field."""

    def observe(self, ctx: JudgeContext) -> str:
        return observed_tensor(ctx, self.params["name"])


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


@register
class TensorCheck(_TensorCheck):
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
class ValuesCheck(_TensorCheck):
    """A tensor's values are close to an expected number or array."""

    kind = "values"
    required = {"name": str, "expected": (int, float, list)}
    optional = {"atol": (int, float), "rtol": (int, float)}

    def validate(self) -> None:
        check_numeric(self.params["expected"], "expected")
        check_tolerances(self.params)

    def run(self, ctx: JudgeContext) -> CheckResult:
        name = self.params["name"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        try:
            values = _values_of(ctx, name, info, grad=False)
        except LookupError as exc:
            return CheckResult(False, str(exc))
        return compare_numbers(name, name, values, self.params["expected"],
                        self.params.get("atol", 1e-4), self.params.get("rtol", 1e-4))


@register
class GradCheck(_TensorCheck):
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
            check_numeric(self.params["expected"], "expected")
        check_tolerances(self.params)

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
            return CheckResult(False, f"`{name}.grad` holds `{format_numbers(grad)}`, but it "
                                      "should be None (empty) here.")
        if grad is None:
            return CheckResult(False, f"`{name}.grad` is None: no gradient has reached `{name}` "
                                      "yet. Call .backward() on a result computed from it.")
        return compare_numbers(name, f"{name}.grad", grad, self.params["expected"],
                        self.params.get("atol", 1e-4), self.params.get("rtol", 1e-4))


@register
class GradFnCheck(_TensorCheck):
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
class GraphHasCheck(_TensorCheck):
    """The graph behind a tensor contains a node named ``op`` (e.g. PowBackward0)."""

    kind = "graph_has"
    required = {"name": str, "op": str}

    def run(self, ctx: JudgeContext) -> CheckResult:
        name, op = self.params["name"], self.params["op"]
        info = _tensor(ctx, name)
        if info is None:
            return _missing(name)
        names = _graph_names(ctx, info)
        if any(n == op or n.endswith("::" + op) for n in names):
            return CheckResult(True, f"The graph of `{name}` contains {op}.")
        if not names:
            return CheckResult(False, f"`{name}` has no graph: it was not computed from tensors "
                                      f"that require grad, so it cannot contain {op}.")
        return CheckResult(False, f"The graph of `{name}` has no {_op(op)} node.")

    def observe(self, ctx: JudgeContext) -> str:
        # The same values may come from another graph (`* 2` where `** 2` was wanted).
        info = _tensor(ctx, self.params["name"])
        graph = [] if info is None else _graph_names(ctx, info)
        return observed_tensor(ctx, self.params["name"]) + repr(graph)


def _graph_names(ctx: JudgeContext, info: TensorInfo) -> list[str]:
    """The names of the nodes reachable from ``info``'s node, in a depth-first order."""
    nodes = ctx.snapshot.nodes
    names: list[str] = []
    seen: set[str] = set()
    stack = [info.node] if info.node else []
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        names.append(nodes[node_id].name)
        stack.extend(n for n in nodes[node_id].next if n is not None)
    return names
