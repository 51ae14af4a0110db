"""Machinery shared by the lab's attack tests (``tests/serve/security/``).

- Skip markers that say why an attack cannot run on this machine (``needs_bwrap``, ...): an
  attack test never passes by doing nothing.
- ``SecurityLab``: a running ``serve ssh`` lab in a folder outside ``/tmp`` (so that what hides the
  lab's files from a session is the sandbox's mask, not its private ``/tmp``), with three learners:
  ``alice`` and ``carol`` (keys) and ``bob`` (password ``PASSWORD``).
- ``async with lab.session("alice") as s: result = await s.run(code)``: run a whole cell of Python
  inside a real learner session (its sandbox, limits and cleanup), through a real SSH client.

Everything is bounded (a timeout on every wait) and on loopback only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest

from gradtui.serve.config import LabConfig, load_lab_config
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.roster import Roster, hash_password, save_roster
from gradtui.serve.sandbox import bwrap_problem
from gradtui.serve.session_limits import LimitsUnavailable, resolve_mechanism
from gradtui.serve.ssh_server import start_lab_server, stop_lab_server

CELL_APP = Path(__file__).with_name("cell_app.py")
PASSWORD = "correct horse battery staple"
KEY_LEARNERS = ("alice", "carol")
PASSWORD_LEARNERS = ("bob",)

BWRAP_PROBLEM = bwrap_problem()
needs_bwrap = pytest.mark.skipif(
    BWRAP_PROBLEM is not None, reason=f"bwrap cannot sandbox a session here: {BWRAP_PROBLEM}"
)
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the test runs as a user)")
needs_non_root = pytest.mark.skipif(
    os.geteuid() == 0, reason="root is exempt from the limit this test checks"
)


def _cgroup_problem() -> str | None:
    try:
        resolve_mechanism("cgroup")
    except LimitsUnavailable as error:
        return str(error)
    return None


CGROUP_PROBLEM = _cgroup_problem()
needs_cgroup = pytest.mark.skipif(
    CGROUP_PROBLEM is not None, reason=f"no cgroup for sessions here: {CGROUP_PROBLEM}"
)

_FRAME = re.compile(rb"@@CELL ([A-Za-z0-9+/=]+)@@")


@dataclass(frozen=True)
class CellResult:
    """What one cell did inside the session: its stdout, and its error line if it raised."""

    ok: bool
    out: str
    error: str | None

    def __str__(self) -> str:
        return self.out if self.ok else f"{self.out}{self.error}"


def lab_folder_outside_tmp() -> Path:
    """A fresh private folder for a lab, outside ``/tmp`` when the machine allows it."""
    for parent in (Path("/var/tmp"), Path(tempfile.gettempdir())):
        if parent.is_dir() and os.access(parent, os.W_OK):
            return Path(tempfile.mkdtemp(prefix="gradtui-security-", dir=parent))
    raise RuntimeError("no writable folder for a test lab")


def write_security_lab(
    lab_dir: Path,
    *,
    sandbox: str,
    session: str = "",
    server: str = "",
    command: list[str] | None = None,
) -> Path:
    """``lab.toml`` for an attack test; ``command`` None runs ``cell_app.py``.

    ``session`` and ``server`` are extra TOML lines for those tables (limits, ports, ...).
    """
    argv = command if command is not None else [sys.executable, str(CELL_APP)]
    text = (
        '[server]\nhost = "127.0.0.1"\nport = 0\nidle_timeout = 0\n'
        + server
        + '\n[learners]\nroster = "roster.toml"\nroot = "learners"\n'
        + f'\n[session]\nlanding = "repl"\nsandbox = "{sandbox}"\n'
        + f"command = {json.dumps(argv)}\n"
        + session
    )
    path = lab_dir / "lab.toml"
    path.write_text(text)
    return path


@dataclass
class SecurityLab:
    """A running lab and its learners' credentials."""

    config: LabConfig
    runtime: LabRuntime
    acceptor: asyncssh.SSHAcceptor
    port: int
    keys: dict[str, asyncssh.SSHKey] = field(default_factory=dict)

    @property
    def lab_dir(self) -> Path:
        return self.config.base_dir

    def learner_dir(self, name: str) -> Path:
        return self.config.learners_root / name

    async def connect(
        self, learner: str = "alice", **options: object
    ) -> asyncssh.SSHClientConnection:
        """An SSH connection as ``learner`` (their key, or bob's password)."""
        settings: dict[str, object] = {"known_hosts": None}
        if learner in self.keys:
            settings["client_keys"] = [self.keys[learner]]
        else:
            settings.update(client_keys=None, password=PASSWORD)
        settings.update(options)
        return await asyncio.wait_for(
            asyncssh.connect("127.0.0.1", self.port, username=learner, **settings), 30
        )

    @asynccontextmanager
    async def session(self, learner: str = "alice") -> AsyncIterator[SecuritySession]:
        """A learner's session running ``cell_app.py``; closed (and its processes ended) after."""
        conn = await self.connect(learner)
        try:
            proc = await conn.create_process(
                term_type="xterm-256color", term_size=(100, 30), encoding=None
            )
            session = SecuritySession(proc)
            await session.wait_ready()
            yield session
        finally:
            conn.close()
            await asyncio.wait_for(conn.wait_closed(), 30)

    async def stop(self) -> None:
        """What the server does on SIGTERM, bounded."""
        await asyncio.wait_for(stop_lab_server(self.runtime, self.acceptor), 60)


