"""The workspace driven like a learner would, with Pilot, over a contract-shaped fake kernel."""

from __future__ import annotations

import sys
import types

import pytest
from prompt_toolkit.history import FileHistory
from textual.binding import Binding
from textual.widgets import Static

from gradtui.tui.app import create_app
from gradtui.tui.screens import workspace
from gradtui.tui.widgets.cell_input import CellInput
from gradtui.tui.widgets.completion_list import CompletionList
from gradtui.tui.widgets.grads_panel import GradsPanel
from gradtui.tui.widgets.graph_panel import GraphPanel
from gradtui.tui.widgets.repl_log import ReplLog
from gradtui.tui.widgets.status_bar import StatusBar
from gradtui.tui.widgets.tensors_panel import TensorsPanel

from .conftest import resize, run_cell, settle, start_infinite_loop, wait_until
from .fake_kernel import INFINITE_LOOP, seed_cells


def _log(app) -> str:
    return "\n".join(app.screen.query_one(ReplLog).plain_lines)


async def test_seed_notebook_cells_update_every_panel(app, fake):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        cells = seed_cells()
        for source in cells[:5]:
            await run_cell(pilot, app, source)
        tensors = app.screen.query_one(TensorsPanel).rows_text()
        names = [row[1] for row in tensors]
        assert names == ["a", "x", "y", "o"]
        o_row = tensors[3]
        assert o_row[0] != "" and o_row[5] == "MulBackward0" and o_row[2] == "[]"
        assert tensors[0][0] == ""  # a did not change in the last cell: not marked
        graph = app.screen.query_one(GraphPanel)
        drawing = graph.canvas_text()
        assert graph.root_name == "o"
        for label in ("MulBackward0 []", "SumBackward0 []", "PowBackward0 [2]",
                      "AddBackward0 [2]", "x [2]", "const", "out", "AccumulateGrad"):
            assert label in drawing
        assert drawing.count("x [2]") == 1
        grads = app.screen.query_one(GradsPanel).rows_text()
        assert [row[1] for row in grads] == ["a", "x"]
        assert grads[1][3] == "None"

        assert "changed: o" in app.screen.query_one(StatusBar).render()
        await run_cell(pilot, app, cells[5])  # o.backward(retain_graph=True); x.grad
        grads = app.screen.query_one(GradsPanel).rows_text()
        assert grads[1][3] == "tensor([10., 10.])" and grads[1][4] == "None"
        assert grads[1][0] != "" and grads[0][0] == ""
        await run_cell(pilot, app, cells[7])  # a second backward accumulates: 10 -> 20
        grads = app.screen.query_one(GradsPanel).rows_text()
        assert grads[1][3] == "tensor([20., 20.])" and grads[1][4] == "tensor([10., 10.])"
        assert "freed" in app.screen.query_one(GraphPanel).canvas_text()
        assert "tensor([20., 20.])" in _log(app)


async def test_print_inside_a_cell_lands_in_the_log(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, "print(y)")
        assert "tensor([20., 20.], grad_fn=<MulBackward0>)" in _log(app)
        assert "In [1]:" in _log(app)


async def test_an_error_shows_the_traceback_and_the_app_goes_on(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, "1/0")
        assert "ZeroDivisionError: division by zero" in _log(app)
        assert app.screen.state == "idle"
        await run_cell(pilot, app, seed_cells()[2])
        assert "tensor([1., 1.], requires_grad=True)" in _log(app)
        assert fake.executed[-1] == seed_cells()[2]


