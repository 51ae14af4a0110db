"""Running learner cells like the Python REPL, in-process (the kernel process wraps this).

A cell may hold many statements. It is split with ``ast``: the body is executed and a trailing
expression is evaluated and echoed with ``repr`` (``x = 1`` then ``x + 1`` shows ``2``), ``None``
is not echoed, and ``_`` holds the last echoed value. Output is captured in write order, errors
become tracebacks trimmed to the learner's frames, and warnings are shown the way Python shows
them (``<cell 3>:1: UserWarning: ...`` plus the source line). Nothing here knows about processes
or front ends, so tests use it directly.
"""

from __future__ import annotations

import ast
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from gradtui.kernel.capture import CaptureStream, OutputLog
from gradtui.kernel.protocol import (
    MAX_CELL_WARNINGS,
    MAX_WARNING_CHARS,
    CellResult,
    ErrorInfo,
    WarningInfo,
)
from gradtui.kernel.tracebacks import (
    cell_filename,
    format_learner_traceback,
    qualified_class_name,
    qualified_type_name,
    register_source,
)

# Compile cells without inheriting this module's `from __future__ import annotations`.
_COMPILE_FLAGS = 0


def fresh_namespace() -> dict[str, Any]:
    """A namespace like the one the Python REPL's ``__main__`` starts with."""
    import builtins

    return {"__name__": "__main__", "__doc__": None, "__builtins__": builtins}


def install_torch_shim() -> None:
    """Make ``import torch`` in learner code resolve to gradtui's engine."""
    from gradtui.engine import shim

    shim.install()


