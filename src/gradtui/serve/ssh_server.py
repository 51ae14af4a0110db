"""``gradtui serve ssh``: an SSH server that gives every learner their own gradtui process.

Authentication comes from the roster (public keys and/or scrypt password hashes); in an
explicitly open lab any valid learner name gets in without credentials. Forwarding, agent,
exec and sftp requests are all refused: a learner gets the lab's app and nothing else.
Connections that have not logged in yet are capped and timed, and wrong passwords back off
(``auth_guard``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path

import asyncssh

from gradtui.serve import auth_guard
from gradtui.serve.auth_guard import AuthGuard, AuthPolicy, source_of
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
from gradtui.serve.roster import Learner, RosterError, check_learner_name
from gradtui.serve.sandbox import SandboxUnavailable, resolve_sandbox_mode
from gradtui.serve.server_limits import raise_open_files_limit
from gradtui.serve.ssh_session import LearnerSession


def auth_policy(config: LabConfig) -> AuthPolicy:
    return AuthPolicy(
        max_startups=config.max_startups,
        max_startups_per_source=config.max_startups_per_source,
        login_grace_time_s=config.login_grace_time_s,
        max_auth_tries=config.max_auth_tries,
        penalty_exempt=config.auth_penalty_exempt,
    )


class LabSSHServer(asyncssh.SSHServer):
    """One per connection: authenticates against the roster and opens the learner's session."""

    def __init__(self, runtime: LabRuntime, guard: AuthGuard | None = None) -> None:
        self._runtime = runtime
        self._guard = guard or AuthGuard(auth_policy(runtime.config))
        self._conn: asyncssh.SSHServerConnection | None = None
        self._peer = "?"
        self._source = "?"
        self._user: str | None = None
        self._method: str | None = None
        self._connected_at = time.monotonic()
        self._admitted = False  # counted by the guard as waiting to log in
        self._logged_connect = False
        self._handshake_timer: asyncio.TimerHandle | None = None
        self._password_failures = 0

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._runtime.connections.add(conn)
        host, port = conn.get_extra_info("peername")[:2]
        self._peer = f"{host}:{port}"
        self._source = source_of(str(host))
        refusal = self._guard.admit(self._source)
        loop = asyncio.get_running_loop()
        if refusal is not None:
            event("connect-refused", peer=self._peer, reason=refusal)
            loop.call_soon(conn.abort)  # closed before it holds a descriptor for long
            return
        self._admitted = True
        self._logged_connect = True
        event("connect", peer=self._peer)
        self._handshake_timer = loop.call_later(
            auth_guard.HANDSHAKE_GRACE_S, self._handshake_overdue
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._runtime.connections.discard(self._conn)
        self._stop_waiting()
        if not self._logged_connect:
            return  # refused at the door: its connect-refused line says all there is
        event(
            "disconnect",
            user=self._user,
            peer=self._peer,
            duration=f"{time.monotonic() - self._connected_at:.1f}s",
            error=type(exc).__name__ if exc else None,
        )

    def _handshake_overdue(self) -> None:
        """An idle TCP connection (no key exchange, no login attempt) holds a slot: drop it."""
        self._handshake_timer = None
        if self._user is None and self._conn is not None:
            event("login-timeout", peer=self._peer, stage="handshake")
            self._conn.abort()

    def _stop_waiting(self) -> None:
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
            self._handshake_timer = None
        if self._admitted:
            self._admitted = False
            self._guard.left_waiting(self._source)

    def begin_auth(self, username: str) -> bool:
        if self._handshake_timer is not None:
            self._handshake_timer.cancel()
            self._handshake_timer = None
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
        guard = self._guard
        held = (
            "source-backoff" if guard.source_wait(self._source) > 0
            else "learner-backoff" if guard.name_wait(username) > 0
            else None
        )
        ok = False
        if held is None:
            stored = learner.password_hash if learner is not None else None
            # scrypt is deliberately slow: keep it off the event loop. Unknown names cost the
            # same (a dummy hash), so a timing does not tell who is on the roster.
            ok = await asyncio.to_thread(guard.uniform_check, password, stored or None)
            if ok:
                guard.password_succeeded(username)
            else:
                guard.password_failed(self._source, username)
        if not ok:
            await asyncio.sleep(auth_guard.FAIL_DELAY_S)
            self._password_failures += 1
        reason = held or (None if learner is not None else "unknown-user")
        self._report("password", username, ok, reason)
        if not ok and self._password_failures >= self._guard.policy.max_auth_tries:
            event("auth-closed", user=username, peer=self._peer, tries=self._password_failures)
            if self._conn is not None:
                # After the failure reply went out: like sshd's "Too many authentication failures".
                asyncio.get_running_loop().call_soon(
                    self._conn.disconnect,
                    asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                    "Too many authentication failures",
                )
        return ok

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # asyncssh verifies the client's signature itself after this says the key is acceptable.
        learner = self._known(username)
        ok = learner is not None and key.public_data in _key_blobs(learner.keys)
        if not ok:
            self._report("publickey", username, False, None if learner else "unknown-user")
        else:
            self._method = "publickey"
        return ok

    def auth_completed(self) -> None:
        self._stop_waiting()
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

    def _report(self, method: str, username: str, ok: bool, reason: str | None) -> None:
        self._method = method
        if not ok:
            event(
                "auth",
                user=username,
                peer=self._peer,
                method=method,
                result="refused",
                reason=reason,
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
    guard = AuthGuard(auth_policy(config))
    key, created = load_or_create_host_key(config.host_key)
    if created:
        event("host-key-created", path=config.host_key, fingerprint=fingerprint(key))
    elif host_key_too_open(config.host_key):
        event("warning", message=f"{config.host_key} is readable by others; chmod 600 it")
    return await asyncssh.create_server(
        lambda: LabSSHServer(runtime, guard),
        config.host,
        config.port,
        server_host_keys=[key],
        encoding=None,
        line_editor=False,
        agent_forwarding=False,
        x11_forwarding=False,
        allow_scp=False,
        gss_host=None,
        login_timeout=config.login_grace_time_s,
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
    await stop_lab_server(runtime, acceptor)
    event("stopped")


async def stop_lab_server(runtime: LabRuntime, acceptor: asyncssh.SSHAcceptor) -> None:
    """Stop listening, end every session (each learner is told why), then drop the connections
    still open, so waiting for the server to close cannot hang on a client that stays."""
    acceptor.close()
    await asyncio.gather(*(s.close_for_shutdown() for s in list(runtime.sessions)))
    for conn in list(runtime.connections):
        conn.close()
    await acceptor.wait_closed()


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
    raise_open_files_limit()
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
            "(install bubblewrap or use OS accounts, see docs/labs.md)",
        )
