"""The Graph panel: the selected tensor's autograd graph, and the step-by-step backward."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from gradtui.kernel.protocol import Snapshot, TensorInfo
from gradtui.tui.glyphs import UNICODE, Glyphs
from gradtui.tui.graph_canvas import LEGEND
from gradtui.tui.graph_render import GraphDrawing, draw_graph, drawing_key
from gradtui.tui.graph_select import default_root
from gradtui.tui.messages import DotRequested, SourceRequested, StepRequested
from gradtui.tui.walk import BackwardWalk
from gradtui.tui.widgets.canvas_view import CanvasView

ROLE_STYLES: dict[str | None, str] = {
    None: "",
    "op": "bold",
    "leaf": "bold #5fafff",
    "output": "bold #87d75f",
    "const": "dim",
    "edge": "#808080",
    "tag": "#ffaf00",
    "current": "bold reverse #ffd700",
    "visited": "bold #5fd7af",
}
# Past this width the DAG is replaced by the tree (the canvas scrolls horizontally up to it).
MAX_DAG_WIDTH = 400


class GraphPanel(Vertical, can_focus=True):
    """Title line, legend, the scrollable drawing and (during a walk) the step description."""

    BINDINGS = [
        Binding("s", "step", "Step backward"),
        Binding("n,right,space", "next_step", "Next node"),
        Binding("p,left", "previous_step", "Previous node"),
        Binding("escape", "stop_walk", "End walk"),
        Binding("d", "dot", "Export DOT"),
        Binding("ctrl+o", "source", "Source of the rule"),
    ]

    DEFAULT_CSS = """
    GraphPanel { height: 1fr; }
    GraphPanel > #graph-title { height: 1; }
    GraphPanel > #graph-legend { height: auto; }
    GraphPanel > CanvasView { height: 1fr; width: 1fr; }
    GraphPanel > #graph-step { height: auto; max-height: 12; display: none; }
    GraphPanel.-walking > #graph-step { display: block; }
    """

    BORDER_TITLE = "Graph"

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True)
    """The latest snapshot."""
    selected: reactive[str | None] = reactive(None)
    """The tensor chosen by the learner; None follows the last result."""
    walk: reactive[BackwardWalk | None] = reactive(None, always_update=True)
    """The step-by-step backward in progress, if any."""

    def __init__(self, glyphs: Glyphs = UNICODE, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.glyphs = glyphs
        self.root_name: str | None = None
        self.drawing: GraphDrawing | None = None
        self._drawn_key: tuple[object, ...] | None = None
        self._dirty = True

    def compose(self):  # noqa: ANN201 - Textual's ComposeResult
        yield Static("", id="graph-title")
        yield Static(self._legend(), id="graph-legend")
        yield CanvasView(ROLE_STYLES, id="graph-canvas")
        yield Static("", id="graph-step")

    def _legend(self) -> Text:
        text = Text("legend: ", style="dim")
        for role, label in LEGEND:
            text.append(label, style=ROLE_STYLES[role])
            text.append("  ")
        return text

    def watch_snapshot(self) -> None:
        self.redraw()

    def watch_selected(self) -> None:
        self.redraw()

    def watch_walk(self, walk: BackwardWalk | None) -> None:
        self.set_class(walk is not None, "-walking")
        self.redraw()

    def redraw(self, *, force: bool = False) -> None:
        """Re-render now if visible; otherwise remember to when shown (hidden tabs cost nothing)."""
        self._dirty = True
        tensor = self._shown_tensor()
        # Known even while hidden: the command palette and :step/:dot use it.
        self.root_name = tensor.name if tensor is not None else None
        if not self.is_mounted or (not force and not self.display):
            return
        self._dirty = False
        title = self.query_one("#graph-title", Static)
        canvas = self.query_one("#graph-canvas", CanvasView)
        step = self.query_one("#graph-step", Static)
        snapshot = self.snapshot
        walk = self.walk
        if snapshot is None or tensor is None or tensor.node is None:
            self.drawing = None
            if tensor is not None:
                title.update(f"{tensor.name}: no graph (does not require grad)")
            else:
                title.update("no graph yet: make a tensor with requires_grad=True")
            canvas.set_lines([])
            step.update(self._walk_text())
            return
        current = walk.current_node if walk is not None else None
        visited = self._visited(snapshot, walk)
        key = drawing_key(snapshot, tensor.node, current, visited)
        if key != self._drawn_key or self.drawing is None:
            self.drawing = draw_graph(
                snapshot, tensor.node, self.glyphs, max_width=MAX_DAG_WIDTH, current=current,
                visited=visited,
            )
            self._drawn_key = key
            canvas.set_lines(self.drawing.lines)
        mode = "tree" if self.drawing.mode == "tree" else "graph"
        note = f" - {self.drawing.note}" if self.drawing.note else ""
        title.update(f"{mode} of {tensor.name} (s: step backward, d: DOT){note}")
        step.update(self._walk_text())
        if current is not None and current in self.drawing.node_rows:
            canvas.scroll_to(y=max(0, self.drawing.node_rows[current] - 2), animate=False)

    @staticmethod
    def _visited(snapshot: Snapshot, walk: BackwardWalk | None) -> frozenset[str]:
        if walk is None:
            return frozenset()
        leaves = (snapshot.tensor(name) for name in walk.trace.leaf_grads)
        return walk.visited_nodes(frozenset(t.node for t in leaves if t and t.node))

    def redraw_if_stale(self) -> None:
        """Draw what changed while the panel was hidden (called when it is shown)."""
        if self._dirty:
            self.redraw()

    def _shown_tensor(self) -> TensorInfo | None:
        """The walk's tensor, else the selected one, else the last result."""
        snapshot = self.snapshot
        if snapshot is None:
            return None
        if self.walk is not None and snapshot.tensor(self.walk.trace.root) is not None:
            return snapshot.tensor(self.walk.trace.root)
        tensor = snapshot.tensor(self.selected) if self.selected else None
        return tensor if tensor is not None else default_root(snapshot)

    def _walk_text(self) -> str:
        if self.walk is None:
            return ""
        names = {}
        if self.snapshot is not None:
            for node in self.snapshot.nodes.values():
                names[node.id] = node.variable or node.name
        return self.walk.describe(names)

    def canvas_text(self) -> str:
        """The drawing as plain text (tests)."""
        if self.drawing is None:
            return ""
        return "\n".join("".join(chunk for chunk, _ in line) for line in self.drawing.lines)

    def action_step(self) -> None:
        if self.root_name:
            self.post_message(StepRequested(self.root_name))

    def action_next_step(self) -> None:
        if self.walk is not None and self.walk.next():
            self.mutate_reactive(GraphPanel.walk)

    def action_previous_step(self) -> None:
        if self.walk is not None and self.walk.previous():
            self.mutate_reactive(GraphPanel.walk)

    def action_stop_walk(self) -> None:
        self.walk = None

    def action_source(self) -> None:
        """The op row (rules and gradient code) of the walk's node, else of the tensor shown."""
        op = self.walk.current_op if self.walk is not None else None
        name = op or self.root_name
        if name:
            self.post_message(SourceRequested(name))

    def action_dot(self) -> None:
        if self.root_name:
            self.post_message(DotRequested(self.root_name))
