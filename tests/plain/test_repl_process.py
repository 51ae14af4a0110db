"""``gradtui repl`` for real: a subprocess on a pipe, and on a pseudo-terminal, with the kernel.

The seed notebook ("Variables and Gradients") is typed cell by cell and every output is compared
with what torch 2.13 prints, line for line.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

GRADTUI = [sys.executable, "-m", "gradtui"]
# How long a terminal test waits for what it expects before failing: a safety net, never a
# timing (each wait ends as soon as the text shows). The REPL starts (and restarts) a kernel
# before its prompt, which the product allows 60 s on a loaded machine (START_TIMEOUT_S): the
# 30 s nets these tests had could expire while the REPL was still doing as it should.
SAFETY_NET_S = 120.0

# The seed notebook's cells, each with what torch 2.13 prints for it (stdout). Two differences
# from the notebook file itself: Jupyter shows `type(a)` as `torch.Tensor` while a Python REPL
# (ours) shows the class repr, and the last cell fails with torch 2.13's *Mismatch in shape*
# error (on stderr), after which the next line `x.grad` runs and echoes the unchanged gradient.
NOTEBOOK = [
    ("import torch\nfrom torch.autograd import Variable", ""),
    ("a = Variable(torch.ones((3, 2)), requires_grad=True)\na",
     "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], requires_grad=True)\n"),
    ("type(a)", "<class 'torch.Tensor'>\n"),
    ("b = Variable(torch.ones((3, 2)), requires_grad=True)\nb",
     "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], requires_grad=True)\n"),
    ("print(a+b)\nprint(torch.add(a, b))",
     "tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]], grad_fn=<AddBackward0>)\n" * 2),
    ("print(a*b)\nprint(torch.mul(a, b))",
     "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], grad_fn=<MulBackward0>)\n" * 2),
    ("x = Variable(torch.ones((2)), requires_grad=True)\nx",
     "tensor([1., 1.], requires_grad=True)\n"),
    ("y = 5 * (x + 1) ** 2\ny", "tensor([20., 20.], grad_fn=<MulBackward0>)\n"),
    ("o = (1/2) * torch.sum(y)\no", "tensor(20., grad_fn=<MulBackward0>)\n"),
    ("o.backward()\nx.grad", "tensor([10., 10.])\n"),
    ("o.backward(torch.FloatTensor([1.0, 1.0]))\nx.grad", "tensor([10., 10.])\n"),
]
MISMATCH = ("RuntimeError: Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and "
            "output[0] has a shape of torch.Size([]).")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    return {**env, "TERM": "xterm-256color", "GRADTUI_STATE_DIR": str(tmp_path / "state"),
            **extra}


def run_piped(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRADTUI, "repl"], input=text, capture_output=True, text=True,
                          env=environment(tmp_path), timeout=120, cwd=tmp_path)


def test_piped_input_prints_exactly_the_value_and_exits_0(tmp_path: Path) -> None:
    done = run_piped("x = 1 + 1\nx\n", tmp_path)
    assert (done.stdout, done.stderr, done.returncode) == ("2\n", "", 0)


def test_piped_seed_notebook_prints_what_torch_prints_line_for_line(tmp_path: Path) -> None:
    done = run_piped("".join(cell + "\n" for cell, _ in NOTEBOOK), tmp_path)
    expected = "".join(out for _, out in NOTEBOOK)
    assert done.stdout.splitlines() == expected.splitlines()
    assert done.stderr.splitlines()[-1] == MISMATCH
    assert done.stderr.startswith("Traceback (most recent call last):\n")
    assert "\x1b[" not in done.stdout + done.stderr  # no colour on pipes
    assert done.returncode == 1  # a cell failed


def test_step_works_in_the_plain_repl_as_lesson_4_says(tmp_path: Path) -> None:
    """Lesson 4 sends learners of ``gradtui repl`` (and ``--plain`` lessons) to ``:step d``."""
    lesson = (Path(__file__).resolve().parents[2] / "lessons" / "04-reading-the-graph.toml")
    text = lesson.read_text()
    assert "`:step d` (in the workspace or `gradtui repl`)" in text
    cells = ("import torch\na = torch.tensor(2., requires_grad=True)\n"
             "b = torch.tensor(3., requires_grad=True)\nc = a * b\nd = c + a\n:step d\n")
    done = run_piped(cells, tmp_path)
    assert (done.stderr, done.returncode) == ("", 0)
    assert "Step 2/2: MulBackward0, which made c" in done.stdout
    assert "a.grad: None -> 4." in done.stdout.replace("\u2192", "->")


def test_a_reader_that_leaves_early_ends_the_repl_quietly_like_other_commands(
    tmp_path: Path,
) -> None:
    # `gradtui repl < cells.py | head -1`: the 141 of a command ended by SIGPIPE, no traceback.
    repl = subprocess.Popen([*GRADTUI, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment(tmp_path), cwd=tmp_path)
    assert repl.stdin is not None and repl.stdout is not None
    repl.stdin.write(b"for i in range(100000): print(i)\n\n'after'\n")
    repl.stdin.close()
    assert repl.stdout.readline() == b"0\n"
    repl.stdout.close()  # far more than a pipe holds is still to come
    assert repl.stderr is not None
    err = repl.stderr.read()  # until the REPL exits and closes it
    assert (repl.wait(timeout=120), err) == (141, b"")


def test_piped_errors_continue_and_a_dead_kernel_restarts_on_request(tmp_path: Path) -> None:
    script = "x = 5\n1/0\nx\nimport os; os._exit(3)\nx\n:restart\n'x' in dir()\n"
    done = run_piped(script, tmp_path)
    assert done.stdout == "5\nFalse\n"
    err = done.stderr
    assert "ZeroDivisionError: division by zero" in err
    assert "The kernel stopped: the kernel died (exit status 3)." in err
    assert "The kernel is not running. Type :restart to start a fresh kernel." in err
    assert "Fresh kernel started" in err
    assert done.returncode == 1


def test_piped_graph_command_after_the_notebook(tmp_path: Path) -> None:
    cells = "".join(cell + "\n" for cell, _ in NOTEBOOK[:1] + NOTEBOOK[6:10])
    done = run_piped(cells + ":graph o\n", tmp_path)
    tree = done.stdout.split("tensor([10., 10.])\n", 1)[1]
    assert tree.splitlines() == [
        "MulBackward0 []", "→ SumBackward0 []", "   → MulBackward0 [2]",
        "      → PowBackward0 [2]", "         → AddBackward0 [2]",
        "            → AccumulateGrad (x) [2]", "            → constant",
        "      → constant", "→ constant",
    ]


class Terminal:
    """``gradtui repl`` on a pseudo-terminal, so it runs its prompt-toolkit loop.

    Under load nothing may be timed: every key goes in only once the REPL is observably ready
    for it (the prompt is reading keys, or the cell is running in the kernel).
    """

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes gradtui, with the pty as its terminal
            os.chdir(tmp_path)
            # No terminal answers prompt-toolkit's cursor position requests here.
            env = {"PROMPT_TOOLKIT_NO_CPR": "1", **env}
            os.execve(sys.executable, [*GRADTUI, "repl"], environment(tmp_path, **env))
        self.seen = ""

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def _read(self, wait_s: float) -> bool:
        """Append what the terminal shows within ``wait_s``; False once the child closed it."""
        if select.select([self.fd], [], [], wait_s)[0]:
            try:
                self.seen += os.read(self.fd, 65536).decode(errors="replace")
            except OSError:
                return False
        return True

    def wait_until(self, condition: Callable[[], bool], what: str,
                   deadline_s: float = SAFETY_NET_S) -> None:
        """Read the terminal until ``condition()`` holds (the deadline is a safety net only)."""
        end = time.monotonic() + deadline_s
        while not condition():
            if time.monotonic() > end or not self._read(0.05):
                raise AssertionError(f"never {what}; the screen had:\n{self.seen[-2000:]}")

    def expect(self, text: str, deadline_s: float = SAFETY_NET_S) -> str:
        """Read until ``text`` appears; returns everything before it and forgets it."""
        self.wait_until(lambda: text in self.seen, f"saw {text!r}", deadline_s)
        before, _, after = self.seen.partition(text)
        self.seen = after
        return before

    def raw_mode(self) -> bool:
        """True while prompt-toolkit reads keys one by one (ICANON off on the terminal).

        On Linux the master side of a pty reports the terminal's (the slave's) modes. Keys
        typed in cooked mode are line-buffered, and Ctrl-C or Ctrl-D there become a signal or
        an end of file instead of keys for the prompt.
        """
        return not termios.tcgetattr(self.fd)[3] & termios.ICANON

    def prompt(self) -> str:
        """Wait for the next ``>>>`` prompt and for it to read keys; returns what came before.

        prompt-toolkit redraws the finished prompt's ``>>>`` too: before a control key, first
        expect output that only comes after the previous cell (the terminal is in cooked mode
        from then until the new prompt reads keys).
        """
        before = self.expect(">>>")
        self.wait_until(self.raw_mode, "saw the prompt read keys")
        return before

    def run_forever(self, marker: Path, body: str) -> None:
        """Type a cell that creates ``marker`` and then loops on ``body``; wait until it loops.

        The file proves the kernel runs the cell, so the REPL is waiting for it and a Ctrl-C
        from now on is the learner interrupting a running cell.
        """
        self.send(f"if True:\ropen({marker.name!r}, 'w').close()\rwhile True: {body}\r\r")
        self.wait_until(marker.exists, f"saw {marker.name} created by the running cell")

    def wait(self, deadline_s: float = SAFETY_NET_S) -> int:
        """The exit status, reading the terminal meanwhile (a full pty would block the child)."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self._read(0.2)
        raise AssertionError(f"gradtui repl did not exit; the screen had:\n{self.seen[-2000:]}")

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@pytest.fixture
def terminal(tmp_path: Path):
    terminals: list[Terminal] = []

    def start(**env: str) -> Terminal:
        terminals.append(Terminal(tmp_path, **env))
        return terminals[-1]

    yield start
    for t in terminals:
        t.kill()


