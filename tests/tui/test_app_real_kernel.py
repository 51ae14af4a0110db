"""The workspace over the real kernel and engine: the seed notebook, end to end."""

from __future__ import annotations

import pytest

from gradtui.kernel.client import KernelClient
from gradtui.tui.app import create_app
from gradtui.tui.widgets.grads_panel import GradsPanel
from gradtui.tui.widgets.graph_panel import GraphPanel
from gradtui.tui.widgets.repl_log import ReplLog
from gradtui.tui.widgets.status_bar import StatusBar
from gradtui.tui.widgets.tensors_panel import TensorsPanel

from .conftest import run_cell, settle, wait_until
from .fake_kernel import INFINITE_LOOP, seed_cells


@pytest.fixture
def real_app(tmp_path):
    client = KernelClient(cwd=str(tmp_path))
    app = create_app(client, ascii_only=False, history_path=tmp_path / "history")
    yield app
    client.close()


async def test_seed_notebook_on_the_real_kernel(real_app):
    app = real_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, limit=60)
        cells = seed_cells()
        for source in cells[:5]:
            await run_cell(pilot, app, source, limit=60)
        rows = {row[1]: row for row in app.screen.query_one(TensorsPanel).rows_text()}
        assert rows["o"][5] == "MulBackward0" and rows["y"][2] == "[2]"
        drawing = app.screen.query_one(GraphPanel).canvas_text()
        for label in ("x [2]", "AddBackward0 [2]", "PowBackward0 [2]", "SumBackward0 []", "out"):
            assert label in drawing

        await run_cell(pilot, app, ":step o", limit=60)
        graph = app.screen.query_one(GraphPanel)
        while graph.walk.next():
            pass
        assert "x.grad: None -> [10., 10.]" in graph.walk.describe()

        await run_cell(pilot, app, cells[5], limit=60)  # backward(retain_graph=True)
        grads = {row[1]: row for row in app.screen.query_one(GradsPanel).rows_text()}
        assert "10., 10." in grads["x"][3] and grads["x"][0] != ""
        await run_cell(pilot, app, cells[7], limit=60)  # a second backward: 10 -> 20
        grads = {row[1]: row for row in app.screen.query_one(GradsPanel).rows_text()}
        assert "20., 20." in grads["x"][3] and "10., 10." in grads["x"][4]
        log = "\n".join(app.screen.query_one(ReplLog).plain_lines)
        assert "tensor([20., 20.])" in log


async def test_interrupting_a_real_infinite_loop(real_app):
    app = real_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, limit=60)
        app.set_input_text(INFINITE_LOOP)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert app.screen.state == "busy"
        await pilot.press("ctrl+c")
        await settle(pilot, app, limit=60)
        assert "KeyboardInterrupt" in "\n".join(app.screen.query_one(ReplLog).plain_lines)
        await run_cell(pilot, app, "1 + 1", limit=60)
        assert app.screen.query_one(ReplLog).plain_lines[-1] == "2"


async def test_a_real_kernel_death_is_shown_and_f9_restarts_it(real_app):
    app = real_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, limit=60)
        await run_cell(pilot, app, "x = 1", limit=60)
        await run_cell(pilot, app, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
                       limit=60)
        assert app.screen.state == "dead"
        note = app.screen.query_one(ReplLog).plain_lines[-1]
        # how it died, and the way out said once (the client's own hint is not repeated)
        assert note == ("the kernel died (killed by SIGKILL). F9 or :restart starts a new one; "
                        "the namespace is lost.")
        await pilot.press("f9")
        await settle(pilot, app, limit=60)
        assert app.screen.state == "idle"
        await run_cell(pilot, app, "'x' in dir()", limit=60)
        assert app.screen.query_one(ReplLog).plain_lines[-1] == "False"


async def test_real_completion_popup_completes_an_attribute(real_app):
    from gradtui.tui.widgets.cell_input import CellInput
    from gradtui.tui.widgets.completion_list import CompletionList

    app = real_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, limit=60)
        await run_cell(pilot, app, "import torch", limit=60)
        app.set_input_text("torch.on")
        await pilot.press("tab")
        popup = app.screen.query_one(CompletionList)
        for _ in range(200):
            await pilot.pause(0.02)
            if popup.has_class("-shown"):
                break
        assert popup.option_count >= 2
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(CellInput).text == "torch.ones"


async def test_a_running_cells_prints_show_in_the_log_before_it_ends(real_app, tmp_path):
    """A training loop printing once a second: its first line is on screen while the cell is
    still running (it waits for the file ``go``, which the test makes only after seeing it)."""
    from .conftest import wait_until

    app = real_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app, limit=60)
        app.set_input_text(
            "import os, time\n"
            "for epoch in range(60):\n"
            "    print(f'epoch {epoch}: loss {1 / (epoch + 1):.3f}')\n"
            "    if os.path.exists('go'):\n"
            "        break\n"
            "    time.sleep(1)\n")
        await pilot.press("enter")
        log = app.screen.query_one(ReplLog)
        await wait_until(pilot, lambda: "epoch 0: loss 1.000" in log.plain_lines, limit=60)
        assert app.screen.state == "busy" and not (tmp_path / "go").exists()
        shown = [strip.text for strip in log.lines]
        assert any(row.startswith("epoch 0: loss 1.000") for row in shown)  # drawn, not kept
        assert any(row.startswith("In [1]: import os, time") for row in shown)  # after its echo
        (tmp_path / "go").touch()
        await settle(pilot, app, limit=60)
        epochs = [line for line in log.plain_lines if line.startswith("epoch ")]
        assert epochs[0] == "epoch 0: loss 1.000" and len(epochs) >= 2
        assert len(epochs) == len(set(epochs))  # each line once: not again with the reply


