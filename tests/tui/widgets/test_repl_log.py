"""The REPL log keeps following its end when the layout around it changes."""

from __future__ import annotations

from textual.app import App, ComposeResult

from gradtui.kernel.protocol import CellResult, ExecuteReply, StreamChunk
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.repl_log import ReplLog

from ..conftest import resize, run_cell, settle, wait_until


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
        await resize(pilot, app, 130, 30)
        await wait_until(pilot, lambda: log._wrap_width == log.size.width)  # re-wrapped
        await pilot.pause()
        assert log.is_vertical_scroll_end


async def test_a_cell_is_echoed_on_the_prompt_line_with_aligned_continuations(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        log = app.screen.query_one(ReplLog)
        log.echo_input(1, "import torch")
        log.echo_input(12, "for i in range(2):\n    print(i)")
        assert log.plain_lines[-3:] == ["In [1]: import torch", "In [12]: for i in range(2):",
                                        "    ...:     print(i)"]
        # Written once the log has its width (its first layout may come after the echo).
        await wait_until(pilot, lambda: any(s.text.startswith("In [12]: ") for s in log.lines))
        shown = [strip.text for strip in log.lines]
        at = max(i for i, text in enumerate(shown) if text.startswith("In [12]: "))
        assert shown[at - 1].startswith("In [1]: import torch")
        assert shown[at].startswith("In [12]: for i in range(2):")
        assert shown[at + 1].startswith("    ...:     print(i)")
        styles = {str(seg.style) for seg in log.lines[at + 1] if seg.text.strip() == "print"}
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


# -- output as it is printed ----------------------------------------------------------------------

class _LogApp(App[None]):
    """A host with nothing but the log (fast, and no kernel)."""

    def compose(self) -> ComposeResult:
        yield ReplLog()


def _rows(log: ReplLog) -> list[str]:
    return [strip.text.rstrip() for strip in log.lines]


async def test_streamed_pieces_show_complete_lines_and_the_unfinished_one_in_place():
    async with _LogApp().run_test(size=(60, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        log.stream_output("stdout", "epoch 1: loss 0.5\nepoch 2")
        assert _rows(log)[-2:] == ["epoch 1: loss 0.5", "epoch 2"]
        log.stream_output("stdout", ": loss 0.25\n")
        assert _rows(log)[-2:] == ["epoch 1: loss 0.5", "epoch 2: loss 0.25"]
        log.stream_output("stdout", "10%\r20%")
        assert _rows(log)[-1] == "20%"  # a progress line redrawn with \r is updated in place
        log.stream_output("stdout", "\r")
        assert _rows(log)[-1] == "20%"  # until new text overwrites it
        log.stream_output("stdout", "3")
        assert _rows(log)[-1] == "30%"
        log.end_output()
        assert log.plain_lines[-3:] == ["epoch 1: loss 0.5", "epoch 2: loss 0.25", "30%"]


async def test_stderr_starts_its_own_line_and_is_yellow():
    async with _LogApp().run_test(size=(60, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        log.stream_output("stdout", "partial ")
        log.stream_output("stderr", "a warning\n")
        log.end_output()
        assert _rows(log)[-2:] == ["partial", "a warning"]
        assert any(seg.style and seg.style.color and seg.style.color.name == "yellow"
                   for seg in log.lines[-1])


async def test_control_characters_are_shown_never_sent_to_the_terminal():
    async with _LogApp().run_test(size=(60, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        log.stream_output("stdout", "\x1b[2J\x07bell\x9b\n")
        log.note("note \x1b[31m")
        text = "".join(_rows(log))
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "^[[2J^Gbell\\x9b" in text and "note ^[[31m" in text


async def test_long_output_lines_are_cut_at_the_width_and_rewrapped_on_resize():
    async with _LogApp().run_test(size=(40, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        width = log.scrollable_content_region.width
        log.stream_output("stdout", "x" * (width * 2 + 3) + "\n")
        assert [len(r) for r in _rows(log)] == [width, width, 3]
        await pilot.resize_terminal(120, 20)
        await wait_until(pilot, lambda: len(log.lines) == 1)
        assert _rows(log) == ["x" * (width * 2 + 3)]


async def test_the_log_keeps_the_last_rows_and_says_how_many_were_dropped(monkeypatch):
    from gradtui.tui.widgets import repl_log

    monkeypatch.setattr(repl_log, "MAX_ROWS", 100)
    monkeypatch.setattr(repl_log, "TRIM_SLACK", 10)
    async with _LogApp().run_test(size=(60, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        for cell in range(10):  # ten cells flooding the log
            log.echo_input(cell, "while True: print('x')")
            log.stream_output("stdout", "".join(f"line {cell}-{i}\n" for i in range(50)))
            log.end_output()
        rows = _rows(log)
        assert len(rows) <= 100 + 10 + 2
        assert rows[-1] == "line 9-49"
        note = " ".join(rows[:log._note_rows])
        assert note.startswith("[gradtui: ") and "earlier lines were dropped" in note
        assert f"{log.dropped_lines:,} earlier lines" in note
        # every line is on screen or counted in the note
        assert log.dropped_lines + len(rows) - log._note_rows == 10 * 51
        assert log.plain_lines == rows[log._note_rows:]  # the text kept is what is shown
        await pilot.resize_terminal(50, 20)  # a re-wrap keeps the same bound and the note
        await wait_until(pilot, lambda: log._wrap_width == log.size.width == 50)
        rows = _rows(log)
        assert rows[0].startswith("[gradtui: ") and rows[-1] == "line 9-49"
        assert len(rows) <= 100 + 10 + 2


async def test_output_written_while_the_log_has_no_width_shows_when_it_gets_one():
    async with _LogApp().run_test(size=(60, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        log.display = False
        await pilot.pause()
        log.stream_output("stdout", "written while hidden, long enough to wrap twice " * 3)
        log.end_output()
        log.display = True
        await wait_until(pilot, lambda: any("hidden" in r for r in _rows(log)))
        assert min(len(r) for r in _rows(log) if r) > 5  # not one character a line


async def test_the_kernels_notes_in_the_output_wrap_at_words():
    note = ("[gradtui: output cut after 1,000,000 characters; the rest of this cell's output "
            "is dropped]")
    async with _LogApp().run_test(size=(40, 20)) as pilot:
        log = pilot.app.query_one(ReplLog)
        await pilot.pause()
        log.stream_output("stderr", "x" * 50 + "\n" + note + "\n")
        log.end_output()
        rows = _rows(log)
        width = log.scrollable_content_region.width
        assert rows[:2] == ["x" * width, "x" * (50 - width)]  # output: cut like a terminal
        assert " ".join(rows[2:]) == note  # the note: whole words on every row
        assert all(len(row) <= width for row in rows)
        assert any(seg.style and seg.style.color and seg.style.color.name == "yellow"
                   for seg in log.lines[-1])  # still in stderr's colour
