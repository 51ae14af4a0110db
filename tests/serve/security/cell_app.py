"""The lab's app in the attack tests: it runs whole cells of Python, as a learner's kernel would.

Each input line is one cell, base64-encoded (so a cell may hold newlines and quotes). The cell runs
with ``exec`` in one namespace kept between cells, its stdout captured; the app then prints one
framed line ``@@CELL <base64 of JSON {"ok", "out", "error"}>@@`` that ``SecuritySession.run``
parses. It prints ``@@READY@@`` once, then waits for cells; end of input ends it.

It is deliberately not gradtui: the attacks test what the *lab* confines (the sandbox, the
session's limits, the cleanup), which holds for whatever program a session runs.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import sys
import traceback
import tty


def run_cell(source: str, namespace: dict[str, object]) -> dict[str, object]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<cell>", "exec"), namespace)
    except BaseException as error:  # a cell's every failure is its result, like a REPL's
        last = traceback.format_exception_only(type(error), error)[-1].strip()
        return {"ok": False, "out": out.getvalue(), "error": last}
    return {"ok": True, "out": out.getvalue(), "error": None}


def main() -> int:
    namespace: dict[str, object] = {"__name__": "__cell__"}
    if sys.stdin.isatty():
        # Raw: a canonical-mode tty cuts input lines at 4 KiB, and its echo would only be noise.
        tty.setraw(sys.stdin.fileno())
    print("@@READY@@", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        result = run_cell(base64.b64decode(line).decode("utf-8"), namespace)
        framed = base64.b64encode(json.dumps(result).encode()).decode()
        print(f"@@CELL {framed}@@", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
