"""``:step NAME``: the backward walk of a learner's tensor as data a front end shows step by step.

The engine's dry run (``engine.stepper.trace``: the walk ``backward()`` runs, changing nothing)
gives each node's gradients as arrays; this module puts them in the learner's terms:

- every input is called by the learner's own name for it (``x``, ``y``, ``model.0.weight``);
  an intermediate result without one by its grad_fn in angle brackets (``<AddBackward0>``), and
  a constant by its value, so a rule never uses a letter that could be one of the learner's
  variables (the op table writes ``d(a*b)/da = b``; a learner with ``a`` and ``b`` of their own
  read ``d(a+b)/db`` for the wrong ones);
- values are previews of one style (``2.``, ``[10., 10.]``), never ``tensor(...)``;
- each input gets its local derivative's value where the rule is per-element, so the chain rule
  can be shown with numbers (``d(x*y)/dx = y = 3.``, then ``1. * 3. = 3.``);
- the end says what each leaf's ``.grad`` becomes, counting what it already holds.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from gradtui.kernel.previews import format_number, preview_array
from gradtui.kernel.protocol import BackwardStepInfo, BackwardTrace, LeafUpdate
from gradtui.kernel.snapshot import (
    _is_accumulate,
    _resolve_listed,
    collect,
    is_tensor,
    shown_names,
)

CONSTANT = "<constant>"  # an input that is no tensor of the graph, whose value was not kept
_WRT = re.compile(r"/d([A-Za-z]+?)(?=_|[^A-Za-z]|$)")


def trace_backward(namespace: dict[str, Any], name: str, *,
                   repl_echo: bool = False) -> BackwardTrace:
    """What ``name.backward()`` would do, step by step, without changing any state.
    ``repl_echo`` as for ``build_snapshot``: nothing is named by the REPL's ``_``."""
    try:
        t = _resolve_listed(namespace, name)
    except NameError as exc:
        return BackwardTrace(root=name, error=f"NameError: {exc}")
    if not is_tensor(t):
        return BackwardTrace(root=name, error=f"{name} is not a tensor")
    from gradtui.engine.stepper import trace

    try:
        walk = trace(t)
    except Exception as exc:  # noqa: BLE001 - the same errors backward() would raise
        return BackwardTrace(root=name, error=f"{type(exc).__name__}: {exc}")
    found, index, _node_ids, _notes = collect(namespace)
    names = Names(shown_names(found, repl_echo=repl_echo), found, root=(name, t))
    steps = [_step_info(step, index, names) for step in walk.steps]
    leaves = [_leaf_update(leaf, index, names) for leaf in walk.leaves]
    return BackwardTrace(root=name, steps=steps,
                         leaf_grads={leaf.name: leaf.grad for leaf in leaves}, leaves=leaves)


class Names:
    """The learner's name for a graph node's result, or a label that cannot be one."""

    def __init__(self, by_tensor: dict[int, str], found: list[tuple[str, Any]],
                 root: tuple[str, Any]) -> None:
        root_name, root_tensor = root
        self.by_tensor = {**by_tensor, id(root_tensor): root_name}  # as the learner asked
        # (node, output number) -> name: a custom Function's outputs share one node
        self.by_node: dict[tuple[int, int], str] = {}
        for _name, t in [root, *found]:
            if t.grad_fn is not None and id(t) in self.by_tensor:
                key = (id(t.grad_fn), getattr(t, "output_nr", 0))
                self.by_node.setdefault(key, self.by_tensor[id(t)])

    def of(self, node: Any, output_nr: int = 0) -> str:
        """``x`` for a named leaf or result; ``<AddBackward0>`` for one without a name."""
        if _is_accumulate(node):
            return self.by_tensor.get(id(node.variable)) or "<leaf>"
        return self.by_node.get((id(node), output_nr)) or f"<{node.name()}>"


