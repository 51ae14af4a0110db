"""Record torch 2.13's docstring examples under REAL torch (the oracle).

    .venv/bin/python tests/engine/golden/generate_docstrings.py          # write the fixture
    .venv/bin/python tests/engine/golden/generate_docstrings.py --check  # report drift only

Extracts every example (``docstring_examples.extract``), runs each twice under real torch, each
run in a fresh forked process (``docstring_runner``), and writes ``docstring_fixtures.json``:
the record of every comparable example, and the excluded ones with the reason. An example is
excluded when its two runs differ (timings, uninitialised memory), when it stops on a name it
never defines (pseudo-code such as ``model(input)``) or on invalid Python (whose message
changes with the Python version), or when it is in
``docstring_examples.EXCLUDED``. ``test_docstring_examples.py`` runs the rest under gradtui.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import docstring_examples  # noqa: E402  (loaded beside this script on purpose)
import docstring_runner  # noqa: E402

FIXTURE_PATH = HERE / "docstring_fixtures.json"
EXPECTED_TORCH = "2.13.0"


def exclusion(record: dict, again: dict) -> str | None:
    """Why an example cannot be compared (None: it can)."""
    if "crash" in record:
        return f"does not finish under torch ({record['crash']})"
    if record != again:
        return "its output varies between two torch runs"
    error = record["error"]
    if error and error["type"] == "NameError":
        return f"pseudo-code: {error['message']}"
    if error and error["type"] in ("SyntaxError", "IndentationError"):
        return f"not valid Python: {error['type']}: {error['message']}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)

    import torch

    if torch.__version__.split("+")[0] != EXPECTED_TORCH:
        print(f"refusing: torch {torch.__version__} is not the oracle {EXPECTED_TORCH}")
        return 2
    torch.set_num_threads(1)
    cases, excluded = [], {}
    for example_id, statements in docstring_examples.extract(torch):
        reason = docstring_examples.EXCLUDED.get(example_id)
        if reason is None:
            record = docstring_runner.run_example(statements)
            reason = exclusion(record, docstring_runner.run_example(statements))
        if reason is not None:
            excluded[example_id] = reason
            continue
        cases.append({"id": example_id, "statements": statements, **record})
    data = {"torch_version": torch.__version__, "cases": cases, "excluded": excluded}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    old = FIXTURE_PATH.read_text(encoding="utf-8") if FIXTURE_PATH.exists() else ""
    changed = old != text
    if changed and not args.check:
        FIXTURE_PATH.write_text(text, encoding="utf-8")
    print(f"{len(cases)} examples recorded, {len(excluded)} excluded; "
          f"{FIXTURE_PATH.name} {'differs' if changed else 'unchanged'}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
