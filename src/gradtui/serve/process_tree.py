"""Find and end every process of one learner session.

A session's processes are found three ways, each exact where it applies:

- its **cgroup** (when the lab has one): every process born in the session, however it detached;
- the **descendants of its first process** while that process runs: the session guard, a child
  subreaper when there is neither cgroup nor sandbox, so an orphan stays below it; or bwrap,
  whose sandbox dies with it;
- the **session token** in the environment, for processes re-parented elsewhere that kept it.

Every signal goes through ``proctree.signal_process``: a process is named by its pid *and* start
time and signalled by pidfd, so a pid reused by an unrelated process after a session's process
died is never hit (nor is a process group, whose number can be reused the same way).
"""

from __future__ import annotations

import asyncio
import os
import signal

from gradtui.kernel.proctree import (
    ProcessHandle,
    ProcInfo,
    alive,
    marked_processes,
    signal_process,
)
from gradtui.serve.session_limits import SessionGroup


class SessionProcesses:
    """Every process of one learner session, found and ended as one.

    Created with the session's plan (its group and token), told the first process's pid by
    ``started``, and ended by ``end``, which also removes the session's cgroup. ``end`` may be
    called more than once (the second call finds nothing).
    """

    def __init__(self, group: SessionGroup, token_var: str, token: str) -> None:
        self.group = group
        self.token_var = token_var
        self.token = token
        self.leader: ProcessHandle | None = None
        self._closed = False

    def started(self, pid: int) -> None:
        self.leader = ProcessHandle(pid)
        self.group.attach(pid)

    def find(self) -> list[ProcInfo]:
        """Live processes of the session now (the server itself never among them)."""
        found: dict[tuple[int, int], ProcInfo] = {}
        for info in self.group.members():
            found[(info.pid, info.start)] = info
        if self.leader is not None and not self.leader.exited:
            for info in [self.leader.info, *self.leader.descendants()]:
                if info is not None:
                    found[(info.pid, info.start)] = info
        for info in marked_processes(self.token_var, self.token):
            found.setdefault((info.pid, info.start), info)
        me = os.getpid()
        return [info for info in found.values() if info.pid != me]

    async def end(self, *, grace_s: float = 1.0) -> set[int]:
        """SIGHUP, then SIGTERM, then SIGKILL everything; returns pids still alive after.

        Each step waits up to ``grace_s`` for the processes to go, so a well-behaved app gets to
        save and close its kernel, and a stuck one is killed within ``3 * grace_s``. A cgroup is
        then emptied whatever its members do (stopped first, so a fork bomb cannot outrun it)
        and removed.
        """
        try:
            for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGKILL):
                procs = await asyncio.to_thread(self.find)
                if not procs:
                    break
                for info in procs:
                    signal_process(info, signum)
                deadline = asyncio.get_running_loop().time() + grace_s
                while asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.05)
                    if not any(alive(info) for info in procs):
                        break
        except asyncio.CancelledError:
            self.end_now()
            raise
        left = await asyncio.to_thread(self._finish)
        return {info.pid for info in left}

    def end_now(self) -> set[int]:
        """End everything at once, blocking (a few seconds at most): for a server going away
        mid-goodbye (a cancelled ``end``), so neither a process nor a cgroup outlives the session.
        """
        for info in self.find():
            signal_process(info, signal.SIGKILL)
        return {info.pid for info in self._finish()}

    def _finish(self) -> list[ProcInfo]:
        if self.group.tracks_members:
            self.group.kill_all()
        left = self.find()
        if not self._closed and not self.group.members():
            self.group.close()
            self._closed = True
        return left

    def close(self) -> None:
        """Release the leader's pidfd (after ``end``)."""
        if self.leader is not None:
            self.leader.close()
