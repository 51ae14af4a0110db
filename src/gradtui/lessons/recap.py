"""What a step changed, in a few lines: new tensors, changed values, gradients, spent graphs.

After a step passes, the learner gets a moment to read; the recap compares the snapshot taken
when the step began with the one after the passing cell, so it reports what the whole step did
(however many cells it took). Plain data in, plain text out: both front ends show it.
"""

from __future__ import annotations

from gradtui.kernel.protocol import Snapshot, TensorInfo

MAX_LINES = 5
MAX_PREVIEW = 48


def recap(before: Snapshot | None, after: Snapshot | None) -> list[str]:
    """Lines such as "`x.grad`: None → [10., 10.]" (inline code in backticks), at most 5."""
    if after is None:
        return []
    old = {} if before is None else {t.name: t for t in before.tensors}
    lines: list[str] = []
    for t in after.tensors:
        if t.name == "_" or t.name.startswith("_"):
            continue  # the REPL's last value repeats a named tensor
        was = old.get(t.name)
        if was is None:
            lines.append(f"new `{t.name}`: {_describe(t)}")
        elif _made_again(was, t):
            lines.append(f"`{t.name}` computed again: {_describe(t)}")
        elif was.value_preview != t.value_preview:
            lines.append(f"`{t.name}`: `{_clip(was.value_preview)}` → `{_clip(t.value_preview)}`")
        if was is not None and was.grad_preview != t.grad_preview:
            lines.append(f"`{t.name}.grad`: {_grad(was)} → {_grad(t)}")
        elif was is None and t.grad_preview is not None:
            lines.append(f"`{t.name}.grad`: {_grad(t)}")
    freed = _newly_freed(before, after)
    if freed:
        names = ", ".join(f"`{n}`" for n in freed)
        lines.append(f"the graph of {names} was used up by backward (its saved values freed)")
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], f"and {len(lines) - MAX_LINES + 1} more changes "
                                           "(the Tensors panel, or :tensors, lists them all)"]
    return lines


def _describe(t: TensorInfo) -> str:
    shape = "one number" if not t.shape else f"shape {t.shape}"
    if t.grad_fn is not None:
        how = f"made by {t.grad_fn}"
    elif t.requires_grad:
        how = "a leaf that requires grad"
    else:
        how = "no graph"
    return f"`{_clip(t.value_preview)}`, {shape}, {how}"


def _made_again(was: TensorInfo, now: TensorInfo) -> bool:
    return (was.grad_fn, was.requires_grad, was.shape) != (now.grad_fn, now.requires_grad,
                                                           now.shape)


def _grad(t: TensorInfo) -> str:
    return "None" if t.grad_preview is None else f"`{_clip(t.grad_preview)}`"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_PREVIEW else text[: MAX_PREVIEW - 1] + "…"


def _newly_freed(before: Snapshot | None, after: Snapshot) -> list[str]:
    """Named tensors whose own node had its saved values freed during the step."""
    was_freed = set() if before is None else {
        t.name for t in before.tensors
        if t.node and t.node in before.nodes and before.nodes[t.node].saved_freed}
    names = []
    for t in after.tensors:
        node = after.nodes.get(t.node) if t.node else None
        if node is not None and node.kind == "op" and node.saved_freed and \
                t.name not in was_freed and not t.name.startswith("_"):
            names.append(t.name)
    return names
