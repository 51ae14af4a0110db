"""Make the docs' pictures: SVG screenshots of the real app (Textual's ``export_screenshot``).

    python docs/screenshots/make.py [--out DIR] [NAME ...]   # all of them, or the named ones

Each picture drives the real workspace over a real kernel, headless, typing as a learner
would, in a throw-away folder (no history or progress of yours is read or written):

- ``workspace.svg``: the gradient cells of the seed notebook ("1. Variables and Gradients",
  tests/engine/golden/seed_notebook.py) run up to ``o.backward()`` and ``x.grad``;
- ``graph.svg``: the Graph panel of that notebook with each node's value and gradient
  (Ctrl+G), after a backward that kept the graph's saved values (``retain_graph=True``:
  they are what tells each node's value);
- ``lesson.svg``: lesson 5's plot step ("A loop") after the usual mistake, the loop run
  without ``x.grad.zero_()``: the verdict says "Not yet" and names it, under the plot.

Before writing a picture the script checks that the screen shows what the picture is for
(``Picture.shows``) and stops with an error if not; tests/test_screenshots.py runs it and
checks the committed pictures the same way. Run it again after changing what these screens
show, look at the pictures, commit them.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

# The seed notebook (Variables and Gradients), as a learner types it.
SEED_CELLS = [
    "import torch\nfrom torch.autograd import Variable",
    "a = Variable(torch.ones((3, 2)), requires_grad=True)\na",
    "x = Variable(torch.ones((2)), requires_grad=True)\nx",
    "y = 5 * (x + 1) ** 2\ny",
    "o = (1/2) * torch.sum(y)\no",
    "o.backward()\nx.grad",
]

# Lesson 5, step 4, typed without x.grad.zero_(): the mistake the step is there to show.
LOOP_WITHOUT_ZEROING = """losses = []
for step in range(25):
    loss = (x - 3) ** 2
    loss.backward()
    with torch.no_grad():
        x -= 0.1 * x.grad
    losses.append(loss.item())
