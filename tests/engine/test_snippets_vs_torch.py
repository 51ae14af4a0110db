"""Learner snippets run under real torch and under gradtui, compared whole: every statement's
echo, the exception that stops a snippet (type and message) and the warnings shown.

``snippets/*.txt`` hold the snippets, separated by ``#---`` lines; each runs like an
interactive session (a trailing expression echoes its repr) in a fresh forked process of its
own (``golden/docstring_runner.py``), so defaults a snippet changes
(``torch.set_default_dtype``) never reach the next. torch's side runs in one child Python that
imports real torch once.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                    "snippet comparisons skipped")

pytestmark = pytest.mark.torch

HERE = Path(__file__).resolve().parent
GOLDEN_DIR = HERE / "golden"
sys.path.insert(0, str(GOLDEN_DIR))

import docstring_runner  # noqa: E402  (the golden corpus's runner, beside the fixtures)

from gradtui.engine import errors  # noqa: E402


def _statements(block: str) -> list[str]:
    lines = block.splitlines(keepends=True)
    return ["".join(lines[node.lineno - 1:node.end_lineno]) for node in ast.parse(block).body]


def _blocks(path: Path) -> list[str]:
    return [b for b in path.read_text(encoding="utf-8").split("#---\n") if b.strip()]


FILES = sorted((HERE / "snippets").glob("*.txt"))
CASES = [(path.stem, i, block) for path in FILES for i, block in enumerate(_blocks(path))]


@pytest.fixture(scope="module")
def torch_records() -> dict[tuple[str, int], dict]:
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(GOLDEN_DIR)!r})\n"
        "import torch, docstring_runner\n"
        "torch.set_num_threads(1)\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([docstring_runner.run_example(c) for c in cases]))\n"
    )
    cases = [_statements(block) for _, _, block in CASES]
    proc = subprocess.run([sys.executable, "-c", code], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout.splitlines()[-1])
    return {(name, i): record for (name, i, _), record in zip(CASES, records, strict=True)}


@pytest.mark.parametrize(("name", "index", "block"), CASES,
                         ids=[f"{name}-{i}" for name, i, _ in CASES])
def test_the_snippet_runs_as_under_torch(torch_records: dict, name: str, index: int,
                                         block: str) -> None:
    # a warning torch gives once per process must show in this snippet's fresh child too
    errors.forget_warnings_once()
    mine = docstring_runner.run_example(_statements(block), install_shim=True)
    assert mine == torch_records[(name, index)]
