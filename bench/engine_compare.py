"""Is the engine slower than it was? ``python bench/engine_compare.py REV [--rounds N] [--quick]``

Times the engine benchmark's torch-API workloads (``engine_bench.py``) on this checkout's
engine and on the engine of git revision ``REV`` (its ``src/``, exported with ``git archive``),
in the same run: each round runs one process per engine, alternating, and the table gives the
median over the rounds of each process's best time. So the machine's load moves both sides
alike; a row's ratio is ``now / REV``.

A refactoring must not make a row slower by more than 5% (issue 14): rows over 1.05 are marked
and make the exit status 1. A workload the older engine cannot run shows as ``n/a``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BUDGET = 1.05

# One process per engine and round: imports the engine from PYTHONPATH, times each workload
# (best of `repeats` process-CPU times) and prints {row: seconds or null} as JSON.
_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import engine_bench as eb
from gradtui.engine import torchapi as T

quick, repeats = sys.argv[2] == "quick", int(sys.argv[3])
rng = np.random.default_rng(0)
mlp = eb.MlpData(
    X=rng.standard_normal((64, 784)).astype(np.float32),
    labels=rng.integers(0, 10, 64).astype(np.int64),
    W1=(rng.standard_normal((784, 128)) * 0.05).astype(np.float32),
    W2=(rng.standard_normal((128, 10)) * 0.05).astype(np.float32),
    steps=10 if quick else 50)
big = rng.standard_normal(4_000_000).astype(np.float32)
seed_n = 200 if quick else 1000
chain = 2_000 if quick else 20_000


def best(fn, setup=None):
    times = []
    for _ in range(repeats):
        arg = setup() if setup else None
        start = time.process_time()
        if setup:
            fn(arg)
        else:
            fn()
        times.append(time.process_time() - start)
    return min(times)


rows = {
    f"seed notebook cells as run x{seed_n}": lambda: best(
        lambda: eb.seed_notebook_torch(T, seed_n)),
    f"seed notebook math only x{seed_n}": lambda: best(lambda: eb.seed_steps_torch(T, seed_n)),
    "10,000 tiny adds": lambda: best(lambda: eb.tiny_adds_torch(T)),
    "1,000-add chain fwd+bwd": lambda: best(lambda: eb.add_chain_torch(T)),
    f"MLP, {mlp.steps} SGD steps": lambda: best(lambda: eb.mlp_torch(T, mlp)),
    f"{chain:,}-op deep chain build": lambda: best(lambda: eb.deep_chain_build_torch(T, chain)),
    f"{chain:,}-op deep chain backward": lambda: best(
        lambda out: out.backward(), lambda: eb.deep_chain_build_torch(T, chain)),
    "4M-element (x*x + x).sum() fwd+bwd": lambda: best(lambda: eb.big_elementwise_torch(T, big)),
    "randn of 4,000,000 float32": lambda: best(lambda: eb.randn_torch(T)),
}
out = {}
for name, run in rows.items():
    try:
        out[name] = run()
    except Exception:  # an older engine without the API the workload uses
        out[name] = None
print(json.dumps(out))
"""


def export_src(rev: str, into: Path) -> Path:
    """``REV:src`` written under ``into`` (a plain copy: no worktree, no checkout)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def time_engine(src: Path, quick: bool, repeats: int) -> dict[str, float | None]:
    env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(BENCH_DIR),
                           "quick" if quick else "full", str(repeats)],
                          env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"the engine in {src} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rev: str, before: list[dict], after: list[dict]) -> tuple[str, bool]:
    lines = [f"| workload | {rev} (ms) | now (ms) | now / {rev} |", "|---|---:|---:|---:|"]
    over = False
    for name in after[0]:
        old = [r[name] for r in before if r.get(name) is not None]
        new = [r[name] for r in after if r[name] is not None]
        if not old or not new:
            lines.append(f"| {name} | n/a | n/a | n/a |")
            continue
        a, b = statistics.median(old), statistics.median(new)
        mark = " **over 5%**" if b / a > BUDGET else ""
        over = over or bool(mark)
        lines.append(f"| {name} | {a * 1e3:.2f} | {b * 1e3:.2f} | {b / a:.3f}{mark} |")
    return "\n".join(lines), over


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare with (e.g. a commit or tag)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--quick", action="store_true", help="smaller workloads, 3 repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="gradtui-compare-") as tmp:
        old_src = export_src(args.rev, Path(tmp))
        before, after = [], []
        for _ in range(args.rounds):
            before.append(time_engine(old_src, args.quick, repeats))
            after.append(time_engine(ROOT / "src", args.quick, repeats))
    text, over = table(args.rev, before, after)
    print(text)
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
