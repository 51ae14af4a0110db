"""Run gradtui's benchmarks: ``python bench/run.py [NAME ...] [-- ARGS...]``.

Runs every ``bench/*_bench.py`` (or only the named ones: ``engine`` means ``engine_bench.py``),
each in its own Python process so that one benchmark's imports, threads and environment cannot
change another's figures. Each module's ``main(argv)`` prints its Markdown table; ARGS after
``--`` are passed to every one (e.g. ``-- --quick``). The exit status is the worst of theirs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    """Benchmark name -> file, for every ``*_bench.py`` beside this script."""
    return {p.name.removesuffix("_bench.py"): p for p in sorted(BENCH_DIR.glob("*_bench.py"))}


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        print(f"\navailable: {', '.join(available())}")
        return 0
    names, passed = argv, []
    if "--" in argv:
        split = argv.index("--")
        names, passed = argv[:split], argv[split + 1 :]
    benches = available()
    unknown = [n for n in names if n not in benches]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(benches)}",
              file=sys.stderr)
        return 2
    status = 0
    for name in names or list(benches):
        print(f"## {name}\n", flush=True)
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); import importlib; "
            "sys.exit(importlib.import_module(sys.argv[2]).main(sys.argv[3:]))"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, str(BENCH_DIR), f"{name}_bench", *passed]
        )
        status = max(status, proc.returncode)
        print(flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
