"""``predict``: the learner states a value first, then the lesson runs the code and compares.

The learner's prediction is a cell holding just a value: a number, a list of numbers (nested
for a matrix), ``None``, or ``torch.tensor(...)`` of those (the shape torch prints). The lesson
then runs the check's ``run`` code in the learner's kernel, reads ``answer`` and says how the
prediction compares. A wrong prediction is a teaching moment, not a block: the step is done
either way, and ``explain`` says why the value is what it is.
"""

from __future__ import annotations

import ast
import math
from typing import Any

import numpy as np

from gradtui.lessons.checks.base import (
    Check,
    CheckParamError,
    CheckResult,
    Evaluate,
    JudgeContext,
    register,
)
from gradtui.lessons.checks.numeric import check_tolerances, format_numbers, parse_numbers

NOT_A_PREDICTION = object()

_CONSTANTS = {"None": None, "True": True, "False": False, "nan": math.nan, "inf": math.inf}


def parse_prediction(source: str) -> Any:
    """The value a cell states (numbers, nested lists, None), or ``NOT_A_PREDICTION`` when the
    cell is code that does something rather than a value."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return NOT_A_PREDICTION
    node = tree.body
    if isinstance(node, ast.Call) and _is_tensor_factory(node.func) and len(node.args) == 1:
        node = node.args[0]  # tensor([20., 20.]) as torch prints it; keywords do not matter
    try:
        return _literal(node)
    except ValueError:
        return NOT_A_PREDICTION


def _is_tensor_factory(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "tensor"
    return (isinstance(func, ast.Attribute) and func.attr == "tensor"
            and isinstance(func.value, ast.Name) and func.value.id == "torch")


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(e) for e in node.elts]
    if isinstance(node, ast.Constant) and (node.value is None or
                                           isinstance(node.value, int | float | bool)):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _literal(node.operand)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError("a sign before something that is not a number")
        return -value if isinstance(node.op, ast.USub) else value
    raise ValueError("not a value")


# Tensors (and Parameters) become nested lists; anything else is shown as it is.
_AS_NUMBERS = ("(lambda v: v.detach().tolist() if hasattr(v, 'detach') and "
               "hasattr(v, 'tolist') else v)({})")


@register
class PredictCheck(Check):
    """The learner predicts ``answer``; the lesson runs ``run``, then compares."""

    kind = "predict"
    required = {"run": str, "answer": str}
    optional = {"question": str, "explain": str, "atol": (int, float), "rtol": (int, float)}

    def validate(self) -> None:
        try:
            ast.parse(self.params["run"])
        except SyntaxError as exc:
            raise CheckParamError(f"`run` is not Python code: {exc.msg}", "run") from exc
        try:
            ast.parse(self.params["answer"], mode="eval")
        except SyntaxError as exc:
            raise CheckParamError(f"`answer` is not a Python expression: {exc.msg}",
                                  "answer") from exc
        check_tolerances(self.params)

    def label(self) -> str:
        return f"predict {self.params['answer']}"

    @property
    def question(self) -> str:
        return self.params.get("question") or f"What will `{self.params['answer']}` be?"

    def run(self, ctx: JudgeContext) -> CheckResult:
        # A predict step is judged by the session's prediction flow, never by plain checks:
        # state alone cannot tell whether the learner predicted.
        return CheckResult(False, f"{self.question} Type your prediction first.")

    def observe(self, ctx: JudgeContext) -> str:
        return ctx.evaluate(_AS_NUMBERS.format(self.params["answer"]))[1]

    def actual(self, evaluate: Evaluate) -> Any:
        """The answer's value now, as numbers (nested lists) or None; raises LookupError when
        it cannot be read as numbers."""
        ok, text = evaluate(_AS_NUMBERS.format(self.params["answer"]))
        try:
            return parse_numbers(text)
        except (SyntaxError, ValueError) as exc:
            raise LookupError(f"`{self.params['answer']}` gives {text}") from exc

    def compare(self, guess: Any, actual: Any) -> CheckResult:
        """Whether ``guess`` is right, and a sentence saying so (``passed`` means right)."""
        name = self.params["answer"]
        said, real = format_numbers(guess), format_numbers(actual)
        if _close(guess, actual, self.params.get("atol", 1e-4), self.params.get("rtol", 1e-4)):
            return CheckResult(True, f"Right: `{name}` is `{real}`, as you predicted.")
        return CheckResult(False, f"Not quite: you predicted `{said}`, and `{name}` is "
                                  f"`{real}`.")


def _close(guess: Any, actual: Any, atol: float, rtol: float) -> bool:
    if guess is None or actual is None:
        return guess is None and actual is None
    try:
        got = np.asarray(guess, dtype=float)
        want = np.asarray(actual, dtype=float)
        # "20" for a tensor of twenties is the right value; its shape is in the answer shown.
        got, want = np.broadcast_arrays(got, want)
    except (TypeError, ValueError):
        return False
    if got.shape != np.shape(actual) and np.ndim(guess) > np.ndim(actual):
        return False  # a list where the answer is one number
    return bool(np.allclose(got, want, atol=atol, rtol=rtol, equal_nan=True))
