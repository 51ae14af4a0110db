"""Helpers for the lab server tests: a lab folder, a roster, a running server, clients, /proc."""

from __future__ import annotations

import asyncio
import inspect
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp
import asyncssh

from gradtui.serve.config import LabConfig, load_lab_config
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.roster import Roster, hash_password, save_roster
from gradtui.serve.ssh_server import start_lab_server, stop_lab_server

T = TypeVar("T")

FAKE_APP = Path(__file__).with_name("fake_app.py")
PASSWORD = "correct horse battery staple"


@dataclass
class RunningLab:
    config: LabConfig
    runtime: LabRuntime
    port: int
    alice_key: asyncssh.SSHKey
    lab_dir: Path

    async def connect(
        self, username: str = "alice", **kwargs: object
    ) -> asyncssh.SSHClientConnection:
        options: dict[str, object] = {"known_hosts": None, "client_keys": [self.alice_key]}
        options.update(kwargs)
        return await asyncssh.connect("127.0.0.1", self.port, username=username, **options)


def write_lab(
    lab_dir: Path,
    *,
    command: list[str] | None,
    sandbox: str = "none",
    extra_server: str = "",
    extra_learners: str = "",
    landing: str = "repl",
) -> Path:
    """Write a lab.toml for tests; ``command`` None means the real gradtui."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    command_line = "" if command is None else f"command = {command!r}\n".replace("'", '"')
    text = (
        '[server]\nhost = "127.0.0.1"\nport = 0\n'
        + extra_server
        + '\n[learners]\nroster = "roster.toml"\nroot = "learners"\n'
        + extra_learners
        + f'\n[session]\nlanding = "{landing}"\nsandbox = "{sandbox}"\n'
        + command_line
        + "kernel_memory_mb = 512\nkernel_cpu_s = 120\n"
    )
    path = lab_dir / "lab.toml"
    path.write_text(text)
    return path


def fake_app_command() -> list[str]:
    return [sys.executable, str(FAKE_APP)]


def write_roster(lab_dir: Path, alice_key: asyncssh.SSHKey) -> None:
    roster = Roster().with_learner("alice", key=alice_key.export_public_key().decode().strip())
    roster = roster.with_learner("bob", password_hash=hash_password(PASSWORD))
    save_roster(roster, lab_dir / "roster.toml")


async def start_lab(
    config_path: Path, alice_key: asyncssh.SSHKey, sandbox_mode: str = "none"
) -> tuple[RunningLab, asyncssh.SSHAcceptor]:
    config = load_lab_config(config_path)
    runtime = LabRuntime(config=config, sandbox_mode=sandbox_mode)
    acceptor = await start_lab_server(runtime)
    port = acceptor.sockets[0].getsockname()[1]
    return RunningLab(config, runtime, port, alice_key, config_path.parent), acceptor


async def stop_lab(lab: RunningLab, acceptor: asyncssh.SSHAcceptor) -> None:
    """What the server does on SIGTERM (bounded: a stop that hangs fails the test)."""
    await asyncio.wait_for(stop_lab_server(lab.runtime, acceptor), 60)


async def read_until(stream: asyncssh.SSHReader, pattern: str, timeout: float = 30) -> str:
    """Read from ``stream`` until ``pattern`` (a regex) appears; returns everything read."""
    seen = ""
    regex = re.compile(pattern)

    async def loop() -> str:
        nonlocal seen
        while not regex.search(seen):
            chunk = await stream.read(4096)
            if not chunk:
                raise EOFError(f"stream ended before {pattern!r}; got {seen[-2000:]!r}")
            seen += chunk
        return seen

    try:
        return await asyncio.wait_for(loop(), timeout)
    except TimeoutError:
        raise AssertionError(
            f"{pattern!r} not seen within {timeout}s; got {seen[-2000:]!r}"
        ) from None


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


async def wait_until(condition: Callable[[], bool], timeout: float = 15) -> bool:
    """Poll ``condition`` until true or ``timeout``; returns its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return condition()


async def typing_until(
    shown: Awaitable[T], press: Callable[[], object], every_s: float = 0.25
) -> tuple[T, float]:
    """Await ``shown`` (the app on screen) while pressing a key every ``every_s``, as a learner
    typing while the app starts: the idle clock runs from a learner's last input, so an idle
    test that starts counting only once the app is there holds however slowly the app starts.

    ``press`` sends one key (it may return an awaitable). Returns ``shown``'s result and the
    ``time.monotonic()`` of the last key sent.
    """
    last = time.monotonic()

    async def keep_pressing() -> None:
        nonlocal last
        while True:
            sent = press()
            if inspect.isawaitable(sent):
                await sent
            last = time.monotonic()
            await asyncio.sleep(every_s)

    pressing = asyncio.create_task(keep_pressing())
    try:
        result = await shown
    finally:
        pressing.cancel()
        await asyncio.gather(pressing, return_exceptions=True)
    return result, last


async def read_screen(ws: aiohttp.ClientWebSocketResponse, needle: str, timeout: float = 60) -> str:
    seen = ""

    async def loop() -> str:
        nonlocal seen
        while needle not in seen:
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                seen += message.data
            else:
                raise AssertionError(f"socket ended before {needle!r}: {seen[-1500:]!r}")
        return seen

    try:
        return await asyncio.wait_for(loop(), timeout)
    except TimeoutError:
        raise AssertionError(f"{needle!r} not on screen; got {seen[-1500:]!r}") from None


def proxy_headers(server: object, web_server: object, user: str | None = "alice") -> dict[str, str]:
    """What an authenticating proxy in front of ``serve web`` sends: the learner's name, the lab's
    proxy secret, and (the browser's) Origin of the lab's own page.

    ``server`` is the aiohttp TestServer, ``web_server`` the LabWebServer it runs.
    """
    url = server.make_url("/")  # type: ignore[attr-defined]
    headers = {
        "X-Gradtui-Proxy-Secret": web_server.proxy_secret or "",  # type: ignore[attr-defined]
        "Origin": f"{url.scheme}://{url.host}:{url.port}",
    }
    if user is not None:
        headers["X-Forwarded-User"] = user
    return headers
