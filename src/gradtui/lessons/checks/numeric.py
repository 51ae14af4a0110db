"""Numbers in checks: parsing reprs from the kernel, comparing, and printing for learners."""

from __future__ import annotations

import ast
import math
from typing import Any

import numpy as np

from gradtui.lessons.checks.base import CheckParamError, CheckResult


def format_numbers(values: Any) -> str:
    """Numbers the way a learner reads them: 10.0 -> 10., 0.5 -> 0.5."""
    if isinstance(values, list):
        return "[" + ", ".join(format_numbers(v) for v in values) + "]"
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


def compare_numbers(name: str, what: str, actual: Any, expected: Any, atol: float,
             rtol: float) -> CheckResult:
    got = np.asarray(actual, dtype=float)
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return CheckResult(False, f"`{what}` has shape {list(got.shape)}, expected "
                                  f"{list(want.shape)}.")
    if np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True):
        close = "close enough to " if atol > 1e-3 else ""
        return CheckResult(True, f"`{what}` is {close}`{format_numbers(expected)}`.")
    # Numbers in backticks, like names: a bare `7.` before the sentence's full stop read "7..".
    message = (f"`{what}` is `{format_numbers(got.tolist())}` but should be "
               f"`{format_numbers(want.tolist())}`.")
    nonzero = want != 0
    if nonzero.any() and np.all(np.isfinite(got)):
        ratio = got[nonzero] / want[nonzero]
        if np.allclose(ratio, ratio.flat[0]) and np.isclose(ratio.flat[0], round(ratio.flat[0])) \
                and round(ratio.flat[0]) >= 2 and np.allclose(got[~nonzero], 0):
            message += (f" That is {round(ratio.flat[0])} times too much: gradients add up over "
                        "backward() calls.") if what.endswith(".grad") else ""
    return CheckResult(False, message)


def check_tolerances(params: dict[str, Any]) -> None:
    for key in ("atol", "rtol"):
        if key in params and params[key] < 0:
            raise CheckParamError(f"`{key}` must not be negative", key)


def check_numeric(value: Any, key: str) -> None:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CheckParamError(f"`{key}` must be a number or a (nested) array of numbers "
                              "with equal-length rows", key) from exc
    if array.dtype == object:
        raise CheckParamError(f"`{key}` must be a number or a rectangular array of numbers", key)
