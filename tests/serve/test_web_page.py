"""The page ``gradtui serve web`` sends links only the lab's own assets (no browser needed;
``test_web_browser.py`` loads it in Chromium and watches every request)."""

from __future__ import annotations

import re
from pathlib import Path

import asyncssh
from aiohttp.test_utils import TestClient, TestServer

from gradtui.serve.config import load_lab_config
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.web import LabWebServer

from .lab_helpers import write_lab, write_roster


async def test_the_served_page_links_only_the_lab_itself(tmp_path: Path,
                                                          alice_key: asyncssh.SSHKey) -> None:
    config_path = write_lab(tmp_path / "lab", command=None, extra_learners="open = true\n")
    write_roster(tmp_path / "lab", alice_key)
    server = LabWebServer(LabRuntime(config=load_lab_config(config_path), sandbox_mode="none"))
    server.public_url = "http://lab.example:8000"
    async with TestClient(TestServer(await server._make_app())) as client:
        page = await (await client.get("/")).text()
        addresses = re.findall(r'(?:href|src)="([^"]*)"', page)
        assert sorted(addresses) == [
            "data:,",
            "http://lab.example:8000/static/css/xterm.css",
            "http://lab.example:8000/static/fonts/RobotoMono-VariableFont_wght.ttf",
            "http://lab.example:8000/static/js/textual.js",
        ]
        fonts = re.findall(r'url\("([^"]*)"\)', page)
        assert [f.rsplit("/", 1)[1] for f in fonts] == [
            "RobotoMono-VariableFont_wght.ttf", "RobotoMono-Italic-VariableFont_wght.ttf"]
        assert 'data-session-websocket-url="ws://lab.example:8000/ws"' in page
        for asset in (*addresses[1:], *fonts):
            if asset.startswith("http://lab.example:8000/"):
                served = await client.get(asset.removeprefix("http://lab.example:8000"))
                assert served.status == 200, asset
        assert page.count("://") == page.count("://lab.example:8000/")  # nothing else addressed
