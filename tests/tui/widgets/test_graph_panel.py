"""The Graph panel from the keyboard: scrolling, moving node to node, values, and typing."""

from __future__ import annotations

from gradtui.tui.widgets.canvas_view import CanvasView
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.graph_panel import GraphPanel
from gradtui.tui.widgets.repl_log import ReplLog

from ..conftest import run_cell, settle, wait_until
from ..fake_kernel import seed_cells


def _box_on_screen(graph: GraphPanel, node: str) -> bool:
    canvas = graph.query_one(CanvasView)
    row, col, height, width = graph.drawing.boxes[node]
    x, y = canvas.scroll_offset
    return y <= row and row + height <= y + canvas.size.height and x <= col < x + \
        canvas.size.width


async def test_typing_in_the_graph_panel_reaches_the_input(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f4")
        graph = app.screen.query_one(GraphPanel)
        assert graph.has_focus
        await pilot.press(*"d.grad_fn.next_functions")
        await pilot.pause()
        assert app.screen.query_one(CellInput).text == "d.grad_fn.next_functions"
        assert graph.walk is None
        assert "digraph" not in "\n".join(app.screen.query_one(ReplLog).plain_lines)


async def test_the_keys_scroll_the_graph_and_end_shows_the_output(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f4")
        graph = app.screen.query_one(GraphPanel)
        canvas = graph.query_one(CanvasView)
        assert canvas.max_scroll_y > 0  # six boxes do not fit in 24 rows
        await wait_until(pilot, lambda: _box_on_screen(graph, "n1"))  # shown at first: o
        await pilot.press("home")
        await wait_until(pilot, lambda: canvas.scroll_y == 0)
        assert _box_on_screen(graph, "n6") and not _box_on_screen(graph, "n1")  # x, the leaf
        await pilot.press("down")
        await wait_until(pilot, lambda: canvas.scroll_y == 1)
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: canvas.scroll_y > 1)
        await pilot.press("pageup", "end")
        await wait_until(pilot, lambda: _box_on_screen(graph, "n1"))


async def test_tab_moves_node_to_node_and_says_what_each_is(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:6]:
            await run_cell(pilot, app, source)
        await pilot.press("f4", "tab")
        graph = app.screen.query_one(GraphPanel)
        assert graph.chosen == "n6"  # the top box: the leaf x
        said = str(graph.query_one("#graph-node").render())
        assert "x [2] (x)" in said and "grad tensor([10., 10.])" in said
        await pilot.press("tab")
        assert graph.chosen == "n5"
        said = str(graph.query_one("#graph-node").render())
        assert "AddBackward0 [2]" in said and "inputs: 1 x [2], 2 a constant" in said
        await pilot.press("shift+tab", "shift+tab")
        assert graph.chosen == "n1"  # round to the last: the output
        await pilot.press("escape")
        assert graph.chosen is None and graph.has_focus
        await pilot.press("escape")
        assert app.screen.query_one(CellInput).has_focus


async def test_ctrl_g_shows_values_and_gradients_and_ctrl_f_fits(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:6]:
            await run_cell(pilot, app, source)
        await pilot.press("f4", "ctrl+g")
        graph = app.screen.query_one(GraphPanel)
        text = graph.canvas_text()
        assert "data [1., 1.]" in text and "grad tensor([10., 10.])" in text
        assert "data 20." in text  # o, from the Tensors row
        wide = len(max(text.splitlines(), key=len))
        await pilot.press("ctrl+f")
        compact = graph.canvas_text()
        assert "MulBackward0" not in compact and "Mul" in compact
        assert len(max(compact.splitlines(), key=len)) <= wide
        await pilot.press("ctrl+g", "ctrl+f")
        assert "MulBackward0 []" in graph.canvas_text() and "data " not in graph.canvas_text()
