"""``gradtui serve web``: the lab in the browser through textual-serve, one process per tab.

textual-serve has no authentication. Put it behind a reverse proxy that authenticates learners
and passes their name in a header (``[server] web_user_header``, e.g. ``X-Forwarded-User``);
each browser session then runs as that learner, with the same directories, limits and sandbox as
over SSH. The proxy proves itself with the lab's secret, and websockets must come from the lab's
own pages (``web_auth``). Without such a header the lab must be explicitly open, and every tab is
a fresh guest.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shlex
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from gradtui.serve.config import (
    LabConfig,
    LabConfigError,
    check_landing,
    load_lab_config,
    with_overrides,
)
from gradtui.serve.lab_log import event, setup_logging
from gradtui.serve.lab_runtime import LabRuntime, full_text, learner_limit_text
from gradtui.serve.learner_launch import LaunchPlan, plan_session
from gradtui.serve.roster import RosterError, check_learner_name
from gradtui.serve.sandbox import SandboxUnavailable, resolve_sandbox_mode
from gradtui.serve.server_limits import raise_open_files_limit
from gradtui.serve.web_auth import (
    ProxySecretError,
    access_guard,
    load_or_create_proxy_secret,
    secret_too_open,
)
from gradtui.serve.web_page import page_loader

STOP_GRACE_S = 5.0


class WebAccessDenied(Exception):
    """The request does not identify an allowed learner."""


def learner_from_request(config: LabConfig, runtime: LabRuntime, headers: Any) -> str:
    """The learner a browser session runs as: the proxy's header, or a guest in an open lab."""
    if config.web_user_header:
        name = headers.get(config.web_user_header, "").strip()
        if not name:
            raise WebAccessDenied(f"no {config.web_user_header} header from the proxy")
        try:
            check_learner_name(name)
        except RosterError as error:
            raise WebAccessDenied(str(error)) from None
        if not config.open_mode and runtime.roster().get(name) is None:
            raise WebAccessDenied(f"{name!r} is not in the roster")
        return name
    if not config.open_mode:
        raise WebAccessDenied("the lab is not open and no [server] web_user_header is configured")
    return f"guest-{secrets.token_hex(4)}"


def shell_command(plan: LaunchPlan) -> str:
    """textual-serve runs a shell command: change to the learner's directory, then exec."""
    return f"cd {shlex.quote(str(plan.cwd))} && exec {shlex.join(plan.argv)}"


class LearnerAppService(AppService):
    """textual-serve's process manager with the learner's own environment, not the server's."""

    def __init__(self, plan: LaunchPlan, **kwargs: Any) -> None:
        super().__init__(shell_command(plan), **kwargs)
        self.plan = plan

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        textual_vars = super()._build_environment(width=width, height=height)
        keep = (
            "TEXTUAL_DRIVER",
            "TEXTUAL_FPS",
            "TEXTUAL_COLOR_SYSTEM",
            "TERM_PROGRAM",
            "TERM_PROGRAM_VERSION",
            "COLUMNS",
            "ROWS",
            "TEXTUAL",
            "TEXTUAL_LOG",
        )
        return {**self.plan.env, **{k: textual_vars[k] for k in keep if k in textual_vars}}

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


class _ActivityTrackingSocket:
    """Passes websocket messages through and remembers when the learner last sent input."""

    def __init__(self, socket: web.WebSocketResponse) -> None:
        self._socket = socket
        self.last_input = time.monotonic()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._socket, name)

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for message in self._socket:
            if message.type == WSMsgType.TEXT and message.data.startswith('["stdin"'):
                self.last_input = time.monotonic()
            yield message


class LabWebServer(Server):
    """textual-serve's server with per-learner processes, a session cap and an idle timeout."""

    def __init__(self, runtime: LabRuntime) -> None:
        config = runtime.config
        super().__init__(
            command="gradtui",
            host=config.host,
            port=config.web_port,
            title="gradtui lab",
            public_url=config.web_public_url or None,
        )
        self.runtime = runtime
        # Behind a proxy (a user header), the proxy must send the lab's secret with every request.
        self.proxy_secret: str | None = None
        self.proxy_secret_created = False
        if config.web_user_header:
            self.proxy_secret, self.proxy_secret_created = load_or_create_proxy_secret(
                config.web_proxy_secret_file
            )

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(
            access_guard(self.proxy_secret, self.runtime.config.web_public_url, _log_refusal)
        )
        # our page, not textual-serve's: it loads nothing from outside the lab (web_page.py)
        aiohttp_jinja2.setup(app, loader=page_loader())
        return app

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        config = self.runtime.config
        peer = request.remote or "?"
        try:
            learner = learner_from_request(config, self.runtime, request.headers)
        except WebAccessDenied as error:
            event("web-auth", peer=peer, result="refused", reason=str(error))
            raise web.HTTPForbidden(text=f"gradtui lab: {error}\n") from None
        if self.runtime.is_full():
            event("session-refused", user=learner, peer=peer, reason="full")
            raise web.HTTPServiceUnavailable(text=full_text(config.max_sessions))
        if self.runtime.learner_at_limit(learner):
            event("session-refused", user=learner, peer=peer, reason="learner-limit")
            raise web.HTTPTooManyRequests(text=learner_limit_text(config.max_sessions_per_learner))
        event("web-auth", user=learner, peer=peer, result="ok")
        session = _WebSession(self, learner, peer)
        self.runtime.sessions.add(session)
        try:
            return await session.run(request)
        finally:
            self.runtime.sessions.discard(session)

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.close_for_shutdown() for s in list(self.runtime.sessions)))


