"""``gradtui serve ssh``: an SSH server that gives every learner their own gradtui process.

Authentication comes from the roster (public keys and/or scrypt password hashes); in an
explicitly open lab any valid learner name gets in without credentials. Forwarding, agent,
exec and sftp requests are all refused: a learner gets the lab's app and nothing else.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path

import asyncssh

from gradtui.serve.config import (
    LabConfig,
    LabConfigError,
    check_landing,
    load_lab_config,
    with_overrides,
)
from gradtui.serve.host_key import fingerprint, host_key_too_open, load_or_create_host_key
from gradtui.serve.lab_log import event, setup_logging
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.roster import Learner, RosterError, check_learner_name, verify_password
from gradtui.serve.sandbox import SandboxUnavailable, resolve_sandbox_mode
from gradtui.serve.ssh_session import LearnerSession


class LabSSHServer(asyncssh.SSHServer):
    """One per connection: authenticates against the roster and opens the learner's session."""

    def __init__(self, runtime: LabRuntime) -> None:
        self._runtime = runtime
        self._peer = "?"
        self._user: str | None = None
        self._method: str | None = None
        self._connected_at = time.monotonic()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        host, port = conn.get_extra_info("peername")[:2]
        self._peer = f"{host}:{port}"
        event("connect", peer=self._peer)

    def connection_lost(self, exc: Exception | None) -> None:
        event(
            "disconnect",
            user=self._user,
            peer=self._peer,
            duration=f"{time.monotonic() - self._connected_at:.1f}s",
            error=type(exc).__name__ if exc else None,
        )

    def begin_auth(self, username: str) -> bool:
        self._user = username
        try:
            check_learner_name(username)
        except RosterError:
            event(
                "auth",
                user=username,  # escaped by event(), as every client-supplied value is
                peer=self._peer,
                result="refused",
                reason="invalid-name",
            )
            return True  # never let an invalid name through, even in an open lab
        if self._runtime.config.open_mode:
            self._method = "none"
            event(
                "auth",
                user=username,
                peer=self._peer,
                method="none",
                result="ok",
                reason="open-lab",
            )
            return False
        return True

    def password_auth_supported(self) -> bool:
        return not self._runtime.config.open_mode

    def public_key_auth_supported(self) -> bool:
        return not self._runtime.config.open_mode

    async def validate_password(self, username: str, password: str) -> bool:
        learner = self._known(username)
        ok = bool(
            learner is not None
            and learner.password_hash
            # scrypt is deliberately slow: keep it off the event loop.
            and await asyncio.to_thread(verify_password, password, learner.password_hash)
        )
        self._report("password", username, ok, learner is not None)
        return ok

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # asyncssh verifies the client's signature itself after this says the key is acceptable.
        learner = self._known(username)
        ok = learner is not None and key.public_data in _key_blobs(learner.keys)
        if not ok:
            self._report("publickey", username, False, learner is not None)
        else:
            self._method = "publickey"
        return ok

    def auth_completed(self) -> None:
        if self._method != "none":
            event("auth", user=self._user, peer=self._peer, method=self._method, result="ok")

    def session_requested(self) -> LearnerSession:
        assert self._user is not None
        return LearnerSession(self._runtime, self._user, self._peer)

    def _known(self, username: str) -> Learner | None:
        try:
            check_learner_name(username)
            return self._runtime.roster().get(username)
        except RosterError as error:
            event("roster-error", error=str(error))
            return None

    def _report(self, method: str, username: str, ok: bool, known: bool) -> None:
        self._method = method
        if not ok:
            event(
                "auth",
                user=username,
                peer=self._peer,
                method=method,
                result="refused",
                reason=None if known else "unknown-user",
            )


def _key_blobs(lines: tuple[str, ...]) -> set[bytes]:
    blobs = set()
    for line in lines:
        try:
            blobs.add(asyncssh.import_public_key(line).public_data)
        except (asyncssh.KeyImportError, ValueError):
            continue  # a bad line never matches; `gradtui lab add-learner` validates new ones
    return blobs


async def start_lab_server(runtime: LabRuntime) -> asyncssh.SSHAcceptor:
    """Start listening; the host key is created on first start and kept."""
    config = runtime.config
    key, created = load_or_create_host_key(config.host_key)
    if created:
        event("host-key-created", path=config.host_key, fingerprint=fingerprint(key))
    elif host_key_too_open(config.host_key):
        event("warning", message=f"{config.host_key} is readable by others; chmod 600 it")
    return await asyncssh.create_server(
        lambda: LabSSHServer(runtime),
        config.host,
        config.port,
        server_host_keys=[key],
        encoding=None,
        line_editor=False,
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        gss_host=None,
        login_timeout=60,
        keepalive_interval=30,
    )


async def serve_until_stopped(runtime: LabRuntime, stop: asyncio.Event) -> None:
    acceptor = await start_lab_server(runtime)
    config = runtime.config
    port = acceptor.sockets[0].getsockname()[1] if acceptor.sockets else config.port
    key = asyncssh.read_private_key(str(config.host_key))
    event(
        "listening",
        host=config.host,
        port=port,
        sandbox=runtime.sandbox_mode,
        limits=runtime.limits.name,
        open=config.open_mode,
        max_sessions=config.max_sessions,
        host_key=fingerprint(key),
    )
    runtime.log_limits()
    await stop.wait()
    acceptor.close()
    await asyncio.gather(*(s.close_for_shutdown() for s in list(runtime.sessions)))
    await acceptor.wait_closed()
    event("stopped")


def build_runtime(args: argparse.Namespace) -> LabRuntime:
    """Config from ``--config`` (or ./lab.toml), command-line overrides, sandbox resolved."""
    config_path = getattr(args, "config", None)
    config = load_lab_config(Path(config_path) if config_path else None)
    config = with_overrides(
        config, host=getattr(args, "host", None), port=getattr(args, "port", None)
    )
    return LabRuntime(config=config, sandbox_mode=resolve_sandbox_mode(config.sandbox))


def main(args: argparse.Namespace) -> int:
    setup_logging()
    try:
        runtime = build_runtime(args)
        check_landing(runtime.config)
        if not runtime.config.open_mode:
            runtime.roster()  # fail at start, not at the first login, on a broken roster
    except (LabConfigError, RosterError, SandboxUnavailable) as error:
        print(f"gradtui serve ssh: {error}", file=sys.stderr)
        return 2
    _warn_about_setup(runtime.config, runtime)
    return asyncio.run(_run(runtime))


async def _run(runtime: LabRuntime) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve_until_stopped(runtime, stop)
    except OSError as error:
        print(f"gradtui serve ssh: cannot listen: {error}", file=sys.stderr)
        return 1
    return 0


def _warn_about_setup(config: LabConfig, runtime: LabRuntime) -> None:
    if config.open_mode:
        event("warning", message="open lab: anyone who can reach the port gets in, no password")
    elif not runtime.roster().learners:
        event(
            "warning",
            message=f"the roster {config.roster} is empty: nobody can log in yet "
            "(add learners with `gradtui lab add-learner NAME`)",
        )
    if runtime.sandbox_mode == "none":
        event(
            "warning",
            message="no sandbox: learner code runs with this server's permissions "
            "(install bubblewrap or use OS accounts, see the README)",
        )
