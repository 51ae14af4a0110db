"""Helpers for driving the workspace with Textual's Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.tui.app import GradtuiApp, create_app

from .fake_kernel import INFINITE_LOOP, FakeKernel, seed_script, seed_trace


async def settle(pilot, app: GradtuiApp, limit: float = 10.0) -> None:
    """Wait until no kernel call runs and the last snapshot is painted."""
    waited = 0.0
    screen = app.workspace_screen()
    while waited < limit:
        await pilot.pause(0.02)
        waited += 0.02
        if screen.settled:
            await pilot.pause()
            return
    raise AssertionError(f"the workspace did not settle in {limit}s (state {screen.state})")


async def settle_lesson(pilot, app: GradtuiApp, limit: float = 60.0) -> None:
    """Like ``settle``, and until the lesson pane has shown its verdict (its session calls run
    in workers of their own)."""
    from gradtui.tui.lesson_pane import LessonPane

    pane = app.screen.query_one(LessonPane)
    waited = 0.0
    while waited < limit:
        await pilot.pause(0.05)
        waited += 0.05
        screen = app.workspace_screen()
        running = [w for w in app.workers if not w.is_finished]
        if screen.state not in ("busy", "starting") and not running and pane.pending == 0:
            await pilot.pause()
            return
    raise AssertionError(f"the lesson did not settle in {limit}s")


async def wait_until(pilot, condition, limit: float = 10.0) -> None:
    """Wait until ``condition()`` holds (timers fire late on a loaded machine)."""
    waited = 0.0
    while not condition():
        if waited >= limit:
            raise AssertionError(f"not reached in {limit}s")
        await pilot.pause(0.02)
        waited += 0.02


async def start_infinite_loop(pilot, app: GradtuiApp, fake: FakeKernel) -> None:
    """Submit ``while True: pass`` and wait until the kernel runs it: an interrupt sent before
    that is ignored (as a real kernel's is), which would leave the loop running for ever."""
    app.set_input_text(INFINITE_LOOP)
    await pilot.press("enter")
    await wait_until(pilot, lambda: fake.looping)


async def resize(pilot, app: GradtuiApp, width: int, height: int) -> None:
    """Resize the terminal and wait until the workspace has laid itself out at that size.

    Textual applies a resize on a timer (and the screen's own resize handler after its layout),
    so one ``pilot.pause()`` is not enough on a loaded machine: wait for the observable state.
    """
    from textual.geometry import Size

    from gradtui.tui.screens.workspace import WIDE_COLUMNS

    await pilot.resize_terminal(width, height)
    screen = app.workspace_screen()
    await wait_until(
        pilot,
        lambda: screen.size == Size(width, height) and screen.wide == (width >= WIDE_COLUMNS),
    )
    await pilot.pause()


async def run_cell(pilot, app: GradtuiApp, source: str, limit: float = 10.0) -> None:
    """Type a cell into the input as a learner would and press Enter."""
    app.set_input_text(source)
    await pilot.press("enter")
    await settle(pilot, app, limit)


@pytest.fixture
def fake() -> FakeKernel:
    return FakeKernel(seed_script(), {"o": seed_trace()})


@pytest.fixture
def history_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "history"


@pytest.fixture
def app(fake: FakeKernel, history_path: Path) -> GradtuiApp:
    return create_app(fake, ascii_only=False, history_path=history_path)
