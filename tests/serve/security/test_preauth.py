"""Issue 12 item 5: connections that never log in cannot exhaust the server.

One client held 1,100 idle TCP connections against a server with a 1,024-descriptor limit: a real
learner's login took 56 s, and "Too many open files" tracebacks grew the log by 140 MB a minute.
The same attack runs here against a real ``gradtui serve ssh`` process with that limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest

from gradtui.serve import auth_guard
from gradtui.serve.roster import Roster, save_roster

from .helpers import write_security_lab

ATTACKER = "127.0.0.2"  # the whole of 127.0.0.0/8 is this machine: a second "address"
IDLE_CONNECTIONS = 1100


def _low_fd_limit() -> None:  # in the server's process, before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


class ServerProcess:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.log = bytearray()
        self.port: int | None = None
        self._listening = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self.log += chunk
            found = re.search(rb"listening .*port=(\d+)", self.log)
            if found and self.port is None:
                self.port = int(found[1])
                self._listening.set()

    async def listening(self) -> int:
        await asyncio.wait_for(self._listening.wait(), 60)
        assert self.port is not None
        return self.port


@contextlib.asynccontextmanager
async def serve_ssh(lab_dir: Path, key: asyncssh.SSHKey) -> AsyncIterator[ServerProcess]:
    config = write_security_lab(lab_dir, sandbox="none")
    roster = Roster().with_learner("alice", key=key.export_public_key().decode().strip())
    save_roster(roster, lab_dir / "roster.toml")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gradtui", "serve", "ssh", "--config", str(config), "--port", "0",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, preexec_fn=_low_fd_limit,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    server = ServerProcess(proc)
    try:
        yield server
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.wait_for(server._reader, 10)


async def _hold_idle_connections(port: int, count: int) -> list[asyncio.StreamWriter]:
    async def one() -> asyncio.StreamWriter | None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0))
        except OSError:
            return None
        return writer

    held = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), 60)
    return [w for w in held if w is not None]


async def test_a_thousand_idle_connections_do_not_keep_a_learner_out(lab_dir: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < IDLE_CONNECTIONS + 200:
        pytest.skip(f"this test process may hold only {hard} descriptors, not {IDLE_CONNECTIONS}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, IDLE_CONNECTIONS + 200), hard))
    try:
        await _attack(lab_dir)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def _attack(lab_dir: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    async with serve_ssh(lab_dir, key) as server:
        port = await server.listening()
        held = await _hold_idle_connections(port, IDLE_CONNECTIONS)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            conn = await asyncio.wait_for(
                asyncssh.connect("127.0.0.1", port, username="alice", client_keys=[key],
                                 known_hosts=None),
                30,  # it took 56 s before; now it is as quick as on an idle server
            )
            async with conn:
                proc = await conn.create_process(term_type="xterm", term_size=(80, 24))
                await asyncio.wait_for(proc.stdout.readuntil("@@READY@@"), 60)
            login_s = loop.time() - started
        finally:
            for writer in held:
                writer.close()
        await asyncio.sleep(0.5)
        log = bytes(server.log)
    assert login_s < 30
    assert b"Too many open files" not in log and b"Traceback" not in log
    assert b"connect-refused" in log and b"reason=max-startups-per-source" in log
    # About 1,000 refusals, but the log holds a burst of them and then a count.
    assert len(log) < 100_000, len(log)


async def test_an_idle_connection_is_dropped_after_the_handshake_grace(
    security_lab, monkeypatch
) -> None:
    monkeypatch.setattr(auth_guard, "HANDSHAKE_GRACE_S", 0.5)
    lab = await security_lab(sandbox="none")
    reader, writer = await asyncio.open_connection("127.0.0.1", lab.port)
    try:
        await asyncio.wait_for(reader.readline(), 10)  # the server's version line
        assert await asyncio.wait_for(reader.read(), 10) == b""  # then it hangs up on us
    finally:
        writer.close()
    assert lab.runtime.sessions == set()


async def test_a_class_logging_in_at_once_from_one_address_is_not_refused(security_lab) -> None:
    """The caps are for idle floods: 60 learners behind one NAT address all get in at once."""
    lab = await security_lab(sandbox="none")

    async def log_in() -> bool:
        conn = await lab.connect("alice")  # raises if the server closed it unauthenticated
        conn.close()
        await conn.wait_closed()
        return True

    logged_in = await asyncio.wait_for(asyncio.gather(*(log_in() for _ in range(60))), 120)
    assert logged_in == [True] * 60