async def test_ctrl_c_interrupts_an_infinite_loop(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await start_infinite_loop(pilot, app, fake)
        status = app.screen.query_one(StatusBar)
        # "running" shows once the cell has run for ECHO_DELAY (later on a loaded machine).
        await wait_until(pilot, lambda: "running" in status.render())
        assert app.screen.state == "busy"
        await pilot.press("ctrl+c")
        await settle(pilot, app)
        assert "KeyboardInterrupt" in _log(app)
        assert app.screen.state == "idle"


async def test_kernel_death_is_shown_and_f9_restarts(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, seed_cells()[2])
        fake.kill()
        await run_cell(pilot, app, "x + 1")
        assert app.screen.state == "dead"
        assert "the kernel died" in _log(app)
        assert "dead" in app.screen.query_one(StatusBar).render()
        app.set_input_text("x")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(CellInput).text == "x"  # refused while dead, text kept
        await pilot.press("f9")
        await settle(pilot, app)
        assert fake.restarts == 1 and app.screen.state == "idle"
        assert app.screen.query_one(TensorsPanel).rows_text()[0][1] == "(none)"
        await run_cell(pilot, app, ":restart")
        assert fake.restarts == 2


async def test_tab_opens_a_completion_popup_and_enter_picks(fake, history_path):
    from gradtui.kernel.protocol import Completion

    fake.completions = {"torch.on": [Completion("torch.ones", "attribute", 0),
                                     Completion("torch.ones_like", "attribute", 0)]}
    app = create_app(fake, ascii_only=False, history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.set_input_text("torch.on")
        await pilot.press("tab")
        popup = app.screen.query_one(CompletionList)
        await wait_until(pilot, lambda: popup.has_class("-shown"))  # completion is a worker
        assert popup.option_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.query_one(CellInput).text == "torch.ones_like"
        assert not popup.has_class("-shown")


async def test_history_is_shared_with_prompt_toolkit_and_walked_with_up(fake, history_path):
    history_path.parent.mkdir(parents=True)
    FileHistory(str(history_path)).store_string("old = 1\nold + 1")
    app = create_app(fake, ascii_only=False, history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, "z = 3")
        cell_input = app.screen.query_one(CellInput)
        await pilot.press("up")
        assert cell_input.text == "z = 3"
        await pilot.press("up")
        assert cell_input.text == "old = 1\nold + 1"
        await pilot.press("down")  # the cursor is on the entry's last line: newer entry
        assert cell_input.text == "z = 3"
        await pilot.press("down")  # past the newest: back to the (empty) draft
        assert cell_input.text == ""
    stored = list(FileHistory(str(history_path)).load_history_strings())
    assert stored[:2] == ["z = 3", "old = 1\nold + 1"]


async def test_step_by_step_backward_reaches_the_leaves(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":step o")
        graph = app.screen.query_one(GraphPanel)
        assert graph.display and graph.walk is not None
        step_text = app.screen.query_one("#graph-step", Static)
        await pilot.press("right")
        assert "MulBackward0" in str(step_text.render())
        assert "[MulBackward0" not in graph.canvas_text()
        assert "▶MulBackward0 []◀" in graph.canvas_text()  # the node on hand
        for _ in range(3):
            await pilot.press("enter")
        text = str(step_text.render())
        assert "PowBackward0" in text
        assert "d(<AddBackward0>^2)/d<AddBackward0> = 2*<AddBackward0>^(2-1) = [4., 4.]" in text
        assert "so [2.5, 2.5] * [4., 4.] = [10., 10.]" in text
        drawing = graph.canvas_text()
        assert "▶PowBackward0 [2]◀" in drawing and "▶MulBackward0" not in drawing
        assert "MulBackward0 []✓" in drawing  # passed nodes are ticked
        await pilot.press("left", "right", "right", "right")
        text = str(step_text.render())
        assert "x.grad: None -> [10., 10.]" in text
        assert graph.walk.finished


async def test_source_shows_the_row_behind_a_tensor_and_the_walks_node(app, fake):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":source y")
        assert fake.sources == ["y"] and "the row of y" in _log(app)
        await run_cell(pilot, app, ":source nothing")
        assert "no tensor, op (like mul) or grad_fn" in _log(app)
        await run_cell(pilot, app, ":step o")
        graph = app.screen.query_one(GraphPanel)
        graph.focus()
        await pilot.press("right", "ctrl+o")  # on the first node: MulBackward0, the mul row
        await settle(pilot, app)
        assert fake.sources[-1] == "mul" and "the row of mul" in _log(app)


async def test_f1_and_question_mark_open_help_listing_keys(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "WorkspaceScreen"  # typing: ? is a character
        assert app.screen.query_one(CellInput).text == "?"
        await pilot.press("f3")
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"


async def test_narrow_terminal_shows_one_area_and_keeps_the_input(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        await pilot.press("f4")
        assert app.screen.query_one(GraphPanel).display
        assert not app.screen.query_one(TensorsPanel).display
        assert not app.screen.query_one("#repl-log").display
        assert cell_input.display and cell_input.region.bottom <= 23
        await resize(pilot, app, 130, 40)
        assert app.screen.query_one(TensorsPanel).display
        assert app.screen.query_one("#repl-log").display


async def test_dot_command_writes_graphviz(app, tmp_path):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        target = tmp_path / "o.dot"
        await run_cell(pilot, app, f":dot o {target}")
        dot = target.read_text()
        assert dot.lstrip().startswith("digraph") and "MulBackward0" in dot
        await run_cell(pilot, app, ":dot nothere")
        assert "no tensor named 'nothere'" in _log(app)


async def test_lesson_pane_hook(fake, history_path, monkeypatch):
    calls: list[tuple] = []

    class LessonPane(Static):
        APP_BINDINGS = [Binding("f7", "hint", "Hint")]

        def __init__(self, session):
            super().__init__("lesson text")
            calls.append(("init", session))

        def cell_finished(self, reply):
            calls.append(("cell", reply.result.ok))

        def empty_enter(self):
            calls.append(("empty",))

        def command(self, name, arg):
            calls.append(("command", name, arg))
            return name == "next"

        def do(self, name):
            calls.append(("do", name))
            self.app.set_input_text("x = 1")

    module = types.ModuleType("gradtui.tui.lesson_pane")
    module.LessonPane = LessonPane
    monkeypatch.setitem(sys.modules, "gradtui.tui.lesson_pane", module)
    app = create_app(fake, lesson_session="SESSION", history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        pane = app.screen.query_one(LessonPane)
        assert pane.display and app.client is fake
        await run_cell(pilot, app, "1 + 1")
        await run_cell(pilot, app, ":next step")
        await run_cell(pilot, app, ":bogus")
        await pilot.press("f7")
        assert app.screen.query_one(CellInput).text == "x = 1"
    assert calls == [("init", "SESSION"), ("cell", True), ("command", "next", "step"),
                     ("command", "bogus", ""), ("do", "hint")]


async def test_typing_while_a_panel_has_focus_types_into_the_input(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        assert app.focused is app.screen.query_one(GradsPanel)
        await pilot.press(*":grads")
        assert app.screen.query_one(CellInput).text == ":grads"
        await pilot.press("f4")
        await pilot.press("x")  # not a Graph key
        assert app.screen.query_one(CellInput).text == ":gradsx"


async def test_escape_leaves_the_input_for_the_shown_panel(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("escape")
        assert app.focused is app.screen.query_one(GraphPanel)
        await pilot.press("f2")
        assert app.focused is app.screen.query_one(CellInput)


async def test_resizing_through_many_sizes_never_crashes(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f4")
        for size in [(200, 60), (120, 40), (119, 30), (40, 12), (20, 6), (10, 3), (80, 24)]:
            await resize(pilot, app, *size)
            assert app.screen.wide == (size[0] >= 120)
        assert app.screen.query_one(CellInput).display
        assert "PowBackward0 [2]" in app.screen.query_one(GraphPanel).canvas_text()


async def test_enter_on_a_tensors_row_shows_its_graph(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f3")  # the cursor is on the newest change: o
        await pilot.press("up", "enter")  # a, x, [y], o
        graph = app.screen.query_one(GraphPanel)
        assert graph.display and graph.root_name == "y"
        assert "SumBackward0" not in graph.canvas_text()


async def test_command_palette_offers_dot_export_and_step(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export graph of o as DOT" in titles and "Step through o.backward()" in titles


async def test_quitting_while_a_cell_runs_ends_the_kernel_and_exits(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        app.set_input_text(INFINITE_LOOP)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.screen.state == "busy"
        await pilot.press("ctrl+q")
    assert not fake.alive  # the blocked execute() returned, so the process can exit


async def test_ascii_mode_puts_only_ascii_on_screen(fake, history_path, monkeypatch):
    import html
    import re

    from textual.scrollbar import ScrollBar

    from gradtui.tui.widgets.ascii_scrollbar import AsciiScrollBarRender

    monkeypatch.setattr(ScrollBar, "renderer", AsciiScrollBarRender)
    app = create_app(fake, ascii_only=True, history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:6]:
            await run_cell(pilot, app, source)
        for key in ("f2", "f3", "f4", "f5", "f1"):
            await pilot.press(key)
            await pilot.pause()
            svg = app.export_screenshot()
            text = html.unescape("".join(re.findall(r">([^<>]*)</text>", svg)))
            assert text.strip() and text.replace("\xa0", " ").isascii(), key


async def test_f9_during_a_running_cell_gives_a_fresh_idle_kernel(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await start_infinite_loop(pilot, app, fake)
        await pilot.press("f9")
        await settle(pilot, app)
        assert fake.restarts == 1 and app.screen.state == "idle"
        assert "new kernel" in _log(app) and "the kernel died" not in _log(app)
        lines = app.screen.query_one(ReplLog).plain_lines
        assert lines.index(f"In [1]: {INFINITE_LOOP}") < lines.index("restarting the kernel...")
        await run_cell(pilot, app, "print(y)")
        assert app.screen.state == "idle"


async def test_a_result_hidden_behind_a_panel_tab_is_toasted(app):
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await run_cell(pilot, app, "1/0")
        messages = [n.message for n in app._notifications]
        assert any("ZeroDivisionError: division by zero" in m for m in messages)


async def test_a_burst_of_snapshots_is_painted_once_with_the_newest(app):
    from dataclasses import replace

    from .fake_kernel import seed_script

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        snapshot = seed_script()[seed_cells()[4]].snapshot
        await pilot.pause(0.1)
        before = screen.repaints
        for index in range(50):
            tensors = [replace(t, value_preview=f"v{index}") for t in snapshot.tensors]
            screen.push_snapshot(replace(snapshot, tensors=tensors))
        await settle(pilot, app)
        assert screen.repaints - before <= 2
        values = {row[1]: row[7] for row in screen.query_one(TensorsPanel).rows_text()}
        assert values["o"] == "v49"


async def test_graph_panel_keys_start_a_walk_and_show_dot(app):
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await pilot.press("f4", "enter")
        await settle(pilot, app)
        graph = app.screen.query_one(GraphPanel)
        assert graph.walk is not None and graph.walk.trace.root == "o"
        await pilot.press("enter")
        assert graph.walk.current_node == "n1"
        await pilot.press("escape")
        assert graph.walk is None
        await pilot.press("ctrl+e")
        assert "digraph" in _log(app)
        # At 80 columns the log is behind the Graph tab: a toast says where the DOT went.
        messages = [n.message for n in app._notifications]
        assert "the DOT of o is in the log (F2 shows the log)" in messages


async def test_enter_indents_a_block_and_an_empty_line_runs_it(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        await pilot.press(*"def f(a):", "enter")
        assert cell_input.text == "def f(a):\n    "
        await pilot.press(*"return a", "enter")
        assert cell_input.text == "def f(a):\n    return a\n    "
        await pilot.press("enter")
        await settle(pilot, app)
        assert fake.executed[-1] == "def f(a):\n    return a"
        assert cell_input.text == ""


async def test_a_failing_lesson_pane_is_reported_and_the_session_goes_on(fake, history_path,
                                                                          monkeypatch):
    class LessonPane(Static):
        APP_BINDINGS: list[Binding] = []

        def __init__(self, session):
            super().__init__("lesson")

        def cell_finished(self, reply):
            raise KeyError("step")

        def empty_enter(self):
            pass

        def command(self, name, arg):
            raise RuntimeError("bad command")

        def do(self, name):
            pass

    module = types.ModuleType("gradtui.tui.lesson_pane")
    module.LessonPane = LessonPane
    monkeypatch.setitem(sys.modules, "gradtui.tui.lesson_pane", module)
    app = create_app(fake, lesson_session="S", history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, "print(y)")
        await run_cell(pilot, app, ":next")
        assert "the lesson pane failed in cell_finished: KeyError" in _log(app)
        assert "the lesson pane failed in command: RuntimeError: bad command" in _log(app)
        assert app.screen.state == "idle"



def test_a_remote_session_is_recognised_from_its_environment():
    from gradtui.tui.app import is_remote_session

    assert is_remote_session({"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"})
    assert is_remote_session({"GRADTUI_LAB_SESSION": "token"})
    assert not is_remote_session({"TERM": "xterm-256color"})


async def test_over_ssh_the_input_cursor_does_not_blink(fake, history_path, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "127.0.0.1 5000 127.0.0.1 22")
    app = create_app(fake, ascii_only=False, history_path=history_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.screen.query_one(CellInput).cursor_blink is False


async def test_a_colon_command_is_echoed_above_its_output(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":dot o")
        lines = app.screen.query_one(ReplLog).plain_lines
        start = lines.index(":dot o")
        assert lines[start + 1].startswith("digraph")


async def test_a_fast_cell_never_flashes_the_running_status(app, monkeypatch):
    shown: list[str] = []
    original = StatusBar.watch_state

    def recording(self, state: str) -> None:
        shown.append(state)
        original(self, state)

    monkeypatch.setattr(StatusBar, "watch_state", recording)
    # What is proved is the mechanism (a cell done before ECHO_DELAY never shows "running"),
    # so the delay is made long: on a loaded CI machine a fast cell may take over 120 ms.
    monkeypatch.setattr(workspace, "ECHO_DELAY", 30.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        shown.clear()
        await run_cell(pilot, app, seed_cells()[2])
        assert "busy" not in shown
        assert "tensor([1., 1.], requires_grad=True)" in _log(app)


async def test_the_input_is_numbered_for_the_next_cell_while_one_runs(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        assert cell_input.border_title == "In [1]"
        await start_infinite_loop(pilot, app, fake)
        assert cell_input.border_title == "In [2]"
        await pilot.press("ctrl+c")
        await settle(pilot, app)
        assert cell_input.border_title == "In [2]"


async def test_choosing_another_tensor_ends_a_step_walk_and_shows_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":step o")
        graph = app.screen.query_one(GraphPanel)
        await pilot.press("enter")
        assert graph.walk is not None and graph.walk.position == 0
        await run_cell(pilot, app, ":graph y")
        assert graph.walk is None and graph.root_name == "y"
        assert "SumBackward0" not in graph.canvas_text()


async def test_a_command_typed_while_a_cell_runs_is_logged_after_that_cell(app, fake):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await start_infinite_loop(pilot, app, fake)  # its echo waits ECHO_DELAY
        await run_cell(pilot, app, ":restart")
        lines = app.screen.query_one(ReplLog).plain_lines
        assert lines.index(f"In [1]: {INFINITE_LOOP}") < lines.index(":restart") \
            < lines.index("restarting the kernel...")


async def test_graph_of_an_unknown_name_keeps_the_log_with_the_error_in_view(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":graph nothere")
        assert "no tensor named 'nothere'" in _log(app)
        assert app.screen.active == "repl" and app.screen.query_one(ReplLog).display
        assert app.screen.query_one(GraphPanel).root_name == "o"


async def test_cell_numbers_count_on_after_a_restart_and_tracebacks_follow(app, fake):
    fake.script["1/0"].result.error.traceback = (
        'Traceback (most recent call last):\n  File "<cell 1>", line 1, in <module>\n'
        "ZeroDivisionError: division by zero\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        cell_input = app.screen.query_one(CellInput)
        for source in seed_cells()[:2]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":restart")
        assert cell_input.border_title == "In [3]"  # not back to 1
        await run_cell(pilot, app, "1/0")  # the new kernel's cell 1
        log = _log(app)
        assert "In [3]: 1/0" in log and 'File "<cell 3>"' in log and "<cell 1>" not in log
        assert cell_input.border_title == "In [4]"


async def test_a_restart_unpins_the_graph_and_clears_the_status_note(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for source in seed_cells()[:5]:
            await run_cell(pilot, app, source)
        await run_cell(pilot, app, ":graph y")
        status = app.screen.query_one(StatusBar)
        assert "graph: y" in str(status.render())
        await run_cell(pilot, app, ":restart")
        assert "graph:" not in str(status.render())
        assert app.screen.query_one(GraphPanel).selected is None


async def test_the_kernels_death_is_said_once(app, fake):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        fake.kill()
        await run_cell(pilot, app, "1 + 1")
        app.set_input_text("to")
        await pilot.press("tab")  # completion asks the dead kernel too
        await run_cell(pilot, app, ":doc torch.sum")
        await pilot.pause(0.2)
        assert _log(app).count("the kernel died") == 1
        await run_cell(pilot, app, ":restart")
        fake.kill()
        await run_cell(pilot, app, "1 + 1")
        assert _log(app).count("the kernel died") == 2  # a new death is said again


async def test_doc_shows_a_signature_and_docstring_in_the_log(app, fake):
    fake.docs["torch.sum"] = "torch.sum(input, *, dtype=None) -> Tensor\n\nReturns the sum."
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, ":doc torch.sum")
        assert "torch.sum(input, *, dtype=None) -> Tensor" in _log(app)
        await run_cell(pilot, app, ":doc nothing_here")
        assert "nothing known about 'nothing_here'" in _log(app)
        await run_cell(pilot, app, ":doc")
        assert ":doc NAME shows NAME's signature" in _log(app)
        await pilot.press("f3")
        await run_cell(pilot, app, ":doc torch.sum")  # the log is behind the Tensors tab
        messages = [n.message for n in app._notifications]
        assert "the doc of torch.sum is in the log (F2 shows the log)" in messages


def _cursor_in_view(cell: CellInput) -> bool:
    row, _ = cell.cursor_location
    top = cell.scroll_offset.y
    return top <= row < top + cell.scrollable_content_region.height


@pytest.mark.parametrize(("size", "most"), [((80, 24), 7), ((120, 40), 13), ((160, 60), 19)],
                         ids=["80x24", "120x40", "160x60"])
async def test_a_long_cell_scrolls_inside_an_input_a_third_of_the_screen_high(app, size, most):
    """A 13-line cell typed line by line: the input grows to a third of the terminal at most
    (it took 10 of 24 rows), scrolls inside beyond that with the line being typed in view,
    and keeps every line."""
    from .test_layout_sizes import on_screen

    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        cell = app.screen.query_one(CellInput)
        app.set_input_text("def f(a):")
        for i in range(1, 12):
            await pilot.press("enter")
            cell.insert(f"b{i} = a + {i}")
        await pilot.press("enter")
        cell.insert("return b11")
        await pilot.pause()
        assert cell.outer_size.height <= most
        assert _cursor_in_view(cell) and on_screen(app, "    return b11")
        log = app.screen.query_one(ReplLog)
        assert log.outer_size.height >= size[1] - most - 3  # tabs (2) and the status bar
        await pilot.press("enter")  # a new line at the bottom of a full input: still in view
        await pilot.pause()
        assert _cursor_in_view(cell)
        assert cell.text.split("\n")[:2] == ["def f(a):", "    b1 = a + 1"]
        assert cell.text.count("\n") == 13  # nothing lost
        await pilot.press(*["up"] * 13)  # to the first line: the input scrolls back
        await pilot.pause()
        assert _cursor_in_view(cell) and on_screen(app, "def f(a):")


async def test_a_long_doc_is_shown_from_its_start_and_scrolls_on(app, fake):
    """IPython's `?` pages a long docstring from its top: `:doc` at 80x24 shows its first
    lines (the end of a docstring is no place to start), says how to read on, and the log
    scrolls to the rest; the next cell is followed at the end again."""
    from .test_layout_sizes import on_screen

    paragraphs = [f"Paragraph {i} of the doc, hard-wrapped\nby its author at about ninety "
                  "columns, which the log joins and wraps at its own width." for i in range(1, 13)]
    fake.docs["long_doc"] = "long_doc(x)\n\n" + "\n\n".join(paragraphs) + "\n\nThe very end."
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await run_cell(pilot, app, ":doc long_doc")
        await pilot.pause()
        log = app.screen.query_one(ReplLog)
        assert on_screen(app, "│:doc long_doc") and on_screen(app, "│long_doc(x)")
        assert not on_screen(app, "The very end.")
        assert on_screen(app, "more below: Escape, then PageDown")
        # a paragraph is reflowed: its author's line break is gone, the log wraps it
        assert on_screen(app, "│Paragraph 1 of the doc, hard-wrapped by its author at about")
        await pilot.press("escape")
        assert log.has_focus
        for _ in range(10):
            await pilot.press("pagedown")
        await pilot.pause()
        assert on_screen(app, "│The very end.") and not on_screen(app, "more below")
        await pilot.press("pageup")
        await run_cell(pilot, app, "1 + 1")
        await pilot.pause()
        assert on_screen(app, "]: 1 + 1")  # a new cell: the log follows the end again