def test_ctrl_c_in_a_terminal_stops_a_runaway_loop_and_the_session_goes_on(
    terminal, tmp_path: Path
) -> None:
    term = terminal(NO_COLOR="1")
    term.prompt()
    term.send("n = 41\r")
    term.prompt()
    term.run_forever(tmp_path / "looping", "n = n")
    term.send("\x03")
    term.expect("KeyboardInterrupt")
    term.prompt()
    term.send("n + 1\r")
    term.expect("42")
    term.prompt()
    term.send("\x04")
    assert term.wait() == 0


def test_terminal_ctrl_c_clears_the_line_and_history_is_written(terminal, tmp_path) -> None:
    term = terminal(TERM="dumb")
    term.prompt()
    term.send("lost = 1\x03")
    term.prompt()
    term.send("kept = 2\r")
    term.prompt()
    term.send("print(kept * 2, 'lost' in dir())\r")
    before = term.prompt()
    assert "4 False" in before and "\x1b[3" not in before  # no colour on a dumb terminal
    term.send("\x04")
    assert term.wait() == 0
    history = (tmp_path / "state" / "history").read_text()
    assert "+kept = 2\n" in history and "lost" not in history.split("+kept")[0]


def test_a_cell_that_ignores_ctrl_c_is_ended_by_a_kernel_restart(terminal, tmp_path) -> None:
    term = terminal(NO_COLOR="1")
    term.prompt()
    term.send("import signal; _ = signal.signal(signal.SIGINT, signal.SIG_IGN)\r")
    term.prompt()
    term.run_forever(tmp_path / "looping", "pass")
    # Two quick Ctrl-Cs may reach the REPL as one signal, so press until it offers the restart;
    # the cell ignores them all, so any number of presses before the offer is the same.
    offer = "Press Ctrl-C once more to restart the kernel"
    # (2 s between presses is how long to wait for the offer before pressing again, not a
    # limit: only the safety net ends the presses.)
    end = time.monotonic() + SAFETY_NET_S
    while True:
        term.send("\x03")
        try:
            term.expect(offer, deadline_s=2.0)
            break
        except AssertionError:
            if time.monotonic() > end:
                raise AssertionError(
                    f"the REPL never offered a restart:\n{term.seen[-2000:]}") from None
    term.send("\x03")
    term.expect("the kernel was restarted: the namespace is empty")
    term.prompt()
    term.send("'signal' in dir()\r")
    term.expect("False")
    term.prompt()
    term.send("\x04")
    assert term.wait() == 0


