"""Screenshots of the layouts (80x24 tabs, 120x40 side by side, a step-by-step walk).

Few on purpose: they break on harmless changes. Update with ``pytest --snapshot-update``
after checking the new pictures (``--snapshot-report`` writes them side by side).
"""

from __future__ import annotations

from gradtui.tui.app import create_app
from gradtui.tui.widgets.cell_input import CellInput

from .conftest import run_cell, settle
from .fake_kernel import FakeKernel, seed_cells, seed_script, seed_trace


def _app(tmp_path):
    kernel = FakeKernel(seed_script(), {"o": seed_trace()})
    return create_app(kernel, ascii_only=False, history_path=tmp_path / "history")


def _typing(cells: list[str], *keys: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        await settle(pilot, app)
        app.screen.query_one(CellInput).cursor_blink = False
        for source in cells:
            await run_cell(pilot, app, source)
        await pilot.press(*keys)
        await settle(pilot, app)

    return run_before


def test_80x24_graph_tab_after_the_seed_cells(snap_compare, tmp_path):
    run_before = _typing(seed_cells()[:5], "f4")
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_120x40_side_by_side_after_two_backwards(snap_compare, tmp_path):
    run_before = _typing(seed_cells())
    assert snap_compare(_app(tmp_path), terminal_size=(120, 40), run_before=run_before)


def test_80x24_step_by_step_backward_at_the_pow_node(snap_compare, tmp_path):
    run_before = _typing([*seed_cells()[:5], ":step o"], "enter", "enter", "enter", "enter")
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=run_before)
