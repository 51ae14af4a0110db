"""``KernelClient``: what every front end uses to run learner code in a kernel process.

One request is in flight at a time (a lock serialises callers); ``interrupt()`` and ``restart()``
may be called from any thread while ``execute`` blocks in another. A dead kernel is detected by
end-of-file on its stdout and reported as :class:`KernelDied` with how it died.

The kernel runs in its own session (process group): a Ctrl-C typed into the front end's terminal
reaches only the front end, which decides whether to interrupt the kernel. ``interrupt()`` writes
a byte to a private pipe the kernel watches; the kernel raises SIGINT in itself. That reaches the
kernel even through a sandbox wrapper such as bwrap, and the pipe's end-of-file tells the kernel
its front end is gone.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any, Literal, TypeVar

from gradtui.kernel.capture import MAX_CELL_OUTPUT_CHARS
from gradtui.kernel.errors import KernelDied, KernelError
from gradtui.kernel.limits import KERNEL_TOKEN_VAR, limit_problem
from gradtui.kernel.proctree import kill_marked
from gradtui.kernel.protocol import (
    BackwardTrace,
    Completion,
    ExecuteReply,
    Snapshot,
    StreamChunk,
    from_dict,
)
from gradtui.kernel.wire import LineReader, ProtocolViolation, decode_message, drain_lines

OutputListener = Callable[[StreamChunk], None]

KernelState = Literal["idle", "busy", "dead"]
T = TypeVar("T")

ENV_MEMORY_MB = "GRADTUI_KERNEL_MEMORY_MB"
ENV_CPU_S = "GRADTUI_KERNEL_CPU_S"
ENV_WRAPPER = "GRADTUI_KERNEL_WRAPPER"

START_TIMEOUT_S = 60.0  # importing numpy on a loaded teaching-lab machine can be slow
_DEATH_CHECK_S = 0.5  # how often a wait for a reply checks that the kernel still lives
_STDERR_TAIL_LINES = 40
_STDERR_LINE_CHARS = 2000  # a diagnostics line longer than this is cut (learner code can flood it)
_BANNER_LINES = 200  # lines a sandbox wrapper may print before the kernel's ready event
# What an honest kernel streams for one cell at most: its output cap plus its notes about a cut.
MAX_STREAMED_CHARS = MAX_CELL_OUTPUT_CHARS + 100_000
_RESTART_HINT = ":restart starts a fresh one"

# Many learners share a lab machine: one BLAS thread per kernel unless the user says otherwise.
_THREAD_ENV_DEFAULTS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_live_clients: weakref.WeakSet[KernelClient] = weakref.WeakSet()


@atexit.register
def _close_all_clients() -> None:
    for client in list(_live_clients):
        client.close()


def _int_from_env(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _wrapper_from_env() -> list[str]:
    raw = os.environ.get(ENV_WRAPPER, "").strip()
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{ENV_WRAPPER} must be a JSON list of strings: {exc}") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{ENV_WRAPPER} must be a JSON list of strings, got {raw!r}")
    return value


def describe_exit(returncode: int | None) -> str:
    """``killed by SIGKILL`` / ``exit status 1`` / ``CPU time limit reached (SIGXCPU)``."""
    if returncode is None:
        return "no longer answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGXCPU":
            return "CPU time limit reached (SIGXCPU)"
        return f"killed by {name}"
    return f"exit status {returncode}"


class KernelClient:
    """A kernel process and the pipe to it. See ``docs/contracts.md`` ("Kernel")."""

    def __init__(
        self,
        *,
        memory_limit_mb: int | None = None,
        cpu_limit_s: int | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.memory_limit_mb = (
            memory_limit_mb if memory_limit_mb is not None else _int_from_env(ENV_MEMORY_MB)
        )
        self.cpu_limit_s = cpu_limit_s if cpu_limit_s is not None else _int_from_env(ENV_CPU_S)
        if (problem := limit_problem(self.memory_limit_mb, self.cpu_limit_s)) is not None:
            raise ValueError(f"cannot start a kernel with {problem}")
        self.wrapper = _wrapper_from_env()
        self.cwd = cwd
        self.env = dict(env) if env else {}
        self.limits: dict[str, int | None] = {}  # what the kernel reported it enforces
        self.pid: int | None = None
        self.busy_since: float | None = None  # time.monotonic() when the current call began
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: LineReader | None = None  # the kernel's stdout, read bounded
        self._interrupt_fd: int | None = None  # our end of the kernel's interrupt pipe
        self._executing_id: int | None = None  # the execute request in flight, if any
        self._lock = threading.Lock()  # one request at a time
        self._state: KernelState = "dead"
        self._next_id = 0
        self._death: str | None = None  # why the current kernel is gone, once known
        self._restarting = False
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
        self._started_once = False
        self._token = secrets.token_hex(12)  # the running kernel's mark (KERNEL_TOKEN_VAR)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> KernelClient:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start the kernel process and wait until it is ready (no-op if it is running)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            self._spawn()

    def close(self) -> None:
        """Stop the kernel (politely, then by force). Safe to call twice."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            # A busy kernel does not read stdin: no polite shutdown, end it now.
            if self._lock.acquire(timeout=0.05):
                try:
                    self._write({"id": self._new_id(), "op": "shutdown"})
                except (OSError, ValueError):
                    pass
                finally:
                    self._lock.release()
            _close_quietly(proc.stdin)
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                self._kill(proc)
        self._reap(proc)
        _end_leftovers(self._token)
        self._close_interrupt_pipe()
        self._state = "dead"
        self._death = self._death or "closed"
        _live_clients.discard(self)

    def restart(self) -> None:
        """A fresh kernel with an empty namespace (kills the old one, even mid-cell)."""
        self._restarting = True
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self._kill(proc)  # unblocks an `execute` waiting in another thread
        with self._lock:
            self._restarting = False
            if proc is not None:
                self._reap(proc)
                _end_leftovers(self._token)
            self._spawn()

    def interrupt(self) -> None:
        """The running cell stops with ``KeyboardInterrupt``; with no cell running, nothing happens.

        The kernel is told which execute request to stop, so a Ctrl-C sent just before the
        cell starts still stops it, and one sent just as it ends cannot stop the next cell.
        """
        proc, fd, request_id = self._proc, self._interrupt_fd, self._executing_id
        if proc is None or fd is None or request_id is None or proc.poll() is not None:
            return
        try:
            os.write(fd, f"{request_id}\n".encode())
        except (BlockingIOError, BrokenPipeError, OSError):
            pass  # a full pipe already holds interrupts; a closed one means the kernel is gone

    @property
    def state(self) -> KernelState:
        if self._state != "dead" and (self._proc is None or self._proc.poll() is not None):
            return "dead"
        return self._state

    @property
    def alive(self) -> bool:
        return self.state != "dead"

    @property
    def stderr_tail(self) -> str:
        """The last lines the kernel wrote to its own stderr (diagnostics, fatal errors)."""
        return "".join(self._stderr_tail)

    # -- requests --------------------------------------------------------------------------

    def execute(self, source: str, on_output: OutputListener | None = None) -> ExecuteReply:
        """Run a cell; blocks until it finishes (or is interrupted).

        ``on_output`` is called (in this thread) with each piece of output as the cell writes
        it, within a few tens of milliseconds; the reply's ``result.output`` holds all of it
        too, and ``result.output_streamed`` says whether ``on_output`` already had it.
        """
        parts: list[tuple[str, list[str]]] = []  # per run of one stream, joined at the end
        received = 0

        def stream(message: dict[str, Any]) -> None:
            nonlocal received
            text = message.get("text", "")
            if not isinstance(text, str):
                raise ProtocolViolation(f"a stream event whose text is {type(text).__name__}")
            # The kernel caps a cell's output; forged events past that cap would pile up here.
            received += len(text)
            if received > MAX_STREAMED_CHARS:
                raise ProtocolViolation(
                    f"more than {MAX_STREAMED_CHARS:,} characters of output for one cell"
                )
            chunk = StreamChunk("stderr" if message.get("stream") == "stderr" else "stdout", text)
            if parts and parts[-1][0] == chunk.stream:
                parts[-1][1].append(chunk.text)
            else:
                parts.append((chunk.stream, [chunk.text]))
            if on_output is not None:
                try:
                    on_output(chunk)
                except Exception as exc:  # noqa: BLE001 - a front end's bug must not desync us
                    self._stderr_tail.append(f"[on_output failed] {exc!r}\n")

        reply = self._typed("execute", lambda data: ExecuteReply.from_json(data, source),
                            on_stream=stream, source=source)
        if reply.result.output_streamed:
            reply.result.output = [StreamChunk(name, "".join(texts))  # type: ignore[arg-type]
                                   for name, texts in parts]
            reply.result.output_streamed = on_output is not None
        return reply

    def complete(self, source: str, cursor: int) -> list[Completion]:
        """Candidates for the word ending at ``cursor`` (never runs learner properties)."""
        return self._typed(
            "complete", lambda found: [from_dict(Completion, c) for c in found],
            source=source, cursor=cursor,
        )

    def inspect(self, name: str) -> str | None:
        """Signature and docstring of what ``name`` refers to, or None if unknown."""
        return self._typed("inspect", _optional_text, name=name)

    def snapshot(self) -> Snapshot:
        """The tensors and graph now (``execute`` already returns one after each cell)."""
        return self._typed("snapshot", lambda data: from_dict(Snapshot, data))

    def evaluate(self, expr: str, timeout_s: float | None = None) -> tuple[bool, str]:
        """``(truthiness, repr)`` of ``expr``, or ``(False, "Type: message")`` if it raised.

        It may take at most ``timeout_s`` seconds (default: the kernel's, 10 s; then
        ``(False, "TimeoutError: ...")``), and ``interrupt()`` stops it like a cell.
        """
        args: dict[str, Any] = {"expr": expr}
        if timeout_s is not None:
            args["timeout_s"] = timeout_s
        return self._typed("evaluate", _truth_and_text, **args)

    def trace_backward(self, name: str) -> BackwardTrace:
        """``name.backward()`` step by step, computed without changing any state."""
        return self._typed("trace_backward", lambda data: from_dict(BackwardTrace, data), name=name)

    def source(self, name: str) -> str | None:
        """The op-table row behind ``name``'s grad_fn (or an op / grad_fn name), as text;
        None when ``name`` is none of these."""
        return self._typed("source", _optional_text, name=name)

    def ping(self) -> bool:
        """True when the kernel answers (it must be idle to answer)."""
        return self._request("ping") == "pong"

    # -- internals -------------------------------------------------------------------------

    def _typed(self, op: str, build: Callable[[Any], T],
               on_stream: Callable[[dict[str, Any]], None] | None = None, **args: Any) -> T:
        """Send ``op`` and build its typed result; a result of the wrong shape is a violation.

        Learner code can write a well-formed line with the right id into the kernel's reply
        pipe; whatever it forges must end as a clear KernelDied, never a front-end traceback.
        """
        result = self._request(op, on_stream, **args)
        try:
            return build(result)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            proc = self._proc
            problem = f"a malformed {op} reply ({type(exc).__name__}: {exc})"
            if proc is None:
                raise KernelDied(problem) from None
            raise self._violation(proc, ProtocolViolation(problem)) from None

    def _request(self, op: str, on_stream: Callable[[dict[str, Any]], None] | None = None,
                 **args: Any) -> Any:
        with self._lock:
            if not self._started_once:
                self._spawn()  # first use starts the kernel: `start()` is optional
            proc = self._proc
            if proc is None or proc.poll() is not None or self._state == "dead":
                raise KernelDied(self._death_message(proc))
            request_id = self._new_id()
            self._state = "busy"
            self.busy_since = time.monotonic()
            if op in ("execute", "evaluate"):
                self._executing_id = request_id  # what interrupt() names
            try:
                try:
                    self._write({"id": request_id, "op": op, **args})
                except (BrokenPipeError, OSError, ValueError):
                    raise KernelDied(self._death_message(proc)) from None
                reply = self._read_reply(proc, request_id, on_stream)
            finally:
                self._executing_id = None
                self.busy_since = None
                if self._state == "busy":
                    self._state = "idle"
        if not reply.get("ok"):
            raise KernelError(f"the kernel refused {op!r}: {reply.get('error')}")
        return reply.get("result")

    def _read_reply(self, proc: subprocess.Popen[bytes], request_id: int,
                    on_stream: Callable[[dict[str, Any]], None] | None = None
                    ) -> dict[str, Any]:
        reader = self._reader
        assert reader is not None
        while True:
            try:
                try:
                    line = reader.read_line(timeout=_DEATH_CHECK_S)
                except TimeoutError:
                    if proc.poll() is None:
                        continue
                    # Dead, though its pipe is still open: a process its cells forked holds
                    # the write end, so no end of file will come.
                    line = None
                if line is None:
                    self._state = "dead"
                    raise KernelDied(self._death_message(proc))
                message = decode_message(line)
            except ProtocolViolation as violation:
                if self._restarting or proc.poll() is not None:
                    # Killed mid-line (a restart, a memory limit): that is the news, not the
                    # half line it left behind.
                    raise KernelDied(self._death_message(proc)) from None
                raise self._violation(proc, violation) from None
            if message.get("id") != request_id:
                continue  # stale: a reply to a request abandoned by an interrupt race
            if message.get("event") == "stream":
                if on_stream is not None:
                    try:
                        on_stream(message)
                    except ProtocolViolation as violation:
                        raise self._violation(proc, violation) from None
                continue
            return message

    def _violation(self, proc: subprocess.Popen[bytes], violation: ProtocolViolation) -> KernelDied:
        """Stop a kernel that broke the protocol; the error to raise says what it sent."""
        self._kill(proc)
        self._state = "dead"
        self._death = f"stopped: it sent {violation}"
        return KernelDied(
            f"the kernel was stopped: it sent {violation} (learner code writing into the "
            f"kernel's own reply pipe does this); {_RESTART_HINT}"
        )

    def _death_message(self, proc: subprocess.Popen[bytes] | None) -> str:
        if self._restarting:
            return "the kernel was restarted; the cell did not finish"
        if proc is None:
            return f"the kernel is not running; {_RESTART_HINT}"
        if self._death is None:
            try:
                returncode = proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                returncode = None
            self._death = describe_exit(returncode)
        self._state = "dead"
        if self._death == "closed":
            return f"the kernel was shut down; {_RESTART_HINT}"
        if self._death.startswith("stopped: "):
            return f"the kernel was {self._death}; {_RESTART_HINT}"
        return f"the kernel died ({self._death}); {_RESTART_HINT}"

    def _write(self, message: dict[str, Any]) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        proc.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
        proc.stdin.flush()

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _command(self, interrupt_fd: int) -> list[str]:
        argv = [*self.wrapper, sys.executable, "-m", "gradtui.kernel"]
        argv += ["--interrupt-fd", str(interrupt_fd)]
        if self.memory_limit_mb is not None:
            argv += ["--memory-mb", str(self.memory_limit_mb)]
        if self.cpu_limit_s is not None:
            argv += ["--cpu-s", str(self.cpu_limit_s)]
        return argv

    def _environment(self) -> dict[str, str]:
        env = {**_THREAD_ENV_DEFAULTS, **os.environ, **self.env}
        env[KERNEL_TOKEN_VAR] = self._token
        env["PYTHONUNBUFFERED"] = "1"  # learner prints reach the cell output promptly
        env.pop("PYTHONSTARTUP", None)
        return env

    def _spawn(self) -> None:
        """Start a kernel and wait for its ready line. Caller holds the lock."""
        self._started_once = True
        self._death = None
        self._stderr_tail.clear()
        self._close_interrupt_pipe()
        self._token = secrets.token_hex(12)
        kernel_end, our_end = os.pipe()
        os.set_blocking(our_end, False)
        try:
            proc = subprocess.Popen(
                self._command(kernel_end),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.cwd,
                env=self._environment(),
                start_new_session=True,
                pass_fds=(kernel_end,),
            )
        except BaseException:
            os.close(our_end)
            raise
        finally:
            os.close(kernel_end)
        self._proc = proc
        assert proc.stdout is not None
        self._reader = LineReader(proc.stdout.fileno())  # never proc.stdout's own buffer
        self._interrupt_fd = our_end
        threading.Thread(
            target=self._drain_stderr, args=(proc,), name="kernel-stderr", daemon=True
        ).start()
        _live_clients.add(self)
        ready = self._wait_ready(proc)
        self.pid = ready.get("pid", proc.pid)
        self.limits = ready.get("limits", {})
        self._state = "idle"

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
        reader = self._reader
        assert reader is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        message: Any = None
        problem: str | None = None
        try:
            # A wrapper may print a banner first: skip lines until the kernel's ready event.
            for _ in range(_BANNER_LINES):
                line = reader.read_line(timeout=max(deadline - time.monotonic(), 0.0))
                if line is None:
                    break
                try:
                    message = decode_message(line)
                except ProtocolViolation:
                    message = None
                if isinstance(message, dict) and message.get("event") == "ready":
                    break
                self._stderr_tail.append(_cut(line.decode("utf-8", errors="replace")) + "\n")
            else:
                problem = f"{_BANNER_LINES} lines and no ready message"
        except TimeoutError:
            problem = f"no answer within {START_TIMEOUT_S:g} s"
        except ProtocolViolation as violation:
            problem = f"it sent {violation}"
        if not isinstance(message, dict) or message.get("event") != "ready":
            self._kill(proc)
            self._reap(proc)
            _end_leftovers(self._token)
            self._close_interrupt_pipe()
            self._state = "dead"
            self._death = problem or describe_exit(proc.returncode)
            time.sleep(0.05)  # let the stderr drain catch the kernel's last words
            detail = self.stderr_tail.strip().splitlines()[-1:] or ["no output"]
            raise KernelDied(f"the kernel did not start ({self._death}): {detail[0]}")
        return message

    def _close_interrupt_pipe(self) -> None:
        fd, self._interrupt_fd = self._interrupt_fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        # Bounded: learner code can write a gigabyte without a newline to fd 2.
        assert proc.stderr is not None
        try:
            drain_lines(
                proc.stderr.fileno(), self._stderr_tail.append, max_line_chars=_STDERR_LINE_CHARS
            )
        finally:
            # This thread is the pipe's only reader: it closes it at end of file. Left open,
            # it stayed open until the old Popen was freed (a closed client's: as long as the
            # client lived), with a ResourceWarning in whatever cell or test ran at that moment.
            _close_quietly(proc.stderr)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the wrapper's children too
        except (ProcessLookupError, PermissionError):
            try:
                proc.kill()
            except ProcessLookupError:
                pass

    @staticmethod
    def _reap(proc: subprocess.Popen[bytes]) -> None:
        try:
            proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            return
        for stream in (proc.stdin, proc.stdout):
            _close_quietly(stream)


def _end_leftovers(token: str) -> None:
    """End what a finished kernel's cells started and left running (forked workers, daemons):
    nothing a learner starts should outlive their kernel. Linux only (``/proc``)."""
    kill_marked(KERNEL_TOKEN_VAR, token)


def _cut(text: str) -> str:
    return text if len(text) <= _STDERR_LINE_CHARS else text[:_STDERR_LINE_CHARS] + " [...]"


def _optional_text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"expected text or null, got {type(value).__name__}")
    return value


def _truth_and_text(value: Any) -> tuple[bool, str]:
    truth, text = value
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    return bool(truth), text


def _close_quietly(stream: IO[bytes] | None) -> None:
    if stream is None:
        return
    try:
        stream.close()
    except OSError:
        pass
