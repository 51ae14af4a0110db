"""The step-by-step backward as text: one node at a time (the workspace's Graph panel) or the
whole walk at once (``:step NAME`` in the plain REPL). No UI imports: both front ends use it.

A step reads like the chain rule worked on paper::

    Step 3/5: MulBackward0, which made y
      gradient in: do/dy = [0.5, 0.5]
      -> <PowBackward0>: d(5*<PowBackward0>)/d<PowBackward0> = 5 = 5.
           so [0.5, 0.5] * 5. = [2.5, 2.5]
      -> the constant 5: nothing (a constant needs no gradient)

and the end says what each leaf's ``.grad`` becomes: ``x.grad: [10., 10.] + [10., 10.] =
[20., 20.]`` when x.grad already held [10., 10.] (backward adds up). Where a learner's
``register_hook`` replaced a gradient, the step shows what arrived and what the hook made of
it (``y's hook (register_hook) made it [2., 2.]: the node uses that``).
"""

from __future__ import annotations

import textwrap

from gradtui.kernel.protocol import BackwardStepInfo, BackwardTrace


def intro(trace: BackwardTrace, keys: str = "") -> str:
    """What a walk is, before its first node (``keys``: how to move on, if there are keys)."""
    count = len(trace.steps)
    text = (f"Backward of {trace.root}, step by step: {count} node{'s' * (count != 1)} from "
            f"the output to the leaves. Each node receives the gradient of {trace.root} with "
            "respect to its result, multiplies it by its local derivative (the chain rule), "
            "and passes one gradient to each input.")
    return f"{text}\n{keys}" if keys else text


def step(trace: BackwardTrace, position: int, names: dict[str, str] | None = None) -> str:
    """Node ``position`` (0-based) of the walk. ``names`` (GraphNode id -> label) is only a
    fallback for traces from an older kernel, which named no inputs."""
    info = trace.steps[position]
    made = f", which made {info.output}" if info.output and not info.output.startswith("<") \
        else ""
    lines = [f"Step {position + 1}/{len(trace.steps)}: {info.name}{made}"]
    if info.hooked_from is None:
        lines.append(f"  gradient in: {_gradient_name(trace.root, info)}{info.grad_in}")
    else:  # the learner's register_hook ran first: what arrived, then what the node uses
        lines += [f"  gradient in: {_gradient_name(trace.root, info)}{info.hooked_from}",
                  "  " + _hook_line(info.output, info.hooks, info.hooked_from, info.grad_in,
                                    ": the node uses that")]
    for index, grad in enumerate(info.grads_out):
        lines.extend(_input_lines(info, index, grad, names or {}))
    return "\n".join(lines)


def end(trace: BackwardTrace) -> str:
    """The walk's end: what each leaf's ``.grad`` would become."""
    lines = [f"Done: {trace.root}.backward() would make"]
    if trace.leaves:
        for leaf in trace.leaves:
            if leaf.hooked_from is not None:
                lines.append(f"  {leaf.name} receives {leaf.hooked_from}; "
                             + _hook_line(leaf.name, leaf.hooks, leaf.hooked_from, leaf.grad))
            if leaf.before is None:
                lines.append(f"  {leaf.name}.grad: None -> {leaf.after}")
            else:
                lines.append(f"  {leaf.name}.grad: {leaf.before} + {leaf.grad} = {leaf.after}")
        if any(leaf.before is not None for leaf in trace.leaves):
            lines.append("(backward adds to the gradient a .grad already holds)")
    elif trace.leaf_grads:  # a trace from an older kernel
        lines += [f"  {name}.grad += {grad}" for name, grad in trace.leaf_grads.items()]
    else:
        lines.append("  nothing: no leaf that requires grad is reached")
    if any(leaf.hooked_from is not None for leaf in trace.leaves) or any(
            info.hooked_from is not None for info in trace.steps):
        lines.append("(the hooks ran during this walk; backward() runs them again)")
    lines.append(f"Nothing was changed: run {trace.root}.backward() to store them.")
    return "\n".join(lines)


