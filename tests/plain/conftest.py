"""Fixtures for the plain REPL tests: a fake kernel client and a REPL on string streams.

``FakeKernelClient`` is a small in-process stand-in for ``KernelClient`` that honours its contract
(docs/contracts.md): it runs cells with the kernel's own in-process ``Evaluator`` (the same echo,
capture and traceback rules as the real kernel, without the torch shim), and has two magic
cells for what a real kernel needs a process for: ``spin()`` blocks until ``interrupt()`` (then
reports ``KeyboardInterrupt``), and ``die()`` kills the "kernel" (every call then raises
``KernelDied`` until ``restart()``).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import pytest

from gradtui.kernel import KernelDied, KernelError
from gradtui.kernel.capture import OutputLog
from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.protocol import (
    CellResult,
    Completion,
    ErrorInfo,
    ExecuteReply,
    GraphNode,
    Snapshot,
    StreamChunk,
    TensorInfo,
)
from gradtui.plain.console import Console
from gradtui.plain.repl import PlainRepl, ReplHooks

# A safety net for a hung test, not a timing: spin() ends on an interrupt, never by itself.
SPIN_SAFETY_NET_S = 60  # (longer than the tests' own 30 s nets: theirs report first)


class StreamingLog(OutputLog):
    """An output log that also hands every write to a listener as it happens (as the real
    kernel's stream events do, minus the pipe)."""

    def __init__(self, listener: Callable[[StreamChunk], None]) -> None:
        super().__init__()
        self._listener = listener

    def write(self, stream, text: str) -> None:  # type: ignore[override]
        super().write(stream, text)
        if text:
            self._listener(StreamChunk(stream, text))


class FakeKernelClient:
    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self.evaluator = Evaluator(install_torch=False)
        self.snap = snapshot or Snapshot()
        self.executed: list[str] = []
        self.interrupts = 0
        self.restarts = 0
        self.closed = False
        self.spinning = threading.Event()
        self._interrupted = threading.Event()
        self._dead = False
        self.ignore_interrupts = False  # spin() then only ends on restart()

    # lifecycle
    def start(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    @property
    def alive(self) -> bool:
        return not self._dead

    @property
    def state(self) -> str:
        return "dead" if self._dead else "idle"

    def interrupt(self) -> None:
        self.interrupts += 1
        if not self.ignore_interrupts:
            self._interrupted.set()

    @property
    def namespace(self) -> dict:
        return self.evaluator.namespace

    def restart(self) -> None:
        self.restarts += 1
        self.evaluator = Evaluator(install_torch=False)
        self._dead = False
        self._interrupted.set()

    # requests
    def _check(self) -> None:
        if self._dead:
            raise KernelDied("the kernel died (exit status 1); :restart starts a fresh one")

    def execute(self, source: str,
                on_output: Callable[[StreamChunk], None] | None = None) -> ExecuteReply:
        self._check()
        self.executed.append(source)
        if source == "refuse()":
            raise KernelError("the kernel refused 'execute': bad request")
        if source == "die()":
            self._dead = True
            self._check()
        if source == "spin()":
            self._interrupted.clear()
            self.spinning.set()
            # Until interrupt() (or restart()): however late a loaded machine lets the test's
            # Ctrl-C come. (It used to end by itself after 10 s, as if interrupted: the test then
            # failed far from the cause, its Ctrl-C finding no running cell.)
            if not self._interrupted.wait(SPIN_SAFETY_NET_S):
                raise AssertionError(f"spin() was never interrupted ({SPIN_SAFETY_NET_S} s)")
            if self.restarts and self.ignore_interrupts:
                raise KernelDied("the kernel was restarted; the cell did not finish")
            tb = "Traceback (most recent call last):\n  File \"<cell>\", line 1\n" \
                 "KeyboardInterrupt\n"
            return ExecuteReply(CellResult(False, error=ErrorInfo("KeyboardInterrupt", "", tb)),
                                self.snap)
        if on_output is None:
            return ExecuteReply(self.evaluator.execute(source), self.snap)
        self.evaluator.log_factory = lambda: StreamingLog(on_output)
        try:
            result = self.evaluator.execute(source)
        finally:
            self.evaluator.log_factory = OutputLog
        result.output_streamed = True
        return ExecuteReply(result, self.snap)

    def complete(self, source: str, cursor: int) -> list[Completion]:
        self._check()
        before = source[:cursor]
        word = before[len(before.rstrip("abcdefghijklmnopqrstuvwxyz_0123456789")):]
        names = sorted({*self.namespace, "print", "property"})
        return [Completion(n, "name", cursor - len(word)) for n in names if n.startswith(word)]

    def inspect(self, name: str) -> str | None:
        self._check()
        value = self.namespace.get(name)
        return f"{name}(...)\n\n{value.__doc__}" if callable(value) else None

    def snapshot(self) -> Snapshot:
        self._check()
        return self.snap

    def evaluate(self, expr: str) -> tuple[bool, str]:
        self._check()
        value = eval(expr, self.namespace)
        return bool(value), repr(value)


def small_graph_snapshot() -> Snapshot:
    """``x = torch.ones(2, requires_grad=True); y = x * 2`` after no backward."""
    nodes = {
        "n0": GraphNode("n0", "MulBackward0", "op", [2], ["n1", None]),
        "n1": GraphNode("n1", "AccumulateGrad", "leaf", [2], [], variable="x"),
    }
    tensors = [
        TensorInfo("x", [2], "torch.float32", True, True, None, "n1",
                   "tensor([1., 1.], requires_grad=True)", None, 2),
        TensorInfo("y", [2], "torch.float32", True, False, "MulBackward0", "n0",
                   "tensor([2., 2.], grad_fn=<MulBackward0>)", None, 2),
    ]
    return Snapshot(tensors, nodes)


class ReplRig:
    """A PlainRepl on a fake client, with its stdout/stderr captured."""

    def __init__(self, hooks: ReplHooks | None = None) -> None:
        self.client = FakeKernelClient(small_graph_snapshot())
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.repl = PlainRepl(self.client, Console(self.stdout, self.stderr), hooks=hooks,
                              ascii=True)

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


@pytest.fixture
def rig() -> ReplRig:
    return ReplRig()


@pytest.fixture
def make_rig() -> Callable[[ReplHooks | None], ReplRig]:
    return ReplRig