x"""


async def _idle(pilot, app, limit: float = 60.0) -> None:
    """Until the kernel is idle, the panels are painted and the lesson (if any) has judged."""
    screen = app.workspace_screen()
    pane = app.lesson_pane
    waited = 0.0
    while waited < limit:
        await pilot.pause(0.05)
        waited += 0.05
        if screen.settled and (pane is None or pane.pending == 0):
            await pilot.pause(0.3)  # timers (the plot's sizing, scrolling) have fired
            return
    raise RuntimeError("the workspace did not settle")


async def _run_cells(pilot, app, cells: list[str]) -> None:
    for source in cells:
        app.set_input_text(source)
        await pilot.press("enter")
        await _idle(pilot, app)


async def _workspace(pilot, app) -> None:
    await _run_cells(pilot, app, SEED_CELLS)


async def _graph(pilot, app) -> None:
    await _run_cells(pilot, app, [*SEED_CELLS[:-1], "o.backward(retain_graph=True)\nx.grad"])
    await pilot.press("f4", "ctrl+g", "home")
    await _idle(pilot, app)


async def _lesson(pilot, app) -> None:
    await _run_cells(pilot, app, [LOOP_WITHOUT_ZEROING])


@dataclass(frozen=True)
class Picture:
    size: tuple[int, int]  # the terminal's columns and rows
    before: Callable[..., Awaitable[None]]  # what the learner does before the picture
    shows: tuple[str, ...]  # texts the screen must show, or the picture is not what it says
    lesson: bool = False  # taken in lesson 5 at its plot step


PICTURES: dict[str, Picture] = {
    "workspace": Picture((120, 40), _workspace, (
        "In [6]: o.backward()", "tensor([10., 10.])", "Tensors", "Gradients", "graph of o",
        "SumBackward0 []", "MulBackward0 []", "[10., 10.]  None", "changed: x")),
    "graph": Picture((100, 48), _graph, (
        "Graph F4", "x [2]", "data [1., 1.]", "grad [10., 10.]", "PowBackward0 [2]",
        "data [20., 20.]", "MulBackward0 []", "grad 1.")),
    "lesson": Picture((120, 44), _lesson, (
        "Gradient descent by hand", "Step 4 of 5", "losses per step", "Not yet:",
        "never zeroes", "F12 reset · F1 keys", "In [1]: losses = []"), lesson=True),
}


def svg_text(svg: str) -> list[str]:
    """The rows of text a Textual SVG screenshot shows (spaces included), top to bottom."""
    rows: dict[int, list[tuple[float, str]]] = {}
    pattern = re.compile(r'<text[^>]* x="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"'
                         r"[^>]*>([^<]*)</text>")
    for match in pattern.finditer(svg):
        x, row, text = match.groups()
        rows.setdefault(int(row), []).append((float(x), html.unescape(text)))
    lines = []
    for row in sorted(rows):
        line = ""
        for x, text in sorted(rows[row]):
            line = line.ljust(round(x / 12.2)) + text  # Rich draws a cell 12.2 units wide
        lines.append(line.replace("\xa0", " ").rstrip())
    return lines


def missing(svg: str, shows: tuple[str, ...]) -> list[str]:
    """The texts of ``shows`` that no row of the picture contains."""
    lines = svg_text(svg)
    return [text for text in shows if not any(text in line for line in lines)]


def _lesson_session(data: Path):
    """Lesson 5 (gradient descent by hand) resumed at step 4, its plot step."""
    from gradtui.lessons.catalog import builtin_dir, lesson_files
    from gradtui.lessons.loader import load_lesson
    from gradtui.lessons.progress import LessonProgress, ProgressStore
    from gradtui.lessons.session import LessonSession

    lesson = load_lesson(lesson_files([builtin_dir()])[4])
    store = ProgressStore(data)
    store.save(LessonProgress(lesson.id, lesson.title, steps_total=len(lesson.steps),
                              steps_done=3, current_step=3))
    return LessonSession(lesson, store)


async def take(name: str, folder: Path) -> str:
    """Picture ``name`` as SVG text, taken in ``folder`` (a throw-away directory)."""
    from gradtui.kernel.client import KernelClient
    from gradtui.tui.app import create_app

    picture = PICTURES[name]
    client = KernelClient(cwd=str(folder))
    session = _lesson_session(folder / "data") if picture.lesson else None
    app = create_app(client, lesson_session=session, ascii_only=False,
                     history_path=folder / "history")
    app.cursor_blink = False  # the same picture every time
    try:
        async with app.run_test(size=picture.size) as pilot:
            await _idle(pilot, app)
            await picture.before(pilot, app)
            svg = app.export_screenshot(title="gradtui")
    finally:
        client.close()
    absent = missing(svg, picture.shows)
    if absent:
        screen = "\n".join(svg_text(svg))
        raise RuntimeError(f"{name}.svg would not show {', '.join(map(repr, absent))}; "
                           f"the screen was:\n{screen}")
    return svg


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(PICTURES))
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in PICTURES]
    if unknown:
        parser.error(f"unknown picture(s): {', '.join(unknown)}; known: {', '.join(PICTURES)}")
    with tempfile.TemporaryDirectory(prefix="gradtui-screenshots-") as tmp:
        folder = Path(tmp)
        # Nothing of the user's: progress and history go to the throw-away folder.
        os.environ["GRADTUI_DATA_DIR"] = str(folder / "data")
        os.environ["GRADTUI_STATE_DIR"] = str(folder / "state")
        for name in args.names or list(PICTURES):
            try:
                svg = asyncio.run(take(name, folder))
            except RuntimeError as exc:
                print(f"make.py: {exc}", file=sys.stderr)
                return 1
            target = args.out / f"{name}.svg"
            target.write_text(svg, encoding="utf-8")
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
