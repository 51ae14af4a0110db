"""The issue's "done when": the seed notebook through `gradtui run` gives what torch 2.13 gives.

As a script: same stdout, warnings, script frames of the traceback, final exception line and exit
status as ``python`` with real torch (recorded in ``golden/seed_notebook.json``, which
``test_golden.py`` re-checks against the installed torch), for the seed notebook, a script of
learner mistakes, a script of script-runner features and a seeded training tutorial.
Cell by cell: each cell's echoed value matches the notebook's printed output, except the last
cell, where torch 2.13 raises *Mismatch in shape* (the notebook shows an older torch).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load_seed():
    spec = importlib.util.spec_from_file_location("_gradtui_golden_seed", GOLDEN_DIR / "seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


seed = _load_seed()
ORACLE = json.loads(seed.SEED_FIXTURE_PATH.read_text(encoding="utf-8"))


def _gradtui_run_record(name: str) -> dict:
    return seed.script_record([sys.executable, "-m", "gradtui", "run"], name)


def test_gradtui_run_prints_what_torch_printed_for_the_seed_notebook() -> None:
    got = _gradtui_run_record("seed_notebook.py")
    expected = ORACLE["scripts"]["seed_notebook.py"]
    assert got["stdout"].splitlines() == expected["stdout"].splitlines()
    assert got["last_stderr_line"] == expected["last_stderr_line"]
    assert got["returncode"] == expected["returncode"] == 1
    assert got == expected


def test_gradtui_run_warns_and_fails_like_torch_in_a_learners_script() -> None:
    """Warnings attributed to the learner's lines, the learner's traceback frames (with the
    absolute path Python shows for `python NAME`), the error, the exit status."""
    got = _gradtui_run_record("learner_mistakes.py")
    expected = ORACLE["scripts"]["learner_mistakes.py"]
    assert got["stdout"] == expected["stdout"]
    assert got["stderr_lines"] == expected["stderr_lines"]
    assert got["script_frames"] == expected["script_frames"]
    assert (got["last_stderr_line"], got["returncode"]) == (
        expected["last_stderr_line"], expected["returncode"])


def test_gradtui_run_gives_a_script_what_python_gives_it() -> None:
    """__name__, an absolute __file__, argv, sys.path[0], stderr, SystemExit's status."""
    got = _gradtui_run_record("script_features.py")
    expected = ORACLE["scripts"]["script_features.py"]
    assert expected["returncode"] == 3
    assert got == expected


def test_gradtui_run_prints_torchs_numbers_for_a_seeded_tutorial() -> None:
    """``torch.manual_seed(0)``, randn data, ``nn.Linear`` init, ``DataLoader(shuffle=True)``,
    dropout, SGD: the batches come in torch's order and every value printed is torch's."""
    got = _gradtui_run_record("seeded_tutorial.py")
    expected = ORACLE["scripts"]["seeded_tutorial.py"]
    assert expected["returncode"] == 0 and "epoch 4, first batch: [" in expected["stdout"]
    assert got == expected


def test_oracle_cells_show_the_notebook_outputs() -> None:
    """The recorded torch 2.13 cell outputs are the notebook's, so the expectations are sound."""
    for record in ORACLE["cells"]:
        assert record["output"] == seed.NOTEBOOK_OUTPUTS[record["cell"]], record["cell"]
    assert ORACLE["cells"][-1]["error"] == seed.LAST_CELL_ERROR


def test_notebook_cells_echo_like_the_notebook_with_the_engine() -> None:
    from gradtui.engine.shim import shim_active

    with shim_active():
        records = seed.run_cells()
    *cells, last = records
    for record in cells:
        expected = seed.NOTEBOOK_OUTPUTS[record["cell"]]
        assert (record["output"], record["error"]) == (expected, None), record["cell"]
    assert last["cell"] == 38
    assert last["error"] == seed.LAST_CELL_ERROR
    assert records == ORACLE["cells"]
