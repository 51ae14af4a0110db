"""A scripted stand-in for ``KernelClient`` that honours its contract (docs/contracts.md).

Cells are answered from a script (source -> reply); ``while True: pass`` blocks until
``interrupt()`` like a real kernel; ``kill()`` makes the process "die" so the next call raises
and ``alive`` turns False; ``restart()`` gives an empty namespace. The seed notebook's replies
are built below by hand from what the real kernel reports for it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

from gradtui.kernel.protocol import (
    BackwardStepInfo,
    BackwardTrace,
    CellResult,
    Completion,
    ErrorInfo,
    ExecuteReply,
    GraphNode,
    LeafUpdate,
    SavedValue,
    Snapshot,
    StreamChunk,
    TensorInfo,
)

INFINITE_LOOP = "while True: pass"


class FakeKernelDied(RuntimeError):
    """What the fake raises once killed (the real client raises ``KernelDied``)."""


class FakeKernel:
    """Contract-shaped fake: ``start``, ``execute``, ``interrupt``, ``restart``, ``complete``,
    ``snapshot``, ``trace_backward``, ``evaluate``, ``close``, ``state``, ``alive``."""

    def __init__(self, script: dict[str, ExecuteReply] | None = None,
                 traces: dict[str, BackwardTrace] | None = None,
                 completions: dict[str, list[Completion]] | None = None) -> None:
        self.script = dict(script or {})
        self.traces = dict(traces or {})
        self.completions = dict(completions or {})
        self.docs: dict[str, str] = {}  # name -> what inspect() answers
        self.alive = False
        self.state = "idle"
        self.busy_since: float | None = None
        self.executed: list[str] = []
        self.count = 0
        self._snapshot = Snapshot()
        self._interrupted = threading.Event()
        self.looping = False  # inside `while True: pass`: from now on an interrupt stops it
        self.restarts = 0
        self.sources: list[str] = []  # what :source asked for

    def start(self) -> None:
        self.alive = True

    def close(self) -> None:
        self.alive = False

    def _check(self) -> None:
        if not self.alive:
            raise FakeKernelDied("the kernel process exited (killed)")

    def execute(self, source: str,
                on_output: Callable[[StreamChunk], None] | None = None) -> ExecuteReply:
        reply = self._execute(source)
        if on_output is None or not reply.result.output:
            return reply
        for chunk in reply.result.output:  # as the real client: streamed, then the reply
            on_output(chunk)
        result = dataclasses.replace(reply.result, output_streamed=True)
        return ExecuteReply(result, reply.snapshot)

    def _execute(self, source: str) -> ExecuteReply:
        self._check()
        self.state, self.busy_since = "busy", time.monotonic()
        self.executed.append(source)
        self.count += 1
        try:
            if source == INFINITE_LOOP:
                self._interrupted.clear()
                self.looping = True
                restarts = self.restarts
                while not self._interrupted.wait(0.01):
                    self._check()
                    if self.restarts != restarts:  # restart kills the process running the cell
                        raise FakeKernelDied("the kernel was restarted")
                error = ErrorInfo("KeyboardInterrupt", "", "Traceback (most recent call last):\n"
                                  '  File "<cell 1>", line 1, in <module>\nKeyboardInterrupt\n')
                return ExecuteReply(CellResult(False, error=error, execution_count=self.count),
                                    self._snapshot)
            reply = self.script.get(source)
            if reply is None:
                reply = ExecuteReply(CellResult(True, execution_count=self.count), self._snapshot)
            reply.result.execution_count = self.count
            if reply.snapshot is not None:
                self._snapshot = reply.snapshot
            return reply
        finally:
            self.state, self.busy_since, self.looping = "idle", None, False

    def interrupt(self) -> None:
        self._interrupted.set()

    def kill(self) -> None:
        """Simulate the kernel process dying (e.g. the memory limit)."""
        self.alive = False
        self.state = "dead"

    def restart(self) -> None:
        self.alive = True
        self.state = "idle"
        self.restarts += 1
        self.count = 0
        self._snapshot = Snapshot()

    def snapshot(self) -> Snapshot:
        self._check()
        return self._snapshot

    def complete(self, source: str, cursor: int) -> list[Completion]:
        self._check()
        return self.completions.get(source[:cursor], [])

    def inspect(self, name: str) -> str | None:
        self._check()
        return self.docs.get(name)

    def evaluate(self, expr: str) -> tuple[bool, str]:
        return (True, expr)

    def source(self, name: str) -> str | None:
        self._check()
        self.sources.append(name)
        return f"the row of {name}" if name in ("mul", "o", "y") else None

    def trace_backward(self, name: str) -> BackwardTrace:
        self._check()
        missing = BackwardTrace(root=name, error=f"name {name!r} is not defined")
        return self.traces.get(name, missing)


# -- the seed notebook ------------------------------------------------------------------------

ONES_3x2 = "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], requires_grad=True)"


def _leaf(name: str, node: str, shape: list[int], preview: str, grad: str | None = None):
    return TensorInfo(name, shape, "torch.float32", True, True, None, node, preview, grad,
                      numel=2)


def seed_cells() -> list[str]:
    """The seed notebook's code cells, in order."""
    return [
        "import torch\nfrom torch.autograd import Variable",
        "a = Variable(torch.ones((3, 2)), requires_grad=True)\na",
        "x = Variable(torch.ones((2)), requires_grad=True)\nx",
        "y = 5 * (x + 1) ** 2\ny",
        "o = (1/2) * torch.sum(y)\no",
        "o.backward(retain_graph=True)\nx.grad",
        "print(y)",
        "o.backward()\nx.grad",
    ]


