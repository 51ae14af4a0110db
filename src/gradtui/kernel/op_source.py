"""``:source NAME``: the op-table row behind a tensor's ``grad_fn``, read from the engine itself.

From a graph node to the engine line that computes its gradient: NAME is a tensor (its
grad_fn's row), an op row (``mul``) or a grad_fn name (``MulBackward0``). The answer quotes the
row as it stands in the engine's source (``ops.py``: its name, torch's grad_fn, the forward and
one ``wrt(input, rule, formula)`` per input), lists the rules input by input, and quotes the
named functions the formulas call (``times``, ``pow_backward``...), one level deep, so nothing
here is written by hand: it is the table. A leaf shows how AccumulateGrad adds into ``.grad``;
a ``torch.autograd.Function`` node shows the learner's own ``backward``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from pathlib import Path
from typing import Any

from gradtui.kernel.snapshot import _resolve_listed, is_tensor

MAX_HELPER_LINES = 30  # a named function longer than this is shown up to here, then "..."


def source_text(namespace: dict[str, Any], name: str) -> str | None:
    """What ``:source NAME`` shows, or None when NAME is no tensor, op row or grad_fn name."""
    from gradtui.engine.op_schema import OPS

    name = name.strip()
    try:
        value = _resolve_listed(namespace, name)
    except NameError:
        value = None
    if value is not None and is_tensor(value):
        return _tensor_source(name, value)
    if name in OPS:
        op = OPS[name]
        return f"{op.grad_fn} comes from the row {op.name!r} of the op table:\n\n" + row_text(op)
    rows = [op for op in OPS.values() if op.grad_fn == name or _short(op.grad_fn) == name]
    if rows:
        return "\n\n".join(f"{name} comes from the row {op.name!r} of the op table:\n\n"
                             + row_text(op) for op in rows)
    return None


def _short(grad_fn: str) -> str:
    return grad_fn.rsplit("::", 1)[-1]


def _tensor_source(name: str, t: Any) -> str:
    node = t.grad_fn
    if node is None:
        from gradtui.engine.tensor import Tensor

        verb = "requires grad" if t.requires_grad else "does not require grad"
        intro = (f"{name} is a leaf (it {verb}): no op made it, so it has no grad_fn. Its "
                 "AccumulateGrad adds each gradient that reaches it into .grad, hooks first:")
        return f"{intro}\n\n{_function_source(Tensor._accumulate_grad)}"
    if node.op.custom:
        backward = getattr(type(node), "_forward_cls", None)
        backward = getattr(getattr(node, "_forward_cls", None), "backward", backward)
        intro = (f"{name}.grad_fn is {node.name()}: a torch.autograd.Function, whose gradient "
                 "is the backward you wrote:")
        return f"{intro}\n\n{_function_source(backward)}"
    return f"{name}.grad_fn is {node.name()}, made by this row of the op table:\n\n" + \
        row_text(node.op)


def row_text(op: Any) -> str:
    """An op row as it stands in the engine's source, its rules, and the functions it calls."""
    where, code = _row_source(op)
    parts = [f"{where}:\n{textwrap.indent(code, '    ')}" if code
             else f"the row {op.name!r} ({op.grad_fn}): its source was not found"]
    if op.rules:
        width = max(len(i) for i in op.inputs) if op.inputs else 0
        lines = [f"    {i:<{width}}  {rule}" for i, rule in zip(op.inputs, op.rules,
                                                              strict=False)]
        parts.append("Its rules, input by input (the letters are the row's own):\n" +
                     "\n".join(lines))
    helpers = [_function_source(fn) for fn in _called_functions(op)]
    if helpers:
        parts.append("The named functions its formulas call:\n\n" + "\n\n".join(helpers))
    return "\n\n".join(parts)


def _row_source(op: Any) -> tuple[str, str]:
    """(``gradtui/engine/ops.py, lines 112-117``, the row's code) or ("", "")."""
    try:
        path = inspect.getsourcefile(op.forward)
    except TypeError:
        return "", ""
    if path is None:
        return "", ""
    span = _row_spans(path).get(op.name)
    if span is None:
        return "", ""
    lines = Path(path).read_text(encoding="utf-8").splitlines()[span[0] - 1:span[1]]
    return f"{_shown_path(path)}, lines {span[0]}-{span[1]}", "\n".join(lines)


@functools.cache
def _row_spans(path: str) -> dict[str, tuple[int, int]]:
    """Row name -> (first, last) line of its ``op("name", ...)`` call in ``path``."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), path)
    spans: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("op", "Op") and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            spans.setdefault(node.args[0].value, (node.lineno, node.end_lineno or node.lineno))
    return spans


def _called_functions(op: Any) -> list[Any]:
    """The engine's named functions the row's formulas call (``times``, ``pow_backward``),
    each once, in the order they appear."""
    found: list[Any] = []
    for formula in op.formulas:
        candidates = [formula]
        if getattr(formula, "__name__", "") == "<lambda>":
            candidates = [formula.__globals__.get(called) for called in _names_called(formula)]
        for fn in candidates:
            module = getattr(fn, "__module__", "") or ""
            if (inspect.isfunction(fn) and module.startswith("gradtui.engine")
                    and fn not in found):
                found.append(fn)
    return found


def _names_called(formula: Any) -> list[str]:
    """The plain names a lambda calls (``times`` in ``lambda grad, other: times(grad, ...)``)."""
    try:
        source = textwrap.dedent(inspect.getsource(formula))
    except (OSError, TypeError):
        return []
    # the source lines of a lambda hold the whole call around it: parse what parses
    tree = _parse_fragment(source)
    names = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Lambda):
            for inner in ast.walk(node.body):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name):
                    names.append(inner.func.id)
    return list(dict.fromkeys(names))


def _parse_fragment(source: str) -> ast.AST | None:
    text = source.strip()
    for attempt in (text, text.rstrip(",)") + ")", "(" + text.rstrip(",") + ")",
                    "f(" + text.rstrip(",") + ")", "f(" + text + ")"):
        try:
            return ast.parse(attempt)
        except SyntaxError:
            continue
    return None


def _function_source(fn: Any) -> str:
    """``name (path, line N):`` and the function's code (cut at MAX_HELPER_LINES)."""
    if fn is None:
        return "(its source is not available)"
    try:
        lines, start = inspect.getsourcelines(fn)
        path = inspect.getsourcefile(fn) or "?"
    except (OSError, TypeError):
        return f"{getattr(fn, '__qualname__', fn)} (its source is not available)"
    code = textwrap.dedent("".join(lines)).rstrip("\n").split("\n")
    if len(code) > MAX_HELPER_LINES:
        code = code[:MAX_HELPER_LINES] + ["..."]
    where = f"{getattr(fn, '__qualname__', fn)} ({_shown_path(path)}, line {start})"
    return f"{where}:\n" + textwrap.indent("\n".join(code), "    ")


def _shown_path(path: str) -> str:
    """``gradtui/engine/ops.py`` for engine files; a learner's cell as it is (``<cell 3>``)."""
    parts = Path(path).parts
    if "gradtui" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("gradtui"):])
    return path
