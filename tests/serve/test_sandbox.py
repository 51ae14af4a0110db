"""The bwrap sandbox: a learner's code sees only their own directory, no network, no secrets."""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncssh
import pytest

from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.serve.sandbox import bwrap_prefix, bwrap_problem, resolve_sandbox_mode

from .lab_helpers import (
    RunningLab,
    fake_app_command,
    open_app,
    read_until,
    start_lab,
    stop_lab,
    wait_for_no_processes,
    write_lab,
    write_roster,
)

ANSWER = re.compile(r"(?:^|\n|>>> )([=!] [^\r\n]*)\r?\n")
PROBLEM = bwrap_problem()
needs_bwrap = pytest.mark.skipif(PROBLEM is not None, reason=f"no sandbox here: {PROBLEM}")


@pytest.fixture
async def sandboxed_lab(tmp_path: Path, alice_key: asyncssh.SSHKey) -> AsyncIterator[RunningLab]:
    lab_dir = tmp_path / "lab"
    config_path = write_lab(lab_dir, command=fake_app_command(), sandbox="bwrap")
    write_roster(lab_dir, alice_key)
    ProgressStore(lab_dir / "learners" / "bob" / "data").save(
        LessonProgress("01-variables", "Variables", 7, steps_done=2)
    )
    running, acceptor = await start_lab(config_path, alice_key, sandbox_mode="bwrap")
    yield running
    await stop_lab(running, acceptor)


async def evaluate(proc: asyncssh.SSHClientProcess, expression: str) -> str:
    """Type one line into the app and return its answer line (``= ...`` or ``! ...``)."""
    proc.stdin.write(expression + "\n")
    seen = await read_until(proc.stdout, ANSWER.pattern)
    return ANSWER.search(seen)[1]


@needs_bwrap
async def test_learner_cannot_read_another_learners_progress(sandboxed_lab: RunningLab) -> None:
    bob_file = sandboxed_lab.config.learners_root / "bob" / "data" / "progress.json"
    assert bob_file.exists()
    async with await sandboxed_lab.connect() as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r">>> ")
        answer = await evaluate(proc, f"open({str(bob_file)!r}).read()")
        assert answer.startswith("! FileNotFoundError"), answer
        listing = await evaluate(
            proc, f"sorted(__import__('os').listdir({str(bob_file.parents[2])!r}))"
        )
        assert listing == "= ['alice']"


@needs_bwrap
async def test_learner_can_write_only_their_own_directory(sandboxed_lab: RunningLab) -> None:
    own = sandboxed_lab.config.learners_root / "alice" / "work" / "notes.txt"
    outside = Path(sys.executable).parent / "planted-by-a-learner.txt"  # not under /tmp
    in_lab = sandboxed_lab.lab_dir / "planted.txt"  # read-only, or in the sandbox's own /tmp
    in_tmp = Path(f"/tmp/planted-{uuid.uuid4().hex}")  # the sandbox's /tmp is its own tmpfs
    async with await sandboxed_lab.connect() as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r">>> ")
        assert await evaluate(proc, f"open({str(own)!r}, 'w').write('mine')") == "= 4"
        answer = await evaluate(proc, f"open({str(outside)!r}, 'w').write('x')")
        assert answer.startswith("! OSError") and "Read-only file system" in answer
        assert await evaluate(proc, f"open({str(in_tmp)!r}, 'w').write('x')") == "= 1"
        await evaluate(proc, f"open({str(in_lab)!r}, 'w').write('x')")
    assert own.read_text() == "mine"
    assert not outside.exists() and not in_tmp.exists() and not in_lab.exists()


@needs_bwrap
async def test_sandbox_hides_secrets_and_network(sandboxed_lab: RunningLab) -> None:
    config = sandboxed_lab.config
    async with await sandboxed_lab.connect() as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r">>> ")
        assert await evaluate(proc, f"open({str(config.roster)!r}).read()") == "= ''"
        assert await evaluate(proc, f"open({str(config.host_key)!r}).read()") == "= ''"
        connect = f"__import__('socket').create_connection(('127.0.0.1', {sandboxed_lab.port}), 5)"
        assert (await evaluate(proc, connect)).startswith("! ")  # no route out of the sandbox
    assert await wait_for_no_processes(config.learners_root) == []


def test_bwrap_prefix_binds_only_the_learners_directory(tmp_path: Path) -> None:
    root = tmp_path / "learners"
    argv = bwrap_prefix(root / "ann", root, [tmp_path / "missing-key"])
    assert argv[argv.index("--tmpfs", argv.index("/tmp")) + 1] == str(root)
    assert argv[argv.index("--bind") + 1 : argv.index("--bind") + 3] == [str(root / "ann")] * 2
    assert "--unshare-net" in argv and "--die-with-parent" in argv and argv[-1] == "--"
    assert str(tmp_path / "missing-key") not in argv  # nothing to hide: not bound


def test_sandbox_none_is_always_available() -> None:
    assert resolve_sandbox_mode("none") == "none"
    assert resolve_sandbox_mode("auto") == ("none" if PROBLEM else "bwrap")


def test_bwrap_prefix_keeps_needed_paths_under_tmp_visible(tmp_path: Path) -> None:
    root = tmp_path / "learners"
    app = tmp_path / "app.py"
    app.write_text("")
    argv = bwrap_prefix(root / "ann", root, [], [app, Path(sys.prefix), tmp_path / "missing"])
    binds = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--ro-bind"]
    assert str(app) in binds  # tmp_path is under /tmp: bound back over the private /tmp
    assert str(tmp_path / "missing") not in binds
    assert (str(Path(sys.prefix).resolve()) in binds) == str(sys.prefix).startswith("/tmp/")
    # bound before the learners root is hidden, so it can never uncover another learner
    assert argv.index(str(app)) < argv.index(str(root))
