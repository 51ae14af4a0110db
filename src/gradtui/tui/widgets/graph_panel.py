"""The Graph panel: the selected tensor's autograd graph, and the step-by-step backward.

Every key is one a learner cannot type into a cell (typing in the panel goes to the input):
arrows, PageUp/PageDown, Home (the leaves) and End (the output) scroll; Tab and Shift+Tab move
from node to node, centring each and saying what it is; Ctrl+G shows each node's value and
gradient; Ctrl+F makes the boxes compact so more of the graph fits; Enter walks the backward
pass node by node (Enter again for the next node, Left for the previous one, Escape ends it);
Ctrl+O shows the code of the node's rule (``:source``); Ctrl+E exports DOT.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from gradtui.kernel.protocol import Snapshot, TensorInfo
from gradtui.tui.glyphs import UNICODE, Glyphs
from gradtui.tui.graph_render import GraphDrawing, draw_graph, drawing_key
from gradtui.tui.graph_select import default_root, describe_node
from gradtui.tui.graph_values import gaps_note
from gradtui.tui.messages import DotRequested, PanelLeft, SourceRequested, StepRequested
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
    "port": "bold #ffaf00",
    "detail": "",
    "current": "bold reverse #ffd700",
    "visited": "bold #5fd7af",
    "selected": "bold reverse",
}
# Past this width the DAG is replaced by the tree (the canvas scrolls horizontally up to it).
MAX_DAG_WIDTH = 400
KEYS_HINT = ("Tab: nodes", "^G: values", "^F: fit", "Enter: step backward", "^E: DOT")


class GraphPanel(Vertical, can_focus=True):
    """Title line, legend, the scrollable drawing, and what the chosen node (or the step of a
    walk) is."""

    BINDINGS = [
        Binding("up", "scroll('up')", "Scroll up", show=False),
        Binding("down", "scroll('down')", "Scroll down", show=False),
        Binding("left", "left", "Scroll left / previous node", show=False),
        Binding("right", "right", "Scroll right / next node", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False),
        Binding("home", "scroll('home')", "The leaves (top)", show=False),
        Binding("end", "scroll('end')", "The output (bottom)", show=False),
        Binding("tab", "move_node(1)", "Next node", show=False),
        Binding("shift+tab", "move_node(-1)", "Previous node", show=False),
        Binding("ctrl+g", "toggle_details", "Values and gradients"),
        Binding("ctrl+f", "toggle_compact", "Fit (compact boxes)"),
        Binding("enter", "step", "Step backward"),
        Binding("escape", "escape", "End walk / drop node", show=False),
        Binding("ctrl+e", "dot", "Export DOT"),
        Binding("ctrl+o", "source", "Source of the rule"),
    ]

    DEFAULT_CSS = """
    GraphPanel { height: 1fr; }
    GraphPanel > #graph-title { height: 1; }
    GraphPanel > #graph-legend { height: 1; }
    GraphPanel > CanvasView { height: 1fr; width: 1fr; }
    GraphPanel > #graph-gaps { height: auto; max-height: 4; color: $text-muted; }
    GraphPanel > #graph-node { height: auto; max-height: 4; display: none; }
    GraphPanel.-chosen > #graph-node { display: block; }
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
    details: reactive[bool] = reactive(False)
    """Each box shows its node's value and gradient (Ctrl+G)."""
    compact: reactive[bool] = reactive(False)
    """Short labels, no tags: more of a graph fits (Ctrl+F)."""
    chosen: reactive[str | None] = reactive(None)
    """The graph node the learner moved to with Tab (highlighted and described)."""

    def __init__(self, glyphs: Glyphs = UNICODE, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.glyphs = glyphs
        self.root_name: str | None = None
        self.drawing: GraphDrawing | None = None
        self._drawn_key: tuple[object, ...] | None = None
        self._drawn_root: str | None = None
        self._dirty = True

    def compose(self):  # noqa: ANN201 - Textual's ComposeResult
        yield Static("", id="graph-title")
        yield Static(legend(self.glyphs, 80, walking=False), id="graph-legend")
        yield CanvasView(ROLE_STYLES, id="graph-canvas")
        yield Static("", id="graph-gaps")
        yield Static("", id="graph-node")
        yield Static("", id="graph-step")

    def on_mount(self) -> None:
        dot = " | " if self.glyphs.ascii else " · "
        self.border_subtitle = dot.join(KEYS_HINT)

    def on_resize(self) -> None:
        self._show_legend()

    def _show_legend(self) -> None:
        width = self.query_one("#graph-legend", Static).size.width or self.size.width
        self.query_one("#graph-legend", Static).update(
            legend(self.glyphs, width, walking=self.walk is not None))

    def watch_snapshot(self) -> None:
        self.redraw()

    def watch_selected(self) -> None:
        self.chosen = None
        self.redraw()

    def watch_walk(self, walk: BackwardWalk | None) -> None:
        self.set_class(walk is not None, "-walking")
        if self.is_mounted:
            self._show_legend()
        self.redraw()

    def watch_details(self) -> None:
        self.redraw()

    def watch_compact(self) -> None:
        self.redraw()

    def watch_chosen(self, chosen: str | None) -> None:
        self.set_class(chosen is not None, "-chosen")
        self.redraw()
        if chosen is not None:
            self.call_after_refresh(self._centre_on, chosen)  # once the node's line took room

    def _centre_on(self, node: str | None) -> None:
        if node is not None and self.drawing is not None and node in self.drawing.boxes:
            self.query_one(CanvasView).centre_on(*self.drawing.boxes[node])

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
        snapshot = self.snapshot
        if snapshot is None or tensor is None or tensor.node is None:
            self.drawing = None
            self._drawn_key = None
            if tensor is not None:
                title.update(f"{tensor.name}: no graph (does not require grad)")
            else:
                title.update("no graph yet: make a tensor with requires_grad=True")
            canvas.set_lines([])
            self._show_texts()
            return
        walk = self.walk
        current = walk.current_node if walk is not None else None
        visited = self._visited(snapshot, walk)
        chosen = self.chosen if self.chosen in snapshot.nodes else None
        key = drawing_key(snapshot, tensor.node, current, visited, chosen=chosen,
                          details=self.details, compact=self.compact)
        if key != self._drawn_key or self.drawing is None:
            self.drawing = draw_graph(
                snapshot, tensor.node, self.glyphs, max_width=MAX_DAG_WIDTH, current=current,
                visited=visited, selected=chosen, details=self.details, compact=self.compact,
            )
            self._drawn_key = key
            canvas.set_lines(self.drawing.lines)
            if tensor.node != self._drawn_root:
                # A new graph: show its output (the bottom box), where backward starts.
                self._drawn_root = tensor.node
                self.call_after_refresh(self._show_output)
        mode = "tree" if self.drawing.mode == "tree" else "graph"
        shown = tensor.name if not tensor.echo else "the last result (_)"
        note = f" - {self.drawing.note}" if self.drawing.note else ""
        title.update(f"{mode} of {shown}{note}")
        self._show_texts()
        if current is not None:
            self.call_after_refresh(self._centre_on, current)

    def _show_texts(self) -> None:
        # Why some boxes show no value (Ctrl+G after a backward): said under the drawing,
        # which the learner reads before scrolling through every box.
        note = gaps_note(self.drawing.gaps) if self.drawing is not None and self.details else ""
        gaps = self.query_one("#graph-gaps", Static)
        gaps.update(Text(note))
        gaps.display = bool(note)
        self.query_one("#graph-step", Static).update(self._walk_text())
        node = self.snapshot.nodes.get(self.chosen) if self.snapshot and self.chosen else None
        self.query_one("#graph-node", Static).update(
            Text(describe_node(self.snapshot, node)) if node is not None else "")

    def _show_output(self) -> None:
        self._centre_on(self._drawn_root)

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

    # -- actions ------------------------------------------------------------------------------

    def action_scroll(self, how: str) -> None:
        """Scroll the drawing (Home: the leaves at the top, End: the output at the bottom)."""
        canvas = self.query_one(CanvasView)
        if how == "end":
            canvas.scroll_end(animate=False)
            self._show_output()
            return
        {"up": canvas.scroll_up, "down": canvas.scroll_down,
         "page_up": canvas.scroll_page_up, "page_down": canvas.scroll_page_down,
         "home": canvas.scroll_home}[how](animate=False)

    def action_left(self) -> None:
        if self.walk is not None:
            self.action_previous_step()
        else:
            self.query_one(CanvasView).scroll_relative(x=-4, animate=False)

    def action_right(self) -> None:
        if self.walk is not None:
            self.action_next_step()
        else:
            self.query_one(CanvasView).scroll_relative(x=4, animate=False)

    def action_move_node(self, step: int) -> None:
        """Tab / Shift+Tab: the next / previous node, top to bottom and left to right."""
        if self.drawing is None or not self.drawing.boxes:
            return
        order = sorted(self.drawing.boxes, key=lambda n: self.drawing.boxes[n][:2])
        if self.chosen in order:
            index = (order.index(self.chosen) + step) % len(order)
        else:
            index = 0 if step > 0 else len(order) - 1
        self.chosen = order[index]

    def action_toggle_details(self) -> None:
        self.details = not self.details

    def action_toggle_compact(self) -> None:
        self.compact = not self.compact

    def action_step(self) -> None:
        """Enter: start walking the backward pass; during a walk, the next node."""
        if self.walk is not None:
            self.action_next_step()
        elif self.root_name:
            self.post_message(StepRequested(self.root_name))

    def action_next_step(self) -> None:
        if self.walk is not None and self.walk.next():
            self.mutate_reactive(GraphPanel.walk)

    def action_previous_step(self) -> None:
        if self.walk is not None and self.walk.previous():
            self.mutate_reactive(GraphPanel.walk)

    def action_escape(self) -> None:
        """End the walk, else forget the chosen node, else go back to the input."""
        if self.walk is not None:
            self.walk = None
        elif self.chosen is not None:
            self.chosen = None
        else:
            self.post_message(PanelLeft())

    def action_stop_walk(self) -> None:
        self.walk = None

    def action_dot(self) -> None:
        if self.root_name:
            self.post_message(DotRequested(self.root_name))

    def action_source(self) -> None:
        """The op row (rules and gradient code) of the walk's node, else of the chosen node,
        else of the tensor shown."""
        op = self.walk.current_op if self.walk is not None else None
        if op is None and self.chosen is not None and self.snapshot is not None:
            node = self.snapshot.nodes.get(self.chosen)
            op = node.name if node is not None and node.kind == "op" else None
        name = op or self.root_name
        if name:
            self.post_message(SourceRequested(name))

def legend(glyphs: Glyphs, width: int, *, walking: bool) -> Text:
    """What the drawing's shapes mean, said with the shapes themselves, so it reads the same
    without colour (NO_COLOR) or in ASCII; as many entries as fit in ``width`` on one line
    (the step marks only during a walk)."""
    box, out = glyphs.box, glyphs.output_box
    parts = [(f"{out[0]}{out[1]} output", "output"), (f"{box[0]}{box[1]} op", "op"),
             (f"{box[0]}AccumulateGrad{box[1]} leaf", "leaf"), ("1 2 input no.", "port")]
    if walking:  # what the walk marks first: it is what the learner is reading
        parts[1:1] = [(f"{glyphs.current[0]}{glyphs.current[1]} step", "current"),
                      (f"{glyphs.done} done", "visited")]
    text = Text(no_wrap=True, overflow="crop")
    for label, role in parts:
        gap = "  " if text else ""
        if text.cell_len + len(gap) + len(label) > width:
            break
        text.append(gap)
        text.append(label, style=ROLE_STYLES[role])
    return text
