"""Trimming tracebacks to the learner's frames."""

from __future__ import annotations

import linecache

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
