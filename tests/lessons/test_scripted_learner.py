"""A scripted learner takes every lesson in ``--plain`` through a pipe, making the mistakes
learners make (forgetting requires_grad, backward on a vector, backward twice, forgetting to
zero gradients, a broadcast shape bug, ...), and the feedback must name each mistake.

Each step: the mistakes planned for it (each with the words its feedback must contain), then
the step's solution, then ``:next``. A mistake that changes the learner's state is followed
by ``:reset`` (the lesson rebuilds the step's variables), as a learner would be told to.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.progress import ProgressStore


@dataclass(frozen=True)
class Mistake:
    step: int  # 1-based
    cell: str
    says: str  # what the feedback must contain (plain text: no backticks)
    resets: bool = False  # the cell changed the state: :reset before the solution


MISTAKES: dict[int, list[Mistake]] = {
    1: [Mistake(2, "a = Variable(torch.ones((3, 2)))", "PyTorch does not track a")],
    2: [
        Mistake(1, "import torch\nx = torch.ones(2)", "x needs requires_grad=True"),
        Mistake(4, "y.backward()", "this tensor holds several"),
        Mistake(8, "o.backward(retain_graph=True)", "graph was already used up"),
        Mistake(9, "[10.0, 10.0]", "Not quite: you predicted [10., 10.], and x.grad is "
                                   "[20., 20.]"),
    ],
    3: [
        Mistake(1, "w = torch.tensor([1, 2, 3], requires_grad=True)", "holds integers"),
        Mistake(3, "loss.backward()", "graph was already used up"),
        Mistake(6, "w -= 0.1 * w.grad", "will not change a leaf that requires grad in place"),
    ],
    4: [
        Mistake(6, "c = a * b\nd = c + a\nd.backward()\nc.grad",
                "Only leaves (tensors you created with requires_grad=True) keep a .grad",
                resets=True),
        # One line: piped (or typed) lines are cells of their own.
        Mistake(8, "p = a.exp(); p = p + 1; p.backward()", "p = p + 1 is the fix",
                resets=True),
    ],
    5: [
        Mistake(4, "losses = []\nfor step in range(25):\n    loss = (x - 3) ** 2\n"
                   "    loss.backward()\n    with torch.no_grad():\n"
                   "        x -= 0.1 * x.grad\n    losses.append(loss.item())\n",
                "The loop never zeroes x.grad", resets=True),
    ],
    6: [
        Mistake(3, "pred = w * X.unsqueeze(1) + b\nloss = F.mse_loss(pred, Y)",
                "pred and Y have different shapes"),
        Mistake(5, "w.grad.zero_()\nb.grad.zero_()\nlosses = []\nfor step in range(300):\n"
                   "    loss = F.mse_loss(w * X + b, Y)\n    loss.backward()\n"
                   "    with torch.no_grad():\n        w -= 0.5 * w.grad\n"
                   "        b -= 0.5 * b.grad\n    losses.append(loss.item())\n",
                "The loop never zeroes the gradients", resets=True),
    ],
    7: [
        Mistake(1, "import torch\nX = torch.arange(20.) / 19", "X should be a column of 20 rows"),
        Mistake(9, "losses = []\nfor epoch in range(300):\n    loss = loss_fn(model(X), Y)\n"
                   "    loss.backward()\n    opt.step()\n    losses.append(loss.item())\n",
                "Without opt.zero_grad() each loss.backward() adds to the last gradients",
                resets=True),
    ],
    8: [
        Mistake(1, "import torch\nx = torch.tensor(3.0)\ny = x ** 3\n"
                   "torch.autograd.grad(y, x)", "its inputs were made without requires_grad=True"),
        Mistake(2, "dy = torch.autograd.grad(y, x)", "It also used up y's graph"),
        Mistake(2, "(dy,) = torch.autograd.grad(y, x, create_graph=True)",
                "call already used up y's graph: a gradient call frees the graph it walks"),
    ],
}

LESSONS = lesson_files([builtin_dir()])


def script(number: int) -> str:
    lesson = load_lesson(LESSONS[number - 1])
    cells: list[str] = []
    for index, step in enumerate(lesson.steps, start=1):
        planned = [m for m in MISTAKES.get(number, []) if m.step == index]
        for mistake in planned:
            cells.append(mistake.cell)
        if any(m.resets for m in planned):
            cells.append(":reset")
        cells += [step.solution.strip(), ":next"]
    # Cells end with a blank line: a block (a for loop) needs one to end, as in Python.
    return "\n\n".join(cells) + "\n"


def test_every_lesson_has_planned_mistakes() -> None:
    assert sorted(MISTAKES) == list(range(1, len(LESSONS) + 1))


@pytest.mark.slow
@pytest.mark.parametrize("number", range(1, len(LESSONS) + 1))
def test_a_learner_making_the_usual_mistakes_is_told_what_each_one_is(
        number: int, tmp_path: Path) -> None:
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path), "GRADTUI_STATE_DIR": str(tmp_path),
           "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "gradtui", "lesson", str(number), "--plain"],
                          input=script(number), capture_output=True, text=True, env=env,
                          timeout=600)
    # The feedback is wrapped to the terminal: compare it as one line of text.
    said = " ".join(proc.stdout.split())
    for mistake in MISTAKES[number]:
        assert mistake.says in said, (mistake, proc.stdout[-4000:])
    lesson = load_lesson(LESSONS[number - 1])
    assert f"Lesson complete: {len(lesson.steps)} of {len(lesson.steps)} steps solved" in said, \
        proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "`" not in proc.stdout.replace("```", "")  # inline code never shows its backticks
    assert ProgressStore(tmp_path).load()[lesson.id].completed


TEACHERS_LESSON = '''id = "my-class"
title = "My class"

[[steps]]
prose = "Make `v`, three ones that require grad, and `s`, their squares."
solution = """
import torch
v = torch.ones(3, requires_grad=True)
s = v ** 2
"""
[[steps.checks]]
kind = "tensor"
name = "s"
shape = [3]
is_leaf = false

[[steps]]
prose = "Differentiate the sum of the squares: `v.grad` should be `[2., 2., 2.]`."
solution = "s.sum().backward()"
[[steps.checks]]
kind = "grad"
name = "v"
expected = [2, 2, 2]
'''


@pytest.mark.slow
def test_a_teachers_own_lesson_gets_the_same_feedback_with_no_configuration(
        tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "mine.toml").write_text(TEACHERS_LESSON, encoding="utf-8")
    cells = ["import torch", "v = torch.ones(3)",  # quiet: nothing the checks read
             "s = v ** 2",  # Not yet 1: `s` has no graph (v does not require grad)
             "v.requires_grad_()", "s = v ** 2", ":next",  # passes, then on to step 2
             "s.backward()",  # Not yet 2: backward on a vector
             "(s * 0).sum().backward()",  # Not yet 3: a wrong gradient (and s's graph used)
             "s.sum().backward()",  # Not yet 4: backward through the used-up graph
             "s = v ** 2", "s.sum().backward()"]  # a fresh graph: passes ([0, 0, 0] + [2, 2, 2])
    env = {**os.environ, "GRADTUI_DATA_DIR": str(tmp_path), "GRADTUI_STATE_DIR": str(tmp_path),
           "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "gradtui", "lesson", "my-class", "--lessons",
                           str(folder), "--plain"], input="\n".join(cells) + "\n",
                          capture_output=True, text=True, env=env, timeout=300)
    said = " ".join(proc.stdout.split())
    assert said.count("Not yet") == 4, said[-4000:]
    assert "Not yet: ✗ s is a leaf, but this step needs a tensor computed from others" in said
    # backward on a vector: the catalogue explains it and points at the built-in lesson.
    assert ("s.backward() raised RuntimeError: grad can be implicitly created only for scalar "
            "outputs. backward() with no argument starts from one number") in said, said[-3000:]
    assert "(Lesson 2, “Gradients”, step 10 is about this: gradtui lesson 2.)" in said
    assert "v.grad is [0., 0., 0.] but should be [2., 2., 2.]" in said
    # ... and a second backward through the used-up graph:
    assert "this graph was already used up by an earlier backward()" in said
    assert "Lesson complete: 2 of 2 steps solved" in said
