"""Finding and ending a session's processes from /proc, even after they were re-parented."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from gradtui.serve.process_tree import end_session_processes, read_proc, session_processes

VAR = "GRADTUI_LAB_SESSION"

# Starts a grandchild in its own session (like gradtui's kernel) and exits at once, so the
# grandchild is re-parented away from the leader: only the session token still ties it to us.
ORPHAN_MAKER = (
    "import subprocess, sys; "
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
    "start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(p.pid, flush=True)"
)


def alive(pid: int) -> bool:
    info = read_proc(pid)
    return info is not None and info.state != "Z"


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
        assert alive(orphan)
        assert orphan in session_processes(999_999_999, VAR, token)  # leader long gone
        assert await end_session_processes(999_999_999, VAR, token, grace_s=0.5) == set()
        assert not alive(orphan)
    finally:
        if alive(orphan):
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
    try:
        for _ in range(100):
            found = session_processes(leader.pid, VAR, "no-such-token")
            if len(found) == 2:
                break
            await asyncio.sleep(0.05)
        assert leader.pid in found and len(found) == 2
        assert await end_session_processes(leader.pid, VAR, "no-such-token", grace_s=0.5) == set()
        leader.wait(10)
        assert not any(alive(pid) for pid in found)
    finally:
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
        assert other.pid not in session_processes(999_999_999, VAR, uuid.uuid4().hex)
        assert other.pid in session_processes(999_999_999, VAR, "someone-else")
    finally:
        other.kill()
        other.wait()
