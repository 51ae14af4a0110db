"""The layers hold: engine <- kernel <- lessons <- plain | tui <- serve <- the CLI.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``); import-linter checks every
import, those inside functions included. A contract that could not fail would prove nothing, so
the second test plants violations in a copy of the package and expects each one to be caught.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")


def _lint(config_dir: Path, package_dir: Path) -> subprocess.CompletedProcess[str]:
    """import-linter with ``config_dir``'s pyproject.toml on the ``gradtui`` in ``package_dir``."""
    return subprocess.run([sys.executable, "-c", LINT], cwd=config_dir, capture_output=True,
                          text=True, timeout=300,
                          env={"PYTHONPATH": str(package_dir), "NO_COLOR": "1"})


def test_the_package_keeps_its_layer_contracts() -> None:
    result = _lint(ROOT, ROOT / "src")  # the checkout's package, whatever is installed
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


# Each plants one import where it must not be; the contract named must then break.
VIOLATIONS = {
    "a lazy upward import (the kernel starting the workspace)": (
        "kernel/evaluator.py",
        "\n\ndef _upward() -> None:\n    from gradtui.tui.app import main  # noqa: F401\n",
        "layers: ",
    ),
    "a lesson command starting a front end": (
        "lessons/commands.py", "\nimport gradtui.plain.repl  # noqa: E402,F401\n", "layers: "),
    "the two front ends importing each other": (
        "plain/commands.py", "\nimport gradtui.tui.commands  # noqa: E402,F401\n", "layers: "),
    "the engine importing a UI library": (
        "engine/printing.py", "\nimport rich  # noqa: E402,F401\n",
        "the engine is numpy and the standard library only"),
    "a shared helper reaching into a layer": (
        "paths.py", "\nimport gradtui.kernel  # noqa: E402,F401\n", "the shared helpers"),
    "the product importing real torch": (
        "kernel/snapshot.py", "\nimport torch  # noqa: E402,F401\n", "never imports real torch"),
}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_a_planted_violation_breaks_its_contract(name: str, tmp_path: Path) -> None:
    module, line, contract = VIOLATIONS[name]
    copy = tmp_path / "gradtui"
    shutil.copytree(ROOT / "src" / "gradtui", copy, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (copy / module).open("a", encoding="utf-8") as source:
        source.write(line)
    result = _lint(tmp_path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout, result.stdout
    summary = " ".join(result.stdout.split("Contracts: ")[0].split())  # rich wraps long names
    verdict = re.search(r"\b(KEPT|BROKEN)\b", summary[summary.index(contract):])
    assert verdict is not None and verdict.group(1) == "BROKEN", result.stdout
