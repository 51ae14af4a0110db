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

import numpy as np  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Workloads written against the torch API (`T` is real torch or gradtui's torchapi).


def seed_steps_torch(T: ModuleType, repeats: int = 1000) -> None:
    """The seed notebook's steps on its tiny tensors, `repeats` times (no printing)."""
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


def big_elementwise_floor(x: np.ndarray) -> None:
    sq = x * x
    y = sq + x
    y.sum()
    g = np.ones_like(y)  # d sum
    # d(sq + x): g to both; d(x * x): g * x to each operand; all three land in x's gradient.
    g_sq_a = g * x
    g_sq_b = g * x
    grad_x = g_sq_a + g_sq_b
    grad_x += g


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


def median_seconds(fn: Callable[[], object], repeats: int, setup: Callable[[], object] | None
                   = None) -> float:
    """Median wall time of `fn()` over `repeats` runs; `setup()` (untimed) feeds `fn` its input."""
    times = []
    for _ in range(repeats):
        arg = setup() if setup is not None else None
        start = time.perf_counter()
        if setup is None:
            fn()
        else:
            fn(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    r = 2 if quick else 5
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

    failures: list[str] = []

    def guarded(label: str, lib: ModuleType | None, measure: Callable[[], float]
                ) -> float | None:
        # A half-built engine must not stop the run: its cell shows "—" and the error is noted.
        if lib is None:
            return None
        try:
            return measure()
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{label} on {lib.__name__}: {type(exc).__name__}: {exc}")
            return None

    def both(label: str, fn: Callable[[ModuleType], object], repeats: int
             ) -> tuple[float | None, ...]:
        return tuple(
            guarded(label, lib,
                    lambda lib=lib: median_seconds(lambda: fn(lib), repeats))
            for lib in (ours, torch)
        )

    rows = []
    o, t = both("seed", lambda T: seed_steps_torch(T, seed_n), r)
    rows.append(Row(f"seed notebook steps x{seed_n}", o, median_seconds(
        lambda: seed_steps_floor(seed_n), r), t, "ours/torch <= 0.5"))
    o, t = both("tiny adds", tiny_adds_torch, r)
    rows.append(Row("10,000 tiny adds", o, median_seconds(tiny_adds_floor, r), t, ""))
    o, t = both("add chain", add_chain_torch, r)
    rows.append(Row("1,000-add chain fwd+bwd", o, median_seconds(add_chain_floor, r), t, ""))
    o, t = both("mlp", lambda T: mlp_torch(T, mlp), r)
    rows.append(Row(f"MLP 784-128-10 b64, {mlp.steps} SGD steps", o,
                    median_seconds(lambda: mlp_floor(mlp), r), t, "ours/floor <= 1.8"))
    for length in ((2_000, 10_000) if quick else (20_000, 100_000)):
        chain_r = 2 if quick or length > 50_000 else 3

        def chain_backward(lib: ModuleType, n: int = length, k: int = chain_r) -> float:
            # Only the backward is timed; building the graph is the untimed setup.
            return median_seconds(lambda out: out.backward(), k,
                                  setup=lambda: deep_chain_build_torch(lib, n))

        timings = [guarded(f"deep chain {length}", lib, lambda lib=lib: chain_backward(lib))
                   for lib in (ours, torch)]
        rows.append(Row(f"{length:,}-op deep chain backward", timings[0],
                        median_seconds(lambda n=length: deep_chain_backward_floor(n), chain_r),
                        timings[1], "ours/floor <= 8"))
    o, t = both("elementwise", lambda T: big_elementwise_torch(T, big), r)
    rows.append(Row("4M-element (x*x + x).sum() fwd+bwd", o,
                    median_seconds(lambda: big_elementwise_floor(big), r), t,
                    "ours/floor <= 1.5"))
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
        f"median of repeats, 1 BLAS thread, numpy {numpy.__version__}, Python "
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
