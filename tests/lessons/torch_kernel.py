"""A lesson kernel that runs cells with REAL torch, in-process: the oracle for the course.

It honours the part of the ``KernelClient`` contract the lesson runner uses (``execute``,
``evaluate``, ``restart``) and builds the same protocol snapshot fields the checks read, so every
shipped lesson's expected values and messages are verified against torch 2.13 itself.
"""

from __future__ import annotations

import ast
import contextlib
import io
import traceback
import warnings
from typing import Any

from gradtui.kernel.protocol import (
    CellResult,
    ErrorInfo,
    ExecuteReply,
    GraphNode,
    Snapshot,
    StreamChunk,
    TensorInfo,
)


class TorchKernel:
    """Runs cells against real torch; one namespace until ``restart``."""

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.namespace: dict[str, Any] = {}
        self.restart()

    def restart(self) -> None:
        self.namespace = {"__name__": "__main__"}

    def execute(self, source: str) -> ExecuteReply:
        out = io.StringIO()
        value_repr = None
        error = None
        try:
            tree = ast.parse(source)
            tail = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            with contextlib.redirect_stdout(out):
                exec(compile(tree, "<cell>", "exec"), self.namespace)
                if tail is not None:
                    value = eval(compile(ast.Expression(tail.value), "<cell>", "eval"),
                                 self.namespace)
                    if value is not None:
                        value_repr = repr(value)
        except BaseException as exc:  # the learner's error is data here
            error = ErrorInfo(type=type(exc).__name__, message=str(exc),
                              traceback="".join(traceback.format_exception_only(exc)))
        result = CellResult(ok=error is None, output=[StreamChunk("stdout", out.getvalue())],
                            value_repr=value_repr, error=error)
        return ExecuteReply(result=result, snapshot=self._snapshot())

    def evaluate(self, expr: str) -> tuple[bool, str]:
        try:
            with warnings.catch_warnings():  # torch warns on `_grad` of a non-leaf; we know
                warnings.simplefilter("ignore")
                value = eval(expr, self.namespace)
            return bool(value), repr(value)
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"

    def _snapshot(self) -> Snapshot:
        torch = self.torch
        snap = Snapshot()
        ids: dict[int, str] = {}
        leaf_names = {id(v): k for k, v in self.namespace.items() if isinstance(v, torch.Tensor)}

        def node_id(fn: Any) -> str:
            if id(fn) not in ids:
                ids[id(fn)] = f"n{len(ids)}"
                nid = ids[id(fn)]
                if type(fn).__name__ == "AccumulateGrad":
                    var = fn.variable
                    snap.nodes[nid] = GraphNode(id=nid, name="AccumulateGrad", kind="leaf",
                                                shape=list(var.shape),
                                                variable=leaf_names.get(id(var)))
                else:
                    nxt = [None if f is None else node_id(f) for f, _ in fn.next_functions]
                    snap.nodes[nid] = GraphNode(id=nid, name=fn.name(), kind="op", shape=[],
                                                next=nxt)
            return ids[id(fn)]

        for name, value in self.namespace.items():
            if not isinstance(value, torch.Tensor) or name.startswith("__"):
                continue
            node = None
            if value.grad_fn is not None:
                node = node_id(value.grad_fn)
            grad = value._grad if value.is_leaf else None
            small = value.numel() <= 64
            snap.tensors.append(TensorInfo(
                name=name, shape=list(value.shape), dtype=str(value.dtype),
                requires_grad=value.requires_grad, is_leaf=value.is_leaf,
                grad_fn=None if value.grad_fn is None else value.grad_fn.name(), node=node,
                value_preview=repr(value)[:60],
                grad_preview=None if grad is None else repr(grad)[:60],
                numel=value.numel(),
                values=value.detach().tolist() if small else None,
                grad_values=grad.tolist() if grad is not None and small else None))
        return snap
