"""The engine is meant to be read (the README invites learners in): no file over 800 lines, no
function over 80. Long functions split where a part has a name of its own; the allowlist below
names the ones still waiting, and why."""

from __future__ import annotations

import ast
from pathlib import Path

import gradtui.engine

ENGINE = Path(gradtui.engine.__file__).parent
MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 80

# (path under gradtui/engine, function) -> why it may be longer for now
LONG_FUNCTIONS_ALLOWED = {
    # the two backward walks are being merged into one generator (issue 14 item 2): splitting
    # them first would only be undone; the numpy walk also stays flat on purpose (no helper
    # call per edge: it is the engine's hottest loop)
    ("autograd.py", "_execute"): "one backward walk (issue 14 item 2)",
    ("higher_order.py", "_execute"): "one backward walk (issue 14 item 2)",
}


def _engine_files() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def test_no_engine_file_is_over_800_lines() -> None:
    long = {str(p.relative_to(ENGINE)): n for p in _engine_files()
            if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES}
    assert long == {}


def _long_functions() -> dict[tuple[str, str], int]:
    found = {}
    for path in _engine_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[(str(path.relative_to(ENGINE)), node.name)] = lines
    return found


def test_no_engine_function_is_over_80_lines_but_the_allowed_ones() -> None:
    assert set(_long_functions()) - set(LONG_FUNCTIONS_ALLOWED) == set()


def test_the_allowlist_holds_no_function_that_got_short() -> None:
    # a function split since is taken off the list, so the list stays the truth
    assert set(LONG_FUNCTIONS_ALLOWED) <= set(_long_functions())