def test_a_malformed_kernel_setting_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run([*GRADTUI, "repl"], input="1\n", capture_output=True, text=True,
                          env=environment(tmp_path, GRADTUI_KERNEL_MEMORY_MB="lots"),
                          timeout=120)
    assert done.returncode == 2
    assert "GRADTUI_KERNEL_MEMORY_MB must be a whole number, got 'lots'" in done.stderr


def test_pasting_each_notebook_cell_at_the_prompt_prints_the_notebook(tmp_path, monkeypatch):
    """The prompt-toolkit loop on the real kernel, each cell pasted whole (bracketed paste).

    A pasted cell runs as one cell, so the last one stops at its error like the notebook does:
    only the *Mismatch in shape* traceback, no echo of ``x.grad``.
    """
    import io
    import threading

    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from gradtui.kernel.client import KernelClient
    from gradtui.plain.console import Console
    from gradtui.plain.repl import PlainRepl

    monkeypatch.setenv("GRADTUI_STATE_DIR", str(tmp_path / "state"))
    out, err = io.StringIO(), io.StringIO()
    with KernelClient() as client, create_pipe_input() as pipe:
        repl = PlainRepl(client, Console(out, err))
        for cell, _ in NOTEBOOK:
            pipe.send_text(f"\x1b[200~{cell}\x1b[201~\r")
        pipe.send_text("\x04")
        session = repl.make_session(colour=False, input=pipe, output=DummyOutput(),
                                    history=InMemoryHistory())
        runner = threading.Thread(target=repl.run_interactive, args=(session,))
        runner.start()
        runner.join(120)
        assert not runner.is_alive()
    expected = "".join(output for _, output in NOTEBOOK[:-1])
    assert out.getvalue().splitlines()[2:] == expected.splitlines()  # after the banner
    assert err.getvalue().splitlines()[-1] == MISMATCH


