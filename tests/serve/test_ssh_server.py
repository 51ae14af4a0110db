"""The SSH lab server with a real asyncssh client: auth, a process per learner, limits."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncssh
import pytest
from conftest import PASSWORD, RunningLab, read_until

pytestmark = pytest.mark.asyncio


def processes_with_home_under(root: Path) -> list[int]:
    """Live processes whose HOME is inside ``root`` (found by scanning /proc, no psutil)."""
    needle = f"HOME={root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if state != "Z" and any(v.startswith(needle) for v in environ.split(b"\0")):
            found.append(int(entry.name))
    return found


def pid_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def wait_for_no_processes(root: Path, timeout: float = 15) -> list[int]:
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := processes_with_home_under(root)) and (
        asyncio.get_running_loop().time() < deadline
    ):
        await asyncio.sleep(0.1)
    return left


async def open_app(
    conn: asyncssh.SSHClientConnection,
    term: str = "xterm-256color",
    size: tuple[int, int] = (100, 30),
) -> asyncssh.SSHClientProcess:
    return await conn.create_process(term_type=term, term_size=size)


async def test_key_login_gets_own_app_in_a_pty_with_client_term_and_size(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn, term="xterm-kitty", size=(100, 30))
        seen = await read_until(proc.stdout, r">>> ")
        assert "READY TERM=xterm-kitty SIZE 100x30 TTY=True" in seen
        learner_dir = lab.config.learners_root / "alice"
        assert f"HOME={learner_dir} DATA={learner_dir / 'data'}" in seen
        assert f"CWD={learner_dir / 'work'}" in seen
        proc.stdin.write("6 * 7\n")
        assert "= 42" in await read_until(proc.stdout, r"= 42")


async def test_window_change_reaches_the_app(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn, size=(80, 24))
        await read_until(proc.stdout, r">>> ")
        proc.change_terminal_size(120, 40)
        await read_until(proc.stdout, r"SIZE 120x40")


async def test_password_login_works_and_wrong_password_is_refused(lab: RunningLab) -> None:
    async with await lab.connect("bob", client_keys=None, password=PASSWORD) as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r"READY")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("bob", client_keys=None, password="wrong")


async def test_wrong_key_and_unknown_user_are_refused(lab: RunningLab) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("alice", client_keys=[stranger])
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("mallory", client_keys=[lab.alice_key], password=PASSWORD)
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("../alice", client_keys=[lab.alice_key])


async def test_each_connection_gets_its_own_process(lab: RunningLab) -> None:
    async with await lab.connect() as one, await lab.connect() as two:
        first = await read_until((await open_app(one)).stdout, r"KERNEL \d+")
        second = await read_until((await open_app(two)).stdout, r"KERNEL \d+")
        assert re.search(r"KERNEL (\d+)", first)[1] != re.search(r"KERNEL (\d+)", second)[1]
        assert len(lab.runtime.sessions) == 2


async def test_disconnect_leaves_no_app_or_kernel_process(lab: RunningLab) -> None:
    conn = await lab.connect()
    proc = await open_app(conn)
    seen = await read_until(proc.stdout, r">>> ")
    kernel_pid = int(re.search(r"KERNEL (\d+)", seen)[1])
    assert processes_with_home_under(lab.config.learners_root)
    conn.close()  # abrupt: no quit, no EOF first
    await conn.wait_closed()
    assert await wait_for_no_processes(lab.config.learners_root) == []
    assert not pid_running(kernel_pid)
    assert not lab.runtime.sessions


async def test_app_exit_closes_the_session_and_ends_its_kernel(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r">>> ")
        proc.stdin.write("quit\n")
        result = await asyncio.wait_for(proc.wait(), 20)
        assert result.exit_status == 0
    assert await wait_for_no_processes(lab.config.learners_root) == []


async def test_full_lab_refuses_politely(lab: RunningLab) -> None:
    async with await lab.connect() as one, await lab.connect() as two:
        for conn in (one, two):
            await read_until((await open_app(conn)).stdout, r">>> ")
        async with await lab.connect() as third:
            proc = await open_app(third)
            result = await asyncio.wait_for(proc.wait(), 20)
            assert "the lab is full (2 learners are connected)" in result.stdout
            assert result.exit_status == 1


async def test_exec_requests_are_refused(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("cat /etc/passwd", check=False)


async def test_session_without_a_terminal_is_told_to_use_one(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await conn.create_process()  # a shell request without a pty
        result = await asyncio.wait_for(proc.wait(), 20)
        assert "needs a terminal" in result.stdout
