"""A lesson kernel that runs cells with REAL torch, in-process: the oracle for the course.

It honours the part of the ``KernelClient`` contract the lesson runner uses (``execute``,
``evaluate``, ``restart``) and builds the same protocol snapshot fields the checks read, so every
shipped lesson's expected values and messages are verified against torch 2.13 itself.
"""

from __future__ import annotations

import warnings
from typing import Any

from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.protocol import (
    ExecuteReply,
    GraphNode,
    Snapshot,
    TensorInfo,
)


class TorchKernel:
    """Runs cells against real torch; one namespace until ``restart``."""

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self.restart()

    @property
    def namespace(self) -> dict[str, Any]:
        return self.evaluator.namespace

    def restart(self) -> None:
        # The kernel's own cell rules (echo, capture, tracebacks), with real torch: no shim.
        self.evaluator = Evaluator(install_torch=False)

    def execute(self, source: str) -> ExecuteReply:
        return ExecuteReply(result=self.evaluator.execute(source), snapshot=self._snapshot(),
                            source=source)

    def evaluate(self, expr: str) -> tuple[bool, str]:
        try:
            with warnings.catch_warnings():  # torch warns on `_grad` of a non-leaf; we know
                warnings.simplefilter("ignore")
                value = eval(expr, self.namespace)
            return bool(value), repr(value)
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"

    def _named_tensors(self) -> list[tuple[str, Any]]:
        """Top-level tensors, and a module's parameters as ``model.weight`` (as the kernel's
        snapshot lists them, so checks can name ``model.0.bias``)."""
        torch = self.torch
        found: list[tuple[str, Any]] = []
        for name, value in self.namespace.items():
            if name.startswith("__"):
                continue
            if isinstance(value, torch.Tensor):
                found.append((name, value))
            elif isinstance(value, torch.nn.Module) and name != "_":
                found.extend((f"{name}.{key}", p) for key, p in value.named_parameters())
        return found

    def _snapshot(self) -> Snapshot:
        snap = Snapshot()
        ids: dict[int, str] = {}
        named = self._named_tensors()
        leaf_names: dict[int, str] = {}
        for name, value in named:
            leaf_names.setdefault(id(value), name)

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

        for name, value in named:
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
