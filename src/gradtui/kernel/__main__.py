"""``python -m gradtui.kernel``: one learner's kernel process (started by ``KernelClient``).

Set-up order matters:

1. The protocol gets private duplicates of stdin/stdout, then fd 0 becomes ``/dev/null`` (a
   learner's ``input()`` gets EOF instead of eating requests) and fd 1 becomes a pipe drained
   into cell output (``os.write(1, ...)`` or C ``printf`` cannot corrupt replies).
2. The engine and evaluator are imported *before* the memory limit is set, so the limit counts
   against learner allocations, not against a slow start.
3. Interrupts arrive as bytes on a private pipe (``--interrupt-fd``); a thread turns each into a
   real SIGINT for the main thread (so even ``time.sleep`` is cut short). A pipe works through
   any sandbox wrapper, where a signal from outside might hit the wrapper instead of us.
4. The kernel exits if its front end disappears, even while a cell spins in ``while True:
   pass`` and so never reads stdin again: end-of-file on the interrupt pipe means the client
   process is gone, and a watchdog also checks the parent pid. (``PR_SET_PDEATHSIG`` is not
   used: it fires when the *thread* that started us exits, and front ends start kernels from
   worker threads.)
5. A learner's ``os.fork()`` (or ``multiprocessing`` child) gets ``/dev/null`` where the kernel
   has its protocol pipes (requests, replies, interrupts, the fd-1 reader): a forked child could
   otherwise read requests meant for the kernel, write forged replies, or keep the reply pipe
   open after the kernel died; its ``print`` shows in the running cell's output, and a child
   that returns from its cell exits there instead of serving as a second kernel. (``subprocess``
   children never get the pipes: they are not inheritable, and ``exec`` closes them.)
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import os
import sys
import threading
import time
import types

from gradtui.kernel.evaluator import Evaluator, fresh_namespace
from gradtui.kernel.fdcapture import FdCapture
from gradtui.kernel.limits import KERNEL_TOKEN_VAR, apply_limits
from gradtui.kernel.proctree import end_descendants, kill_marked
from gradtui.kernel.server import KernelServer

_WATCHDOG_PERIOD_S = 0.5


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gradtui.kernel")
    parser.add_argument("--memory-mb", type=int, default=None, help="0 = no limit")
    parser.add_argument("--cpu-s", type=int, default=None, help="0 = no limit")
    parser.add_argument("--interrupt-fd", type=int, default=None, help="pipe of interrupt bytes")
    return parser.parse_args(argv)


def _end_what_cells_started() -> None:
    """End what this kernel's cells started (children, and anything carrying its token): a
    forked worker must not outlive the kernel, whoever ends it."""
    end_descendants(os.getpid(), grace_s=0.2)
    token = os.environ.get(KERNEL_TOKEN_VAR)
    if token:
        kill_marked(KERNEL_TOKEN_VAR, token)


def _forks_are_not_kernels(server: KernelServer, pipes: list[int]) -> None:
    """What a learner's ``os.fork()`` child keeps of the kernel: its own output, nothing else.

    In the child the protocol pipes become ``/dev/null`` (not closed: the child's copies of the
    kernel's file objects still own those numbers and close them when collected, which would
    close whatever the child had opened there), ``print`` writes to fd 1, which the kernel's
    reader shows as the running cell's output, and the server goes quiet: a child that returns
    from its cell exits there (``main``).
    """

    def in_child() -> None:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in pipes:
            os.dup2(null, fd, inheritable=False)
        os.close(null)
        server.forked()
        out = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                               errors="backslashreplace", line_buffering=True)
        sys.stdout = sys.stderr = out

    os.register_at_fork(after_in_child=in_child)


def _learners_main() -> dict[str, object]:
    """The cells' namespace, as the ``__main__`` module's own dict, as in Python's REPL.

    pickle finds a function defined in a cell as ``__main__.name``: with the cells' namespace
    behind ``sys.modules["__main__"]`` (instead of this file), a ``multiprocessing`` pool (fork)
    can run ``pool.map(f, ...)`` with the learner's own ``f``.
    """
    module = types.ModuleType("__main__")
    module.__dict__.update(fresh_namespace())
    sys.modules["__main__"] = module
    return module.__dict__


def _exit_with_descendants() -> None:
    _end_what_cells_started()
    os._exit(0)


def _watch_parent() -> None:
    parent = os.getppid()
    while True:
        time.sleep(_WATCHDOG_PERIOD_S)
        if os.getppid() != parent:
            _exit_with_descendants()


def _watch_interrupts(fd: int, server: KernelServer) -> None:
    """Each line on the pipe is the id of the execute request to interrupt."""
    pending = b""
    while True:
        try:
            data = os.read(fd, 256)
        except InterruptedError:
            continue
        if not data:
            _exit_with_descendants()  # the client's end closed: our front end is gone
        pending += data
        *lines, pending = pending.split(b"\n")
        # Learner code can reopen this pipe for writing (/proc/self/fd): ids are short, and
        # whatever piles up without a newline is dropped instead of kept.
        pending = pending[-32:]
        for line in lines:
            if line.strip().isdigit() and len(line) < 32:
                server.interrupt_requested(int(line))


def _keep_stdin_at_end_of_file() -> None:
    """Give ``input()`` its end-of-file again after a cell closed stdin.

    ``exit()``/``quit()`` close ``sys.stdin`` (and so fd 0) before raising SystemExit; the kernel
    lives on, and the next ``input()`` said "I/O operation on closed file" instead of EOFError,
    while a later ``open()`` could have been handed fd 0.
    """
    if sys.stdin is not None and not sys.stdin.closed:
        return
    try:
        os.fstat(0)
    except OSError:  # fd 0 itself was closed: point it at /dev/null again
        devnull = os.open(os.devnull, os.O_RDONLY)
        if devnull != 0:
            os.dup2(devnull, 0)
            os.close(devnull)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as we do


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    faulthandler.enable(file=sys.__stderr__)

    evaluator = Evaluator(_learners_main(), install_torch=True)

    def to_cell(text: str) -> None:
        log = evaluator.current_log
        if log is not None:
            log.write("stdout", text)
        else:
            sys.__stderr__.write(text)  # written between cells: keep it visible somewhere

    capture = FdCapture(1, to_cell)

    def after_cell() -> None:
        capture.sync()
        _keep_stdin_at_end_of_file()

    evaluator.on_cell_end = after_cell
    server = KernelServer(evaluator, requests, replies)
    server.install_sigint_handler()
    threading.Thread(target=_watch_parent, name="parent-watchdog", daemon=True).start()
    if args.interrupt_fd is not None:
        os.set_inheritable(args.interrupt_fd, False)  # not for a learner's subprocesses
        threading.Thread(
            target=_watch_interrupts, args=(args.interrupt_fd, server), name="interrupts",
            daemon=True,
        ).start()
    pipes = [requests.fileno(), replies.fileno(), capture.read_fd]
    if args.interrupt_fd is not None:
        pipes.append(args.interrupt_fd)
    _forks_are_not_kernels(server, pipes)
    kernel_pid = os.getpid()
    limits = apply_limits(args.memory_mb, args.cpu_s)
    server.send({"event": "ready", "pid": os.getpid(), "limits": limits})
    server.serve_forever()
    if os.getpid() != kernel_pid:  # a learner's fork, back from its cell: not the kernel
        for stream in (sys.stdout, sys.__stdout__):
            with contextlib.suppress(Exception):
                stream.flush()  # type: ignore[union-attr]
        os._exit(0)  # not what the kernel does at its end, which would end the kernel itself
    _end_what_cells_started()
    return 0


if __name__ == "__main__":
    sys.exit(main())
