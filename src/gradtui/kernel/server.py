"""The kernel's request loop: line-delimited JSON in, line-delimited JSON out.

Wire format (one JSON object per line, UTF-8):

- the kernel first sends ``{"event": "ready", "pid": ..., "limits": {...}}``;
- a request is ``{"id": N, "op": OP, ...arguments}``; the reply is ``{"id": N, "ok": true,
  "result": ...}`` or, when the request itself was bad, ``{"id": N, "ok": false, "error": TEXT}``.

Operations and their results (dataclasses as ``protocol.to_dict`` gives them):

==============  ==========================  =================================================
op              arguments                   result
==============  ==========================  =================================================
execute         source                      ``{"result": CellResult, "snapshot": Snapshot}``
complete        source, cursor              list of Completion
inspect         name                        text or null
snapshot        (none)                      Snapshot
evaluate        expr                        ``[truthiness, text]``
trace_backward  name                        BackwardTrace
source          name                        text (the op row behind name's grad_fn) or null
ping            (none)                      ``"pong"``
shutdown        (none)                      ``null``, then the kernel exits
==============  ==========================  =================================================

Learner errors are never protocol errors: a failing cell is an ``ok`` reply whose CellResult
holds the error.

Every line is at most ``wire.MAX_LINE_BYTES``: the client treats a longer one as learner code
tampering with the pipe and stops the kernel, so :func:`fit_reply` shrinks an honest reply that
would be too long (a 100 MB ``repr`` echoed, a huge docstring inspected) before it is sent.

While an ``execute`` runs, its output arrives first as stream events (``kernel/streaming.py``):
``{"event": "stream", "id": N, "stream": "stdout" | "stderr", "text": ...}``, in write order,
all of them before the reply to request N; that reply's CellResult then has an empty
``output`` and ``output_streamed: true`` (``KernelClient`` puts the output back together).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

from gradtui.kernel import backward_trace, completion, op_source, snapshot
from gradtui.kernel.evaluator import Evaluator
from gradtui.kernel.protocol import BackwardTrace, CellResult, ErrorInfo, Snapshot, to_dict
from gradtui.kernel.streaming import OutputStreamer
from gradtui.kernel.time_limit import Limit, OpTimedOut, time_limit
from gradtui.kernel.wire import MAX_LINE_BYTES

# The kernel's own work on learner objects (snapshot, completion, inspect, backward trace) and a
# lesson check's expression are bounded: an object whose attribute loops must not hang the
# kernel (see time_limit.py). Both are far above what they take (milliseconds).
SNAPSHOT_TIMEOUT_S = 5.0
EVALUATE_TIMEOUT_S = 10.0  # $GRADTUI_CHECK_TIMEOUT_S overrides it (lessons with heavy checks)
_PROBE_S = 0.5  # one namespace entry, read alone, after a snapshot timed out

# A string in a reply that is too long is cut to this many characters (see fit_reply).
CUT_STRING_CHARS = 100_000


class KernelServer:
    """Serves one client over two binary streams until ``shutdown`` or end of input."""

    def __init__(self, evaluator: Evaluator, requests: BinaryIO, replies: BinaryIO) -> None:
        self.evaluator = evaluator
        self._requests = requests
        self._replies = replies
        self._send_lock = threading.Lock()  # replies (main thread) and stream events (streamer)
        self._streamer = OutputStreamer(self.send)
        evaluator.log_factory = self._streamer.new_log
        self._in_cell = False
        # Interrupts name the execute request they are meant for (see interrupt_requested).
        self._interrupt_lock = threading.Lock()
        self._main_thread = threading.main_thread().ident
        self._executing_id: int | None = None
        self._finished_id = 0  # the highest execute request id already run
        # Set in a process a learner's cell forked from the kernel (see ``forked``).
        self._forked = False
        self._pending_interrupt: int | None = None
        # name -> id(object) of what made a snapshot time out; left out while still bound
        self._unreadable: dict[str, int] = {}
        evaluator.on_cell_start = self._enter_cell
        previous_end = evaluator.on_cell_end

        def leave_cell() -> None:
            self._in_cell = False  # first: an interrupt from now on must not escape the cell
            if previous_end is not None:
                previous_end()

        evaluator.on_cell_end = leave_cell
        self._ops: dict[str, Callable[[dict[str, Any]], Any]] = {
            "execute": self._execute,
            "complete": self._complete,
            "inspect": self._inspect,
            "snapshot": self._snapshot_op,
            "evaluate": self._evaluate,
            "trace_backward": self._trace_backward,
            "source": self._source,
            "ping": lambda _req: "pong",
            "shutdown": lambda _req: None,
        }

    # -- interrupts ------------------------------------------------------------------------

    def install_sigint_handler(self) -> None:
        """SIGINT interrupts learner code only; an idle or replying kernel ignores it."""
        signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self._in_cell:
            raise KeyboardInterrupt

    def interrupt_requested(self, request_id: int) -> None:
        """Stop the cell of execute request ``request_id`` (called from the interrupt thread).

        The id ties a Ctrl-C to its cell: one that arrives before its cell has started is kept
        and stops it as it starts (a bare signal would be ignored by a kernel still reading the
        request), and one for a cell that has already ended is dropped (a bare signal could
        stop the *next* cell).
        """
        with self._interrupt_lock:
            if request_id == self._executing_id and self._in_cell:
                assert self._main_thread is not None
                signal.pthread_kill(self._main_thread, signal.SIGINT)
            elif request_id > self._finished_id:
                self._pending_interrupt = request_id

    def _enter_cell(self) -> None:
        with self._interrupt_lock:
            self._in_cell = True
            pending, self._pending_interrupt = self._pending_interrupt, None
        if pending is not None and pending == self._executing_id:
            raise KeyboardInterrupt  # inside the evaluator's handler: a normal interrupt

    # -- the loop --------------------------------------------------------------------------

    def forked(self) -> None:
        """Called in a process forked from the kernel (``os.register_at_fork``): it is not the
        kernel, so it never speaks the protocol (its send lock may have been held by a thread
        that does not exist here) and it stops serving once its cell has finished."""
        self._forked = True

    def send(self, message: dict[str, Any]) -> None:
        if self._forked:
            return
        line = fit_reply(message)
        with self._send_lock:
            self._replies.write(line)
            self._replies.flush()

    def _read_request(self) -> bytes | None:
        """The next request line; None at end of input; b"" for a line that was too long."""
        line = self._requests.readline(MAX_LINE_BYTES + 1)
        if not line:
            return None
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := self._requests.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the oversized line, never holding it all
            self.send({"id": None, "ok": False, "error": "request longer than the line limit"})
            return b""
        return line

    def serve_forever(self) -> None:
        while not self._forked:
            line = self._read_request()
            if line is None:
                return  # the client went away: a kernel never outlives its front end
            if not line.strip():
                continue
            request_id: Any = None
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("a request must be a JSON object")
                request_id = request.get("id")
                op = request.get("op")
                handler = self._ops.get(op) if isinstance(op, str) else None
                if handler is None:
                    raise ValueError(f"unknown op {op!r}; known: {', '.join(sorted(self._ops))}")
                result = handler(request)
            except KeyboardInterrupt:
                # An interrupt that landed between the cell's end and here; answer anyway.
                self.send({"id": request_id, "ok": False, "error": "interrupted"})
                continue
            except Exception as exc:  # noqa: BLE001 - a bad request must not kill the kernel
                traceback.print_exc(file=sys.stderr)
                self.send({"id": request_id, "ok": False, "error": f"{type(exc).__name__}: {exc}"})
                continue
            self.send({"id": request_id, "ok": True, "result": result})
            if op == "shutdown":
                return

    # -- operations ------------------------------------------------------------------------

    def _execute(self, request: dict[str, Any]) -> dict[str, Any]:
        source = _text(request, "source")
        request_id = request.get("id")
        with self._interrupt_lock:
            self._executing_id = request_id if isinstance(request_id, int) else None
        self._streamer.request_id = request_id
        try:
            result = self.evaluator.execute(source)
        except KeyboardInterrupt:
            # The interrupt arrived in the few instructions around the cell's own handler.
            self._in_cell = False
            result = CellResult(
                ok=False,
                error=ErrorInfo("KeyboardInterrupt", "", "KeyboardInterrupt\n"),
                execution_count=self.evaluator.execution_count,
            )
        finally:
            self._streamer.finish()  # the rest of the output, before the reply
        try:
            # The snapshot reads learner objects: bounded in time, and a Ctrl-C for this
            # request still stops it (the cell has ended, but the learner is still waiting).
            snap = self._bounded(lambda: to_dict(self._snapshot()), SNAPSHOT_TIMEOUT_S,
                                 interruptible=True)
        except OpTimedOut as exc:
            snap = self._snapshot_without_culprits(exc)
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - keep the cell's result
            if not isinstance(exc, KeyboardInterrupt):
                traceback.print_exc(file=sys.stderr)
            snap = None
            self._streamer.send_note("stderr", _panel_note(exc))
        finally:
            self._request_done()
        result.output = []  # it went out as stream events
        result.output_streamed = True
        return {"result": to_dict(result), "snapshot": snap}

    def _request_done(self) -> None:
        """The request in flight is over: later interrupts for it are dropped."""
        with self._interrupt_lock:
            self._in_cell = False
            if self._executing_id is not None:
                self._finished_id = max(self._finished_id, self._executing_id)
            self._executing_id = None
            if self._pending_interrupt is not None and \
                    self._pending_interrupt <= self._finished_id:
                self._pending_interrupt = None

    def _bounded(self, work: Callable[[], Any], seconds: float, *,
                 interruptible: bool = False) -> Any:
        """``work()`` within ``seconds`` (else OpTimedOut); ``interruptible``: a Ctrl-C for the
        request in flight raises KeyboardInterrupt in it, as in a cell."""
        with time_limit(seconds):
            if not interruptible:
                return work()
            with self._interrupt_lock:
                self._in_cell = True
                pending, self._pending_interrupt = self._pending_interrupt, None
            try:
                if pending is not None and pending == self._executing_id:
                    raise KeyboardInterrupt
                return work()
            finally:
                self._in_cell = False

    def _snapshot_op(self, request: dict[str, Any]) -> Any:
        try:
            return self._bounded(lambda: to_dict(self._snapshot()), SNAPSHOT_TIMEOUT_S)
        except OpTimedOut as exc:
            return to_dict(Snapshot(truncated=[_panel_note(exc).strip("[]\n")]))

    def _evaluate(self, request: dict[str, Any]) -> list[Any]:
        """A lesson check's expression: bounded in time (``timeout_s``) and interruptible."""
        expr = _text(request, "expr")
        timeout = request.get("timeout_s", _check_timeout())
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ValueError("evaluate's timeout_s must be a number of seconds (0: none)")
        request_id = request.get("id")
        with self._interrupt_lock:
            self._executing_id = request_id if isinstance(request_id, int) else None
        limit = Limit(timeout)
        try:
            with time_limit(timeout) as limit:
                truth, text = self.evaluator.evaluate(expr)
        except KeyboardInterrupt:  # in the few instructions around the evaluator's handler
            truth, text = False, "KeyboardInterrupt: "
        finally:
            self._request_done()
        if limit.fired:
            text = f"TimeoutError: the check did not finish within {timeout:g} s"
        return [truth, text]

    def _snapshot(self) -> Any:
        return snapshot.build_snapshot(
            self._readable_namespace(), last_value_name=self.evaluator.last_value_name,
            repl_echo=self.evaluator.underscore_is_echo,
        )

    def _readable_namespace(self) -> dict[str, Any]:
        """The namespace minus the objects that made a snapshot time out (while still bound)."""
        namespace = self.evaluator.namespace
        if not self._unreadable:
            return namespace
        self._unreadable = {name: ident for name, ident in self._unreadable.items()
                            if name in namespace and id(namespace[name]) == ident}
        return {name: value for name, value in namespace.items()
                if self._unreadable.get(name) != id(value)}

    def _snapshot_without_culprits(self, timed_out: OpTimedOut) -> Any:
        """After a snapshot timed out: find the names whose objects do not let themselves be
        read (each tried alone, briefly), leave them out from now on, and try once more.

        Every later cell would otherwise wait the whole limit again while such an object stays
        bound; now it costs the cell that made it, and the panels show everything else.
        """
        found: list[str] = []
        try:
            with time_limit(SNAPSHOT_TIMEOUT_S) as overall:
                for name, value in list(self._readable_namespace().items()):
                    try:
                        with time_limit(_PROBE_S):
                            snapshot.build_snapshot({name: value})
                    except OpTimedOut:
                        if overall.fired:
                            raise
                        found.append(name)
                        self._unreadable[name] = id(value)
                    except Exception:  # noqa: BLE001, S112 - only the slow ones are culprits
                        continue
        except OpTimedOut:
            pass  # too many to try: what was found is left out all the same
        shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        why = f"reading {shown} took too long" if found else f"reading the namespace {timed_out}"
        self._streamer.send_note(
            "stderr",
            f"[gradtui: the panels could not be updated: {why} (an object whose attributes "
            "run code that does not end?)" + (f"; they leave out {shown} from now on]\n"
                                                if found else "]\n"),
        )
        if not found:
            return None
        try:
            return self._bounded(lambda: to_dict(self._snapshot()), SNAPSHOT_TIMEOUT_S,
                                 interruptible=True)
        except (Exception, KeyboardInterrupt):  # noqa: BLE001 - the note above says enough
            return None

    def _complete(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        source = _text(request, "source")
        cursor = request.get("cursor", len(source))
        if not isinstance(cursor, int) or not 0 <= cursor <= len(source):
            raise ValueError(f"cursor must be an offset into source (0..{len(source)})")
        try:
            return self._bounded(lambda: to_dict(
                completion.complete(self.evaluator.namespace, source, cursor)
            ), SNAPSHOT_TIMEOUT_S)
        except OpTimedOut:
            return []

    def _inspect(self, request: dict[str, Any]) -> str | None:
        name = _text(request, "name")
        try:
            return self._bounded(
                lambda: completion.inspect_name(self.evaluator.namespace, name),
                SNAPSHOT_TIMEOUT_S,
            )
        except OpTimedOut:
            return None

    def _trace_backward(self, request: dict[str, Any]) -> dict[str, Any]:
        name = _text(request, "name")
        try:
            return self._bounded(lambda: to_dict(backward_trace.trace_backward(
                self._readable_namespace(), name, repl_echo=self.evaluator.underscore_is_echo
            )), SNAPSHOT_TIMEOUT_S)
        except OpTimedOut as exc:
            return to_dict(BackwardTrace(root=name, error=_panel_note(exc).strip("[]\n")))

    def _source(self, request: dict[str, Any]) -> str | None:
        name = _text(request, "name")
        try:
            return self._bounded(
                lambda: op_source.source_text(self.evaluator.namespace, name),
                SNAPSHOT_TIMEOUT_S,
            )
        except OpTimedOut as exc:
            return f":source {name}: {_panel_note(exc).strip('[]' + chr(10))}"


def _check_timeout() -> float:
    raw = os.environ.get("GRADTUI_CHECK_TIMEOUT_S", "")
    try:
        value = float(raw) if raw else EVALUATE_TIMEOUT_S
    except ValueError:
        return EVALUATE_TIMEOUT_S
    return value if value > 0 else EVALUATE_TIMEOUT_S


def _panel_note(exc: BaseException) -> str:
    if isinstance(exc, OpTimedOut):
        why = (f"reading the namespace {exc} (an object whose attributes run code that does "
               "not end?)")
    elif isinstance(exc, KeyboardInterrupt):
        why = "interrupted"
    else:
        why = f"{type(exc).__name__}: {exc}"
    return f"[gradtui: the panels could not be updated: {why}]\n"


def _encode(message: Any) -> bytes:
    # allow_nan: tensor values may be nan/inf; both ends are Python's json module.
    return (json.dumps(message, ensure_ascii=False, allow_nan=True) + "\n").encode("utf-8")


def fit_reply(message: dict[str, Any], max_bytes: int = MAX_LINE_BYTES) -> bytes:
    """``message`` as one line of at most ``max_bytes``, shrunk if it must be.

    First every string longer than ``CUT_STRING_CHARS`` is cut (with a note of how much), then
    an execute reply loses its snapshot, then its output; a reply still too long becomes an
    error reply.
    """
    line = _encode(message)
    if len(line) <= max_bytes:
        return line
    shrunk = _cut_strings(message)
    line = _encode(shrunk)
    if len(line) <= max_bytes:
        return line
    reply = shrunk.get("result")
    if isinstance(reply, dict) and reply.get("snapshot") is not None:
        reply["snapshot"] = None
        line = _encode(shrunk)
        if len(line) <= max_bytes:
            return line
    cell = reply.get("result") if isinstance(reply, dict) else None
    if isinstance(cell, dict) and cell.get("output"):
        # A million one-character chunks alternating stdout and stderr: keep the result.
        note = "[gradtui: the output was too large to send]\n"
        cell["output"] = [{"stream": "stderr", "text": note}]
        line = _encode(shrunk)
        if len(line) <= max_bytes:
            return line
    return _encode({
        "id": message.get("id"),
        "ok": False,
        "error": f"the reply was too large to send ({len(line):,} bytes, limit {max_bytes:,})",
    })


def _cut_strings(value: Any) -> Any:
    if isinstance(value, str) and len(value) > CUT_STRING_CHARS:
        dropped = len(value) - CUT_STRING_CHARS
        return value[:CUT_STRING_CHARS] + f"\n[gradtui: {dropped:,} more characters cut]\n"
    if isinstance(value, dict):
        return {key: _cut_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut_strings(item) for item in value]
    return value


def _text(request: dict[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{request.get('op')} needs a string {key!r}")
    return value
