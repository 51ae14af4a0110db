"""`gradtui serve web`: textual-serve behind an authenticating proxy's user header."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncssh
import pytest
from aiohttp.test_utils import TestServer

from gradtui.serve.config import load_lab_config
from gradtui.serve.lab_log import setup_logging
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.web import LabWebServer

from .lab_helpers import (
    proxy_headers,
    read_screen,
    typing_until,
    wait_for_no_processes,
    wait_until,
    write_lab,
    write_roster,
)

TEXTUAL_APP = Path(__file__).with_name("fake_textual_app.py")


@pytest.fixture
async def web_lab(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> AsyncIterator[tuple[TestServer, LabRuntime, dict[str, str]]]:
    lab_dir = tmp_path / "lab"
    config_path = write_lab(
        lab_dir,
        command=[sys.executable, str(TEXTUAL_APP)],
        extra_server='web_user_header = "X-Forwarded-User"\nmax_sessions = 1\n',
    )
    write_roster(lab_dir, alice_key)
    runtime = LabRuntime(config=load_lab_config(config_path), sandbox_mode="none")
    web_server = LabWebServer(runtime)
    server = TestServer(await web_server._make_app())
    await server.start_server()
    yield server, runtime, proxy_headers(server, web_server)
    await server.close()


async def test_browser_session_runs_as_the_proxy_user_and_cleans_up(web_lab) -> None:
    server, runtime, headers = web_lab
    async with aiohttp.ClientSession() as client:
        url = server.make_url("/ws?width=160&height=20")
        async with client.ws_connect(url, headers=headers) as ws:
            await read_screen(ws, f"HOME={runtime.config.learners_root / 'alice'}")
            await ws.send_json(["stdin", "abc"])
            await ws.send_json(["stdin", "\r"])
            await read_screen(ws, "ANSWER cba")
    assert await wait_for_no_processes(runtime.config.learners_root) == []


@pytest.mark.parametrize(
    ("user", "reason"),
    [(None, "no X-Forwarded-User header"), ("mallory", "not in the roster")],
)
async def test_requests_without_a_known_learner_are_forbidden(web_lab, user, reason) -> None:
    server, _, headers = web_lab
    headers = {k: v for k, v in headers.items() if k != "X-Forwarded-User"}
    if user is not None:
        headers["X-Forwarded-User"] = user
    async with aiohttp.ClientSession() as client:
        async with client.get(server.make_url("/ws"), headers=headers) as response:
            assert response.status == 403
            assert reason in await response.text()


async def test_full_lab_answers_503_to_the_next_browser(web_lab) -> None:
    server, runtime, headers = web_lab
    async with aiohttp.ClientSession() as client:
        url = server.make_url("/ws?width=160&height=20")
        async with client.ws_connect(url, headers=headers) as ws:
            await read_screen(ws, "HOME=")
            async with client.get(server.make_url("/ws"), headers=headers) as response:
                assert response.status == 503
                assert "the lab is full (1 learner is connected)" in await response.text()
    assert await wait_for_no_processes(runtime.config.learners_root) == []


def test_web_refuses_to_start_without_login_or_open_lab(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from gradtui.serve.web import main

    config_path = write_lab(tmp_path / "lab", command=None)
    assert main(argparse.Namespace(config=str(config_path), host=None, port=None)) == 2
    assert "web_user_header" in capsys.readouterr().err


async def test_idle_browser_session_is_closed_and_cleaned_up(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    lab_dir = tmp_path / "lab"
    config_path = write_lab(
        lab_dir,
        command=[sys.executable, str(TEXTUAL_APP)],
        extra_server='web_user_header = "X-Forwarded-User"\nidle_timeout = 3\n',
    )
    write_roster(lab_dir, alice_key)
    runtime = LabRuntime(config=load_lab_config(config_path), sandbox_mode="none")
    web_server = LabWebServer(runtime)
    server = TestServer(await web_server._make_app())
    await server.start_server()
    stream = io.StringIO()
    setup_logging(stream)
    try:
        async with aiohttp.ClientSession() as client:
            url = server.make_url("/ws?width=160&height=20")
            async with client.ws_connect(url, headers=proxy_headers(server, web_server)) as ws:
                # Typing while the app starts (slowly, on a loaded machine), then nothing.
                _, last_key = await typing_until(
                    read_screen(ws, "HOME="), lambda: ws.send_json(["stdin", "a"])
                )
                with pytest.raises(AssertionError, match="socket ended"):
                    await read_screen(ws, "never shown", timeout=30)
                assert time.monotonic() - last_key >= 3  # idle means 3 s without input
        assert await wait_for_no_processes(runtime.config.learners_root) == []
        assert await wait_until(lambda: not runtime.sessions)
        assert "reason=idle-timeout" in stream.getvalue(), stream.getvalue()
    finally:
        await server.close()
