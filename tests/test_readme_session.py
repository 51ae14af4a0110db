"""The README's "What a session looks like" is what ``gradtui repl`` prints, on this Python.

The values are torch's; the traceback is laid out as the running Python lays out its own, so
the README shows 3.11's and 3.12's form and says what 3.13 adds: this test holds it to that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _session() -> list[str]:
    text = README.read_text()
    start = text.index("## What a session looks like")
    block = text[text.index("```\n", start) + 4:]
    return block[:block.index("```\n")].splitlines()


def test_the_readme_session_is_what_gradtui_repl_prints(tmp_path: Path) -> None:
    lines = _session()
    cells = [line.removeprefix(">>> ") for line in lines if line.startswith(">>> ")]
    shown = [line for line in lines if not line.startswith(">>> ")]
    first_error = shown.index("Traceback (most recent call last):")
    values, traceback = shown[:first_error], shown[first_error:]
    assert traceback[-1].startswith("RuntimeError: ") and "y.backward()" in cells
    if sys.version_info >= (3, 13):  # the README says what 3.13 adds, and where
        assert "3.13 adds a `~~~~~~~~~~^^` line under\n`y.backward()`" in README.read_text()
        at = traceback.index("    y.backward()") + 1
        traceback[at:at] = ["    ~~~~~~~~~~^^"]
    env = {**os.environ, "GRADTUI_STATE_DIR": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "gradtui", "repl"], input="\n".join(cells) + "\n",
                          capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert done.stdout.splitlines() == values
    assert done.stderr.splitlines() == traceback
