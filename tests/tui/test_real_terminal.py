"""The workspace in a real terminal (tmux) at 80x24, driven by keys as a learner would.

Pilot tests run Textual headless; this one runs ``gradtui`` itself in a tmux pane, so the
terminal's own size, key encoding and redraws are in the loop. Skipped, saying why, when tmux
is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed (apt-get install tmux)")


class Pane:
    """One tmux pane on a private server (its own socket file: no one's tmux is touched)."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True,
                              text=True, timeout=20, check=True)
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "app", "-l", text)

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-t", "app").splitlines()

    def wait_for(self, what: Callable[[list[str]], bool], timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if what(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError("not on screen in time:\n" + "\n".join(lines))
            time.sleep(0.2)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    socket = tmp_path / "tmux.sock"
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "GRADTUI_DATA_DIR": str(tmp_path / "data"),
           "GRADTUI_STATE_DIR": str(tmp_path / "state")}
    for name in ("NO_COLOR", "SSH_CONNECTION", "SSH_CLIENT", "GRADTUI_LAB_SESSION", "TMUX"):
        env.pop(name, None)
    command = f"cd {tmp_path} && exec {sys.executable} -m gradtui"
    subprocess.run(["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s", "app",
                    "-x", "80", "-y", "24", command], env=env, check=True, timeout=20)
    try:
        yield Pane(socket)
    finally:
        subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True,
                       timeout=20)


def _has(text: str) -> Callable[[list[str]], bool]:
    return lambda lines: any(text in line for line in lines)


def test_at_80x24_in_tmux_the_log_and_the_graph_read_whole(pane: Pane) -> None:
    pane.wait_for(_has("kernel: idle"))
    # A cell run while the Tensors tab shows is written at the log's real width.
    pane.keys("F3")
    pane.type('print("a line of text here")')
    pane.keys("Enter")
    pane.wait_for(_has("In [2]"))  # the input's number: the cell has finished
    pane.keys("F2")
    lines = pane.wait_for(_has("│a line of text here"))
    assert not any(line.startswith("│a ") and line[3:4] in (" ", "│") for line in lines)

    # The seed notebook's graph: the output is on screen, reached by keys, never `_`.
    cells = ("import torch", "x = torch.ones(2, requires_grad=True)", "x",
             "y = 5 * (x + 1) ** 2", "o = (1/2) * torch.sum(y)")
    for number, cell in enumerate(cells, start=3):  # each after the one before finished
        pane.type(cell)
        pane.keys("Enter")
        pane.wait_for(_has(f"In [{number}]"))
    pane.keys("F4", "Home")
    pane.wait_for(_has("AccumulateGrad"))
    pane.keys("End")
    lines = pane.wait_for(_has("═out"))
    assert any("MulBackward0 []" in line for line in lines)
    assert not any("_ [" in line for line in lines)

    # Typing with the Graph panel focused reaches the input: no panel action fires.
    pane.type("y.grad_fn.next_functions")
    lines = pane.wait_for(_has("y.grad_fn.next_functions"))
    assert not any("digraph" in line for line in lines)
    pane.keys("C-q")
