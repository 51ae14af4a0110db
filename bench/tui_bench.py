"""Workspace benchmark: from submitting a cell to every panel repainted, and start-up time.

    .venv/bin/python bench/run.py tui            # or: python bench/tui_bench.py [--quick]

Runs the real workspace headless (Textual's ``run_test``) over a real kernel process. A cell is
submitted the way the input does it (a ``CellSubmitted`` message); the clock stops when the
snapshot has been handed to the Tensors, Graph and Gradients panels *and* the screen has been
repainted (Textual's ``call_after_refresh``). Cells are spaced wider than the panels' repaint
throttle, as a learner's are, so the throttle adds no wait. Figures:

- a seed-notebook cell (``y = 5 * (x + 1) ** 2``), target median < 50 ms;
- the same with 200 tensors in the namespace and a 5,000-node graph selected, target < 150 ms;
- start: a fresh Python process importing the app until the input is usable with a live
  kernel (idle), target < 1 s;
- first printed line visible: a cell printing a line every 0.5 s (a training loop's loss);
  from the ``print`` in the kernel (its wall-clock time, printed in the line) to the line
  drawn in the log (the repaint after the log got it), target < 150 ms. Every line of the
  cell is a sample, the first one included.

The kernel's own share (the ``execute`` round trip) is shown beside each figure, so the UI's
part is the difference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from gradtui.kernel.client import KernelClient  # noqa: E402
from gradtui.tui.app import GradtuiApp, create_app  # noqa: E402
from gradtui.tui.messages import CellSubmitted  # noqa: E402
from gradtui.tui.widgets.graph_panel import GraphPanel  # noqa: E402
from gradtui.tui.widgets.repl_log import ReplLog  # noqa: E402
from gradtui.tui.widgets.status_bar import StatusBar  # noqa: E402

SEED_SETUP = [
    "import torch\nfrom torch.autograd import Variable",
    "x = Variable(torch.ones((2)), requires_grad=True)",
]
SEED_CELL = "y = 5 * (x + 1) ** 2\ny"
LARGE_SETUP = [
    *SEED_SETUP,
    "for i in range(200):\n    globals()[f't{i}'] = torch.ones(3, requires_grad=True)\n",
    "z = torch.ones(1, requires_grad=True)\nfor _ in range(5000):\n    z = z * 1.0001\n",
    ":graph z",
]
THROTTLE_GAP_S = 0.08  # more than the panels' repaint interval (50 ms)


class TimedClient:
    """Wraps a ``KernelClient`` to time each ``execute`` round trip."""

    def __init__(self, client: KernelClient) -> None:
        self._client = client
        self.last_execute_s = 0.0

    def execute(self, source: str, on_output: Any = None) -> Any:
        start = time.perf_counter()
        try:
            return self._client.execute(source, on_output=on_output)
        finally:
            self.last_execute_s = time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


async def _wait(predicate, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the workspace did not get there in time")
        await asyncio.sleep(0.005)


async def _measure(setup: list[str], cell: str, repeats: int, size: tuple[int, int]
                   ) -> tuple[list[float], list[float], list[float], str]:
    client = TimedClient(KernelClient(cwd=tempfile.gettempdir()))
    app: GradtuiApp = create_app(client, ascii_only=False, history_path=None)
    totals: list[float] = []
    kernel: list[float] = []
    try:
        async with app.run_test(size=size) as pilot:
            screen = app.workspace_screen()
            await _wait(lambda: screen.state == "idle")
            for source in setup:
                before = screen.repaints
                screen.post_message(CellSubmitted(source))
                if source.startswith(":"):
                    await pilot.pause(0.2)
                    continue
                await _wait(lambda b=before: screen.state == "idle" and screen.repaints > b)
            frames: list[float] = []
            status = screen.query_one(StatusBar)
            for index in range(repeats):
                # Same-run baseline: one full-screen layout and repaint, nothing else changed.
                await asyncio.sleep(THROTTLE_GAP_S)
                painted = asyncio.Event()
                start = time.perf_counter()
                status.note = f"frame {index}"
                screen.refresh(layout=True)
                app.call_after_refresh(painted.set)
                await asyncio.wait_for(painted.wait(), 120)
                frames.append(time.perf_counter() - start)
            status.note = ""
            graph_mode = ""
            for _ in range(repeats):
                await asyncio.sleep(THROTTLE_GAP_S)
                painted = asyncio.Event()
                original = screen._flush_snapshot

                def flush_then_mark(original=original, painted=painted) -> None:
                    original()
                    app.call_after_refresh(painted.set)

                screen._flush_snapshot = flush_then_mark  # type: ignore[method-assign]
                start = time.perf_counter()
                screen.post_message(CellSubmitted(cell))
                await asyncio.wait_for(painted.wait(), 120)
                totals.append(time.perf_counter() - start)
                kernel.append(client.last_execute_s)
                screen._flush_snapshot = original  # type: ignore[method-assign]
                await _wait(lambda: screen.state == "idle")
                drawing = screen.query_one(GraphPanel).drawing
                graph_mode = "" if drawing is None else drawing.mode
            await pilot.pause()
    finally:
        client.close()
    return totals, kernel, frames, graph_mode


TICKS = 6
TICKING_CELL = (
    "import time\n"
    f"for i in range({TICKS}):\n"
    "    print(f'tick {time.time()!r}')\n"
    "    time.sleep(0.5)\n"
)


async def _measure_streaming(repeats: int, size: tuple[int, int]) -> tuple[list[float], ...]:
    """Print-to-screen delays of streamed lines: the first of each cell, and all of them."""
    client = KernelClient(cwd=tempfile.gettempdir())
    app: GradtuiApp = create_app(client, ascii_only=False, history_path=None)
    first: list[float] = []
    every: list[float] = []
    try:
        async with app.run_test(size=size) as pilot:
            screen = app.workspace_screen()
            await _wait(lambda: screen.state == "idle")
            for source in SEED_SETUP:  # a learner's first cells (and the first echo) come first
                before = screen.repaints
                screen.post_message(CellSubmitted(source))
                await _wait(lambda b=before: screen.state == "idle" and screen.repaints > b)
            log = screen.query_one(ReplLog)
            original = log.stream_output
            seen: list[float] = []

            def stream_then_mark(stream: str, text: str) -> None:
                original(stream, text)
                stamps = [float(line.split()[1]) for line in text.splitlines()
                          if line.startswith("tick ")]
                # drawn: the delay runs to the repaint that shows the new rows
                app.call_after_refresh(lambda: seen.extend(time.time() - t for t in stamps))

            log.stream_output = stream_then_mark  # type: ignore[method-assign]
            for _ in range(repeats):
                seen.clear()
                screen.post_message(CellSubmitted(TICKING_CELL))
                await _wait(lambda: screen.state == "busy")
                await _wait(lambda: screen.state == "idle" and len(seen) >= TICKS)
                first.append(seen[0])
                every.extend(seen)
                await asyncio.sleep(THROTTLE_GAP_S)
            await pilot.pause()
    finally:
        client.close()
    return first, every


START_SCRIPT = """
import asyncio, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
from gradtui.tui.app import create_app
async def main():
    app = create_app(history_path=None, ascii_only=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.workspace_screen()
        while screen.state != "idle":
            await asyncio.sleep(0.002)
        print(time.perf_counter() - t0)
    app.client.close()
asyncio.run(main())
"""


def _start_times(repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", START_SCRIPT, str(SRC)], check=True,
                             capture_output=True, text=True).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tui_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else 30
    seed, seed_kernel, frames, _ = asyncio.run(
        _measure(SEED_SETUP, SEED_CELL, repeats, (120, 40)))
    large, large_kernel, _, mode = asyncio.run(
        _measure(LARGE_SETUP, SEED_CELL, max(3, repeats // 3), (120, 40)))
    starts = _start_times(2 if args.quick else 5)
    first_line, every_line = asyncio.run(_measure_streaming(2 if args.quick else 5, (120, 40)))
    frame = statistics.median(frames)
    rows = [
        ("one bare layout + repaint of the screen (baseline)", frames, None, None),
        ("seed cell: submit -> panels repainted (120x40)", seed, seed_kernel, 50),
        (f"200 tensors + 5,000-node graph selected ({mode} view)", large, large_kernel, 150),
        ("start -> usable screen, kernel idle (new process)", starts, None, 1000),
        ("first printed line visible: print -> drawn in the log (a line every 0.5 s)",
         first_line, None, 150),
        ("every printed line of those cells: print -> drawn", every_line, None, 150),
    ]
    print("| measure | median ms | p95 ms | kernel round trip ms | x baseline | target ms "
          "| n |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    worst = 0
    for label, values, kernel, target in rows:
        median = statistics.median(values)
        kernel_text = "-" if kernel is None else _ms(statistics.median(kernel))
        target_text = "-" if target is None else f"< {target}"
        print(f"| {label} | {_ms(median)} | {_ms(_p95(values))} | {kernel_text} "
              f"| {median / frame:.1f} | {target_text} | {len(values)} |")
        if target is not None and median * 1000 > target:
            worst = 1
    print(f"\nPython {sys.version.split()[0]}; medians of n runs. The kernel share is the "
          "execute() round trip seen by the app; 'x baseline' divides by the same run's bare "
          "layout + repaint of the screen, which factors out machine load.")
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
