from __future__ import annotations

from textual.app import App, ComposeResult

from gradtui.tui.widgets.canvas_view import CanvasView


class CanvasApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CanvasView({None: "", "op": "bold"})


async def test_canvas_sizes_to_its_lines_and_renders_the_scrolled_rows():
    app = CanvasApp()
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(CanvasView)
        view.set_lines([[(f"row {i} ", None), ("op" * i, "op")] for i in range(2000)])
        await pilot.pause()
        assert (view.virtual_size.width, view.virtual_size.height) == (len("row 1999 ") + 2 * 1999,
                                                                        2000)
        view.scroll_to(y=1500, animate=False)
        await pilot.pause()
        assert view.render_line(0).text.startswith("row 1500 opop")
        assert len(view.render_line(0).text) == view.size.width
