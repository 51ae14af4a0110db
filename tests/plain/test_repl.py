"""The plain REPL object on a fake kernel: piped loop, prompt-toolkit loop, commands, hooks."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.search import SearchDirection, SearchState

from gradtui.kernel.protocol import ExecuteReply
from gradtui.plain.repl import ReplHooks

CTRL_C = "\x03"
CTRL_D = "\x04"
TAB = "\t"
ENTER = "\r"


class Until:
    """A step of ``run_keys``: wait until ``check(session)`` holds before typing on.

    Tab completion and the history search work asynchronously: the keys after a Tab must
    reach the prompt only once its completion has landed, however loaded the machine is.
    """

    def __init__(self, what: str, check: Callable[[PromptSession], bool]) -> None:
        self.what = what
        self.check = check


def shows(text: str, menu: tuple[str, ...] = ()) -> Until:
    """Wait until the input line is ``text`` and the completion menu offers ``menu`` (or none)."""

    def check(session: PromptSession) -> bool:
        buffer = session.default_buffer
        state = buffer.complete_state
        offered = tuple(c.display_text for c in state.completions) if state else ()
        return buffer.text == text and offered == menu

    return Until(f"the prompt show {text!r} with the menu {menu}", check)


def search_finds(query: str, match: str) -> Until:
    """Wait until the Ctrl-R search has ``query`` typed and the loaded history has ``match``
    for it (what the prompt previews, and what Enter then takes)."""

    def check(session: PromptSession) -> bool:
        backward = SearchState(query, direction=SearchDirection.BACKWARD)
        found = session.default_buffer.document_for_search(backward)
        return session.search_buffer.text == query and found.text == match

    return Until(f"the search for {query!r} find {match!r}", check)


def prompt_state(session: PromptSession) -> str:
    """What the prompt shows now, for a failure message: its text and its completion menu."""
    buffer = session.default_buffer
    state = buffer.complete_state
    menu = [c.display_text for c in state.completions] if state else None
    chosen = state.complete_index if state else None
    search = session.search_buffer.text
    return f"{buffer.text!r}, menu {menu} (selected {chosen}), search {search!r}"


def run_keys(rig, *steps: str | Until, history=None) -> int:
    """Type ``steps`` into the REPL's prompt-toolkit session (a pipe input, no real terminal).

    A string is typed; an ``Until`` waits for its condition (30 s at most, a safety net, not
    a timing: a condition never met fails the test). The end of the steps ends the input, so a
    prompt that waits for more fails the test instead of hanging it.
    """
    never: list[str] = []
    with create_pipe_input() as pipe:
        session = rig.repl.make_session(
            colour=False, input=pipe, output=DummyOutput(), history=history or InMemoryHistory()
        )

        def type_keys() -> None:
            try:
                for step in steps:
                    if isinstance(step, str):
                        pipe.send_text(step)
                        continue
                    deadline = time.monotonic() + 30
                    while not step.check(session):
                        if time.monotonic() > deadline:
                            never.append(f"{step.what}; it showed {prompt_state(session)}")
                            return
                        time.sleep(0.01)
            finally:
                pipe.close()

        typist = threading.Thread(target=type_keys)
        typist.start()
        try:
            code = rig.repl.run_interactive(session)
        finally:
            typist.join()
    assert not never, f"never saw {never[0]}"
    return code


# -- piped -----------------------------------------------------------------------------------

def test_piped_cells_print_only_the_echoed_value(rig) -> None:
    assert rig.repl.run_piped(["x = 1 + 1\n", "x\n"]) == 0
    assert rig.out == "2\n"
    assert rig.err == ""


def test_piped_error_goes_to_stderr_and_the_next_cells_still_run(rig) -> None:
    assert rig.repl.run_piped(["1/0", "print('after')"]) == 1
    assert "ZeroDivisionError: division by zero" in rig.err
    assert rig.out == "after\n"


def test_piped_blocks_run_as_one_cell(rig) -> None:
    rig.repl.run_piped(["for i in range(3):", "    print(i)", "x = 5", "x"])
    assert rig.client.executed == ["for i in range(3):\n    print(i)", "x = 5", "x"]
    assert rig.out == "0\n1\n2\n5\n"


# -- commands --------------------------------------------------------------------------------

def test_graph_command_prints_the_tree_of_the_named_tensor(rig) -> None:
    rig.repl.run_piped([":graph y"])
    assert rig.out == "MulBackward0 [2]\n-> AccumulateGrad (x) [2]\n-> constant\n"


def test_tensors_and_grads_commands_print_tables(rig) -> None:
    rig.repl.run_piped([":tensors", ":grads"])
    lines = rig.out.splitlines()
    assert lines[0].split() == ["name", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn",
                                "value"]
    assert lines[3].startswith("y     [2]    float32")
    assert "No backward() has reached these tensors yet." in rig.out


def test_graph_command_without_a_name_or_with_an_unknown_one_explains(rig) -> None:
    rig.repl.run_piped([":graph", ":graph nope"])
    assert rig.out == ""
    assert rig.err.splitlines() == [
        "usage: :graph NAME   (for example :graph o)",
        "no tensor named 'nope' (tensors: x, y)",
    ]


def test_dot_command_writes_a_file_or_prints(rig, tmp_path: Path) -> None:
    target = tmp_path / "y.dot"
    rig.repl.run_piped([f":dot y {target}", ":dot y"])
    assert target.read_text().startswith("digraph autograd {")
    assert f"wrote the graph of y to {target}" in rig.out
    assert rig.out.count("digraph autograd {") == 1


def test_dot_command_reports_an_unwritable_file(rig, tmp_path: Path) -> None:
    rig.repl.run_piped([f":dot y {tmp_path}/missing/dir/y.dot"])
    assert "could not write" in rig.err and "No such file or directory" in rig.err


def test_unknown_command_is_reported_and_help_lists_commands(rig) -> None:
    rig.repl.run_piped([":frobnicate", ":help"])
    assert "unknown command :frobnicate  (type :help for the list)" in rig.err
    for command in (":tensors", ":graph [NAME]", ":grads", ":dot NAME [FILE]", ":restart"):
        assert command in rig.out


def test_help_fits_an_80_column_terminal(rig) -> None:
    rig.repl.run_piped([":help"])
    assert ":quit" in rig.out and "Keys:" in rig.out
    too_wide = [line for line in rig.out.splitlines() if len(line) > 79]
    assert too_wide == []  # 80 columns, the last one left free so no terminal wraps early


def test_quit_command_stops_reading(rig) -> None:
    rig.repl.run_piped(["x = 1", ":quit", "x = 2"])
    assert rig.client.executed == ["x = 1"]


# -- the kernel dying and restarting ---------------------------------------------------------

def test_kernel_death_is_reported_with_how_to_restart_and_restart_works(rig) -> None:
    code = rig.repl.run_piped(["x = 1", "die()", "x", ":restart", "y = 3", "y"])
    assert code == 1
    assert rig.err.splitlines() == [
        "The kernel stopped: the kernel died (exit status 1).",
        "Your variables are lost. Type :restart to start a fresh kernel.",
        "The kernel is not running. Type :restart to start a fresh kernel.",
        "Fresh kernel started: the namespace is empty (import torch again).",
    ]
    assert rig.client.restarts == 1
    assert rig.out == "3\n"


def test_hooks_say_what_to_type_after_a_kernel_death(make_rig) -> None:
    class LessonLike(ReplHooks):
        def restart_advice(self) -> str:
            return "Type :reset to rebuild."

    rig = make_rig(LessonLike())
    rig.repl.run_piped(["die()", "x"])
    assert rig.err.splitlines() == [
        "The kernel stopped: the kernel died (exit status 1).",
        "Your variables are lost. Type :reset to rebuild.",
        "The kernel is not running. Type :reset to rebuild.",
    ]


def test_commands_on_a_dead_kernel_report_it(rig) -> None:
    rig.repl.run_piped(["die()", ":tensors"])
    assert rig.err.count("The kernel stopped") == 2


# -- interrupting ----------------------------------------------------------------------------

def _main_thread_waits_for_the_cell() -> bool:
    """True while the main thread sits in ``PlainRepl._execute``'s wait for the cell's thread."""
    frame = sys._current_frames().get(threading.main_thread().ident)
    names = []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return "_execute" in names and names[0] == "wait"


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 30  # a safety net, not a timing
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


def _sigint_when_spinning(client, times: int = 1) -> threading.Thread:
    """Ctrl-C ``times`` times, each once the REPL is observably waiting for the running cell.

    Waiting for the previous interrupt to reach the client keeps two signals from merging
    into one KeyboardInterrupt on a loaded machine.
    """
    def send() -> None:
        _wait_for(client.spinning.is_set, "saw the cell spin")
        for press in range(1, times + 1):
            _wait_for(_main_thread_waits_for_the_cell, "saw the REPL wait for the cell")
            os.kill(os.getpid(), signal.SIGINT)
            if press < times:
                _wait_for(lambda n=press: client.interrupts == n, f"saw interrupt {press}")

    thread = threading.Thread(target=send)
    thread.start()
    return thread


def test_ctrl_c_during_a_cell_interrupts_the_kernel_and_the_repl_goes_on(rig) -> None:
    sender = _sigint_when_spinning(rig.client)
    code = rig.repl.run_piped(["x = 7", "spin()", "x"])
    sender.join()
    assert rig.client.interrupts == 1
    assert "KeyboardInterrupt" in rig.err
    assert rig.out == "7\n"
    assert code == 1


def test_a_cell_that_ignores_interrupts_is_ended_by_a_restart_on_the_third_ctrl_c(rig) -> None:
    rig.client.ignore_interrupts = True
    sender = _sigint_when_spinning(rig.client, times=3)
    rig.repl.run_piped(["spin()", "y = 1", "y"])
    sender.join()
    assert rig.client.interrupts == 2 and rig.client.restarts == 1
    assert "Press Ctrl-C once more to restart the kernel" in rig.err
    assert "the kernel was restarted: the namespace is empty" in rig.err
    assert rig.out == "1\n"



def test_ctrl_c_while_the_cell_thread_starts_still_interrupts_the_cell(rig, monkeypatch) -> None:
    """A press that lands while the REPL is starting the cell's thread (the cell already running
    in the kernel) is counted like any other, not raised as a KeyboardInterrupt that leaves the
    kernel busy. The press is made inside ``Thread.start``, once the cell spins."""
    import gradtui.plain.repl as repl_module

    starts = []

    class PressWhileStarting(threading.Thread):
        def start(self) -> None:
            super().start()
            starts.append(self)
            if len(starts) == 1:  # the first cell's thread: spin()
                assert rig.client.spinning.wait(30), "the cell never started"
                signal.raise_signal(signal.SIGINT)  # handled in this (the main) thread, here

    patched = types.SimpleNamespace(**{**vars(threading), "Thread": PressWhileStarting})
    monkeypatch.setattr(repl_module, "threading", patched)
    code = rig.repl.run_piped(["spin()", "x = 7", "x"])
    assert rig.client.interrupts == 1
    assert "KeyboardInterrupt" in rig.err
    assert rig.out == "7\n"
    assert code == 1


# -- hooks -----------------------------------------------------------------------------------

class LessonLikeHooks(ReplHooks):
    def __init__(self) -> None:
        self.client = None
        self.replies: list[ExecuteReply] = []
        self.prefills = ["x = ", ""]

    def attach(self, client) -> None:
        self.client = client

    def banner(self) -> str | None:
        return "Lesson 1: make x"

    def after_cell(self, reply: ExecuteReply) -> str | None:
        self.replies.append(reply)
        return "check: passed" if reply.result.ok else None

    def command(self, name: str, arg: str) -> str | None:
        return f"hint for {arg or 'this step'}" if name == "hint" else None

    def command_help(self) -> str | None:
        return "  :hint             a hint for this step"

    def prefill(self) -> str:
        return self.prefills.pop(0) if self.prefills else ""

    def finished(self) -> bool:
        return len(self.replies) >= 2


def test_hooks_get_the_client_banner_cells_and_commands(make_rig) -> None:
    hooks = LessonLikeHooks()
    rig = make_rig(hooks)
    rig.repl.run_piped([":hint", ":hint step 2", "1/0", ":help", "x = 1", "never = 1"])
    assert hooks.client is rig.client
    assert rig.out.splitlines()[:3] == ["Lesson 1: make x", "hint for this step",
                                        "hint for step 2"]
    assert ":hint             a hint for this step" in rig.out
    assert rig.out.rstrip().endswith("check: passed")
    assert [r.result.ok for r in hooks.replies] == [False, True]
    assert rig.client.executed == ["1/0", "x = 1"]  # finished() stopped the loop


def test_a_failing_hook_is_reported_and_the_repl_survives(make_rig) -> None:
    class Broken(ReplHooks):
        def after_cell(self, reply: ExecuteReply) -> str | None:
            raise ValueError("boom")

    rig = make_rig(Broken())
    assert rig.repl.run_piped(["x = 2", "x"]) == 0
    assert rig.out == "2\n"
    assert rig.err.count("gradtui: a lesson hook failed: ValueError: boom") == 2


def test_prefill_puts_starter_code_in_the_prompt(make_rig) -> None:
    hooks = LessonLikeHooks()
    rig = make_rig(hooks)
    run_keys(rig, "41 + 1" + ENTER + "x" + ENTER + CTRL_D)
    assert rig.client.executed == ["x = 41 + 1", "x"]
    assert rig.out == "Lesson 1: make x\ncheck: passed\n42\ncheck: passed\n"


# -- the prompt-toolkit loop -----------------------------------------------------------------

def test_interactive_cells_run_and_ctrl_d_leaves(rig) -> None:
    assert run_keys(rig, "x = 1 + 1" + ENTER + "x" + ENTER + CTRL_D) == 0
    assert rig.client.executed == ["x = 1 + 1", "x"]
    assert rig.out.splitlines()[-1] == "2"
    assert "Type :help for commands" in rig.out  # the default banner


def test_interactive_block_continues_until_an_empty_line_with_auto_indent(rig) -> None:
    run_keys(rig, "for i in range(2):" + ENTER + "print(i)" + ENTER + ENTER + CTRL_D)
    assert rig.client.executed == ["for i in range(2):\n    print(i)"]
    assert rig.out.endswith("0\n1\n")


def test_interactive_open_bracket_continues_the_cell(rig) -> None:
    run_keys(rig, "x = (1," + ENTER + "2)" + ENTER + "x" + ENTER + CTRL_D)
    assert rig.client.executed[0] == "x = (1,\n2)"
    assert rig.out.endswith("(1, 2)\n")


def test_ctrl_c_at_the_prompt_clears_the_line(rig) -> None:
    run_keys(rig, "x = 'lost'" + CTRL_C + "x = 3" + ENTER + CTRL_D)
    assert rig.client.executed == ["x = 3"]


def test_tab_completes_names_from_the_kernel(rig) -> None:
    rig.client.namespace["learning_rate"] = 0.1
    run_keys(rig, "learn" + TAB, shows("learning_rate"), ENTER + CTRL_D)
    assert rig.client.executed == ["learning_rate"]
    assert rig.out.endswith("0.1\n")


def test_tab_completes_commands_and_tensor_names(rig) -> None:
    run_keys(rig, "y = 1" + ENTER + ":grap" + TAB, shows(":graph"), " y" + ENTER + CTRL_D)
    assert "MulBackward0 [2]" in rig.out
    before = len(rig.out)
    # Tab offers the tensors of the last cell's snapshot; Tab picks x, Enter takes it, Enter runs.
    run_keys(rig, ":graph " + TAB, shows(":graph ", menu=("x", "y")), TAB,
             shows(":graph x", menu=("x", "y")), ENTER, shows(":graph x"), ENTER + CTRL_D)
    assert rig.out[before:].splitlines()[-1] == "AccumulateGrad (x) [2]"


def test_history_keeps_one_entry_per_cell(rig) -> None:
    history = InMemoryHistory()
    run_keys(rig, "for i in []:" + ENTER + "pass" + ENTER + ENTER + "z = 1" + ENTER + CTRL_D,
             history=history)
    assert list(history.get_strings()) == ["for i in []:\n    pass", "z = 1"]


def test_history_file_is_shared_in_prompt_toolkit_format(rig, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRADTUI_STATE_DIR", str(tmp_path / "state"))
    with create_pipe_input() as pipe:
        pipe.send_text("a = 1" + ENTER + "if a:" + ENTER + "b = 2" + ENTER + ENTER + CTRL_D)
        session = rig.repl.make_session(colour=False, input=pipe, output=DummyOutput())
        rig.repl.run_interactive(session)
    path = tmp_path / "state" / "history"
    text = path.read_text()
    assert "\n+a = 1\n" in text and text.endswith("\n+if a:\n+    b = 2\n")
    assert list(FileHistory(str(path)).load_history_strings()) == ["if a:\n    b = 2", "a = 1"]


@pytest.mark.parametrize("keys", [":quit" + ENTER, CTRL_D])
def test_quit_and_ctrl_d_leave_with_status_0(rig, keys: str) -> None:
    assert run_keys(rig, keys + "x = 1" + ENTER) == 0
    assert rig.client.executed == []


def test_a_pasted_multi_line_cell_runs_as_one_cell_on_enter(rig) -> None:
    paste = "\x1b[200~x = 40\ny = x + 2\ny\n\x1b[201~"  # bracketed paste, as terminals send it
    run_keys(rig, paste + ENTER + CTRL_D)
    assert rig.client.executed == ["x = 40\ny = x + 2\ny"]
    assert rig.out.endswith("42\n")


def test_ctrl_r_searches_the_history(rig) -> None:
    history = InMemoryHistory()
    history.append_string("answer = 42")
    history.append_string("other = 1")
    # Ctrl-R finds the match, Enter accepts it and Enter runs it.
    run_keys(rig, "\x12" + "answ", search_finds("answ", "answer = 42"), ENTER,
             shows("answer = 42"), ENTER + CTRL_D, history=history)
    assert rig.client.executed == ["answer = 42"]


def test_enter_in_the_completion_menu_picks_the_completion_without_running(rig) -> None:
    rig.client.namespace.update(rate_a=1, rate_b=2)
    # Tab shows the menu (two candidates), Tab selects the first, Enter picks it, Enter runs.
    run_keys(rig, "rate" + TAB, shows("rate_", menu=("rate_a", "rate_b")), TAB,
             shows("rate_a", menu=("rate_a", "rate_b")), ENTER, shows("rate_a"), ENTER + CTRL_D)
    assert rig.client.executed == ["rate_a"]
    assert rig.out.endswith("1\n")


def test_a_kernel_protocol_error_is_reported_and_the_session_goes_on(rig) -> None:
    assert rig.repl.run_piped(["refuse()", "x = 3", "x"]) == 1
    assert rig.err == "gradtui: the kernel refused 'execute': bad request\n"
    assert rig.out == "3\n"


def test_a_bare_step_goes_to_the_hooks_first_and_a_named_one_is_the_walk(make_rig) -> None:
    class Lesson(ReplHooks):
        def command(self, name: str, arg: str) -> str | None:
            return "This step's text is :lesson now." if (name, arg) == ("step", "") else None

    rig = make_rig(Lesson())
    rig.repl.run_piped([":step"])
    assert rig.out == "This step's text is :lesson now.\n"
    plain = make_rig(None)
    plain.repl.run_piped([":step"])  # no lesson, nothing echoed yet: how to use it
    assert "usage: :step NAME" in plain.err
