"""Checks on the last cell (its error, its output) and the ``expr`` escape hatch."""

from __future__ import annotations

import ast

from gradtui.lessons.checks.base import Check, CheckParamError, CheckResult, JudgeContext, register


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
            article = "an" if wanted[:1] in tuple("AEIOU") else "a"
            return CheckResult(False, f"The last cell raised {error.type}, but this step "
                                      f"expects {article} {wanted}.")
        if text is not None and text not in error.message:
            return CheckResult(False, f"The last cell raised {error.type}, but not the one this "
                                      f"step is about (its message should mention “{text}”).")
        return CheckResult(True, f"You got the {error.type} this step is about.")

    def observe(self, ctx: JudgeContext) -> str:
        error = ctx.reply.result.error
        return "" if error is None else f"{error.type}: {error.message}"


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

    def observe(self, ctx: JudgeContext) -> str:
        result = ctx.reply.result
        return result.stdout + ("\n" + result.value_repr if result.value_repr else "")


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
            # A teacher who wrote a message wrote the expression for themselves, not the learner.
            return CheckResult(True, "That is right." if self.custom_message else
                               f"`{expr}` holds.")
        return CheckResult(False, f"`{expr}` is not true yet (it gives {text}).")

    def observe(self, ctx: JudgeContext) -> str:
        truth, text = ctx.evaluate(self.params["expr"])
        return f"{truth} {text}"
