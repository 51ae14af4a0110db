"""The seed notebook, run as a script and cell by cell, with the outputs the notebook shows.

``seed_notebook.py`` holds the notebook's cells, separated by ``# In[N]:`` markers. Two ways a
learner meets them, both checked:

* as a script (``python seed_notebook.py`` vs ``gradtui run seed_notebook.py``): same stdout,
  stderr before the traceback (warnings), script frames of the traceback, last stderr line and
  exit status. ``SCRIPTS`` also holds ``learner_mistakes.py`` (the warnings and errors beginners
  meet), ``script_features.py`` (__name__, __file__, argv, sys.path, stderr, exit status) and
  ``seeded_tutorial.py`` (a seeded training script: torch's random numbers all the way);
* cell by cell in one namespace, echoing each cell's trailing expression as Jupyter does, compared
  with the notebook's printed outputs (``NOTEBOOK_OUTPUTS``), except the last cell: the notebook
  was made with an older torch, and torch 2.13 checks the gradient's shape first.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED_SCRIPT = HERE / "seed_notebook.py"
SEED_FIXTURE_PATH = HERE / "seed_notebook.json"

_CELL_MARKER = re.compile(r"^# In\[(\d+)\]:\s*$", re.MULTILINE)

_ONES_3x2 = "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]]"
# The outputs printed in the notebook, per cell number (what its reader sees).
NOTEBOOK_OUTPUTS: dict[int, str] = {
    1: "",
    2: _ONES_3x2 + ", requires_grad=True)\n",
    3: "torch.Tensor\n",
    4: _ONES_3x2 + ", requires_grad=True)\n",
    6: (
        "tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]], grad_fn=<AddBackward0>)\n" * 2
    ),
    7: _ONES_3x2 + ", grad_fn=<MulBackward0>)\n" + _ONES_3x2 + ", grad_fn=<MulBackward0>)\n",
    34: "tensor([1., 1.], requires_grad=True)\n",
    35: "tensor([20., 20.], grad_fn=<MulBackward0>)\n",
    36: "tensor(20., grad_fn=<MulBackward0>)\n",
    37: "tensor([10., 10.])\n",
    38: "",
}
# torch 2.13's answer to the last cell (the notebook shows an older torch's message).
LAST_CELL_ERROR = (
    "RuntimeError: Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and "
    "output[0] has a shape of torch.Size([])."
)


def cells() -> list[tuple[int, str]]:
    """``(cell number, source)`` for every cell of the seed script, in order."""
    text = SEED_SCRIPT.read_text(encoding="utf-8")
    parts = _CELL_MARKER.split(text)
    # parts = [header, n1, src1, n2, src2, ...]
    return [(int(parts[i]), parts[i + 1].strip() + "\n") for i in range(1, len(parts), 2)]


def display_text(value: Any) -> str:
    """What Jupyter shows for a cell's value: IPython prints classes as ``module.Name``."""
    if isinstance(value, type):
        if value.__module__ == "builtins":
            return value.__qualname__
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def run_cells() -> list[dict[str, Any]]:
    """Run every cell in one namespace with whatever ``torch`` imports now; one record per cell.

    A record is ``{"cell": n, "output": stdout + echoed value, "error": "Type: message" | None}``.
    """
    namespace: dict[str, Any] = {"__name__": "__main__"}
    records = []
    for number, source in cells():
        out = io.StringIO()
        error = None
        try:
            with contextlib.redirect_stdout(out):
                value = _run_cell(source, namespace)
                if value is not None:
                    print(display_text(value))
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            error = f"{type(exc).__name__}: {exc}"
        records.append({"cell": number, "output": out.getvalue(), "error": error})
    return records


def _run_cell(source: str, namespace: dict[str, Any]) -> Any:
    """Execute a cell; return the value of its trailing expression (None if it has none)."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        body = ast.Module(body=tree.body[:-1], type_ignores=[])
        exec(compile(body, "<cell>", "exec"), namespace)
        return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    exec(compile(tree, "<cell>", "exec"), namespace)
    return None


# Scripts run both ways; the seed notebook first. Each is run by its bare name from its own
# folder, as a learner types `python NAME` / `gradtui run NAME`.
SCRIPTS = ("seed_notebook.py", "learner_mistakes.py", "script_features.py", "seeded_tutorial.py")
SCRIPT_ARGS = {"script_features.py": ["--epochs", "3", "a b"]}
_TRACEBACK = "Traceback (most recent call last):"


def script_record(argv: list[str], name: str = "seed_notebook.py") -> dict[str, Any]:
    """Run ``argv + [name, *args]`` in this folder; keep what a learner sees.

    stdout; the stderr lines printed before any traceback (warnings, prints); the traceback's
    frames that are in the script itself (its "File" line and source line: torch's own frames
    differ by design); the last stderr line; the exit status. This folder's path is replaced by
    ``<dir>`` so the record does not depend on where the repository is checked out.
    """
    proc = subprocess.run(
        [*argv, name, *SCRIPT_ARGS.get(name, [])], capture_output=True, text=True, timeout=300,
        cwd=HERE,
    )
    lines = proc.stderr.replace(str(HERE), "<dir>").splitlines()
    start = lines.index(_TRACEBACK) if _TRACEBACK in lines else len(lines)
    frames = []
    for i in range(start, len(lines)):
        if lines[i].startswith('  File "') and f'{name}", line' in lines[i]:
            frames.append(lines[i])
            if i + 1 < len(lines) and lines[i + 1].startswith("    "):
                frames.append(lines[i + 1])
    return {
        "stdout": proc.stdout,
        "stderr_lines": lines[:start],
        "script_frames": frames,
        "last_stderr_line": lines[-1] if lines else "",
        "returncode": proc.returncode,
    }


def record_with_real_python() -> dict[str, Any]:
    """The oracle's record (run by ``generate.py`` with real torch importable)."""
    return {
        "scripts": {name: script_record([sys.executable], name) for name in SCRIPTS},
        "cells": run_cells(),
    }


if __name__ == "__main__":
    print(json.dumps(record_with_real_python(), indent=1))
