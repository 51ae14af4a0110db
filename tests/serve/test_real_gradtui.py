"""The lab serving the real gradtui (plain REPL and Textual workspace) to real SSH clients."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncssh
import pytest
from aiohttp.test_utils import TestServer

from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.serve.config import load_lab_config
from gradtui.serve.lab import main as lab_main
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.sandbox import bwrap_problem
from gradtui.serve.web import LabWebServer

from .lab_helpers import (
    RunningLab,
    proxy_headers,
    read_screen,
    start_lab,
    stop_lab,
    wait_for_no_processes,
    write_lab,
    write_roster,
)

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


async def real_lab(tmp_path: Path, key: asyncssh.SSHKey, landing: str, sandbox: str):
    lab_dir = tmp_path / "lab"
    config_path = write_lab(lab_dir, command=None, landing=landing, sandbox=sandbox)
    write_roster(lab_dir, key)
    return await start_lab(config_path, key, sandbox_mode=sandbox)


@pytest.fixture
async def repl_lab(tmp_path: Path, alice_key: asyncssh.SSHKey) -> AsyncIterator[RunningLab]:
    running, acceptor = await real_lab(tmp_path, alice_key, "repl", "none")
    yield running
    await stop_lab(running, acceptor)


async def read_text_until(proc: asyncssh.SSHClientProcess, needle: str, timeout: float = 60) -> str:
    """Read the raw stream, with escape sequences removed, until ``needle`` shows."""
    raw = b""

    async def loop() -> str:
        nonlocal raw
        while needle not in (text := ANSI.sub(b"", raw).decode("utf-8", "replace")):
            chunk = await proc.stdout.read(65536)
            if not chunk:
                raise AssertionError(f"session ended before {needle!r}: {text[-1500:]!r}")
            raw += chunk
            if b"\x1b[6n" in chunk:  # answer cursor position requests like a terminal
                proc.stdin.write(b"\x1b[1;1R")
        return text

    try:
        return await asyncio.wait_for(loop(), timeout)
    except TimeoutError:
        text = ANSI.sub(b"", raw).decode("utf-8", "replace")
        raise AssertionError(f"{needle!r} not seen; got {text[-1500:]!r}") from None


async def test_plain_repl_over_ssh_runs_a_cell_and_leaves_no_kernel(repl_lab: RunningLab) -> None:
    async with await repl_lab.connect() as conn:
        proc = await conn.create_process(
            term_type="xterm-256color", term_size=(100, 30), encoding=None
        )
        await read_text_until(proc, ">>>")
        proc.stdin.write(b"import torch\r")
        proc.stdin.write(b"a = torch.ones((3, 2), requires_grad=True)\r")
        proc.stdin.write(b"(a * 2).sum()\r")
        await read_text_until(proc, "tensor(12., grad_fn=<SumBackward0>)")
    assert await wait_for_no_processes(repl_lab.config.learners_root) == []


async def test_workspace_over_ssh_shows_the_cell_result(tmp_path: Path, alice_key) -> None:
    running, acceptor = await real_lab(tmp_path, alice_key, "workspace", "none")
    try:
        async with await running.connect() as conn:
            proc = await conn.create_process(
                term_type="xterm-256color", term_size=(120, 40), encoding=None
            )
            await read_text_until(proc, "kernel: idle")
            proc.stdin.write(b"import torch; torch.ones(2) * 3\r")
            await read_text_until(proc, "tensor([3., 3.])")
        assert await wait_for_no_processes(running.config.learners_root) == []
    finally:
        await stop_lab(running, acceptor)


@pytest.mark.skipif(bwrap_problem() is not None, reason=f"no sandbox here: {bwrap_problem()}")
async def test_sandboxed_cell_cannot_read_another_learners_progress(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    running, acceptor = await real_lab(tmp_path, alice_key, "repl", "bwrap")
    bob_file = running.config.learners_root / "bob" / "data" / "progress.json"
    ProgressStore(bob_file.parent).save(LessonProgress("01-variables", "Variables", 7))
    try:
        async with await running.connect() as conn:
            proc = await conn.create_process(
                term_type="xterm-256color", term_size=(160, 30), encoding=None
            )
            await read_text_until(proc, ">>>")
            proc.stdin.write(f"open({str(bob_file)!r}).read()\r".encode())
            await read_text_until(proc, "FileNotFoundError")
            proc.stdin.write(b"import os; sorted(os.listdir(os.path.dirname(os.getcwd())))\r")
            await read_text_until(proc, "['data', 'state', 'work']")
    finally:
        await stop_lab(running, acceptor)
    assert await wait_for_no_processes(running.config.learners_root) == []


async def test_learner_takes_lesson_one_and_the_teacher_sees_progress(
    tmp_path: Path, alice_key: asyncssh.SSHKey, capsys: pytest.CaptureFixture[str]
) -> None:
    running, acceptor = await real_lab(tmp_path, alice_key, "lesson 1 --plain", "none")
    try:
        async with await running.connect() as conn:
            proc = await conn.create_process(
                term_type="xterm-256color", term_size=(100, 30), encoding=None
            )
            await read_text_until(proc, "Step 1 of 7")
            proc.stdin.write(b"import torch\r")
            proc.stdin.write(b"from torch.autograd import Variable\r")
            await read_text_until(proc, "Step 2 is next")  # the passed step stays to be read
            proc.stdin.write(b"\r")  # Enter on an empty line goes on
            await read_text_until(proc, "Step 2 of 7")
        assert await wait_for_no_processes(running.config.learners_root) == []
    finally:
        await stop_lab(running, acceptor)
    args = argparse.Namespace(
        lab_command="progress", config=str(running.lab_dir / "lab.toml"), format="csv"
    )
    assert lab_main(args) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    alice = next(row for row in rows if row["learner"] == "alice")
    assert (alice["steps_done"], alice["steps_total"]) == ("1", "7")


async def test_browser_learner_gets_lesson_one_and_runs_a_cell(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    lab_dir = tmp_path / "lab"
    config_path = write_lab(
        lab_dir,
        command=None,
        landing="lesson 1",
        extra_server='web_user_header = "X-Forwarded-User"\n',
    )
    write_roster(lab_dir, alice_key)
    runtime = LabRuntime(config=load_lab_config(config_path), sandbox_mode="none")
    web_server = LabWebServer(runtime)
    server = TestServer(await web_server._make_app())
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as client:
            url = server.make_url("/ws?width=140&height=40")
            async with client.ws_connect(url, headers=proxy_headers(server, web_server)) as ws:
                await read_screen(ws, "Step 1 of 7")
                await ws.send_json(["stdin", "import torch; torch.ones(2) * 3"])
                await ws.send_json(["stdin", "\r"])
                await read_screen(ws, "tensor([3., 3.])")
        assert await wait_for_no_processes(runtime.config.learners_root) == []
    finally:
        await server.close()


async def test_default_landing_is_the_lesson_in_the_workspace(
    tmp_path: Path, alice_key: asyncssh.SSHKey
) -> None:
    running, acceptor = await real_lab(tmp_path, alice_key, "lesson 1", "none")
    try:
        async with await running.connect() as conn:
            proc = await conn.create_process(
                term_type="xterm-256color", term_size=(140, 45), encoding=None
            )
            await read_text_until(proc, "Step 1 of 7")
            proc.stdin.write(b"import torch; from torch.autograd import Variable\r")
            await read_text_until(proc, "on to step 2")  # the passed step stays to be read
            proc.stdin.write(b"\r")  # Enter on an empty input goes on
            await read_text_until(proc, "Step 2 of 7")
        assert await wait_for_no_processes(running.config.learners_root) == []
    finally:
        await stop_lab(running, acceptor)
