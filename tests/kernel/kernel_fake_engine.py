"""Tiny stand-ins honouring the engine's snapshot contract (docs/contracts.md, "Objects the
kernel's snapshot ... read"), for snapshot tests that must control exactly what the graph holds.
Tests against the real engine live next to these in test_snapshot.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class FakeDtype:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"torch.{self.name}"


class Tensor:
    """Looks like the engine's tensor to the snapshot: ``torch.Tensor`` by module and name."""

    def __init__(
        self,
        array: np.ndarray,
        *,
        requires_grad: bool = False,
        grad_fn: Any = None,
        grad: Tensor | None = None,
    ) -> None:
        self._array = array
        self.shape = tuple(array.shape)
        self.dtype = FakeDtype(str(array.dtype))
        self.requires_grad = requires_grad or grad_fn is not None
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None
        self._grad = grad
        self._version = 0
        self.retains_grad = False

    @property
    def grad(self) -> Tensor | None:
        raise AssertionError("tooling must never read .grad (it warns for non-leaves)")

    @property
    def data(self) -> Any:
        raise AssertionError("tooling must never run tensor properties")


Tensor.__module__ = "torch"


class AccumulateGrad:
    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


class Node:
    def __init__(
        self,
        name: str,
        next_functions: tuple,
        output_shape: tuple[int, ...],
        saved: dict[str, Any] | None = None,
        rules: list[str] | None = None,
    ) -> None:
        self._name = name
        self.next_functions = next_functions
        self.output_shape = output_shape
        self._saved = saved or {}
        self.saved_freed = False
        self._rules = rules or []

    def name(self) -> str:
        return self._name

    def saved_values(self) -> dict[str, Any]:
        return {} if self.saved_freed else dict(self._saved)

    def rules(self) -> list[str]:
        return list(self._rules)


def leaf(values: list[float] | np.ndarray) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.float32), requires_grad=True)


def op(name: str, inputs: list[Tensor | None], shape: tuple[int, ...], **saved: Any) -> Tensor:
    """A non-leaf produced by ``name`` from ``inputs`` (None = a constant input)."""
    nexts = []
    for t in inputs:
        if t is None or not t.requires_grad:
            nexts.append((None, 0))
        elif t.grad_fn is not None:
            nexts.append((t.grad_fn, 0))
        else:
            nexts.append((AccumulateGrad(t), 0))
    node = Node(name, tuple(nexts), shape, saved, [f"rule {i}" for i in range(len(inputs))])
    return Tensor(np.zeros(shape, dtype=np.float32), grad_fn=node)


def chain(length: int) -> tuple[Tensor, Tensor]:
    """x -> AddBackward0 -> ... (``length`` ops); returns (x, the last output)."""
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(length):
        y = op("AddBackward0", [y, None], (2,))
    return x, y
