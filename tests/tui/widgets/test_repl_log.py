"""The REPL log keeps following its end when the layout around it changes."""

from __future__ import annotations

from gradtui.kernel.protocol import CellResult, ExecuteReply, StreamChunk
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.repl_log import ReplLog

from ..conftest import run_cell, settle, wait_until


async def test_the_log_keeps_its_end_in_view_when_the_input_grows_and_shrinks(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        log = app.screen.query_one(ReplLog)
        for index in range(60):
            log.note(f"line {index}")
        await run_cell(pilot, app, "1/0")
        assert log.max_scroll_y > 0 and log.is_vertical_scroll_end
        cell_input = app.screen.query_one(CellInput)
        app.set_input_text("a = (\n" + "1,\n" * 7)  # the input grows: the log shrinks
        await pilot.pause(0.1)
        assert cell_input.size.height > 3
        assert log.is_vertical_scroll_end
        app.set_input_text("")  # and shrinks back: the log grows
        await pilot.pause(0.1)
        assert log.is_vertical_scroll_end
        await pilot.resize_terminal(130, 30)
        await pilot.pause(0.1)
        assert log.is_vertical_scroll_end


async def test_a_cell_is_echoed_on_the_prompt_line_with_aligned_continuations(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        log = app.screen.query_one(ReplLog)
        log.echo_input(1, "import torch")
        log.echo_input(12, "for i in range(2):\n    print(i)")
        assert log.plain_lines[-3:] == ["In [1]: import torch", "In [12]: for i in range(2):",
                                        "    ...:     print(i)"]
        await pilot.pause()
        shown = [strip.text for strip in log.lines[-3:]]
        assert shown[0].startswith("In [1]: import torch")
        assert shown[2].startswith("    ...:     print(i)")
        styles = {str(seg.style) for seg in log.lines[-1] if seg.text.strip() == "print"}
        assert styles and styles != {""}  # still highlighted by pygments


async def test_lines_wrap_again_when_the_log_gets_narrower(app):
    long_line = "word " * 30
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        log = app.screen.query_one(ReplLog)
        log.note(long_line.strip())
        await pilot.pause()
        await pilot.resize_terminal(120, 40)  # side by side: the log is about 46 columns wide

        def widest() -> int:
            return max(strip.cell_length for strip in log.lines)

        # The re-wrap waits REWRAP_DELAY after the resize (longer on a loaded machine).
        await wait_until(pilot, lambda: widest() <= log.size.width)
        shown = " ".join(strip.text.strip() for strip in log.lines)
        assert long_line.strip() in shown  # re-wrapped, not cropped
        assert log.is_vertical_scroll_end


async def test_a_cell_run_while_another_tab_shows_is_written_at_the_logs_real_width(app, fake):
    # The 80x24 bug: the log behind the Tensors tab has no width, and lines written then came
    # out one character a line when the REPL tab was shown again.
    source = 'print("a line of text here")'
    fake.script[source] = ExecuteReply(CellResult(True, [StreamChunk("stdout",
                                                                     "a line of text here\n")]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await run_cell(pilot, app, source)
        await pilot.press("f2")
        await pilot.pause()
        log = app.screen.query_one(ReplLog)
        shown = [strip.text.rstrip() for strip in log.lines]
        assert "a line of text here" in shown
        assert all(len(line) > 1 for line in shown if line)
