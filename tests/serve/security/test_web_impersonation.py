"""Issue 12 item 2: nobody but the lab's proxy can say who a browser session belongs to.

Before: a request with a forged ``X-Forwarded-User: bob`` and a foreign Origin got bob's session
(and wrote into bob's ``work/``), from any process that could reach the port, a learner's cell in
a ``sandbox = "none"`` SSH session included.
"""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from gradtui.serve.lab_log import setup_logging
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.web import LabWebServer

from ..lab_helpers import proxy_headers, read_screen
from .helpers import needs_bwrap

TEXTUAL_APP = Path(__file__).parent.parent / "fake_textual_app.py"


@pytest.fixture
def server_log():
    stream = io.StringIO()
    setup_logging(stream)
    yield stream
    setup_logging(io.StringIO())


PROXIED = 'web_user_header = "X-Forwarded-User"\n'


async def _web_server(lab) -> tuple[TestServer, LabWebServer]:
    """``serve web`` for a security lab's config, its browser sessions running the fake app."""
    config = replace(lab.config, command=(sys.executable, str(TEXTUAL_APP)))
    web_server = LabWebServer(LabRuntime(config=config, sandbox_mode="none"))
    server = TestServer(await web_server._make_app(), host="127.0.0.1")
    await server.start_server()
    return server, web_server


@pytest.fixture
async def web(security_lab) -> AsyncIterator[tuple[TestServer, LabWebServer, object]]:
    """A lab behind a proxy (a user header): its web server, and its SSH side without sandbox."""
    lab = await security_lab(sandbox="none", server=PROXIED)
    server, web_server = await _web_server(lab)
    yield server, web_server, lab
    await server.close()


async def _status(server: TestServer, headers: dict[str, str], path: str = "/ws") -> int:
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    async with aiohttp.ClientSession() as client:
        async with client.get(server.make_url(path), headers={**upgrade, **headers}) as response:
            return response.status


async def test_a_forged_user_header_without_the_proxy_secret_is_refused(web, server_log) -> None:
    server, web_server, lab = web
    bob_work = lab.learner_dir("bob") / "work"
    origin = proxy_headers(server, web_server)["Origin"]
    forged = {"X-Forwarded-User": "bob", "Origin": origin}
    assert await _status(server, forged) == 403
    assert await _status(server, {**forged, "X-Gradtui-Proxy-Secret": "0" * 64}) == 403
    assert await _status(server, {**forged, "Origin": "http://evil.example"}) == 403
    assert await _status(server, forged, path="/") == 403  # the page too, not only the socket
    assert not bob_work.exists() or not any(bob_work.iterdir())
    assert not web_server.runtime.sessions
    assert server_log.getvalue().count("reason=no-proxy-secret") == 4


async def test_the_proxy_with_its_secret_still_needs_the_labs_own_origin(web, server_log) -> None:
    server, web_server, _ = web
    headers = proxy_headers(server, web_server, user="bob")
    assert await _status(server, {**headers, "Origin": "http://evil.example"}) == 403
    assert await _status(server, {k: v for k, v in headers.items() if k != "Origin"}) == 403
    assert "reason=\"bad-origin: Origin 'http://evil.example' is not this server" in (
        server_log.getvalue()
    )
    async with aiohttp.ClientSession() as client:
        url = server.make_url("/ws?width=120&height=20")
        async with client.ws_connect(url, headers=headers) as ws:
            await read_screen(ws, "HOME=")  # the real thing works


async def test_a_learner_in_a_session_without_sandbox_cannot_forge_the_header(web) -> None:
    server, web_server, lab = web
    origin = proxy_headers(server, web_server)["Origin"]
    cell = f"""
import http.client
conn = http.client.HTTPConnection("127.0.0.1", {server.port}, timeout=20)
conn.request("GET", "/ws", headers={{
    "X-Forwarded-User": "bob", "Origin": {origin!r}, "Upgrade": "websocket",
    "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}})
print(conn.getresponse().status)
"""
    async with lab.session("alice") as alice:
        result = await alice.run(cell)
    assert result.ok and result.out.strip() == "403", result
    assert not web_server.runtime.sessions


@needs_bwrap
async def test_a_sandboxed_learner_cannot_read_the_proxy_secret(security_lab) -> None:
    lab = await security_lab(sandbox="bwrap", server=PROXIED)
    server, web_server = await _web_server(lab)
    try:
        secret_file = web_server.runtime.config.web_proxy_secret_file
        assert secret_file.parent == lab.lab_dir and web_server.proxy_secret
        async with lab.session("alice") as alice:
            result = await alice.run(f"print(open({str(secret_file)!r}).read())")
    finally:
        await server.close()
    assert not result.ok and web_server.proxy_secret not in str(result), result
