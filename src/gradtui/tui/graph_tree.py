"""The graph as an indented tree: the fallback for graphs too large or too wide to draw.

Shared nodes are expanded once; later visits print a back-reference (``^ ... shown above``), so
a diamond is not duplicated and a 5,000-node graph prints in time linear in its size. Iterative
(no recursion limit on long chains); capped at ``max_lines`` with a note. Past ``MAX_INDENT``
levels the indentation restarts with the depth written out (``[depth 25]``): a long chain stays
readable and its lines stay short.
"""

from __future__ import annotations

from gradtui.kernel.protocol import Snapshot
from gradtui.tui.glyphs import Glyphs
from gradtui.tui.graph_select import node_label

MAX_INDENT = 24


def graph_tree_lines(
    snapshot: Snapshot, root: str, glyphs: Glyphs, *, max_lines: int = 2000,
    current: str | None = None, visited: frozenset[str] = frozenset(),
    selected: str | None = None, rows: dict[str, int] | None = None,
) -> list[tuple[str, str | None]]:
    """Lines of the tree under node ``root`` with the role of each line (for colour);
    ``rows``, when given, gets the line each node is expanded on."""
    lines: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    # Stack of (node id or None for a constant, prefix for this line, prefix for children, depth).
    stack: list[tuple[str | None, str, str, int]] = [(root, "", "", 0)]
    while stack:
        if len(lines) >= max_lines:
            lines.append((f"{glyphs.ellipsis} cut at {max_lines} lines", "tag"))
            break
        node_id, prefix, child_prefix, depth = stack.pop()
        if node_id is None:
            lines.append((prefix + "const", "const"))
            continue
        node = snapshot.nodes.get(node_id)
        if node is None:
            lines.append((prefix + f"{glyphs.ellipsis} (not in snapshot)", "tag"))
            continue
        label = node_label(node)
        role = "output" if node_id == root else node.kind
        if node_id == current:
            label = f"{glyphs.current[0]}{label}{glyphs.current[1]}"
            role = "current"
        elif node_id == selected:
            role = "selected"
        elif node_id in visited:
            label = f"{label} {glyphs.done}"
            role = "visited"
        if node_id in seen:
            lines.append((prefix + f"^ {label} (shared, shown above)", "tag"))
            continue
        seen.add(node_id)
        if rows is not None:
            rows[node_id] = len(lines)
        saved = any(s.shape is not None for s in node.saved)  # tensors, not a saved number
        extra = " (freed)" if node.saved_freed else " (saved)" if saved else ""
        lines.append((prefix + label + extra, role))
        children = list(node.next)
        if depth and depth % MAX_INDENT == 0:
            child_prefix = f"[depth {depth}] "
        for index in range(len(children) - 1, -1, -1):
            last = index == len(children) - 1
            branch = glyphs.tree_last if last else glyphs.tree_branch
            below = "   " if last else glyphs.tree_pipe
            stack.append((children[index], child_prefix + branch, child_prefix + below,
                          depth + 1))
    return lines
