"""Issue 12 item 11: learner objects and lesson checks that never end cannot hang the kernel.

A class named ``Tensor`` in a module named ``torch`` whose attributes loop made the snapshot after
the cell hang for good (Ctrl-C ignored, a restart lost every variable); a lesson check that loops
hung ``gradtui lessons check`` past 120 s and the lesson itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gradtui.kernel.client import KernelClient

FAKE_TENSOR = """
import torch
real = torch.ones(2)
class Tensor:
    __module__ = "torch"
    def __getattr__(self, name):
        while True:
            pass
trap = Tensor()
kept = 41
"""


@pytest.fixture
def client():
    with KernelClient(memory_limit_mb=1024) as kernel:
        yield kernel


def test_a_fake_tensor_whose_attributes_loop_costs_the_panels_not_the_kernel(client) -> None:
    started = time.monotonic()
    reply = client.execute(FAKE_TENSOR)
    assert time.monotonic() - started < 30
    assert reply.result.ok
    notes = "".join(chunk.text for chunk in reply.result.output)
    assert "reading trap took too long" in notes and "they leave out trap from now on" in notes
    # The panels still show everything else, and nothing was lost.
    assert [t.name for t in reply.snapshot.tensors] == ["real"]
    started = time.monotonic()
    later = client.execute("kept + 1")
    assert later.result.value_repr == "42" and later.result.output == []
    assert time.monotonic() - started < 4  # it no longer waits for the trap every cell
    # Bound to something else, the name is shown again.
    assert [t.name for t in client.execute("trap = torch.ones(1)").snapshot.tensors] == [
        "real", "trap"
    ]


def test_a_ctrl_c_stops_such_a_snapshot_at_once(client) -> None:
    threading.Timer(1.0, client.interrupt).start()
    started = time.monotonic()
    reply = client.execute(FAKE_TENSOR)
    assert time.monotonic() - started < 4.5  # before the 5 s limit
    notes = "".join(chunk.text for chunk in reply.result.output)
    assert "the panels could not be updated: interrupted" in notes
    assert client.execute("kept").result.value_repr == "41"


def test_a_check_that_loops_times_out_and_a_ctrl_c_stops_it_sooner(client) -> None:
    client.execute("x = 3")
    truth, text = client.evaluate("[i for i in iter(int, 1)]", timeout_s=1)
    assert (truth, text) == (False, "TimeoutError: the check did not finish within 1 s")
    threading.Timer(0.5, client.interrupt).start()
    started = time.monotonic()
    truth, text = client.evaluate("[i for i in iter(int, 1)]")
    assert time.monotonic() - started < 8 and not truth and text.startswith("KeyboardInterrupt")
    # A check that swallows the timeout is stopped all the same.
    client.execute(
        "def stubborn():\n    while True:\n        try:\n            while True: pass\n"
        "        except BaseException: pass\n"
    )
    assert client.evaluate("stubborn()", timeout_s=1)[1].startswith("TimeoutError")
    assert client.evaluate("x == 3") == (True, "True")


LOOPING_LESSON = '''
id = "loops"
title = "A check that loops"

[[steps]]
title = "One"
prose = "Make x."
solution = "x = 1"

[[steps.checks]]
kind = "expr"
expr = "[i for i in iter(int, 1)] == []"
'''


def test_lessons_check_ends_and_names_a_check_that_loops(tmp_path: Path) -> None:
    lesson = tmp_path / "loops.toml"
    lesson.write_text(LOOPING_LESSON)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "gradtui", "lessons", "check", str(lesson)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "GRADTUI_CHECK_TIMEOUT_S": "1"},  # the default is 10 s a check
    )
    assert time.monotonic() - started < 60
    assert done.returncode != 0
    assert "it gives TimeoutError: the check did not finish within 1 s" in done.stdout
