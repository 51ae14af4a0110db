"""Processes read from ``/proc`` (no psutil), signalled without ever hitting a reused pid.

A pid names a process only while that process exists: once it is reaped, the kernel may give the
number to a new, unrelated process. So a process is identified here by its pid *and* its start
time (``/proc/PID/stat`` field 22, in clock ticks since boot), which together never repeat, and it
is signalled through a pidfd opened and then checked against that start time: a pidfd keeps
naming the process it was opened for even if that process dies meanwhile.

A *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``) adopts the orphans of its descendants
instead of init, so a process that double-forks and ``setsid``\\ s away still hangs below it: its
descendants are then exactly the processes it must end. Linux only; elsewhere these functions
find nothing and ``become_subreaper`` returns False.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class ProcInfo:
    """One process as ``/proc/PID/stat`` showed it: ``(pid, start)`` identifies it for good."""

    pid: int
    ppid: int
    sid: int
    state: str
    start: int  # clock ticks after boot

    @property
    def live(self) -> bool:
        """Running or sleeping (a zombie holds no memory or CPU; its parent reaps it)."""
        return self.state not in ("Z", "X")


def read_proc(pid: int) -> ProcInfo | None:
    """Parse ``/proc/PID/stat``; None if the process is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces and ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return ProcInfo(
        pid=pid, ppid=int(fields[1]), sid=int(fields[3]), state=fields[0], start=int(fields[19])
    )


def all_processes() -> list[ProcInfo]:
    """Every process visible in ``/proc``."""
    infos = []
    try:
        entries = list(PROC.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.isdigit():
            info = read_proc(int(entry.name))
            if info is not None:
                infos.append(info)
    return infos


def descendants(root: int, procs: Iterable[ProcInfo] | None = None) -> list[ProcInfo]:
    """Live processes below ``root`` by parent links (``root`` itself not included).

    Only meaningful while ``root`` is alive: after it exits its children belong to someone else.
    """
    by_parent: dict[int, list[ProcInfo]] = {}
    for proc in all_processes() if procs is None else procs:
        by_parent.setdefault(proc.ppid, []).append(proc)
    found: list[ProcInfo] = []
    seen = {root}
    stack = [root]
    while stack:
        for child in by_parent.get(stack.pop(), []):
            if child.pid not in seen:
                seen.add(child.pid)
                stack.append(child.pid)
                if child.live:
                    found.append(child)
    return found


def signal_process(info: ProcInfo, signum: int) -> bool:
    """Send ``signum`` to the process ``info`` describes; False if it is gone (or not ours).

    Never signals another process that has since been given the same pid.
    """
    try:
        fd = os.pidfd_open(info.pid)
    except ProcessLookupError:
        return False
    except (OSError, AttributeError):
        return _signal_by_pid(info, signum)  # no pidfds here (old kernel): best effort
    try:
        now = read_proc(info.pid)
        if now is None or now.start != info.start:
            return False  # the pid now names a newer process
        signal.pidfd_send_signal(fd, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False
    finally:
        os.close(fd)


def _signal_by_pid(info: ProcInfo, signum: int) -> bool:
    now = read_proc(info.pid)
    if now is None or now.start != info.start:
        return False
    try:
        os.kill(info.pid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def alive(info: ProcInfo) -> bool:
    """True while the process ``info`` describes exists and is not a zombie."""
    now = read_proc(info.pid)
    return now is not None and now.start == info.start and now.live


class ProcessHandle:
    """A child process held by a pidfd from its start, so "is it still running" is never fooled.

    ``exited`` is true once the process has ended, whether or not it was reaped yet; after that,
    parent links to it mean nothing (its children were re-parented when it exited).
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.info = read_proc(pid)
        self._fd: int | None = None
        with contextlib.suppress(OSError, AttributeError):
            self._fd = os.pidfd_open(pid)

    @property
    def exited(self) -> bool:
        if self._fd is None:
            return self.info is None or not alive(self.info)
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        return bool(poller.poll(0))

    def send(self, signum: int) -> bool:
        """Signal this process (never a later one with its pid); False if it already exited."""
        if self.exited:
            return False
        if self._fd is None:
            return self.info is not None and _signal_by_pid(self.info, signum)
        try:
            signal.pidfd_send_signal(self._fd, signum)
        except ProcessLookupError:
            return False
        return True

    def descendants(self) -> list[ProcInfo]:
        """Live processes below this one; empty once it exited (see the class docstring)."""
        if self.exited:
            return []
        found = descendants(self.pid)
        return [] if self.exited else found  # it exited during the scan: links may be stale

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def has_env_token(pid: int, var: str, token: str) -> bool:
    """True if process ``pid`` has ``var=token`` in its environment (as it started)."""
    needle = f"{var}={token}".encode()
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return needle in environ.split(b"\0")


def marked_processes(var: str, token: str) -> list[ProcInfo]:
    """Live processes (this one excepted) carrying ``var=token`` in their environment.

    A process inherits its parent's environment, so a token set for one program marks
    everything it starts, wherever those processes are re-parented, unless one clears its
    environment on purpose.
    """
    me = os.getpid()
    return [
        p for p in all_processes() if p.live and p.pid != me and has_env_token(p.pid, var, token)
    ]


def kill_marked(var: str, token: str, *, timeout_s: float = 2.0) -> list[ProcInfo]:
    """SIGKILL every process marked ``var=token`` (stopped first, so forking cannot outrun it);
    returns those still alive after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while (left := marked_processes(var, token)) and time.monotonic() < deadline:
        for info in left:
            signal_process(info, signal.SIGSTOP)
        for info in left:
            signal_process(info, signal.SIGKILL)
        time.sleep(0.01)
    return marked_processes(var, token)


def become_subreaper() -> bool:
    """Make this process adopt its descendants' orphans (Linux 3.4+); False if it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def end_descendants(root: int, *, grace_s: float = 1.0, reap: bool = False) -> list[ProcInfo]:
    """End every live process below ``root`` (this process, or a subreaper child we hold).

    SIGTERM, up to ``grace_s`` to go, then stop-and-kill rounds until nothing is left: stopping
    first means a fork bomb cannot replace its members faster than they are killed. With
    ``reap``, ``root`` is this process and reaps the zombies (a subreaper must). Returns what
    was still alive after about ``grace_s + 2`` seconds (nothing, unless a process cannot be
    killed).
    """
    for info in descendants(root):
        signal_process(info, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _settle(root, reap):
        time.sleep(0.02)
    deadline = time.monotonic() + 2.0
    while (left := _settle(root, reap)) and time.monotonic() < deadline:
        for info in left:
            signal_process(info, signal.SIGSTOP)
        for info in descendants(root):
            signal_process(info, signal.SIGKILL)
        time.sleep(0.01)
    return _settle(root, reap)


def _settle(root: int, reap: bool) -> list[ProcInfo]:
    if reap:
        reap_children()
    return descendants(root)


def reap_children() -> list[tuple[int, int]]:
    """Reap every child that has exited, without blocking; returns ``(pid, status)`` pairs."""
    reaped = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append((pid, status))
