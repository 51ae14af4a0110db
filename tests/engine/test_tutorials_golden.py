"""Tutorial-style scripts of our own (a tiny regression, a classifier fed by a DataLoader, a
custom autograd.Function, autograd basics) print under ``gradtui run`` what they printed under
``python`` with real torch 2.13 (``golden/tutorials.json``, ``golden/tutorials_record.py``):
every line of stdout and stderr, and the exit status."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("_gradtui_tutorials_record",
                                               GOLDEN_DIR / "tutorials_record.py")
assert _spec is not None and _spec.loader is not None
tutorials = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tutorials)
FIXTURES = json.loads(tutorials.FIXTURE_PATH.read_text(encoding="utf-8"))


def test_every_script_has_torchs_record() -> None:
    assert FIXTURES["torch_version"].split("+")[0] == "2.13.0"
    assert sorted(FIXTURES["scripts"]) == tutorials.scripts()
    assert len(FIXTURES["scripts"]) >= 4


@pytest.mark.parametrize("name", sorted(FIXTURES["scripts"]))
def test_gradtui_run_prints_what_torch_printed(name: str) -> None:
    got = tutorials.record([sys.executable, "-m", "gradtui", "run"], name)
    expected = FIXTURES["scripts"][name]
    assert got["stdout"].splitlines() == expected["stdout"].splitlines()
    assert got == expected
