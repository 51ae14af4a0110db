"""``:dot NAME [FILE]``: a tensor's graph as Graphviz DOT, shown or written to a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gradtui.kernel.protocol import Snapshot


@dataclass(frozen=True)
class DotOutcome:
    """What to tell the learner: ``text`` for the log, ``ok`` False for an error style."""

    ok: bool
    text: str


def export_dot(snapshot: Snapshot | None, name: str | None, path: str | None) -> DotOutcome:
    """The DOT of ``name``'s graph: the text itself when no ``path``, else written there."""
    from gradtui.kernel.views import to_dot

    if not name:
        return DotOutcome(False, ":dot needs a tensor name, e.g. :dot o graph.dot")
    if snapshot is None or snapshot.tensor(name) is None:
        return DotOutcome(False, f":dot: no tensor named {name!r}")
    dot = to_dot(snapshot, name)
    if path is None:
        return DotOutcome(True, dot)
    target = Path(path).expanduser()
    try:
        target.write_text(dot, encoding="utf-8")
    except OSError as exc:
        return DotOutcome(False, f":dot: cannot write {path}: {exc}")
    return DotOutcome(True, f"wrote the graph of {name} to {path} "
                            f"(render it: dot -Tsvg {path} -o graph.svg)")
