"""Issue 12 item 9: nothing of a session outlives it, however its processes detach.

The attack: ``fork(); setsid(); fork(); execve(...)`` with an empty environment, so the process
has no parent in the session, no session or group of the session's, and no session token. It
must still end with the session, in every sandbox mode and with or without a cgroup.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest

from .helpers import needs_bwrap, needs_cgroup

DETACH_CELL = """
import os
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execve("/bin/sleep", ["sleep", "{marker}"], {{}})
    os._exit(0)
os.waitpid(pid, 0)
print("detached")
"""


def processes_with_argument(marker: str) -> list[int]:
    """Pids (as this machine sees them) whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                    if state != "Z":
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


async def eventually(condition, timeout: float = 20) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    return condition()


MODES = [
    pytest.param("none", "rlimits", id="none-rlimits"),
    pytest.param("none", "cgroup", id="none-cgroup", marks=needs_cgroup),
    pytest.param("bwrap", "rlimits", id="bwrap-rlimits", marks=needs_bwrap),
    pytest.param("bwrap", "cgroup", id="bwrap-cgroup", marks=[needs_bwrap, needs_cgroup]),
]


@pytest.mark.parametrize(("sandbox", "limits"), MODES)
@pytest.mark.parametrize("ending", ["learner-disconnects", "app-exits"])
async def test_a_detached_process_ends_with_its_session(
    security_lab, sandbox: str, limits: str, ending: str
) -> None:
    lab = await security_lab(sandbox=sandbox, session=f'limits = "{limits}"\n')
    marker = f"{300 + secrets.randbelow(10**6) / 10**7:.7f}"  # `sleep 300.0123456`
    conn = await lab.connect("alice")
    try:
        proc = await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        from .helpers import SecuritySession

        session = SecuritySession(proc)
        await session.wait_ready()
        result = await session.run(DETACH_CELL.format(marker=marker))
        assert result.out.strip() == "detached", result
        assert await eventually(lambda: processes_with_argument(marker), 10), "never started"
        if ending == "app-exits":
            proc.stdin.write_eof()  # the app's input ends: it exits by itself
            await asyncio.wait_for(proc.wait_closed(), 30)
    finally:
        conn.close()
        await asyncio.wait_for(conn.wait_closed(), 30)
    assert await eventually(lambda: not processes_with_argument(marker)), (
        f"{processes_with_argument(marker)} outlived the session ({sandbox}, {limits})"
    )