def _graph(freed: bool = False) -> dict[str, GraphNode]:
    return {
        "n1": GraphNode("n1", "MulBackward0", "op", [], [None, "n2"],
                        saved=[] if freed else [SavedValue("other", "0.5")], saved_freed=freed,
                        rules=["d(a*b)/da = b", "d(a*b)/db = a"]),
        "n2": GraphNode("n2", "SumBackward0", "op", [], ["n3"], rules=["d(sum(a))/da = 1"]),
        "n3": GraphNode("n3", "MulBackward0", "op", [2], [None, "n4"],
                        saved=[] if freed else [SavedValue("self", "5")], saved_freed=freed,
                        rules=["d(a*b)/da = b", "d(a*b)/db = a"]),
        "n4": GraphNode("n4", "PowBackward0", "op", [2], ["n5"],
                        saved=[] if freed else [SavedValue("self", "tensor([2., 2.])", [2])],
                        saved_freed=freed, rules=["d(a**n)/da = n*a**(n-1)"]),
        "n5": GraphNode("n5", "AddBackward0", "op", [2], ["n6", None],
                        rules=["d(a+b)/da = 1", "d(a+b)/db = 1"]),
        "n6": GraphNode("n6", "AccumulateGrad", "leaf", [2], [], variable="x"),
    }


