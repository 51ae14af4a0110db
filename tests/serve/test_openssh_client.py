"""The lab server with OpenSSH's own `ssh` client, run in a real pty like a learner's terminal."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import shutil
import subprocess
import termios
from pathlib import Path

import asyncssh
import pytest

from .lab_helpers import PASSWORD, RunningLab, wait_for_no_processes

pytestmark = [
    pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client `ssh` not installed"),
]


class SshInPty:
    """`ssh ...` attached to a pty we hold the master of; output is read without blocking."""

    def __init__(self, argv: list[str]) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            # the pty must be ssh's controlling terminal: it reads passwords from /dev/tty
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
            env={**os.environ, "TERM": "xterm-256color"},
        )
        os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        self.seen = ""

    async def expect(self, pattern: str, timeout: float = 30) -> str:
        regex = re.compile(pattern)
        deadline = asyncio.get_running_loop().time() + timeout
        while not regex.search(self.seen):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{pattern!r} not seen; got {self.seen[-2000:]!r}")
            try:
                chunk = os.read(self.master, 65536)
            except BlockingIOError:
                await asyncio.sleep(0.02)
                continue
            except OSError:  # EIO: ssh exited and the pty closed
                chunk = b""
            if not chunk:
                raise AssertionError(f"ssh ended before {pattern!r}; got {self.seen[-2000:]!r}")
            self.seen += chunk.decode(errors="replace")
        return self.seen

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    async def wait(self, timeout: float = 30) -> int:
        code = await asyncio.wait_for(asyncio.to_thread(self.proc.wait), timeout)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def ssh_argv(lab: RunningLab, user: str, *extra: str) -> list[str]:
    return [
        "ssh",
        "-tt",
        "-p",
        str(lab.port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "LogLevel=ERROR",
        "-F",
        "/dev/null",
        *extra,
        f"{user}@127.0.0.1",
    ]


def private_key_file(tmp_path: Path, key: asyncssh.SSHKey, name: str) -> Path:
    path = tmp_path / name
    key.write_private_key(str(path), format_name="openssh")
    path.chmod(0o600)
    return path


async def test_openssh_key_login_types_a_cell_and_leaves_nothing_behind(
    lab: RunningLab, tmp_path: Path
) -> None:
    key = private_key_file(tmp_path, lab.alice_key, "alice_key")
    ssh = SshInPty(ssh_argv(lab, "alice", "-i", str(key), "-o", "BatchMode=yes"))
    try:
        await ssh.expect(r">>> ")
        assert "TTY=True" in ssh.seen and "TERM=xterm-256color" in ssh.seen
        ssh.send("sum(range(10))\r")
        await ssh.expect(r"= 45")
        ssh.send("quit\r")
        assert await ssh.wait() == 0
    finally:
        ssh.close()
    assert await wait_for_no_processes(lab.config.learners_root) == []


async def test_openssh_password_login_at_the_prompt(lab: RunningLab) -> None:
    ssh = SshInPty(
        ssh_argv(
            lab,
            "bob",
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "PreferredAuthentications=password,keyboard-interactive",
        )
    )
    try:
        await ssh.expect(r"(?i)password:")
        ssh.send(PASSWORD + "\r")
        await ssh.expect(r">>> ")
        ssh.send("'ab' * 2\r")
        await ssh.expect(r"= 'abab'")
    finally:
        ssh.close()  # killing the client is an abrupt disconnect
    assert await wait_for_no_processes(lab.config.learners_root) == []


async def test_openssh_wrong_key_is_refused(lab: RunningLab, tmp_path: Path) -> None:
    stranger = private_key_file(tmp_path, asyncssh.generate_private_key("ssh-ed25519"), "k")
    ssh = SshInPty(ssh_argv(lab, "alice", "-i", str(stranger), "-o", "BatchMode=yes"))
    try:
        assert await ssh.wait() == 255
        await ssh.expect(r"Permission denied")
    finally:
        ssh.close()
