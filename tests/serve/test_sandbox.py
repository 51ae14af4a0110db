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
from gradtui.serve.sandbox import (
    SandboxLayout,
    SandboxUnavailable,
    bwrap_argv,
    bwrap_problem,
    plan_layout,
    resolve_sandbox_mode,
)

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
        for secret in (config.roster, config.host_key):
            answer = await evaluate(proc, f"open({str(secret)!r}).read()")
            assert answer.startswith("! FileNotFoundError"), answer
        connect = f"__import__('socket').create_connection(('127.0.0.1', {sandboxed_lab.port}), 5)"
        assert (await evaluate(proc, connect)).startswith("! ")  # no route out of the sandbox
    assert await wait_for_no_processes(config.learners_root) == []


def layout_in(tmp_path: Path, needed: list[Path] = (), secret_folders: list[Path] = ()):
    root = tmp_path / "lab" / "learners"
    (root / "ann").mkdir(parents=True)
    return plan_layout(
        root / "ann",
        [tmp_path / "lab", *secret_folders],
        needed,
        learners_root=root,
        tmp_mb=32,
    )


def test_layout_hides_whole_folders_and_only_the_outermost(outside_tmp_path: Path) -> None:
    tmp_path = outside_tmp_path
    home = tmp_path / "home"
    (home / "lab-elsewhere").mkdir(parents=True)
    layout = layout_in(tmp_path, secret_folders=[home, home / "lab-elsewhere", tmp_path / "gone"])
    # the learners root is inside the lab folder, the second folder inside the home: covered
    assert layout.hidden == (tmp_path / "home", tmp_path / "lab")
    assert layout.own_dir == tmp_path / "lab" / "learners" / "ann"


def test_layout_binds_back_what_the_session_needs_never_a_secret(outside_tmp_path: Path) -> None:
    tmp_path = outside_tmp_path
    lessons = tmp_path / "lab" / "lessons"
    lessons.mkdir(parents=True)
    bob = tmp_path / "lab" / "learners" / "bob" / "lessons"
    bob.mkdir(parents=True)
    home = tmp_path / "home"
    venv = home / ".venv"
    (venv / "lib").mkdir(parents=True)
    needed = [lessons, bob, tmp_path, tmp_path / "lab", home, venv, venv / "lib", Path("/usr")]
    layout = layout_in(tmp_path, needed, secret_folders=[home])
    # tmp_path, the home and the lab folder are or hold hidden folders: binding them would
    # uncover those; bob's is bob's; /usr is visible anyway; venv/lib is inside venv.
    assert layout.visible == (venv, lessons)


def test_argv_hides_binds_back_then_makes_hidden_read_only(outside_tmp_path: Path) -> None:
    tmp_path = outside_tmp_path
    lessons = tmp_path / "lab" / "lessons"
    lessons.mkdir(parents=True)
    layout = layout_in(tmp_path, [lessons])
    argv = bwrap_argv(layout, sized_tmpfs=True)
    lab, own = str(tmp_path / "lab"), str(layout.own_dir)
    hide = argv.index(lab)
    assert argv[hide - 3 : hide] == ["--size", str(1024 * 1024), "--tmpfs"]
    assert argv.index("--tmpfs", argv.index("/tmp") - 1) < hide
    assert argv[argv.index("/tmp") - 2 : argv.index("/tmp")] == [str(32 * 1024 * 1024), "--tmpfs"]
    bind_back = argv.index(str(lessons))
    assert argv[bind_back - 1] == "--ro-bind" and hide < bind_back
    own_bind = argv.index("--bind")
    assert argv[own_bind + 1 : own_bind + 3] == [own, own] and bind_back < own_bind
    assert argv[argv.index("--remount-ro") + 1] == lab and own_bind < argv.index("--remount-ro")
    assert "--unshare-net" in argv and "--die-with-parent" in argv and argv[-1] == "--"
    assert "--size" not in bwrap_argv(layout, sized_tmpfs=False)


def test_a_bwrap_that_cannot_size_a_tmpfs_gets_tmp_on_disk(outside_tmp_path: Path) -> None:
    tmp_path = outside_tmp_path
    layout = layout_in(tmp_path)
    on_disk = SandboxLayout(**{**layout.__dict__, "tmp_on_disk": layout.own_dir / ".tmp"})
    argv = bwrap_argv(on_disk, sized_tmpfs=False)
    binds = [argv[i + 1 : i + 3] for i, arg in enumerate(argv) if arg == "--bind"]
    assert [str(layout.own_dir / ".tmp"), "/tmp"] in binds
    assert [str(layout.own_dir / ".tmp"), "/dev/shm"] in binds
    assert (layout.own_dir / ".tmp").is_dir()


def test_a_secret_in_a_system_folder_cannot_be_hidden(outside_tmp_path: Path) -> None:
    tmp_path = outside_tmp_path
    with pytest.raises(SandboxUnavailable, match="/etc is a system folder"):
        layout_in(tmp_path, secret_folders=[Path("/etc")])


def test_sandbox_none_is_always_available() -> None:
    assert resolve_sandbox_mode("none") == "none"
    assert resolve_sandbox_mode("auto") == ("none" if PROBLEM else "bwrap")
