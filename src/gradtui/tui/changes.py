"""What changed between two snapshots: the marks on Tensors rows and the Gradients panel's
before/after of the last backward. Plain data in, plain data out (no Textual)."""

from __future__ import annotations

from dataclasses import dataclass

from gradtui.kernel.protocol import Snapshot, TensorInfo


def _fingerprint(t: TensorInfo) -> tuple[object, ...]:
    # Not ``t.node``: node ids are only stable within one snapshot (a new ``_`` shifts them).
    return (
        tuple(t.shape), t.dtype, t.requires_grad, t.is_leaf, t.grad_fn, t.value_preview,
        t.grad_preview, t.version,
    )


def changed_tensors(before: Snapshot | None, after: Snapshot) -> set[str]:
    """Names of listed tensors (not the REPL's ``_``) that are new in ``after`` or differ from
    ``before`` in any shown field."""
    old = {} if before is None else {t.name: _fingerprint(t) for t in before.listed()}
    return {t.name for t in after.listed() if old.get(t.name) != _fingerprint(t)}


@dataclass(frozen=True)
class GradRow:
    """One leaf that requires grad, as the Gradients panel shows it."""

    name: str
    shape: list[int]
    grad: str | None  # current .grad preview; None before any backward reached it
    before: str | None  # its .grad just before the last backward that changed it
    changed: bool  # the last backward changed this leaf's .grad
    value: str = ""  # the leaf's own values (preview)


def _distinct_leaves(snapshot: Snapshot) -> list[TensorInfo]:
    """Leaves requiring grad, each tensor once: ``_`` (the REPL's last value) or a second name
    bound to the same tensor is not another leaf. Namespace order; a real name wins over ``_``."""
    chosen: dict[str, TensorInfo] = {}
    order: list[str] = []
    for t in snapshot.listed():
        if not (t.is_leaf and t.requires_grad):
            continue
        key = t.node or f"name:{t.name}"
        if key not in chosen:
            chosen[key] = t
            order.append(key)
        elif chosen[key].name == "_":
            chosen[key] = t
    return [chosen[key] for key in order]


class GradTracker:
    """Remembers the gradients before the most recent backward, across cells.

    A backward is detected when a leaf named in ``snapshot.last_backward`` has a different
    ``.grad`` than in the previous snapshot; from then until the next backward, the panel shows
    that change (``10 -> 20`` after a second ``backward(retain_graph=True)``), even while other
    cells run in between.
    """

    def __init__(self) -> None:
        self._previous: dict[str, str | None] = {}
        self._before: dict[str, str | None] = {}
        self._changed: set[str] = set()

    def update(self, snapshot: Snapshot) -> list[GradRow]:
        """Take the next snapshot; return the rows to show, in namespace order."""
        leaves = _distinct_leaves(snapshot)
        by_node = {t.node: t.name for t in leaves if t.node is not None}
        backward_names = {by_node[n] for n in snapshot.last_backward if n in by_node}
        now = {t.name: t.grad_preview for t in leaves}
        moved = {
            name for name in backward_names
            if name in now and now[name] != self._previous.get(name)
        }
        if moved:
            # A new backward: every leaf's "before" becomes its value in the previous snapshot.
            self._before = {name: self._previous.get(name) for name in now}
            self._changed = moved
        self._changed &= set(now)
        self._previous = now
        return [
            GradRow(
                name=t.name, shape=list(t.shape), grad=t.grad_preview,
                before=self._before.get(t.name), changed=t.name in self._changed,
                value=t.value_preview,
            )
            for t in leaves
        ]

    def reset(self) -> None:
        """Forget everything (the kernel restarted)."""
        self.__init__()