# A cell printing once a second until the test creates the file ``go``: seeing its first line
# while ``go`` does not exist yet proves the line was shown while the cell still ran (no timing).
TICKING_CELL = (
    "import os, time\n"
    "for i in range(60):\n"
    "    print('tick', i)\n"
    "    if os.path.exists('go'):\n"
    "        break\n"
    "    time.sleep(1)\n"
    "\n"
    "print('done')\n"
)


def test_a_running_cells_output_reaches_a_pipe_as_it_is_printed(tmp_path: Path) -> None:
    repl = subprocess.Popen([*GRADTUI, "repl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment(tmp_path), cwd=tmp_path)
    assert repl.stdin is not None and repl.stdout is not None
    try:
        repl.stdin.write(TICKING_CELL.encode())
        repl.stdin.close()
        assert repl.stdout.readline() == b"tick 0\n"
        assert not (tmp_path / "go").exists()  # so the cell is still running
        (tmp_path / "go").touch()
        rest = repl.stdout.read().decode()
        assert rest.splitlines()[-1] == "done" and repl.wait(timeout=60) == 0
    finally:
        repl.kill()
        repl.wait()


def test_a_running_cells_output_reaches_the_terminal_as_it_is_printed(
    terminal, tmp_path: Path
) -> None:
    term = terminal(NO_COLOR="1")
    term.prompt()
    term.send("import os, time\r")
    term.prompt()
    # one line: the prompt indents blocks itself, as it does for a learner
    term.send("for i in range(60): print('tick', i); time.sleep(0 if os.path.exists('go') "
              "else 1); assert not os.path.exists('go')\r\r")
    term.expect("tick 0")
    assert not (tmp_path / "go").exists()  # so the cell is still running
    (tmp_path / "go").touch()
    term.expect("AssertionError")  # the cell ends at its next tick
    term.prompt()
    term.send("\x04")
    assert term.wait() == 0


def test_piped_step_walks_backward_as_text_and_source_shows_the_rule(tmp_path: Path) -> None:
    cells = "".join(cell + "\n" for cell, _ in NOTEBOOK[:1] + NOTEBOOK[6:9])
    script = cells + "o.backward(retain_graph=True)\n:step o\n:source y\no.backward()\n:step o\n"
    narrow = run_piped(script, tmp_path)  # a pipe is 80 columns: long lines wrap under indent
    first_walk = narrow.stdout.split("Backward of o", 1)[1].split("Nothing was changed", 1)[0]
    assert max(len(line) for line in first_walk.splitlines()) <= 79
    done = subprocess.run([*GRADTUI, "repl"], input=script, capture_output=True, text=True,
                          env=environment(tmp_path, COLUMNS="200"), timeout=120, cwd=tmp_path)
    walk = done.stdout.split("tensor(20., grad_fn=<MulBackward0>)\n", 1)[1]
    assert walk.startswith("Backward of o, step by step: 5 nodes")
    assert "Step 4/5: PowBackward0" in walk
    assert "d(<AddBackward0>^2)/d<AddBackward0> = 2*<AddBackward0>^(2-1) = [4., 4.]" in walk
    # o.backward() ran once already: the walk ends on the sum backward would make
    assert "x.grad: [10., 10.] + [10., 10.] = [20., 20.]" in walk
    assert "y.grad_fn is MulBackward0, made by this row of the op table:" in walk
    assert 'op("mul", "MulBackward0"' in walk
    # after a backward that freed the graph: why the walk cannot run, and what to do
    assert "Cannot step through o.backward():\nRuntimeError: Trying to backward" in walk
    assert "Run the cells that compute o again" in walk and done.stderr == ""
