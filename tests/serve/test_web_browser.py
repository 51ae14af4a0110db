"""The web lab in a real browser, on a machine with no way out: every request stays on 127.0.0.1.

Debian's headless Chromium loads the page ``gradtui serve web`` sends, driven over its DevTools
protocol (a websocket, with aiohttp: nothing new to install). Every request the page makes is
recorded; one that leaves the lab (a web font service, a CDN) fails the test, because a classroom
without internet would wait on it. Then the real gradtui workspace must draw in the page and run
a cell typed into it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncssh
import pytest
from aiohttp import web

from gradtui.serve.config import load_lab_config
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.web import LabWebServer

from .lab_helpers import wait_for_no_processes, write_lab, write_roster

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (.ci/run installs it with apt when run as root)",
)

# The flags a closed network needs (no background services phoning home), and no GPU or sandbox
# in a container. A fresh profile each run.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1280,800",
)
ANSI = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: colours, cursor moves, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


class DevTools:
    """A minimal Chrome DevTools protocol client for one page: calls, and the events it sent."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self._calls: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = len(self._calls) + 1
        reply = self._calls[number] = asyncio.get_running_loop().create_future()
        await self.socket.send_str(json.dumps({"id": number, "method": method, "params": params}))
        message = await asyncio.wait_for(reply, 30)
        if "error" in message:
            raise AssertionError(f"{method}: {message['error']}")
        return message.get("result", {})

    async def _read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data:
                self._calls[data["id"]].set_result(data)
            else:
                self.events.append(data)
                self.changed.set()

    def request_urls(self) -> list[str]:
        """Every URL the page asked for: documents, scripts, styles, fonts, websockets."""
        urls = [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]
        return urls + [e["params"]["url"] for e in self.events
                       if e["method"] == "Network.webSocketCreated"]

    def screen_text(self) -> str:
        """What the app sent the page so far, escape sequences removed."""
        chunks = []
        for event in self.events:
            if event["method"] == "Network.webSocketFrameReceived":
                frame = event["params"]["response"]
                if frame["opcode"] == 2:
                    chunks.append(base64.b64decode(frame["payloadData"]).decode("utf-8", "replace"))
        return ANSI.sub("", "".join(chunks))

    async def wait_for_text(self, needle: str, timeout: float = 90) -> None:
        async def loop() -> None:
            while needle not in self.screen_text():
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"{needle!r} never drawn; got {self.screen_text()[-1500:]!r}") from None

    async def close(self) -> None:
        self._reader.cancel()
        await self.socket.close()


@contextlib.asynccontextmanager
async def browser_page(profile: Path) -> AsyncIterator[DevTools]:
    """A headless Chromium with one blank page, and a DevTools session on that page."""
    assert CHROMIUM is not None
    browser = await asyncio.create_subprocess_exec(
        CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert browser.stderr is not None
        port = None
        while port is None:
            line = await asyncio.wait_for(browser.stderr.readline(), 60)
            if not line:
                raise AssertionError("chromium exited before its DevTools endpoint was up")
            found = re.search(rb"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = int(found.group(1)) if found else None
        drain = asyncio.create_task(browser.stderr.read())  # keep its pipe from filling
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as reply:
                targets = await reply.json()
            page = next(t for t in targets if t["type"] == "page")
            socket = await http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
            tools = DevTools(socket)
            try:
                yield tools
            finally:
                await tools.close()
        drain.cancel()
    finally:
        if browser.returncode is None:
            browser.kill()
        await browser.wait()


async def test_the_web_lab_works_offline_in_a_real_browser(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    lab_dir = tmp_path / "lab"
    config_path = write_lab(lab_dir, command=None, landing="workspace",
                            extra_learners="open = true\n")
    write_roster(lab_dir, alice_key)
    runtime = LabRuntime(config=load_lab_config(config_path), sandbox_mode="none")
    server = LabWebServer(runtime)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.public_url = f"http://127.0.0.1:{port}"  # what the page's own links point at
    try:
        async with browser_page(tmp_path / "profile") as page:
            await page.call("Network.enable")
            await page.call("Page.enable")
            await page.call("Page.navigate", url=f"http://127.0.0.1:{port}/?fontsize=14")
            await page.wait_for_text("Tensors")  # the workspace's panels are drawn
            await page.call("Runtime.evaluate",
                            expression="document.querySelector('.xterm-helper-textarea').focus()")
            await page.call("Input.insertText", text='print("offline" + "-lab-" + str(6 * 7))')
            for kind in ("keyDown", "keyUp"):
                await page.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                                windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")
            await page.wait_for_text("offline-lab-42")
            shot = await page.call("Page.captureScreenshot", format="png")
            (tmp_path / "web-lab.png").write_bytes(base64.b64decode(shot["data"]))
            fonts = [u for u in page.request_urls() if "/fonts/RobotoMono" in u]
            outside = [u for u in page.request_urls()
                       if urlsplit(u).scheme not in ("data", "about")
                       and urlsplit(u).hostname != "127.0.0.1"]
        assert outside == [], f"requests that left the lab: {outside}"
        assert fonts, "the page's font came from somewhere else, or not at all"
        assert await wait_for_no_processes(runtime.config.learners_root) == []
    finally:
        await runner.cleanup()