def _warning_shower(found: list[WarningInfo]) -> Callable[..., None]:
    """Python's warning display (``<cell 3>:1: UserWarning: ...`` + the line), to the cell,
    noting each warning in ``found`` so lesson feedback can explain it."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        if len(found) < MAX_CELL_WARNINGS:
            # (Cut: the feedback reads the start; the cell's stderr below keeps the whole text.)
            text = str(message)[:MAX_WARNING_CHARS]
            found.append(WarningInfo(type=qualified_class_name(category), message=text))
        text = warnings.formatwarning(message, category, filename, lineno, line)
        (file if file is not None else sys.stderr).write(text)

    return show


class Evaluator:
    """Executes cells in one persistent namespace.

    ``on_cell_start``/``on_cell_end`` let the kernel process mark when an interrupt may land
    in learner code and flush C-level output into the cell's log.
    """

    def __init__(
        self,
        namespace: dict[str, Any] | None = None,
        *,
        install_torch: bool = True,
    ) -> None:
        if install_torch:
            install_torch_shim()
            # The graph panel shows the gradient that reached each node (micrograd's draw_dot
            # does): the engine keeps those of the latest backward, as many nodes as a
            # snapshot holds.
            from gradtui.engine import flow
            from gradtui.kernel.snapshot import MAX_NODES

            flow.record(MAX_NODES)
        self.namespace: dict[str, Any] = fresh_namespace() if namespace is None else namespace
        self.execution_count = 0
        # The name of what the last cell echoed (None if nothing): the bare name of the trailing
        # expression, else "_" (the snapshot reports it so panels can highlight the tensor).
        self.last_value_name: str | None = None
        self.echoed: Any = None  # what the REPL last stored in ``_`` (see ``underscore_is_echo``)
        self.current_log: OutputLog | None = None
        self.on_cell_start: Callable[[], None] | None = None
        self.on_cell_end: Callable[[], None] | None = None
        # Makes each cell's output log: the kernel's streamer swaps in one that sends output
        # to the front end while the cell runs.
        self.log_factory: Callable[[], OutputLog] = OutputLog

    # -- running cells ---------------------------------------------------------------------

    def execute(self, source: str) -> CellResult:
        """Run one cell; never raises for anything the learner's code does (even ``exit()``)."""
        self.execution_count += 1
        self.last_value_name = None  # only what *this* cell echoes is highlighted
        filename = cell_filename(self.execution_count)
        register_source(filename, source)
        log = self.log_factory()
        shown_warnings: list[WarningInfo] = []
        started = time.perf_counter()
        value_repr: str | None = None
        error: ErrorInfo | None = None
        echoed_name: str | None = None
        with self._captured(log, shown_warnings):
            try:
                if self.on_cell_start is not None:
                    self.on_cell_start()
                body, trailing = self._compile(source, filename)
                if body is not None:
                    exec(body, self.namespace)
                if trailing is not None:
                    code, echoed_name = trailing
                    value = eval(code, self.namespace)
                    if value is not None:
                        value_repr = repr(value)
                        self.namespace["_"] = value
                        self.echoed = value
                        self.last_value_name = echoed_name or "_"
            except BaseException as exc:  # noqa: BLE001 - a learner's SystemExit is an error too
                error = self._error_info(exc)
                value_repr = None
            finally:
                if self.on_cell_end is not None:
                    self.on_cell_end()
        return CellResult(
            ok=error is None,
            output=log.chunks(),
            value_repr=value_repr,
            error=error,
            duration_s=time.perf_counter() - started,
            execution_count=self.execution_count,
            warnings=shown_warnings,
        )

    @property
    def underscore_is_echo(self) -> bool:
        """True while ``_`` holds what the REPL echoed, not a value the learner bound to it
        (``_ = ...``): panels do not list the echo as a name of its own."""
        return "_" in self.namespace and self.namespace["_"] is self.echoed

    def evaluate(self, expr: str) -> tuple[bool, str]:
        """``(truthiness, repr)`` of an expression, or ``(False, error text)``; prints are dropped.

        Used by lesson ``expr`` checks: it never changes ``_`` or the execution count.
        """
        log = OutputLog()
        with self._captured(log):
            try:
                if self.on_cell_start is not None:
                    self.on_cell_start()
                code = compile(expr.strip(), "<check>", "eval", _COMPILE_FLAGS, True)
                value = eval(code, self.namespace)
                return bool(value), repr(value)
            except BaseException as exc:  # noqa: BLE001 - report, never crash the kernel
                return False, f"{qualified_type_name(exc)}: {exc}"
            finally:
                if self.on_cell_end is not None:
                    self.on_cell_end()

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _compile(
        source: str, filename: str
    ) -> tuple[Any | None, tuple[Any, str | None] | None]:
        """Split a cell into an exec'd body and an eval'd trailing expression (if any)."""
        tree = ast.parse(source, filename, "exec")
        trailing_expr: ast.expr | None = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            trailing_expr = tree.body.pop().value
        body = None
        if tree.body:
            body = compile(tree, filename, "exec", _COMPILE_FLAGS, True)
        if trailing_expr is None:
            return body, None
        expression = ast.Expression(trailing_expr)
        code = compile(expression, filename, "eval", _COMPILE_FLAGS, True)
        name = trailing_expr.id if isinstance(trailing_expr, ast.Name) else None
        return body, (code, name)

    @staticmethod
    def _error_info(exc: BaseException) -> ErrorInfo:
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - a learner's broken __str__
            message = f"<unprintable {type(exc).__name__} object>"
        try:
            text = format_learner_traceback(exc)
        except Exception:  # noqa: BLE001 - never lose the error because formatting failed
            text = f"{type(exc).__name__}: {message}\n"
        return ErrorInfo(type=qualified_type_name(exc), message=message, traceback=text)

    @contextmanager
    def _captured(self, log: OutputLog,
                  shown_warnings: list[WarningInfo] | None = None) -> Iterator[None]:
        """Route ``sys.stdout``/``sys.stderr`` of the cell into ``log``.

        Warnings are shown with Python's own format on the cell's stderr even when a host (a test
        runner) has redirected them; the learner's ``warnings.filterwarnings`` calls persist
        across cells as they would in a script.
        """
        saved = sys.stdout, sys.stderr
        saved_showwarning = warnings.showwarning
        warnings.showwarning = _warning_shower([] if shown_warnings is None else shown_warnings)
        self.current_log = log
        sys.stdout = CaptureStream(log, "stdout")
        sys.stderr = CaptureStream(log, "stderr")
        # Each cell shows its warnings afresh (once per line of the cell), like a new script
        # would: without this, the registry of earlier cells would hide repeats forever.
        self.namespace.pop("__warningregistry__", None)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved
            warnings.showwarning = saved_showwarning
            self.current_log = None
