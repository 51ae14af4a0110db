"""Finding and ending a session's processes: by cgroup, by its first process, by its token."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from gradtui.kernel.proctree import alive, read_proc
from gradtui.serve.process_tree import SessionProcesses
from gradtui.serve.session_limits import SessionGroup

VAR = "GRADTUI_LAB_SESSION"

# Starts a grandchild in its own session (like gradtui's kernel) and exits at once, so the
# grandchild is re-parented away from the leader: only the session token still ties it to us.
ORPHAN_MAKER = (
    "import subprocess, sys; "
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
    "start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(p.pid, flush=True)"
)


def running(pid: int) -> bool:
    info = read_proc(pid)
    return info is not None and info.live


def no_cgroup() -> SessionGroup:
    return SessionGroup("rlimits")


async def test_reparented_process_is_found_by_token_and_ended() -> None:
    token = uuid.uuid4().hex
    leader = subprocess.run(
        [sys.executable, "-c", ORPHAN_MAKER],
        env={**os.environ, VAR: token},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    orphan = int(leader.stdout.split()[0])
    try:
        assert running(orphan)
        session = SessionProcesses(no_cgroup(), VAR, token)
        assert orphan in {info.pid for info in session.find()}
        assert await session.end(grace_s=0.5) == set()
        assert not running(orphan)
    finally:
        if running(orphan):
            os.kill(orphan, 9)


async def test_a_live_leader_and_its_children_are_found_without_a_token() -> None:
    leader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
            "time.sleep(120)",
        ],
        start_new_session=True,
    )
    session = SessionProcesses(no_cgroup(), VAR, "no-such-token")
    session.started(leader.pid)
    try:
        for _ in range(100):
            found = {info.pid for info in session.find()}
            if len(found) == 2:
                break
            await asyncio.sleep(0.05)
        assert leader.pid in found and len(found) == 2
        assert await session.end(grace_s=0.5) == set()
        leader.wait(10)
        assert not any(running(pid) for pid in found)
    finally:
        session.close()
        if leader.poll() is None:
            leader.kill()
            leader.wait()


def test_another_sessions_process_is_never_included() -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"],
        env={**os.environ, VAR: "someone-else"},
        start_new_session=True,
    )
    try:
        mine = SessionProcesses(no_cgroup(), VAR, uuid.uuid4().hex)
        theirs = SessionProcesses(no_cgroup(), VAR, "someone-else")
        assert other.pid not in {info.pid for info in mine.find()}
        assert other.pid in {info.pid for info in theirs.find()}
    finally:
        other.kill()
        other.wait()


async def test_an_exited_leaders_pid_is_never_signalled_again() -> None:
    """After the first process exited, its pid (or group) may name an unrelated process."""
    leader = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    session = SessionProcesses(no_cgroup(), VAR, uuid.uuid4().hex)
    session.started(leader.pid)
    leader.wait(30)
    try:
        assert session.leader is not None and session.leader.exited
        assert session.find() == []
        assert session.leader.send(15) is False
        assert await session.end(grace_s=0.2) == set()
    finally:
        session.close()


def test_a_recorded_process_is_not_confused_with_a_newer_one() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        info = read_proc(sleeper.pid)
        assert info is not None and alive(info)
        from gradtui.kernel.proctree import ProcInfo, signal_process

        older = ProcInfo(info.pid, info.ppid, info.sid, info.state, info.start - 1)
        assert not alive(older)
        assert signal_process(older, 9) is False  # same pid, another start time: not ours
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