def seed_script() -> dict[str, ExecuteReply]:
    """Replies for ``seed_cells()`` (what the real kernel answers, abridged)."""
    a = TensorInfo("a", [3, 2], "torch.float32", True, True, None, "n0",
                   "[[1., 1.], [1., 1.], [1., 1.]]", None, numel=6)
    a_node = {"n0": GraphNode("n0", "AccumulateGrad", "leaf", [3, 2], [], variable="a")}
    x = _leaf("x", "n6", [2], "[1., 1.]")
    y = TensorInfo("y", [2], "torch.float32", True, False, "MulBackward0", "n3",
                   "[20., 20.]", None, numel=2)
    o = TensorInfo("o", [], "torch.float32", True, False, "MulBackward0", "n1", "20.", None,
                   numel=1)
    graph = _graph()
    x10 = _leaf("x", "n6", [2], "[1., 1.]", "tensor([10., 10.])")
    x20 = _leaf("x", "n6", [2], "[1., 1.]", "tensor([20., 20.])")
    cells = seed_cells()
    return {
        cells[0]: ExecuteReply(CellResult(True), Snapshot()),
        cells[1]: ExecuteReply(CellResult(True, value_repr=ONES_3x2),
                               Snapshot([a], dict(a_node), last_value="a")),
        cells[2]: ExecuteReply(CellResult(True, value_repr="tensor([1., 1.], requires_grad=True)"),
                               Snapshot([a, x], {**a_node, "n6": graph["n6"]}, last_value="x")),
        cells[3]: ExecuteReply(
            CellResult(True, value_repr="tensor([20., 20.], grad_fn=<MulBackward0>)"),
            Snapshot([a, x, y], {**a_node, **{k: v for k, v in graph.items() if k != "n1"
                                              and k != "n2"}}, last_value="y")),
        cells[4]: ExecuteReply(CellResult(True, value_repr="tensor(20., grad_fn=<MulBackward0>)"),
                               Snapshot([a, x, y, o], {**a_node, **graph}, last_value="o")),
        cells[5]: ExecuteReply(CellResult(True, value_repr="tensor([10., 10.])"),
                               Snapshot([a, x10, y, o], {**a_node, **graph}, ["n6"])),
        cells[6]: ExecuteReply(
            CellResult(True, [StreamChunk("stdout",
                                          "tensor([20., 20.], grad_fn=<MulBackward0>)\n")]),
            Snapshot([a, x10, y, o], {**a_node, **graph}, ["n6"])),
        cells[7]: ExecuteReply(CellResult(True, value_repr="tensor([20., 20.])"),
                               Snapshot([a, x20, y, o], {**a_node, **_graph(freed=True)}, ["n6"])),
        "1/0": ExecuteReply(
            CellResult(False, error=ErrorInfo(
                "ZeroDivisionError", "division by zero",
                'Traceback (most recent call last):\n  File "<cell>", line 1, in <module>\n'
                "ZeroDivisionError: division by zero\n")), None),
    }


def seed_trace() -> BackwardTrace:
    """``trace_backward('o')`` after the seed notebook's cell 5 (before any backward), as the
    real kernel answers it."""
    steps = [
        BackwardStepInfo("n1", "MulBackward0", "1.",
                         ["d(<SumBackward0>*0.5)/d<SumBackward0> = 0.5",
                          "d(<SumBackward0>*0.5)/d(0.5) = <SumBackward0>"],
                         ["0.5", None], ["n2", None], inputs=["<SumBackward0>", "0.5"],
                         locals=["0.5", None], summed=[False, False], output="o", op="mul"),
        BackwardStepInfo("n2", "SumBackward0", "0.5", ["d(sum y)/dy_i = 1"], ["[0.5, 0.5]"],
                         ["n3"], inputs=["y"], locals=["[1., 1.]"], summed=[False],
                         output="<SumBackward0>", op="sum"),
        BackwardStepInfo("n3", "MulBackward0", "[0.5, 0.5]",
                         ["d(<PowBackward0>*5)/d<PowBackward0> = 5",
                          "d(<PowBackward0>*5)/d(5) = <PowBackward0>"],
                         ["[2.5, 2.5]", None], ["n4", None], inputs=["<PowBackward0>", "5"],
                         locals=["[5., 5.]", None], summed=[False, False], output="y",
                         op="mul"),
        BackwardStepInfo("n4", "PowBackward0", "[2.5, 2.5]",
                         ["d(<AddBackward0>^2)/d<AddBackward0> = 2*<AddBackward0>^(2-1)"],
                         ["[10., 10.]"], ["n5"], inputs=["<AddBackward0>"],
                         locals=["[4., 4.]"], summed=[False], output="<PowBackward0>",
                         op="pow"),
        BackwardStepInfo("n5", "AddBackward0", "[10., 10.]",
                         ["d(x+<constant>)/dx = 1", "d(x+<constant>)/d<constant> = 1"],
                         ["[10., 10.]", None], ["n6", None], inputs=["x", "<constant>"],
                         locals=["[1., 1.]", None], summed=[False, False],
                         output="<AddBackward0>", op="add"),
    ]
    leaves = [LeafUpdate("x", "n6", "[10., 10.]", None, "[10., 10.]")]
    return BackwardTrace("o", steps, {"x": "[10., 10.]"}, leaves=leaves)
