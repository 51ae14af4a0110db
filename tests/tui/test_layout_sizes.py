"""The screen holds at every size a learner's terminal may have: what must be read is on screen.

These tests read the composed screen (what a terminal would show), not widget state: a widget
that exists but is pushed off the screen, or covered, fails them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.kernel.client import KernelClient
from gradtui.kernel.protocol import CellResult, ExecuteReply, StreamChunk
from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.lessons.session import LessonSession
from gradtui.tui.app import create_app
from gradtui.tui.lesson_pane import LessonPane

from .conftest import run_cell, settle, settle_lesson, wait_until

SIZES = [(80, 24), (100, 30), (120, 40), (160, 60), (200, 60)]


def screen_lines(app) -> list[str]:
    """The screen as a terminal shows it, one string a row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def on_screen(app, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


def keys_line_whole(app) -> bool:
    """The lesson's keys line on one row: every key, or the first ones and "F1 keys"."""
    line = next((line for line in screen_lines(app) if "F7 hint" in line), "")
    return "^L leave" in line or "F1 keys" in line


def plot_in_view(app) -> bool:
    """The lesson plot whole on screen: its title and its x-axis label."""
    return on_screen(app, "losses per step") and x_axis_on_screen(app)


def x_axis_on_screen(app) -> bool:
    """The lesson plot's x-axis label, a line of its own reading just "step"."""
    bars = " ▁▂▃▄▅▆▇█▉▊▋▌▍▎▏"
    return any(part.strip(bars) == "step" for line in screen_lines(app)
               for part in line.split("│"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_line_printed_while_a_panel_showed_is_whole_in_the_log(app, fake, size):
    source = 'print("a line of text here")'
    fake.script[source] = ExecuteReply(CellResult(True, [StreamChunk("stdout",
                                                                     "a line of text here\n")]))
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")  # the Tensors tab (narrow) or panel (wide)
        await run_cell(pilot, app, source)
        await pilot.press("f2")
        await wait_until(pilot, lambda: on_screen(app, "│a line of text here "))
        assert not any(line.startswith("│a ") and line[3:4] == " " for line in
                       screen_lines(app))  # not one character a line


async def lesson_five_at_the_loop(pilot, app) -> LessonPane:
    await settle_lesson(pilot, app)
    return app.screen.query_one(LessonPane)


def resumed_lesson_five(tmp_path: Path):
    """Lesson 5 resumed at step 4 ("A loop", the step with a plot) over a real kernel."""
    lesson = load_lesson(lesson_files([builtin_dir()])[4])
    store = ProgressStore(tmp_path)
    store.save(LessonProgress(lesson.id, lesson.title, steps_total=len(lesson.steps),
                              steps_done=3, current_step=3))
    app = create_app(KernelClient(), lesson_session=LessonSession(lesson, store),
                     ascii_only=False, history_path=tmp_path / "history")
    return lesson, app


# The usual mistake on the plot step: no x.grad.zero_(), so x overshoots and the check fails.
LOOP_WITHOUT_ZEROING = """losses = []
for step in range(25):
    loss = (x - 3) ** 2
    loss.backward()
    with torch.no_grad():
        x -= 0.1 * x.grad
    losses.append(loss.item())
x"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_plot_step_keeps_the_verdict_hints_and_keys_on_screen(tmp_path, size):
    lesson, app = resumed_lesson_five(tmp_path)
    try:
        async with app.run_test(size=size) as pilot:
            pane = await lesson_five_at_the_loop(pilot, app)
            app.set_input_text(LOOP_WITHOUT_ZEROING)
            await pilot.press("enter")
            await settle_lesson(pilot, app)
            assert pane.feedback is not None and pane.feedback.kind == "fail"
            # The plot is sized and scrolled to once the verdict is laid out, a refresh or two
            # after its title first shows (and the keys line is fitted after a refresh too):
            # wait for the whole plot, title and x-axis label (not cut), and the whole keys line.
            await wait_until(pilot, lambda: plot_in_view(app) and keys_line_whole(app))
            assert on_screen(app, "Not yet")
            assert on_screen(app, "never zeroes")  # the verdict names the mistake
            await pilot.press("f7")
            await settle_lesson(pilot, app)
            await wait_until(pilot, lambda: on_screen(app, "Put the four lines"))
            assert on_screen(app, "F7 hint")
            # The shorter verdict gives the text more room: the plot grows and stays in view,
            # title and x-axis (it used to lose its axis off the bottom).
            await wait_until(pilot, lambda: plot_in_view(app))
    finally:
        app.client.close()


async def test_the_plot_refits_when_the_room_under_the_text_changes_later(tmp_path):
    """The verdict and the keys line may take their height a layout pass after the plot was
    fitted to the room left under them (on a loaded machine, one time in three at 100x30):
    the plot follows the room, not the moment it was shown, and stays whole on screen."""
    from textual.content import Content
    from textual.widgets import Static

    lesson, app = resumed_lesson_five(tmp_path)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            pane = await lesson_five_at_the_loop(pilot, app)
            await run_cell(pilot, app, LOOP_WITHOUT_ZEROING)
            await settle_lesson(pilot, app)
            await wait_until(pilot, lambda: plot_in_view(app))
            scroll = pane.query_one("#lesson-scroll")
            room = scroll.size.height
            # Two more lines of verdict, as a late layout pass gives it: nothing else changes.
            verdict = pane.query_one("#lesson-feedback-text", Static)
            shown = verdict.content
            assert isinstance(shown, Content)
            verdict.update(shown.append("\none more line\nand another"))
            await wait_until(pilot, lambda: scroll.size.height == room - 2)
            await wait_until(pilot, lambda: plot_in_view(app))
    finally:
        app.client.close()


async def test_a_plot_leaves_with_its_step(tmp_path):
    from textual_plotext import PlotextPlot

    lesson, app = resumed_lesson_five(tmp_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            pane = await lesson_five_at_the_loop(pilot, app)
            plot = pane.query_one(PlotextPlot)
            await run_cell(pilot, app, lesson.steps[3].solution.strip())
            await settle_lesson(pilot, app)
            assert pane.feedback.kind == "pass"
            assert plot.has_class("-shown")  # the passed step stays, its plot with it
            await run_cell(pilot, app, "1 + 1")  # a look around while the step is read
            await settle_lesson(pilot, app)
            assert pane.feedback.kind == "quiet" and plot.has_class("-shown")
            await pilot.press("ctrl+n")  # on to the next step
            await settle_lesson(pilot, app)
            assert pane.feedback.kind == "next" and pane.session.shown_index == 4
            assert not plot.has_class("-shown") and not on_screen(app, "losses per step")
    finally:
        app.client.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_lesson_text_scrolls_from_the_keyboard(tmp_path, size):
    lesson, app = resumed_lesson_five(tmp_path)
    try:
        async with app.run_test(size=size) as pilot:
            pane = await lesson_five_at_the_loop(pilot, app)
            await pilot.press("f6")
            assert pane.has_focus
            scroll = pane.query_one("#lesson-scroll")
            assert scroll.max_scroll_y > 0  # the step is longer than the pane at these sizes
            await pilot.press("end")
            await wait_until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y)
            assert on_screen(app, "x ends close to 3.")  # the text after the code block
            await pilot.press("home")
            await wait_until(pilot, lambda: scroll.scroll_y == 0)
            await pilot.press("pagedown")
            await wait_until(pilot, lambda: scroll.scroll_y > 0)
            await pilot.press("up")
            await pilot.press("a")  # typing still reaches the input
            await pilot.pause()
            assert app.screen.focused.id == "cell-input"
    finally:
        app.client.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_graphs_output_is_reachable_by_keys(app, size):
    from .fake_kernel import seed_cells

    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f4", "home")  # the leaves first, wherever the output is
        await pilot.press("end")
        await wait_until(pilot, lambda: on_screen(app, "║ MulBackward0 [] ║"))
        assert any("═out" in line for line in screen_lines(app))
        await pilot.press("home")
        await wait_until(pilot, lambda: on_screen(app, "AccumulateGrad"))
        assert on_screen(app, " x [2] ")
        assert not any("_ [" in line for line in screen_lines(app))


def _long_tensor_snapshot():
    from gradtui.kernel.protocol import Snapshot, TensorInfo

    preview = "[" + ", ".join(f"{i}.1234" for i in range(12)) + "]"
    return Snapshot([TensorInfo("w", [12], "torch.float32", False, True, None, None, preview,
                                None)])


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
async def test_a_value_cut_at_the_panels_edge_ends_in_an_ellipsis(fake, tmp_path, ascii_only):
    fake.script["w"] = ExecuteReply(CellResult(True, value_repr="tensor([...])"),
                                    _long_tensor_snapshot())
    app = create_app(fake, ascii_only=ascii_only, history_path=tmp_path / "history")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, "w")
        await pilot.press("f3")
        await pilot.pause(0.1)
        row = next(line for line in screen_lines(app) if " w " in line and "float32" in line)
        ellipsis = "..." if ascii_only else "…"
        assert row.rstrip("│| ").endswith(ellipsis) and "0.1234, 1.1234" in row


@pytest.mark.parametrize("lesson", [False, True], ids=["workspace", "lesson"])
async def test_at_120_columns_the_graph_legend_is_one_whole_line(fake, tmp_path, lesson):
    from .fake_kernel import seed_cells

    session = None
    if lesson:
        lesson_file = lesson_files([builtin_dir()])[1]
        session = LessonSession(load_lesson(lesson_file), ProgressStore(tmp_path))
        session.attach(fake)
    app = create_app(fake, lesson_session=session, history_path=tmp_path / "history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        legend = app.screen.query_one("#graph-legend")
        shown = [line for line in screen_lines(app) if "output" in line and "op" in line]
        assert len(shown) == 1 and legend.size.height == 1
        text = str(legend.render())
        assert text.startswith("╔╗ output") and "leaf" in text
        assert all(part in shown[0] for part in text.split("  "))  # nothing cut off


async def test_without_colour_the_shown_tab_is_still_marked(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await pilot.pause()
        active = app.screen.query_one("#panel-tabs").query("Tab.-active").first()
        assert active.id == "graph" and active.styles.text_style.reverse
        others = [tab for tab in app.screen.query("#panel-tabs Tab") if tab is not active]
        assert not any(tab.styles.text_style.reverse for tab in others)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_tensors_table_fits_its_panel_values_included(app, size):
    from gradtui.tui.widgets.tensors_panel import TensorsPanel

    from .fake_kernel import seed_cells

    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:6]:
            await run_cell(pilot, app, source)
        await pilot.press("f3")
        await pilot.pause(0.1)
        table = app.screen.query_one(TensorsPanel)
        assert table.max_scroll_x == 0  # nothing hidden to the right
        header = next(line for line in screen_lines(app) if " name " in line and "dtype" in line)
        assert "value" in header


async def test_beside_a_lesson_the_tensors_table_drops_dtype_to_show_values(fake, tmp_path):
    from gradtui.tui.widgets.tensors_panel import TensorsPanel

    from .fake_kernel import seed_cells

    session = LessonSession(load_lesson(lesson_files([builtin_dir()])[1]),
                            ProgressStore(tmp_path))
    session.attach(fake)
    app = create_app(fake, lesson_session=session, history_path=tmp_path / "history")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:6]:
            await run_cell(pilot, app, source)
        await pilot.pause(0.1)
        table = app.screen.query_one(TensorsPanel)
        assert table.max_scroll_x == 0
        header = next(line for line in screen_lines(app) if " name " in line and "grad" in line)
        assert "value" in header and "dtype" not in header
        await pilot.resize_terminal(160, 60)  # room again: dtype is back
        await wait_until(pilot, lambda: any("dtype" in line for line in screen_lines(app)))


async def test_at_80x24_a_long_verdict_scrolls_from_the_keyboard_and_the_keys_stay(tmp_path):
    lesson, app = resumed_lesson_five(tmp_path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            pane = await lesson_five_at_the_loop(pilot, app)
            await run_cell(pilot, app, LOOP_WITHOUT_ZEROING)
            await settle_lesson(pilot, app)
            await pilot.press("f8")  # the solution: in the verdict and (8 rows) in the input
            await settle_lesson(pilot, app)
            feedback = pane.query_one("#lesson-feedback")
            await wait_until(pilot, lambda: feedback.max_scroll_y > 0)  # longer than its room
            assert on_screen(app, "F7 hint")  # the keys line stays, however short the pane
            await pilot.press("f6", "tab")
            assert app.screen.focused is feedback
            await pilot.press("end")
            await wait_until(pilot, lambda: feedback.scroll_y == feedback.max_scroll_y)
            last = lesson.steps[3].solution.strip().splitlines()[-1]
            assert any(line.strip("│ ") == last for line in screen_lines(app))
            await pilot.press("home")
            await wait_until(pilot, lambda: feedback.scroll_y == 0)
            assert on_screen(app, "A solution")
    finally:
        app.client.close()