class SecuritySession:
    """One learner's running session: send cells, read their framed results."""

    def __init__(self, proc: asyncssh.SSHClientProcess) -> None:
        self.proc = proc
        self.screen = bytearray()

    async def _read_until(self, pattern: re.Pattern[bytes], timeout: float) -> re.Match[bytes]:
        async def loop() -> re.Match[bytes]:
            while (match := pattern.search(self.screen)) is None:
                chunk = await self.proc.stdout.read(65536)
                if not chunk:
                    raise EOFError(f"the session ended; it showed {bytes(self.screen[-1500:])!r}")
                self.screen += chunk
            return match

        try:
            return await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"{pattern.pattern!r} not seen in {timeout}s; got {bytes(self.screen[-1500:])!r}"
            ) from None

    async def wait_ready(self, timeout: float = 60) -> None:
        match = await self._read_until(re.compile(rb"@@READY@@"), timeout)
        del self.screen[: match.end()]

    async def run(self, code: str, timeout: float = 60) -> CellResult:
        """Run ``code`` as one cell in the session; its result once it finished."""
        self.proc.stdin.write(base64.b64encode(code.encode()) + b"\n")
        match = await self._read_until(_FRAME, timeout)
        framed = bytes(match[1])  # before the buffer it points into changes
        del self.screen[: match.end()]
        return CellResult(**json.loads(base64.b64decode(framed)))


async def start_security_lab(
    lab_dir: Path, *, sandbox: str = "bwrap", session: str = "", server: str = "",
    command: list[str] | None = None,
) -> SecurityLab:  # fmt: skip
    """Write the lab's files (config, roster with alice, bob, carol) and start its SSH server."""
    config_path = write_security_lab(
        lab_dir, sandbox=sandbox, session=session, server=server, command=command
    )
    keys = {name: asyncssh.generate_private_key("ssh-ed25519") for name in KEY_LEARNERS}
    roster = Roster()
    for name, key in keys.items():
        roster = roster.with_learner(name, key=key.export_public_key().decode().strip())
    for name in PASSWORD_LEARNERS:
        roster = roster.with_learner(name, password_hash=hash_password(PASSWORD))
    save_roster(roster, lab_dir / "roster.toml")
    config = load_lab_config(config_path)
    runtime = LabRuntime(config=config, sandbox_mode=sandbox)
    acceptor = await start_lab_server(runtime)
    port = acceptor.sockets[0].getsockname()[1]
    return SecurityLab(config, runtime, acceptor, port, keys)


def remove_lab_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
