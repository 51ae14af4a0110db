"""torch 2.13's docstring examples under gradtui, against what real torch did with them.

    .venv/bin/python tests/engine/golden/docstring_compare.py            # summary by cause
    .venv/bin/python tests/engine/golden/docstring_compare.py --list     # every example's verdict
    .venv/bin/python tests/engine/golden/docstring_compare.py --show ID  # one example, both sides

Each example of ``docstring_fixtures.json`` runs under gradtui's engine in a fresh forked
process (``docstring_runner``) and its record is compared with torch's. A verdict is
``identical`` or the first cause of a difference: a name gradtui lacks, an exception torch does
not raise (or a different one), or a statement that printed something else.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import docstring_runner  # noqa: E402  (loaded beside this script on purpose)

FIXTURE_PATH = HERE / "docstring_fixtures.json"
IDENTICAL_PATH = HERE / "docstring_identical.txt"
_MISSING = re.compile(r"(?:module '([\w.]+)'|type object '(\w+)'|'(\w+)' object) has no "
                      r"attribute '(\w+)'")


def load_cases() -> list[dict[str, Any]]:
    return json.loads(FIXTURE_PATH.read_text(encoding="utf-8"))["cases"]


def run_with_gradtui(case: dict[str, Any]) -> dict[str, Any]:
    return docstring_runner.run_example(case["statements"], install_shim=True)


def verdict(case: dict[str, Any], got: dict[str, Any]) -> str:
    """``identical``, or the first difference as ``cause: detail``."""
    expected = {key: case[key] for key in ("outputs", "error", "warnings")}
    if got == expected:
        return "identical"
    if "crash" in got:
        return f"crash: {got['crash']}"
    outputs, want = got["outputs"], expected["outputs"]
    for i, (mine, theirs) in enumerate(zip(outputs, want, strict=False)):
        last = i == len(outputs) - 1
        if last and got["error"] is not None and (
                len(want) != len(outputs) or expected["error"] != got["error"]):
            return _error_verdict(got["error"], expected["error"] if len(want) == len(outputs)
                                  else None, case["statements"][i])
        if mine != theirs:
            return f"prints differently: {case['statements'][i].strip()[:70]}"
    if len(outputs) < len(want):
        return "stops early"
    if expected["error"] != got["error"]:
        return _error_verdict(got["error"], expected["error"], case["statements"][-1])
    return "warns differently"


def _error_verdict(mine: dict | None, theirs: dict | None, statement: str) -> str:
    if mine is None:
        return f"does not raise torch's {theirs['type'] if theirs else 'error'}"
    match = _MISSING.search(mine["message"]) if mine["type"] == "AttributeError" else None
    if match and (theirs is None or theirs["message"] != mine["message"]):
        owner = match.group(1) or match.group(2) or match.group(3)
        return f"missing name: {owner}.{match.group(4)}"
    if theirs is None:
        return f"raises where torch does not: {mine['type']}: {mine['message'][:80]}"
    return (f"raises differently: {mine['type']}: {mine['message'][:60]} "
            f"(torch: {theirs['type']}: {theirs['message'][:60]})")


def compare_all(cases: list[dict[str, Any]]) -> dict[str, str]:
    return {case["id"]: verdict(case, run_with_gradtui(case)) for case in cases}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="every example's verdict")
    parser.add_argument("--show", metavar="ID", help="one example under torch and gradtui")
    parser.add_argument("--write", action="store_true",
                        help=f"rewrite {IDENTICAL_PATH.name} with today's identical examples")
    args = parser.parse_args(argv)
    cases = load_cases()
    if args.show:
        case = next(c for c in cases if c["id"] == args.show)
        got = run_with_gradtui(case)
        for i, statement in enumerate(case["statements"]):
            print(">>> " + statement.rstrip().replace("\n", "\n... "))
            print("torch:   " + repr(case["outputs"][i]) if i < len(case["outputs"]) else "")
            print("gradtui: " + repr(got.get("outputs", [])[i])
                  if i < len(got.get("outputs", [])) else "")
        print("torch error:  ", case["error"], "\ngradtui error:", got.get("error", got))
        print("verdict:", verdict(case, got))
        return 0
    verdicts = compare_all(cases)
    identical = sorted(k for k, v in verdicts.items() if v == "identical")
    if args.list:
        for key, value in verdicts.items():
            print(f"{key}: {value}")
    causes = collections.Counter(v.split(":")[0] for v in verdicts.values())
    missing = collections.Counter(v.split(": ", 1)[1] for v in verdicts.values()
                                  if v.startswith("missing name"))
    print(f"{len(identical)} of {len(cases)} examples run identically")
    for cause, n in causes.most_common():
        print(f"  {n:4d}  {cause}")
    print("most wanted missing names:", ", ".join(f"{k} ({n})" for k, n in
                                                   missing.most_common(40)))
    if args.write:
        IDENTICAL_PATH.write_text("".join(k + "\n" for k in identical), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
