"""A test that needs real torch (the oracle) and skips without it says so, and what it skips.

pytest's own reason for ``importorskip("torch")`` is "could not import 'torch'", which reads like
a broken install on Python versions torch 2.13 has no wheel for, and does not say what went
untested. Every such skip carries its own reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _torch_skips() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "importorskip" and node.args
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value == "torch"):
                found.append((path, node))
    return found


def test_the_suite_has_tests_that_skip_without_torch() -> None:
    assert len(_torch_skips()) >= 10


def test_every_skip_without_torch_says_what_is_skipped_and_why() -> None:
    vague = []
    for path, call in _torch_skips():
        reasons = [k.value for k in call.keywords if k.arg == "reason"]
        text = reasons[0].value if reasons and isinstance(reasons[0], ast.Constant) else ""
        if not (text.startswith("real torch 2.13 (the oracle) is not installed: ")
                and text.endswith(" skipped") and len(text) > 60):
            vague.append(f"{path.relative_to(TESTS)}:{call.lineno}: reason {text!r}")
    assert vague == []