def whole_walk(trace: BackwardTrace, width: int | None = None) -> str:
    """Every step of the walk, then its end (the plain REPL's ``:step NAME``); lines longer
    than ``width`` wrap under their own indent."""
    if trace.error:
        return wrap(error_text(trace), width)
    parts = [intro(trace)]
    parts += [step(trace, position) for position in range(len(trace.steps))]
    parts.append(end(trace))
    return wrap("\n\n".join(parts), width)


def wrap(text: str, width: int | None) -> str:
    """Each line of ``text`` wrapped to ``width``, continuing four spaces past its indent."""
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out.append(textwrap.fill(line, width, subsequent_indent=indent + "    ",
                                 break_long_words=True, break_on_hyphens=False)
                   if len(line) > width else line)
    return "\n".join(out)


def error_text(trace: BackwardTrace) -> str:
    """Why the walk cannot run, and what to do about it."""
    return (f"Cannot step through {trace.root}.backward():\n{trace.error}"
            + freed_graph_hint(trace.root, trace.error or ""))


def freed_graph_hint(root: str, error: str) -> str:
    """What to do when the graph was freed by an earlier backward (else "")."""
    if "backward through the graph a second time" not in error:
        return ""
    return (f"\nAn earlier {root}.backward() without retain_graph=True freed this graph. "
            f"Run the cells that compute {root} again to build a new one, then :step {root}.")


def _hook_line(owner: str, count: int, arrived: str, result: str, goes_on: str = "") -> str:
    """What the hooks a learner registered on a tensor (``register_hook``) did to the
    gradient reaching it: replaced it (what follows uses their result), or kept it."""
    who = f"{owner}'s hook" if count == 1 else f"{owner}'s {count} hooks"
    if owner.startswith("<"):
        who = "the hook" if count == 1 else f"the {count} hooks"
    if result == arrived:
        return f"{who} (register_hook) ran and kept it"
    return f"{who} (register_hook) made it {result}{goes_on}"


def _gradient_name(root: str, info: BackwardStepInfo) -> str:
    """``do/dy = `` when the node's result has a name of the learner's."""
    if info.output and not info.output.startswith("<"):
        return f"d{root}/d{info.output} = " if info.output != root else f"d{root}/d{root} = "
    return ""


def _input_lines(info: BackwardStepInfo, index: int, grad: str | None,
                 names: dict[str, str]) -> list[str]:
    label = _item(info.inputs, index)
    target = _item(info.targets, index)
    if target is None:  # no edge: a number, or a tensor that does not require grad
        if label is None or label == "<constant>":
            return ["  -> a constant: nothing (a constant needs no gradient)"]
        if label[:1].isdigit() or label[:1] in "-[.":
            return [f"  -> the constant {label}: nothing (a constant needs no gradient)"]
        return [f"  -> {label}: nothing ({label} does not require grad)"]
    if label is None:  # a trace from an older kernel
        label = names.get(target, target)
    rule = _item(info.rules, index) or ""
    if grad is None:
        return [f"  -> {label}: nothing (it needs no gradient)"]
    local = _item(info.locals, index)
    if local is None:  # a rule that mixes elements (a matrix product, a view): its result
        return [f"  -> {label}: {rule}" if rule else f"  -> {label}:",
                f"       gives {grad}"]
    lines = [f"  -> {label}: {_with_value(rule, local)}"]
    if _item(info.summed, index):
        lines += [f"       so {info.grad_in} * {local},",
                  f"       summed over the broadcast dims to {label}'s shape: {grad}"]
    else:
        lines.append(f"       so {info.grad_in} * {local} = {grad}")
    return lines


def _with_value(rule: str, local: str) -> str:
    """``d(x*y)/dx = y`` and its value 3. as ``d(x*y)/dx = y = 3.`` (not twice if the rule
    already is the number: ``d(x+y)/dx = 1``)."""
    if not rule:
        return f"local derivative = {local}"
    if rule.rsplit("= ", 1)[-1].strip() == local.strip():
        return rule
    return f"{rule} = {local}"


def _item(values: list, index: int):  # noqa: ANN202 - list of str | None | bool
    return values[index] if index < len(values) else None
