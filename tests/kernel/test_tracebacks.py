"""Trimming tracebacks to the learner's frames."""

from __future__ import annotations

import linecache
import subprocess
import sys
from pathlib import Path

import pytest

import gradtui.kernel.snapshot as gradtui_module
from gradtui.kernel.tracebacks import (
    cell_filename,
    format_learner_traceback,
    is_gradtui_frame,
    qualified_type_name,
    register_source,
)


def _raise_from_cell(source: str, number: int = 1) -> BaseException:
    filename = cell_filename(number)
    register_source(filename, source)
    try:
        exec(compile(source, filename, "exec"), {"resolve": gradtui_module.resolve_name})
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError("the cell did not raise")


def test_registered_cell_source_survives_linecache_checks() -> None:
    register_source("<cell 99>", "a = 1\nb = 2")
    linecache.checkcache()
    assert linecache.getline("<cell 99>", 2) == "b = 2\n"


def test_gradtui_frames_are_dropped_but_the_learners_line_stays() -> None:
    exc = _raise_from_cell("ns = {}\nresolve(ns, 'missing')")
    text = format_learner_traceback(exc)
    assert 'File "<cell 1>", line 2, in <module>' in text
    assert "resolve(ns, 'missing')" in text
    assert "snapshot.py" not in text
    assert text.endswith("NameError: name 'missing' is not defined\n")


def test_chained_exceptions_inside_gradtui_are_hidden() -> None:
    # resolve_name raises NameError "from None" after an internal SyntaxError: nothing leaks.
    exc = _raise_from_cell("resolve({}, '1 +')")
    text = format_learner_traceback(exc)
    assert "SyntaxError" not in text and "During handling" not in text


def test_learner_chained_exceptions_are_kept() -> None:
    exc = _raise_from_cell("try:\n    1/0\nexcept ZeroDivisionError:\n    raise ValueError('x')")
    text = format_learner_traceback(exc)
    assert "ZeroDivisionError: division by zero" in text
    assert "During handling of the above exception, another exception occurred:" in text
    assert text.endswith("ValueError: x\n")


def test_frame_classification() -> None:
    assert is_gradtui_frame(gradtui_module.__file__)  # type: ignore[arg-type]
    assert not is_gradtui_frame("<cell 1>")
    assert not is_gradtui_frame(linecache.__file__)


def test_type_names_are_plain_for_builtins_and_qualified_otherwise() -> None:
    import json

    assert qualified_type_name(ValueError()) == "ValueError"
    assert qualified_type_name(json.JSONDecodeError("m", "d", 0)) == "json.decoder.JSONDecodeError"


def test_a_multi_line_syntax_error_shows_its_caret_in_a_cell() -> None:
    """Python 3.11/3.12's traceback module left a blank line here; the interpreter shows `^`."""
    from gradtui.kernel.evaluator import Evaluator

    result = Evaluator(install_torch=False).execute("print(1, 2, 3, 4\n 5)")
    assert result.error is not None
    assert result.error.traceback == (
        '  File "<cell 1>", line 1\n    print(1, 2, 3, 4\n                   ^\n'
        "SyntaxError: invalid syntax. Perhaps you forgot a comma?\n")


def test_errors_found_after_parsing_quote_the_cell_line() -> None:
    """Python reads a script's line from its file for these; a cell's is in linecache."""
    from gradtui.kernel.evaluator import Evaluator

    result = Evaluator(install_torch=False).execute("class A:\n    return 1")
    assert result.error is not None
    assert result.error.traceback == (
        '  File "<cell 1>", line 2\n    return 1\n    ^^^^^^^^\n'
        "SyntaxError: 'return' outside function\n")


# One-cell programs: the kernel's traceback is what `python FILE` prints for the same source,
# on the running Python (3.13 marks calls, 3.11 alone suggests names only in C, ...).
CELLS_AS_SCRIPTS = {
    "chained": "def inner():\n    return {}['key']\n\ntry:\n    inner()\n"
               "except KeyError as e:\n    raise ValueError('wrapped') from e\n",
    "context": "try:\n    1 / 0\nexcept ZeroDivisionError:\n    [][1]\n",
    "binary_op": "a = 1\nb = 'x'\nc = [a, a + b]\n",
    "call": "def f(x):\n    return int(x)\n\nf('seven')\n",
    "multi_line_call": "values = dict(\n    a=1,\n    b=int('x'),\n)\n",
    "name_suggestion": "value = 3\nprint(valeu)\n",
    "attribute_suggestion": "class A:\n    total = 1\n\nA().totl\n",
    "syntax_multi_line": "print(1, 2, 3, 4\n 5)\n",
    "syntax_tab": "if True:\n\tx = 1\n        y = 2\n",
    "indentation": "if True:\nprint(1)\n",
    "exception_group": "raise ExceptionGroup('many', [ValueError('a'), TypeError('b')])\n",
    "note": "e = ValueError('x')\ne.add_note('a note')\nraise e\n",
}


@pytest.mark.parametrize("name", sorted(CELLS_AS_SCRIPTS))
def test_cell_tracebacks_are_what_python_prints_for_the_same_file(name: str,
                                                                  tmp_path: Path) -> None:
    from gradtui.kernel.evaluator import Evaluator

    source = CELLS_AS_SCRIPTS[name]
    path = tmp_path / "learner.py"
    path.write_text(source, encoding="utf-8")
    python = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                            timeout=60, env={"PYTHON_COLORS": "0"})
    result = Evaluator(install_torch=False).execute(source)
    assert result.error is not None
    assert result.error.traceback == python.stderr.replace(str(path), "<cell 1>")
