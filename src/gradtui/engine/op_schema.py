"""The schema of the op table: ``Op`` (one row), ``Derivative`` (one input's rule) and ``OPS``.

The rows themselves are in ``ops.py``; this module defines what a row holds (the schema is
documented at the top of ``ops.py``, where the rows are) and the registry ``OPS`` that ``op()``
fills, so the engine looks rows up by name without importing the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gradtui.engine.autograd import node_class

Formula = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Derivative:
    """How the gradient reaches one input of an op."""

    input: str  # torch's name of the input: "self", "other", "mat2", "exponent"...
    rule: str  # the local derivative in words: "d(a*b)/da = b"
    formula: Formula  # (grad, *saved) -> this input's gradient, or None for none
    reads: tuple[str, ...] | None = None  # the saved values the formula reads (if not all)


def wrt(input: str, rule: str, formula: Formula, *,
        reads: tuple[str, ...] | None = None) -> Derivative:
    """The derivative with respect to ``input``: its rule in words and its formula."""
    return Derivative(input, rule, formula, reads)


@dataclass(frozen=True, slots=True)
class Op:
    """One row of the op table (see the schema at the top of ``ops.py``)."""

    name: str
    grad_fn: str
    forward: Callable[..., tuple[Any, tuple]]
    derivatives: tuple[Derivative, ...] = ()
    saved: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    view: bool = False
    variadic: bool = False
    higher_order: bool = False
    differentiable: bool = True
    custom: bool = False
    # derived from the fields above, for the engine's loops
    formulas: tuple[Formula, ...] = field(init=False, default=())
    rules: tuple[str, ...] = field(init=False, default=())
    inputs: tuple[str, ...] = field(init=False, default=())
    plain_mask: tuple[bool, ...] | None = field(init=False, default=None)
    saves_tensors: bool = field(init=False, default=False)
    read_by: tuple[frozenset[int], ...] | None = field(init=False, default=None)
    node_class: type = field(init=False, default=object)

    def __post_init__(self) -> None:
        derive = object.__setattr__
        # type(y.grad_fn).__name__ is the grad_fn name, as in torch
        derive(self, "node_class", node_class(self.grad_fn))
        derive(self, "formulas", tuple(d.formula for d in self.derivatives))
        derive(self, "rules", tuple(d.rule for d in self.derivatives))
        derive(self, "inputs", tuple(d.input for d in self.derivatives))
        if self.plain:
            derive(self, "plain_mask", tuple(s in self.plain for s in self.saved))
        derive(self, "saves_tensors", any(s not in self.plain for s in self.saved))
        if any(d.reads is not None for d in self.derivatives):
            reads = [self.saved if d.reads is None else d.reads for d in self.derivatives]
            derive(self, "read_by", tuple(
                frozenset(i for i, names in enumerate(reads) if s in names)
                for s in self.saved))


OPS: dict[str, Op] = {}


def op(name: str, grad_fn: str, forward: Callable[..., tuple[Any, tuple]], *,
       derivatives: tuple[Derivative, ...] = (), **options: Any) -> Op:
    """Add a row to the table (``OPS[name]``)."""
    row = Op(name, grad_fn, forward, derivatives, **options)
    OPS[name] = row
    return row
