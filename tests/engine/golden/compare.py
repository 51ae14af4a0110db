"""Run golden cases through gradtui's engine (via the torch shim) and describe any mismatch."""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent
FIXTURE_PATH = GOLDEN_DIR / "fixtures.json"
RECORD_KEYS = ("stdout", "error", "warnings")


def load_fixtures() -> dict[str, Any]:
    """The committed oracle records: ``{"torch_version": ..., "cases": [...]}``."""
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))


def load_sibling(name: str):
    """Import ``<name>.py`` from this folder by path (tests/ is not a package)."""
    path = GOLDEN_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_gradtui_golden_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@functools.cache
def _python_reprs():
    return load_sibling("python_reprs")


def run_with_engine(snippet: str) -> dict[str, Any]:
    """The snippet's record with ``import torch`` resolving to gradtui's engine."""
    from gradtui.engine.errors import forget_warnings_once
    from gradtui.engine.shim import shim_active

    runner = load_sibling("runner")
    forget_warnings_once()  # torch warned these once per process; each case is that process
    with shim_active():
        return runner.run_snippet(snippet)


def expected_record(case: dict[str, Any]) -> dict[str, Any]:
    """What torch prints for the case on the running Python (the fixtures hold the recording
    Python's reprs; see python_reprs.py)."""
    record = {key: case[key] for key in RECORD_KEYS}
    record["stdout"] = _python_reprs().as_this_python_prints(record["stdout"])
    return record


def describe_mismatch(case: dict[str, Any], got: dict[str, Any]) -> str:
    """A readable report: the snippet, then each differing part as expected vs got."""
    parts = [f"golden case {case['id']}", "snippet:", _indent(case["snippet"])]
    expected = expected_record(case)
    if expected["stdout"] != got["stdout"]:
        diff = difflib.unified_diff(
            expected["stdout"].splitlines(keepends=True),
            got["stdout"].splitlines(keepends=True),
            "torch 2.13",
            "gradtui",
        )
        parts += ["stdout differs (- torch 2.13, + gradtui):", _indent("".join(diff))]
    for key in ("error", "warnings"):
        if expected[key] != got[key]:
            parts += [
                f"{key} differs:",
                _indent(f"torch 2.13: {expected[key]!r}"),
                _indent(f"gradtui:    {got[key]!r}"),
            ]
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "".join("    " + line for line in text.splitlines(keepends=True)).rstrip("\n")
