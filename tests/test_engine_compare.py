"""``bench/engine_compare.py``: the same-run comparison of the engine with an older revision's."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _compare():  # bench/ is scripts, not a package
    path = ROOT / "bench" / "engine_compare.py"
    spec = importlib.util.spec_from_file_location("engine_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_marks_rows_over_the_budget_and_rows_an_old_engine_cannot_run() -> None:
    compare = _compare()
    before = [{"a": 0.010, "b": 0.010, "c": None}, {"a": 0.012, "b": 0.010, "c": None}]
    after = [{"a": 0.011, "b": 0.0106, "c": 0.5}, {"a": 0.011, "b": 0.0106, "c": 0.5}]
    text, over = compare.table("old", before, after)
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()[2:]}
    assert rows["a"].endswith("| 1.000 |")          # medians 11 ms and 11 ms
    assert rows["b"].endswith("1.060 **over 5%** |")
    assert rows["c"] == "| c | n/a | n/a | n/a |"
    assert over
    assert compare.table("old", before[:1], before[:1])[1] is False


def test_a_revision_is_exported_without_touching_the_checkout(tmp_path: Path) -> None:
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"],
                      capture_output=True).returncode:
        pytest.skip("needs the git history (this is not a clone)")
    src = _compare().export_src("HEAD", tmp_path)
    assert (src / "gradtui" / "engine" / "walk.py").is_file()