async def test_the_repls_underscore_is_no_tensor_of_the_learners(real_app):
    # Echoing `x` makes `_` a second name of x; echoing `a, b` makes `_[0]`, `_[1]`.
    app = real_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, limit=60)
        await run_cell(pilot, app, "import torch\nx = torch.ones(2, requires_grad=True)", 60)
        await run_cell(pilot, app, "x", limit=60)
        await run_cell(pilot, app, "y = 5 * (x + 1) ** 2", limit=60)
        drawing = app.screen.query_one(GraphPanel).canvas_text()
        assert "x [2]" in drawing and "_ [" not in drawing
        await run_cell(pilot, app, "a = torch.ones(1)\nb = a * 2\na, b", limit=60)
        status = str(app.screen.query_one(StatusBar).render())
        assert "changed: a, b" in status and "_" not in status.split("changed:")[1]
        names = [row[1] for row in app.screen.query_one(TensorsPanel).rows_text()]
        assert names == ["x", "y", "a", "b"]
        grads = [row[1] for row in app.screen.query_one(GradsPanel).rows_text()]
        assert grads == ["x"]


@pytest.mark.parametrize("size", [(80, 24), (160, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_ctrl_g_after_backward_says_the_values_were_freed(real_app, size):
    """After a backward without retain_graph the unnamed intermediates' values are gone:
    each box says so (never a bare `data ?`), and a line under the drawing says why and how
    to keep them, on screen at 80 columns too."""
    from .test_layout_sizes import on_screen, screen_lines

    app = real_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, limit=60)
        for source in ("import torch", "x = torch.ones(2, requires_grad=True)",
                       "y = 5 * (x + 1) ** 2", "o = (1/2) * torch.sum(y)", "o.backward()"):
            await run_cell(pilot, app, source, limit=60)
        await pilot.press("f4")
        graph = app.screen.query_one(GraphPanel)
        graph.focus()
        await pilot.press("ctrl+g")
        await settle(pilot, app, limit=60)
        drawing = graph.canvas_text()
        assert "data ?" not in drawing
        # x + 1 (saved by pow) and (x + 1) ** 2 (saved by mul) were freed by o.backward()
        assert drawing.count("data freed by backward") == 3  # add, pow and sum's outputs
        assert "grad [2.5, 2.5]" in drawing  # what flowed through pow is still known
        await wait_until(pilot, lambda: on_screen(app, "retain_graph=True) keeps them"))
        line = next(row for row in screen_lines(app) if "keeps them" in row)
        assert "freed: backward() frees them" in line

        # Tab to pow's box: its shape, dtype and the gradient that reached it
        for _ in range(len(graph.snapshot.nodes)):
            await pilot.press("tab")
            if graph.snapshot.nodes[graph.chosen].name == "PowBackward0":
                break
        await pilot.pause()
        assert on_screen(app, "PowBackward0 [2] float32: data freed by backward  grad [2.5, 2.5]")


@pytest.mark.parametrize("size", [(80, 24), (160, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_doc_of_torch_names_is_whole_and_readable_on_screen(real_app, size):
    """`:doc torch.sum` gave only the signature (the engine has no docstring for it): now its
    autograd rule and PyTorch's page too; every :doc is on screen whole, its prose wrapped
    at the log's width (a word never cut)."""
    import re

    from .test_layout_sizes import screen_lines

    def log_text() -> str:
        rows = [re.sub(r"[▁▂▃▄▅▆▇█]+$", "", line.split("│")[1].rstrip()).rstrip()
                for line in screen_lines(app) if line.count("│") >= 2]
        return " ".join(" ".join(rows).split())

    app = real_app
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app, limit=60)
        await run_cell(pilot, app, "import torch", limit=60)
        await run_cell(pilot, app, ":doc torch.sum", limit=60)
        shown = log_text()
        assert "torch.sum(input, dim=None, keepdim=False, *, dtype=None, **kwargs)" in shown
        assert "records SumBackward0, whose gradient rule is: self: d(sum a)/da_i = 1" in shown
        # (an address longer than the log is wide, 60 columns at 160x60, goes on a row below)
        url = "https://docs.pytorch.org/docs/stable/generated/torch.sum.html"
        assert url in shown.replace(" ", "")
        for name, words in [
            ("torch.Tensor.backward", "Accumulate d(self)/d(leaf) into every leaf's ``.grad``."),
            ("torch.nn.Linear", "Initialised like torch: W ~ U(-k, k) and b ~ U(-k, k) with "
                                "k = 1 / sqrt(in_features) (kaiming_uniform with a = sqrt(5)), "
                                "drawn from torch's generator: the same weights as torch for "
                                "the same seed."),
        ]:
            await run_cell(pilot, app, f":doc {name}", limit=60)
            shown = log_text()
            assert words in shown and f"generated/{name}.html" in shown.replace(" ", "")