def _step_info(step: Any, index: Any, names: Names) -> BackwardStepInfo:
    node = step.node
    edges = node.next_functions
    inputs = [None if child is None else names.of(child, nr) for child, nr in edges]
    if len(set(filter(None, inputs))) < len([i for i in inputs if i]):
        # two unnamed inputs of one kind (``(x+1)*(y+1)``): tell them apart by torch's names
        arg_names = node.op.inputs if len(node.op.inputs) == len(edges) else ()
        inputs = [i if i is None or not i.startswith("<") or not arg_names
                  else f"{i[:-1]} {arg_names[k]}>" for k, i in enumerate(inputs)]
    rules = named_rules(node, step.rules, inputs, names)
    # a constant input (no edge) is called by its name or value too: "-> X: nothing"
    labels = [label if label is not None else _constant(node, k, names)
              for k, label in enumerate(inputs)]
    return BackwardStepInfo(
        node=index.id_for(node),
        name=node.name(),
        grad_in=preview_array(np.asarray(step.grad_in)),
        rules=rules,
        grads_out=[None if g is None else preview_array(np.asarray(g)) for g in step.grads_out],
        targets=[None if child is None else index.id_for(child) for child, _ in edges],
        inputs=labels,
        locals=[None if v is None else preview_array(v) for v in step.locals],
        # per-element rules give the result's shape: broadcasting then summed it down
        summed=[g is not None and v is not None and np.shape(g) != np.shape(v)
                for g, v in zip(step.grads_out, step.locals, strict=True)],
        output=names.of(node),
        op=node.op.name,
        hooked_from=(None if step.before_hooks is None
                     else preview_array(np.asarray(step.before_hooks))),
        hooks=step.hooks,
    )


def _leaf_update(leaf: Any, index: Any, names: Names) -> LeafUpdate:
    accumulate = leaf.leaf._accumulator()
    return LeafUpdate(
        name=names.of(accumulate),
        node=index.id_for(accumulate),
        grad=preview_array(leaf.grad),
        before=None if leaf.before is None else preview_array(leaf.before),
        after=preview_array(leaf.after),
        hooked_from=None if leaf.before_hooks is None else preview_array(leaf.before_hooks),
        hooks=leaf.hooks,
    )


# -- rules in the learner's names ---------------------------------------------------------------


def named_rules(node: Any, rules: list[str], inputs: list[str | None],
                names: Names | None = None) -> list[str]:
    """The op table's rules with each input's letter replaced by the input's name (a constant
    by its value), and the constant letters ``c``/``n`` by the values the node kept."""
    letters: dict[str, str] = {}
    for index, rule in enumerate(rules):
        if index >= len(inputs):
            break
        found = _WRT.search(rule)
        # rules in words ("1 where a > b") follow the table's habit: a, b are inputs 0, 1
        letter = found.group(1) if found is not None else "ab"[index] if index < 2 else None
        if letter is not None:
            label = (inputs[index] if inputs[index] is not None
                     else _constant(node, index, names))
            letters.setdefault(letter, label)
    for letter in ("c", "n"):
        if letter not in letters:
            letters[letter] = _kept_number(node) or (CONSTANT if letter == "c" else letter)
    return [_substitute(rule, letters) for rule in rules]


def _constant(node: Any, index: int, names: Names | None) -> str:
    """A constant input (a tensor that needs no gradient): the learner's name for it, else its
    value if it is one number the node kept (``5 * y`` keeps the 5), else ``<constant>``."""
    op = node.op
    if index < len(op.inputs) and op.inputs[index] in op.saved and node.saved is not None:
        value = node.saved[op.saved.index(op.inputs[index])]
        for entry in node._versions or ():  # (counter, version, saved array, its tensor)
            if entry[2] is value and names is not None and id(entry[3]) in names.by_tensor:
                return names.by_tensor[id(entry[3])]
        if isinstance(value, np.ndarray | np.generic) and np.size(value) == 1:
            return preview_array(np.asarray(value).reshape(()))
        if isinstance(value, int | float):
            return format_number(value)
    return CONSTANT


def _kept_number(node: Any) -> str | None:
    """The one plain number the node kept (``x ** 2``'s exponent, ``x * 0.5``'s 0.5)."""
    numbers = [value for name, value in zip(node.op.saved, node.saved or (), strict=False)
               if name in ("other", "self", "exponent") and isinstance(value, int | float)
               and not isinstance(value, bool)]
    return format_number(numbers[0]) if len(numbers) == 1 else None


def _substitute(rule: str, letters: dict[str, str]) -> str:
    def wrt(match: re.Match[str]) -> str:
        label = letters.get(match.group(1), match.group(1))
        return f"/d{label}" if label.isidentifier() or label.startswith("<") else f"/d({label})"

    rule = _WRT.sub(wrt, rule)
    # whole letters only: the ``a`` of ``a*b`` and ``a_i``, never of ``tanh`` or ``abs``
    pattern = re.compile(r"(?<![A-Za-z0-9<])(" + "|".join(map(re.escape, letters)) +
                         r")(?![A-Za-z0-9(])")
    return pattern.sub(lambda m: letters[m.group(1)], rule)
