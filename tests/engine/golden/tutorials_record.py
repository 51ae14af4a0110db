"""Tutorial-style scripts (``tutorials/*.py``) as golden cases: what ``python SCRIPT`` prints
with real torch 2.13, recorded in ``tutorials.json``, against what ``gradtui run SCRIPT``
prints.

    .venv/bin/python tests/engine/golden/tutorials_record.py          # record (needs torch)
    .venv/bin/python tests/engine/golden/tutorials_record.py --check  # report drift only

A record is the script's stdout and stderr and its exit status; memory addresses
(``object at 0x7f...``) read ``0x...`` and this folder's path ``<dir>``, as they differ from
run to run and checkout to checkout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS_DIR = HERE / "tutorials"
FIXTURE_PATH = HERE / "tutorials.json"
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


def scripts() -> list[str]:
    return sorted(p.name for p in SCRIPTS_DIR.glob("*.py"))


def record(argv: list[str], name: str) -> dict[str, Any]:
    """Run ``argv + [name]`` in the scripts' folder and keep what a learner sees."""
    proc = subprocess.run([*argv, name], capture_output=True, text=True, timeout=300,
                          cwd=SCRIPTS_DIR)

    def clean(text: str) -> str:
        return _ADDRESS.sub("0x...", text.replace(str(SCRIPTS_DIR), "<dir>"))

    return {"stdout": clean(proc.stdout), "stderr": clean(proc.stderr),
            "returncode": proc.returncode}


def main(argv: list[str]) -> int:
    import torch  # noqa: F401  (the oracle must be importable: the record is torch's)

    records = {name: record([sys.executable], name) for name in scripts()}
    text = json.dumps({"torch_version": torch.__version__, "scripts": records}, indent=1,
                      ensure_ascii=False) + "\n"
    old = FIXTURE_PATH.read_text(encoding="utf-8") if FIXTURE_PATH.exists() else ""
    if "--check" in argv:
        print("no drift" if old == text else "the recorded outputs differ from torch's now")
        return 0 if old == text else 1
    FIXTURE_PATH.write_text(text, encoding="utf-8")
    print(f"recorded {len(records)} scripts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
