"""A small in-process kernel honouring the part of the KernelClient contract lessons use.

Plain Python (no torch): good for the runner's state machine and the checks that read the cell
result or evaluate expressions. It counts restarts and executions so tests can prove replays.
"""

from __future__ import annotations

import ast
import contextlib
import io
from typing import Any

from gradtui.kernel.protocol import CellResult, ErrorInfo, ExecuteReply, Snapshot, StreamChunk


class FakeKernel:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.executed: list[str] = []
        self.restarts = 0
        self.count = 0  # execution count, back to 0 on restart like a real kernel

    def restart(self) -> None:
        self.restarts += 1
        self.namespace = {}
        self.count = 0

    def execute(self, source: str) -> ExecuteReply:
        self.executed.append(source)
        self.count += 1
        out = io.StringIO()
        value_repr = error = None
        try:
            tree = ast.parse(source)
            tail = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            with contextlib.redirect_stdout(out):
                exec(compile(tree, "<cell>", "exec"), self.namespace)
                if tail is not None:
                    value = eval(compile(ast.Expression(tail.value), "<cell>", "eval"),
                                 self.namespace)
                    value_repr = None if value is None else repr(value)
        except Exception as exc:
            error = ErrorInfo(type=type(exc).__name__, message=str(exc), traceback="")
        result = CellResult(ok=error is None, output=[StreamChunk("stdout", out.getvalue())],
                            value_repr=value_repr, error=error, execution_count=self.count)
        return ExecuteReply(result=result, snapshot=Snapshot(), source=source)

    def evaluate(self, expr: str) -> tuple[bool, str]:
        try:
            value = eval(expr, self.namespace)
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return bool(value), repr(value)