class _WebSession:
    def __init__(self, server: LabWebServer, learner: str, peer: str) -> None:
        self.server = server
        self.learner = learner
        self.peer = peer
        self.socket: web.WebSocketResponse | None = None
        self.service: LearnerAppService | None = None
        self.reason = "browser-closed"

    async def run(self, request: web.Request) -> web.WebSocketResponse:
        runtime = self.server.runtime
        started = time.monotonic()
        self.socket = socket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        await socket.prepare(request)
        # After the handshake: a plan made is a cgroup made, which only _stop removes.
        plan = plan_session(
            runtime.config,
            self.learner,
            term="xterm-256color",
            sandbox_mode=runtime.sandbox_mode,
            limits=runtime.limits,
        )
        self.service = LearnerAppService(
            plan,
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=socket.close,
            download_manager=self.server.download_manager,
        )
        tracked = _ActivityTrackingSocket(socket)
        try:
            await self.service.start(width, height)
            if self.service.pid is not None:
                plan.processes.started(self.service.pid)
            event(
                "session",
                user=self.learner,
                peer=self.peer,
                pid=self.service.pid,
                via="web",
                sandbox=runtime.sandbox_mode,
            )
            messages = asyncio.create_task(self.server._process_messages(tracked, self.service))
            idle = asyncio.create_task(self._idle_watch(tracked))
            done, pending = await asyncio.wait(
                {messages, idle}, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
        finally:
            try:
                await self._stop(plan)
            finally:
                # Logged also when the goodbye is cancelled (the server closing, or the browser
                # leaving under a server that cancels its handlers): every session has its end.
                event(
                    "session-end",
                    user=self.learner,
                    peer=self.peer,
                    reason=self.reason,
                    via="web",
                    duration=f"{time.monotonic() - started:.1f}s",
                )
        return socket

    async def _idle_watch(self, tracked: _ActivityTrackingSocket) -> None:
        timeout = self.server.runtime.config.idle_timeout_s
        if timeout <= 0:
            await asyncio.Event().wait()  # never
        while time.monotonic() - tracked.last_input < timeout:
            await asyncio.sleep(max(tracked.last_input + timeout - time.monotonic(), 0.05))
        self.reason = "idle-timeout"

    async def _stop(self, plan: LaunchPlan) -> None:
        """Ask the app to quit, then end whatever is left of it (its kernel included)."""
        service = self.service
        try:
            if service is not None:
                try:
                    await asyncio.wait_for(service.stop(), STOP_GRACE_S)
                except (TimeoutError, ConnectionError, RuntimeError):
                    pass
            await plan.processes.end()  # also when the app never started: the plan's cgroup
        except asyncio.CancelledError:  # the server is closing: no time for a goodbye
            plan.processes.end_now()
            raise
        finally:
            plan.processes.close()
        if self.socket is not None and not self.socket.closed:
            await self.socket.close()

    async def close_for_shutdown(self) -> None:
        self.reason = "server-shutdown"
        if self.socket is not None and not self.socket.closed:
            await self.socket.close()


def _log_refusal(request: web.Request, reason: str) -> None:
    event("web-refused", peer=request.remote or "?", path=request.path, reason=reason)


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value or default), 1)
    except ValueError:
        return default


def build_web_runtime(args: argparse.Namespace) -> LabRuntime:
    config_path = getattr(args, "config", None)
    config = load_lab_config(Path(config_path) if config_path else None)
    config = with_overrides(
        config, host=getattr(args, "host", None), web_port=getattr(args, "port", None)
    )
    return LabRuntime(config=config, sandbox_mode=resolve_sandbox_mode(config.sandbox))


def main(args: argparse.Namespace) -> int:
    setup_logging()
    raise_open_files_limit()
    try:
        runtime = build_web_runtime(args)
        check_landing(runtime.config)
        runtime.roster()  # fail now, not at the first login, on a broken roster
    except (LabConfigError, RosterError, SandboxUnavailable) as error:
        print(f"gradtui serve web: {error}", file=sys.stderr)
        return 2
    if not runtime.config.web_user_header and not runtime.config.open_mode:
        print(
            "gradtui serve web: textual-serve has no login of its own: set [server] "
            "web_user_header to the header your authenticating proxy sets, or open = true "
            "for a trusted room (see docs/labs.md)",
            file=sys.stderr,
        )
        return 2
    config = runtime.config
    try:
        server = LabWebServer(runtime)
    except ProxySecretError as error:
        print(f"gradtui serve web: {error}", file=sys.stderr)
        return 2
    if server.proxy_secret is not None:
        secret_file = config.web_proxy_secret_file
        event(
            "web-proxy-secret",
            file=secret_file,
            created=server.proxy_secret_created or None,
            header="X-Gradtui-Proxy-Secret",
            message="the proxy must send this file's content in that header (docs/labs.md)",
        )
        if secret_too_open(secret_file):
            event("warning", message=f"{secret_file} is readable by others; chmod 600 it")
    event(
        "listening",
        via="web",
        host=config.host,
        port=config.web_port,
        sandbox=runtime.sandbox_mode,
        limits=runtime.limits.name,
        user_header=config.web_user_header or None,
        open=config.open_mode,
    )
    runtime.log_limits()
    try:
        server.serve()
    except OSError as error:  # the port is taken, the address is not this machine's ...
        print(f"gradtui serve web: cannot listen: {error}", file=sys.stderr)
        return 1
    return 0
