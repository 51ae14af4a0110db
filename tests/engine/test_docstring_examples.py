"""torch 2.13's own docstring examples, run under gradtui, against what real torch printed.

``golden/docstring_fixtures.json`` holds every comparable example of torch's docstrings (for the
parts of torch gradtui covers) with torch's record (``generate_docstrings.py``);
``golden/docstring_identical.txt`` lists those gradtui ran identically when it was last
written (``docstring_compare.py --write``). Every listed example must still run identically: the
count never falls, and a regression names the example. ``docstring_compare.py`` prints today's
count and what the others stop on, by cause.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"


def _load(name: str):
    path = GOLDEN_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_gradtui_golden_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


docstring_compare = _load("docstring_compare")
python_reprs = _load("python_reprs")
FIXTURES = json.loads(docstring_compare.FIXTURE_PATH.read_text(encoding="utf-8"))
CASES = {case["id"]: case for case in FIXTURES["cases"]}
IDENTICAL = docstring_compare.IDENTICAL_PATH.read_text(encoding="utf-8").split()
CHUNKS = 8  # the identical examples run in this many tests, so xdist can share them out


def _as_this_python(case: dict) -> dict:
    """torch's record with Python's own reprs (an OrderedDict's) as this Python prints them."""
    case = dict(case)
    case["outputs"] = [python_reprs.as_this_python_prints(text) for text in case["outputs"]]
    return case


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_examples_that_ran_identically_still_do(chunk: int) -> None:
    regressions = {}
    for example_id in IDENTICAL[chunk::CHUNKS]:
        case = _as_this_python(CASES[example_id])
        verdict = docstring_compare.verdict(case, docstring_compare.run_with_gradtui(case))
        if verdict != "identical":
            regressions[example_id] = verdict
    assert regressions == {}


def test_the_identical_list_names_examples_of_the_corpus_once() -> None:
    assert len(set(IDENTICAL)) == len(IDENTICAL)
    assert set(IDENTICAL) <= set(CASES)
    assert IDENTICAL == sorted(IDENTICAL)


def test_the_corpus_is_torchs_docstrings_with_reasons_for_every_exclusion() -> None:
    assert FIXTURES["torch_version"].split("+")[0] == "2.13.0"
    assert len(CASES) >= 500
    prefixes = {example_id.split(".")[0] for example_id in CASES}
    assert {"torch", "Tensor", "nn", "optim", "autograd", "utils"} <= prefixes
    assert all(reason.strip() for reason in FIXTURES["excluded"].values())
    assert not set(FIXTURES["excluded"]) & set(CASES)


def test_a_difference_is_named_by_its_first_cause() -> None:
    case = {"statements": ["x = torch.ones(2)\n", "x.frobnicate()\n"],
            "outputs": ["", "tensor([1., 1.])\n"], "error": None, "warnings": []}
    got = {"outputs": ["", ""], "error": {
        "type": "AttributeError", "message": "'Tensor' object has no attribute 'frobnicate'"},
        "warnings": []}
    assert docstring_compare.verdict(case, got) == "missing name: Tensor.frobnicate"
    got = {"outputs": ["", "tensor([1., 2.])\n"], "error": None, "warnings": []}
    assert docstring_compare.verdict(case, got) == "prints differently: x.frobnicate()"
    same = {key: case[key] for key in ("outputs", "error", "warnings")}
    assert docstring_compare.verdict(case, same) == "identical"


@pytest.mark.torch
def test_the_records_are_what_real_torch_prints_now() -> None:
    """A sample of the examples, run under the installed torch again, gives the fixtures'
    records (all of them: ``generate_docstrings.py --check``, a few minutes)."""
    pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                        "re-running the docstring examples skipped")
    import subprocess

    sample = sorted(CASES)[::40]
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(GOLDEN_DIR)!r})\n"
        "import torch, docstring_runner\n"
        "torch.set_num_threads(1)\n"
        "cases = json.load(sys.stdin)\n"
        "print(json.dumps([docstring_runner.run_example(c['statements']) for c in cases]))\n"
    )
    cases = [CASES[i] for i in sample]
    proc = subprocess.run([sys.executable, "-c", code], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout.splitlines()[-1])
    keys = ("outputs", "error", "warnings")
    assert [{k: r[k] for k in keys} for r in records] == [
        {k: c[k] for k in keys} for c in cases]
