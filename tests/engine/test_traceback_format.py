"""Exceptions printed as the running interpreter prints them (``engine/traceback_format.py``).

The reference is the interpreter itself, on whatever Python runs the suite: its own printer
(``sys.__excepthook__``, C on 3.11/3.12, the traceback module on 3.13) and ``python FILE``.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from gradtui.engine.script import run_script
from gradtui.engine.traceback_format import format_exception_only

# Syntax errors where Python 3.11/3.12's traceback module and interpreter disagree (a blank caret
# line for an error that ends left of where it starts on a later line; tabs), and ordinary ones.
SYNTAX_ERRORS = [
    "print(1, 2, 3, 4\n 5)\n",
    "x = (\n  1,\n  2\n  3)\n",
    "total = [first_value,\n b] += 1\n",
    "\tx=1\n  y=2\n",
    "if True:\nprint(1)\n",
    "for i in range(3):\n    print(i)\n  print(2)\n",
    "x = 'é' +\n",
    "s = 'ünï' 'x' = 3\n",
    "x = = 1\n",
    "print 'a'\n",
    "f(x for x in y,\n  1)\n",
    "s = '''abc\n",
    "\x0c  x = = 1\n",
    "def f(:\n    pass\n",
]


def _interpreter_prints(exc: SyntaxError) -> str:
    exc.__traceback__ = None  # only the error's own lines
    buffer, saved = io.StringIO(), sys.stderr
    sys.stderr = buffer
    try:
        sys.__excepthook__(type(exc), exc, None)
    finally:
        sys.stderr = saved
    return buffer.getvalue()


def _syntax_error(source: str) -> SyntaxError:
    try:
        compile(source, "/tmp/learner.py", "exec")
    except SyntaxError as exc:
        return exc
    raise AssertionError(f"{source!r} compiled")


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_COLORS", "0")  # 3.13's printer colours when asked to


@pytest.mark.parametrize("source", SYNTAX_ERRORS)
def test_syntax_errors_print_as_the_interpreter_prints_them(source: str) -> None:
    exc = _syntax_error(source)
    assert format_exception_only(exc) == _interpreter_prints(exc)


def test_a_multi_line_syntax_error_keeps_its_caret() -> None:
    """Python 3.11/3.12's traceback module prints spaces where this caret goes."""
    assert format_exception_only(_syntax_error("print(1, 2, 3, 4\n 5)\n")) == (
        '  File "/tmp/learner.py", line 1\n    print(1, 2, 3, 4\n                   ^\n'
        "SyntaxError: invalid syntax. Perhaps you forgot a comma?\n")


def test_mutated_sources_print_as_the_interpreter_prints_them() -> None:
    """A few hundred syntax errors made by breaking real code (seeded, so repeatable)."""
    source = (Path(__file__).parent / "golden" / "cases_nn.py").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    pieces = list("()[]{}:=,.'\"\n\t #+-*/\\é") + ["if ", "def ", "lambda", " = ", "  "]
    rng = random.Random(15)
    checked = 0
    for _ in range(600):
        start = rng.randrange(len(lines))
        text = "".join(lines[start:start + rng.randint(1, 8)])
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:k] + rng.choice(pieces) + text[k:]
            else:
                text = text[:k] + text[k + rng.randint(1, 4):]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes the mutations make
                compile(text, "/tmp/learner.py", "exec")
        except SyntaxError as exc:
            checked += 1
            assert format_exception_only(exc) == _interpreter_prints(exc), repr(text)
        except ValueError:  # a NUL byte
            pass
    assert checked > 200


# Scripts without torch: `gradtui run` must print exactly what `python` prints, frames included.
SCRIPTS = {
    "chained": "def inner():\n    return {}['key']\n\ntry:\n    inner()\n"
               "except KeyError as e:\n    raise ValueError('wrapped') from e\n",
    "context": "try:\n    1 / 0\nexcept ZeroDivisionError:\n    [][1]\n",
    "binary_op": "a = 1\nb = 'x'\nc = [a, a + b]\n",
    "subscript": "data = {'a': [1, 2]}\nprint(data['a'][5])\n",
    "call": "def f(x):\n    return int(x)\n\nf('seven')\n",
    "multi_line_call": "values = dict(\n    a=1,\n    b=int('x'),\n)\n",
    "syntax_multi_line": "print(1, 2, 3, 4\n 5)\n",
    "syntax_tab": "if True:\n\tx = 1\n        y = 2\n",
    "return_outside": "class A:\n    return 1\n",
    "name_suggestion": "value = 3\nprint(valeu)\n",
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_gradtui_run_prints_what_python_prints(name: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "learner.py"
    path.write_text(SCRIPTS[name], encoding="utf-8")
    python = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                            timeout=60, env={"PYTHON_COLORS": "0"})
    status = run_script(str(path), [])
    captured = capsys.readouterr()
    assert (status, captured.out, captured.err) == (python.returncode, python.stdout,
                                                    python.stderr)
