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



# textual-serve's terminal script keeps its xterm.js Terminal to itself: a copy of the lab's static
# folder whose script also hands it to the page as ``window.gradtuiTerminal`` lets the test read
# the screen the learner sees, cell by cell, instead of guessing it from the bytes sent.
TERMINAL_MADE = re.compile(r"this\.terminal=new (\w+)\.Terminal\(")
SCREEN_LINES = """(() => {
  const term = window.gradtuiTerminal, buffer = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(y).translateToString(true));
  return JSON.stringify({cols: term.cols, rows: term.rows, lines});
})()"""


def _statics_that_show_the_terminal(server: LabWebServer, folder: Path) -> None:
    shutil.copytree(server.statics_path, folder)
    script = folder / "js" / "textual.js"
    text, made = TERMINAL_MADE.subn(r"this.terminal=window.gradtuiTerminal=new \1.Terminal(",
                                    script.read_text(encoding="utf-8"), count=1)
    assert made == 1, "textual-serve's textual.js no longer makes its Terminal as expected"
    script.write_text(text, encoding="utf-8")
    server.statics_path = folder


async def _screen(page: DevTools) -> tuple[int, int, list[str]]:
    found = await page.call("Runtime.evaluate", expression=SCREEN_LINES)
    if "value" not in found["result"]:  # the page has not made its terminal yet
        return 0, 0, []
    screen = json.loads(found["result"]["value"])
    return screen["cols"], screen["rows"], screen["lines"]


async def _wait_for_screen(page: DevTools, needle: str, timeout: float = 60) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        lines = (await _screen(page))[2]
        if any(needle in line for line in lines):
            return lines
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{needle!r} never on screen:\n" + "\n".join(lines))
        await asyncio.sleep(0.2)


async def _run_cell(page: DevTools, source: str) -> None:
    await page.call("Input.insertText", text=source)
    for kind in ("keyDown", "keyUp"):
        await page.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                        windowsVirtualKeyCode=13, text="\r" if kind == "keyDown" else "")


async def test_in_a_1280x800_browser_table_cells_are_whole_or_end_in_an_ellipsis(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    """The web lab at a laptop's window size, the page's default font: the Tensors and
    Gradients tables' "(none)" was cut to "(non"; a value too wide for its column ends in …."""
    lab_dir = tmp_path / "lab"
    config_path = write_lab(lab_dir, command=None, landing="workspace",
                            extra_learners="open = true\n")
    write_roster(lab_dir, alice_key)
    runtime = LabRuntime(config=load_lab_config(config_path), sandbox_mode="none")
    server = LabWebServer(runtime)
    _statics_that_show_the_terminal(server, tmp_path / "static")
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.public_url = f"http://127.0.0.1:{port}"
    try:
        async with browser_page(tmp_path / "profile") as page:
            await page.call("Page.enable")
            await page.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
            empty = await _wait_for_screen(page, "no leaf requires grad yet")
            cols, rows, _ = await _screen(page)
            assert cols >= 120 and rows >= 24, (cols, rows)
            assert sum(line.count("(none)") for line in empty) == 2, "\n".join(empty)
            await page.call("Runtime.evaluate",
                            expression="document.querySelector('.xterm-helper-textarea').focus()")
            await _run_cell(page, "import torch; torch.manual_seed(0); "
                                  "w = torch.randn(3, 4, requires_grad=True); "
                                  "loss = (w * 1000.5).sum(); loss.backward()")
            lines = await _wait_for_screen(page, "[[1000.5, 1000")  # w's .grad is drawn
            cells = [cell.strip() for line in lines
                     for cell in re.findall(r"\[\[.*?(?= {2}|│|$)", line)]
            assert len(cells) >= 3, "\n".join(lines)  # w and its .grad, in both tables
            cut = [cell for cell in cells if not cell.endswith(("…", "]]"))]
            assert cut == [], "values cut without an ellipsis:\n" + "\n".join(lines)
    finally:
        await runner.cleanup()
