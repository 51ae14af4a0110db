"""Find and end every process of one learner session, by scanning ``/proc`` (no psutil).

A session's processes are found three ways, because any one of them can miss some: the
descendants of the session leader (parent links), the members of its session id (the kernel may
start its own process group), and every process carrying the session's token in its environment
(survives re-parenting to init after the leader died). Zombies are ignored: they hold no memory or
CPU and their parent (or init) reaps them.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    sid: int
    state: str


def read_proc(pid: int) -> ProcInfo | None:
    """Parse ``/proc/PID/stat``; None if the process is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces and ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return ProcInfo(pid=pid, ppid=int(fields[1]), sid=int(fields[3]), state=fields[0])


def all_processes() -> list[ProcInfo]:
    infos = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = read_proc(int(entry.name))
            if info is not None:
                infos.append(info)
    return infos


def has_env_token(pid: int, var: str, token: str) -> bool:
    needle = f"{var}={token}".encode()
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return needle in environ.split(b"\0")


def session_processes(leader: int, token_var: str, token: str) -> set[int]:
    """Live (non-zombie) pids belonging to the session started as ``leader``."""
    procs = [p for p in all_processes() if p.state != "Z" and p.pid != os.getpid()]
    children: dict[int, list[int]] = {}
    for proc in procs:
        children.setdefault(proc.ppid, []).append(proc.pid)
    found: set[int] = set()
    stack = [leader]
    while stack:
        pid = stack.pop()
        for child in children.get(pid, []):
            if child not in found:
                found.add(child)
                stack.append(child)
    live = {p.pid for p in procs}
    if leader in live:
        found.add(leader)
    found |= {p.pid for p in procs if p.sid == leader}
    found |= {p.pid for p in procs if p.pid not in found and has_env_token(p.pid, token_var, token)}
    return found


def signal_all(pids: set[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


async def end_session_processes(
    leader: int, token_var: str, token: str, *, grace_s: float = 1.0, kill_group: bool = True
) -> set[int]:
    """SIGHUP, then SIGTERM, then SIGKILL everything of the session; returns pids still alive.

    Each step waits up to ``grace_s`` for the processes to go, so a well-behaved app gets to
    restore its state (close its kernel) and a stuck one is killed within ``3 * grace_s``.
    ``kill_group`` also signals the leader's process group (only if the leader started one).
    """
    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGKILL):
        pids = await asyncio.to_thread(session_processes, leader, token_var, token)
        if not pids:
            return set()
        signal_all(pids, signum)
        if kill_group:
            try:
                os.killpg(leader, signum)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = asyncio.get_running_loop().time() + grace_s
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            if not any(_alive(pid) for pid in pids):
                break
    return await asyncio.to_thread(session_processes, leader, token_var, token)


def _alive(pid: int) -> bool:
    info = read_proc(pid)
    return info is not None and info.state != "Z"
