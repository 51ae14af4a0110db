"""Engine benchmark: gradtui's engine vs raw numpy with hand-written gradients vs real torch.

    .venv/bin/python bench/run.py engine            # or: python bench/engine_bench.py [--quick]

Everything runs in one process with one BLAS thread, and the figures that matter are same-run
ratios (the machines are shared): ``ours/floor`` (the floor is the same math written by hand in
numpy, the best a numpy engine could do) and ``ours/torch`` (real torch, when importable). Each
workload is written once against the torch API and run with both ``torch`` modules; the floor is
its hand-derived numpy twin. Every figure is the median of several repeats.
"""

from __future__ import annotations

import os

# One BLAS thread for every library, set before numpy (or torch) is first imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Workloads written against the torch API (`T` is real torch or gradtui's torchapi).


class _Discard:
    """A stdout that keeps nothing: the printing is timed, not the terminal."""

    def write(self, text: str) -> int:
        return len(text)


_DISCARD = _Discard()


def seed_notebook_torch(T: ModuleType, repeats: int = 1000) -> None:
    """The seed notebook's cells as a learner runs them, `repeats` times: every cell's output
    included (the echo of a cell's last expression is its repr, as in Jupyter; print() its str)
    and the last cell's two errors (torch 2.13's shape mismatch, then backward twice)."""
    Variable = T.autograd.Variable
    out = _DISCARD
    for _ in range(repeats):
        a = Variable(T.ones((3, 2)), requires_grad=True)
        out.write(repr(a))
        out.write(repr(type(a)))
        b = Variable(T.ones((3, 2)), requires_grad=True)
        out.write(repr(b))
        print(a + b, file=out)
        print(T.add(a, b), file=out)
        print(a * b, file=out)
        print(T.mul(a, b), file=out)
        x = Variable(T.ones(2), requires_grad=True)
        out.write(repr(x))
        y = 5 * (x + 1) ** 2
        out.write(repr(y))
        o = (1 / 2) * T.sum(y)
        out.write(repr(o))
        o.backward()
        out.write(repr(x.grad))
        for gradient in ([T.FloatTensor([1.0, 1.0])], []):
            try:
                o.backward(*gradient)
            except RuntimeError as exc:
                out.write(str(exc))


def seed_steps_torch(T: ModuleType, repeats: int = 1000) -> None:
    """The seed notebook's computing steps alone, `repeats` times (no printing, no errors)."""
    Variable = T.autograd.Variable
    for _ in range(repeats):
        a = Variable(T.ones((3, 2)), requires_grad=True)
        b = Variable(T.ones((3, 2)), requires_grad=True)
        a + b
        T.add(a, b)
        a * b
        T.mul(a, b)
        x = Variable(T.ones(2), requires_grad=True)
        y = 5 * (x + 1) ** 2
        o = (1 / 2) * T.sum(y)
        o.backward()
        _ = x.grad  # the notebook reads it


def tiny_adds_torch(T: ModuleType, count: int = 10_000) -> None:
    a = T.ones(3)
    b = T.ones(3)
    for _ in range(count):
        a + b


def add_chain_torch(T: ModuleType, length: int = 1_000) -> None:
    x = T.ones(3, requires_grad=True)
    y = x
    for _ in range(length):
        y = y + x
    y.sum().backward()


def mlp_torch(T: ModuleType, data: MlpData) -> None:
    """784-128-10 relu MLP, batch 64, cross-entropy, plain SGD for `data.steps` steps."""
    F = T.nn.functional
    X, labels = T.from_numpy(data.X), T.from_numpy(data.labels)
    W1 = T.from_numpy(data.W1.copy()).requires_grad_()
    b1 = T.zeros(128, requires_grad=True)
    W2 = T.from_numpy(data.W2.copy()).requires_grad_()
    b2 = T.zeros(10, requires_grad=True)
    for _ in range(data.steps):
        loss = F.cross_entropy(F.relu(X @ W1 + b1) @ W2 + b2, labels)
        loss.backward()
        with T.no_grad():
            for p in (W1, b1, W2, b2):
                p -= 0.1 * p.grad
                p.grad = None


def deep_chain_build_torch(T: ModuleType, length: int):
    """A chain of `length` ops (mul, add alternately) on a 1-element tensor; returns the output."""
    x = T.ones(1, requires_grad=True)
    y = x
    for _ in range(length // 2):
        y = y * 0.999
        y = y + 0.001
    return y.sum()


def big_elementwise_torch(T: ModuleType, x_np: np.ndarray) -> None:
    x = T.from_numpy(x_np).requires_grad_()
    (x * x + x).sum().backward()


# ---------------------------------------------------------------------------------------------
# The floor: the same math in numpy, gradients derived by hand.


def seed_notebook_floor(repeats: int = 1000) -> None:
    """The floor of the notebook as run: its math by hand, and numpy printing the same arrays
    (numpy cannot raise the last cell's autograd errors, so the floor has none)."""
    out = _DISCARD
    for _ in range(repeats):
        a = np.ones((3, 2), dtype=np.float32)
        out.write(repr(a))
        out.write(repr(type(a)))
        b = np.ones((3, 2), dtype=np.float32)
        out.write(repr(b))
        print(a + b, file=out)
        print(np.add(a, b), file=out)
        print(a * b, file=out)
        print(np.multiply(a, b), file=out)
        x = np.ones(2, dtype=np.float32)
        out.write(repr(x))
        h = x + 1
        p = h**2
        y = 5 * p
        out.write(repr(y))
        o = np.float32(0.5) * y.sum()
        out.write(repr(o))
        g_y = np.full_like(y, 0.5)
        g_p = g_y * 5
        g_h = g_p * 2 * h
        out.write(repr(g_h.copy()))


def seed_steps_floor(repeats: int = 1000) -> None:
    for _ in range(repeats):
        a = np.ones((3, 2), dtype=np.float32)
        b = np.ones((3, 2), dtype=np.float32)
        a + b
        np.add(a, b)
        a * b
        np.multiply(a, b)
        x = np.ones(2, dtype=np.float32)
        h = x + 1
        p = h**2
        y = 5 * p
        o = np.float32(0.5) * y.sum()  # noqa: F841 - the forward value, as the notebook makes it
        # d o / d x = 0.5 * 5 * 2 * (x + 1), through the same nodes in reverse.
        g_y = np.full_like(y, 0.5)
        g_p = g_y * 5
        g_h = g_p * 2 * h
        grad_x = g_h.copy()  # noqa: F841


def tiny_adds_floor(count: int = 10_000) -> None:
    a = np.ones(3, dtype=np.float32)
    b = np.ones(3, dtype=np.float32)
    for _ in range(count):
        a + b


def add_chain_floor(length: int = 1_000) -> None:
    x = np.ones(3, dtype=np.float32)
    y = x
    for _ in range(length):
        y = y + x
    y.sum()
    g = np.ones_like(y)
    grad_x = np.zeros_like(x)
    for _ in range(length):  # each add passes g to y and to x
        grad_x += g
    grad_x += g


def mlp_floor(data: MlpData) -> None:
    X, labels = data.X, data.labels
    W1, b1 = data.W1.copy(), np.zeros(128, dtype=np.float32)
    W2, b2 = data.W2.copy(), np.zeros(10, dtype=np.float32)
    n = X.shape[0]
    rows = np.arange(n)
    for _ in range(data.steps):
        pre = X @ W1 + b1
        h = np.maximum(pre, 0)
        logits = h @ W2 + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        loss = (np.log(sums[:, 0]) - shifted[rows, labels]).mean()  # noqa: F841
        g_logits = exp / sums
        g_logits[rows, labels] -= 1
        g_logits /= n
        g_W2 = h.T @ g_logits
        g_b2 = g_logits.sum(axis=0)
        g_h = g_logits @ W2.T
        g_pre = g_h * (pre > 0)
        g_W1 = X.T @ g_pre
        g_b1 = g_pre.sum(axis=0)
        W1 -= 0.1 * g_W1
        b1 -= 0.1 * g_b1
        W2 -= 0.1 * g_W2
        b2 -= 0.1 * g_b2


def deep_chain_backward_floor(length: int) -> None:
    g = np.ones(1, dtype=np.float32)
    scale = np.float32(0.999)
    for _ in range(length // 2):  # reverse order: add passes g through, mul scales it
        g = g * scale
    g.copy()


def randn_torch(T: ModuleType, n: int = 4_000_000) -> None:
    """``torch.randn(n)`` after seeding: torch's own stream (MT19937 words, its Box-Muller in
    blocks of 16); in the floor, numpy's fastest normals for the same draw."""
    T.manual_seed(0)
    T.randn(n)


def randn_floor(n: int = 4_000_000) -> None:
    np.random.default_rng(0).standard_normal(n, dtype=np.float32)


def randperm_torch(T: ModuleType, n: int = 1_000_000) -> None:
    """``torch.randperm(n)`` after seeding: torch's own permutation (its Fisher-Yates swaps from
    the front); in the floor, numpy's fastest shuffle of the same size."""
    T.manual_seed(0)
    T.randperm(n)


def randperm_floor(n: int = 1_000_000) -> None:
    np.random.default_rng(0).permutation(n)


def big_elementwise_floor(x: np.ndarray) -> None:
    # The math as a person writes it in numpy: the forward, then the derived gradient
    # d/dx sum(x*x + x) = 2x + 1, in plain expressions (no in-place tricks).
    y = x * x + x
    y.sum()
    grad_x = 2 * x + 1  # noqa: F841


# ---------------------------------------------------------------------------------------------
# Harness.


@dataclass
class MlpData:
    X: np.ndarray
    labels: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    steps: int


@dataclass
class Row:
    workload: str
    ours: float | None
    floor: float
    torch: float | None
    target: str  # e.g. "ours/torch <= 0.5"; "" when the issue sets none


# CPU time of this process, not wall time: every contender is single-threaded here, and on a
# shared machine wall time also counts the moments the scheduler gave the core to someone else.
CLOCK = time.process_time


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """A contender: runs `fn` once and returns its wall time."""

    def run_once() -> float:
        start = CLOCK()
        fn()
        return CLOCK() - start

    return run_once


def timed_after(setup: Callable[[], Any], fn: Callable[[Any], object]) -> Callable[[], float]:
    """A contender whose `setup()` (untimed) builds the input that `fn` is timed on."""

    def run_once() -> float:
        arg = setup()
        start = CLOCK()
        fn(arg)
        return CLOCK() - start

    return run_once


def race(contenders: dict[str, Callable[[], float] | None], repeats: int, failures: list[str],
         label: str) -> dict[str, float | None]:
    """Median time of each contender, run in turns (ours, floor, torch, ours, ...) so that the
    load of a shared machine drifts over all of them alike. A contender that raises (a half-built
    engine) gets None and a line in `failures` instead of stopping the run."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    alive = {name: fn for name, fn in contenders.items() if fn is not None}
    for _ in range(repeats):
        for name, fn in list(alive.items()):
            try:
                times[name].append(fn())
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{label} ({name}): {type(exc).__name__}: {exc}")
                del alive[name]
                times[name] = []
    return {name: statistics.median(t) if t else None for name, t in times.items()}


def load_libraries() -> tuple[ModuleType | None, ModuleType | None, str]:
    """(our engine's torch API, real torch or None, a note on what could not be loaded)."""
    note = []
    try:
        from gradtui.engine import torchapi as ours
    except Exception as exc:  # noqa: BLE001 - the table still shows the floor and torch
        ours = None
        note.append(f"gradtui engine not importable: {exc}")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
        note.append("real torch not importable: its column is empty")
    return ours, torch, "; ".join(note)


def run(quick: bool) -> tuple[list[Row], str]:
    ours, torch, note = load_libraries()
    libs = {"ours": ours, "torch": torch}
    repeats = 3 if quick else 9
    rng = np.random.default_rng(0)
    mlp = MlpData(
        X=rng.standard_normal((64, 784)).astype(np.float32),
        labels=rng.integers(0, 10, 64).astype(np.int64),
        W1=(rng.standard_normal((784, 128)) * 0.05).astype(np.float32),
        W2=(rng.standard_normal((128, 10)) * 0.05).astype(np.float32),
        steps=10 if quick else 50,
    )
    big = rng.standard_normal(4_000_000).astype(np.float32)
    seed_n = 200 if quick else 1000
    chains = (2_000, 10_000) if quick else (20_000, 100_000)
    failures: list[str] = []

    def with_libs(workload: Callable[[ModuleType], object]) -> dict[str, Callable | None]:
        return {name: None if lib is None else timed(lambda lib=lib: workload(lib))
                for name, lib in libs.items()}

    # (row label, floor, torch-API workload or prepared contenders, target, repeats)
    plan: list[tuple[str, Callable[[], float], dict[str, Callable | None], str, int]] = [
        (f"seed notebook cells as run (with their output) x{seed_n}",
         timed(lambda: seed_notebook_floor(seed_n)),
         with_libs(lambda T: seed_notebook_torch(T, seed_n)), "ours/torch <= 0.5", repeats),
        (f"seed notebook math only (no output) x{seed_n}", timed(lambda: seed_steps_floor(seed_n)),
         with_libs(lambda T: seed_steps_torch(T, seed_n)), "", repeats),
        ("10,000 tiny adds", timed(tiny_adds_floor), with_libs(tiny_adds_torch), "", repeats),
        ("1,000-add chain fwd+bwd", timed(add_chain_floor), with_libs(add_chain_torch), "",
         repeats),
        (f"MLP 784-128-10 b64, {mlp.steps} SGD steps", timed(lambda: mlp_floor(mlp)),
         with_libs(lambda T: mlp_torch(T, mlp)), "ours/floor <= 1.8", repeats),
    ]
    for n in chains:
        plan.append((
            f"{n:,}-op deep chain backward",
            timed(lambda n=n: deep_chain_backward_floor(n)),
            {name: None if lib is None else timed_after(
                lambda lib=lib, n=n: deep_chain_build_torch(lib, n), lambda out: out.backward())
             for name, lib in libs.items()},
            "ours/floor <= 8",
            5 if n > 50_000 else repeats,
        ))
    plan.append(("4M-element (x*x + x).sum() fwd+bwd", timed(lambda: big_elementwise_floor(big)),
                 with_libs(lambda T: big_elementwise_torch(T, big)), "ours/floor <= 1.5",
                 repeats))
    plan.append(("randn of 4,000,000 float32 (torch's numbers)", timed(randn_floor),
                 with_libs(randn_torch), "ours/floor <= 2", repeats))
    plan.append(("randperm of 1,000,000 (torch's permutation)", timed(randperm_floor),
                 with_libs(randperm_torch), "", repeats))

    rows = []
    for label, floor, contenders, target, k in plan:
        result = race({"ours": contenders["ours"], "floor": floor,
                       "torch": contenders["torch"]}, k, failures, label)
        rows.append(Row(label, result["ours"], result["floor"] or 0.0, result["torch"], target))
    return rows, "\n".join([note, *failures]).strip()


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| workload | ours | floor | torch | ours/floor | ours/torch | target | met? |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        vs_floor = row.ours / row.floor if row.ours is not None else None
        vs_torch = row.ours / row.torch if row.ours is not None and row.torch else None
        lines.append(
            f"| {row.workload} | {_ms(row.ours)} | {_ms(row.floor)} | {_ms(row.torch)} | "
            f"{_ratio(vs_floor)} | {_ratio(vs_torch)} | {row.target or '—'} | "
            f"{_met(row.target, vs_floor, vs_torch)} |"
        )
    return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def _met(target: str, vs_floor: float | None, vs_torch: float | None) -> str:
    if not target:
        return "—"
    against, limit = target.split(" <= ")
    value = vs_torch if against == "ours/torch" else vs_floor
    if value is None:
        return "n/a"
    return "yes" if value <= float(limit) else "**no**"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="engine_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workloads, fewer repeats")
    parser.add_argument("--markdown-out", metavar="FILE", help="also write the table to FILE")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows, note = run(args.quick)
    import numpy

    header = (
        f"Engine benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"median process CPU time of repeats, 1 BLAS thread, numpy {numpy.__version__}, Python "
        f"{sys.version.split()[0]}{', quick sizes' if args.quick else ''} "
        f"({time.perf_counter() - started:.0f} s)."
    )
    text = header + ("\n" + note if note else "") + "\n\n" + markdown_table(rows)
    print(text)
    if args.markdown_out:
        Path(args.markdown_out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
