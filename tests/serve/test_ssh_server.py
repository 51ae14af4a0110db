"""The SSH lab server with a real asyncssh client: auth, a process per learner, limits."""

from __future__ import annotations

import asyncio
import io
import re
import stat
import time
from pathlib import Path

import asyncssh
import pytest

from gradtui.serve.lab_log import setup_logging
from gradtui.serve.pty_process import PtyProcess
from gradtui.serve.roster import load_roster, save_roster
from gradtui.serve.ssh_session import LearnerSession

from .lab_helpers import (
    PASSWORD,
    RunningLab,
    fake_app_command,
    open_app,
    pid_running,
    processes_with_home_under,
    read_until,
    start_lab,
    stop_lab,
    typing_until,
    wait_for_no_processes,
    wait_until,
    write_lab,
    write_roster,
)


async def test_key_login_gets_own_app_in_a_pty_with_client_term_and_size(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn, term="xterm-kitty", size=(100, 30))
        seen = await read_until(proc.stdout, r">>> ")
        assert "READY TERM=xterm-kitty SIZE 100x30 TTY=True" in seen
        learner_dir = lab.config.learners_root / "alice"
        assert f"HOME={learner_dir} DATA={learner_dir / 'data'}" in seen
        assert f"CWD={learner_dir / 'work'}" in seen
        proc.stdin.write("6 * 7\n")
        assert "= 42" in await read_until(proc.stdout, r"= 42")


async def test_window_change_reaches_the_app(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn, size=(80, 24))
        await read_until(proc.stdout, r">>> ")
        proc.change_terminal_size(120, 40)
        await read_until(proc.stdout, r"SIZE 120x40")


async def test_password_login_works_and_wrong_password_is_refused(lab: RunningLab) -> None:
    async with await lab.connect("bob", client_keys=None, password=PASSWORD) as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r"READY")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("bob", client_keys=None, password="wrong")


async def test_wrong_key_and_unknown_user_are_refused(lab: RunningLab) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("alice", client_keys=[stranger])
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("mallory", client_keys=[lab.alice_key], password=PASSWORD)
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("../alice", client_keys=[lab.alice_key])


async def test_each_connection_gets_its_own_process(lab: RunningLab) -> None:
    async with await lab.connect() as one, await lab.connect() as two:
        first = await read_until((await open_app(one)).stdout, r"KERNEL \d+")
        second = await read_until((await open_app(two)).stdout, r"KERNEL \d+")
        assert re.search(r"KERNEL (\d+)", first)[1] != re.search(r"KERNEL (\d+)", second)[1]
        assert len(lab.runtime.sessions) == 2


async def test_disconnect_leaves_no_app_or_kernel_process(lab: RunningLab) -> None:
    conn = await lab.connect()
    proc = await open_app(conn)
    seen = await read_until(proc.stdout, r">>> ")
    kernel_pid = int(re.search(r"KERNEL (\d+)", seen)[1])
    assert processes_with_home_under(lab.config.learners_root)
    conn.close()  # abrupt: no quit, no EOF first
    await conn.wait_closed()
    assert await wait_for_no_processes(lab.config.learners_root) == []
    assert not pid_running(kernel_pid)
    assert await wait_until(lambda: not lab.runtime.sessions)


async def test_app_exit_closes_the_session_and_ends_its_kernel(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await open_app(conn)
        await read_until(proc.stdout, r">>> ")
        proc.stdin.write("quit\n")
        result = await asyncio.wait_for(proc.wait(), 20)
        assert result.exit_status == 0
    assert await wait_for_no_processes(lab.config.learners_root) == []


async def test_full_lab_refuses_politely(lab: RunningLab) -> None:
    async with await lab.connect() as one, await lab.connect() as two:
        for conn in (one, two):
            await read_until((await open_app(conn)).stdout, r">>> ")
        async with await lab.connect() as third:
            proc = await open_app(third)
            result = await asyncio.wait_for(proc.wait(), 20)
            assert "the lab is full (2 learners are connected)" in result.stdout
            assert result.exit_status == 1


async def test_exec_requests_are_refused(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("cat /etc/passwd", check=False)


async def test_session_without_a_terminal_is_told_to_use_one(lab: RunningLab) -> None:
    async with await lab.connect() as conn:
        proc = await conn.create_process()  # a shell request without a pty
        result = await asyncio.wait_for(proc.wait(), 20)
        assert "needs a terminal" in result.stdout


async def test_idle_learner_is_told_and_disconnected(tmp_path: Path, alice_key) -> None:
    config_path = write_lab(
        tmp_path / "lab", command=fake_app_command(), extra_server="idle_timeout = 1\n"
    )
    write_roster(tmp_path / "lab", alice_key)
    running, acceptor = await start_lab(config_path, alice_key)
    try:
        async with await running.connect() as conn:
            proc = await open_app(conn)
            # Typing while the app starts (slowly, on a loaded machine), then nothing.
            _, last_key = await typing_until(
                read_until(proc.stdout, r">>> "), lambda: proc.stdin.write(" ")
            )
            result = await asyncio.wait_for(proc.wait(), 30)
            assert time.monotonic() - last_key >= 1  # idle means 1 s without input
            assert "Disconnected after 1 second without input" in result.stdout
        assert await wait_for_no_processes(running.config.learners_root) == []
    finally:
        await stop_lab(running, acceptor)


async def test_log_has_one_line_per_event_and_no_secrets(lab: RunningLab) -> None:
    stream = io.StringIO()
    setup_logging(stream)
    async with await lab.connect("bob", client_keys=None, password=PASSWORD) as conn:
        await read_until((await open_app(conn)).stdout, r">>> ")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("bob", client_keys=None, password="wrong-password")
    await wait_for_no_processes(lab.config.learners_root)
    for _ in range(100):  # the server logs the disconnect just after the client sees it
        logged = stream.getvalue()
        if logged.count("disconnect ") >= 2 and "session-end " in logged:
            break
        await asyncio.sleep(0.05)
    text = stream.getvalue()
    kinds = [line.split()[1] for line in text.splitlines()]
    assert kinds.count("connect") == 2 and kinds.count("disconnect") == 2
    assert re.search(r"auth user=bob peer=127\.0\.0\.1:\d+ method=password result=ok", text)
    assert re.search(r"auth user=bob .*method=password result=refused", text)
    assert re.search(r"session-end user=bob .*reason=client-\w+ .*duration=\d+\.\d+s", text)
    assert PASSWORD not in text and "wrong-password" not in text


async def test_server_shutdown_ends_every_session(tmp_path: Path, alice_key) -> None:
    config_path = write_lab(tmp_path / "lab", command=fake_app_command())
    write_roster(tmp_path / "lab", alice_key)
    running, acceptor = await start_lab(config_path, alice_key)
    conn = await running.connect()
    proc = await open_app(conn)
    await read_until(proc.stdout, r">>> ")
    await stop_lab(running, acceptor)
    result = await asyncio.wait_for(proc.wait(), 30)
    assert "shutting down" in result.stdout
    conn.close()
    assert await wait_for_no_processes(running.config.learners_root) == []


async def test_one_learner_cannot_fill_the_lab(tmp_path: Path, alice_key) -> None:
    config_path = write_lab(
        tmp_path / "lab", command=fake_app_command(), extra_server="max_sessions_per_learner = 1\n"
    )
    write_roster(tmp_path / "lab", alice_key)
    running, acceptor = await start_lab(config_path, alice_key)
    try:
        async with await running.connect() as first, await running.connect() as second:
            await read_until((await open_app(first)).stdout, r">>> ")
            result = await asyncio.wait_for((await open_app(second)).wait(), 20)
            assert "You already have 1 session open in this lab" in result.stdout
            assert result.exit_status == 1
            async with await running.connect("bob", client_keys=None, password=PASSWORD) as bob:
                await read_until((await open_app(bob)).stdout, r">>> ")
    finally:
        await stop_lab(running, acceptor)


async def test_a_broken_lab_command_is_reported_and_the_server_survives(
    tmp_path: Path, alice_key
) -> None:
    config_path = write_lab(tmp_path / "lab", command=["/nonexistent/gradtui-app"])
    write_roster(tmp_path / "lab", alice_key)
    running, acceptor = await start_lab(config_path, alice_key)
    try:
        for _ in range(2):  # the second learner is served just the same
            async with await running.connect() as conn:
                result = await asyncio.wait_for((await open_app(conn)).wait(), 20)
                assert "could not start your session" in result.stdout
                assert result.exit_status == 1
        assert not running.runtime.sessions
    finally:
        await stop_lab(running, acceptor)


async def test_open_lab_lets_any_valid_name_in_without_credentials(
    tmp_path: Path, alice_key
) -> None:
    config_path = write_lab(
        tmp_path / "lab", command=fake_app_command(), extra_learners="open = true\n"
    )
    running, acceptor = await start_lab(config_path, alice_key)
    try:
        async with await running.connect("zoe", client_keys=None) as conn:
            seen = await read_until((await open_app(conn)).stdout, r">>> ")
            assert f"HOME={running.config.learners_root / 'zoe'}" in seen
        with pytest.raises(asyncssh.PermissionDenied):
            await running.connect("../zoe", client_keys=None)
    finally:
        await stop_lab(running, acceptor)


async def test_host_key_is_created_private_and_kept(tmp_path: Path, alice_key) -> None:
    config_path = write_lab(tmp_path / "lab", command=fake_app_command())
    write_roster(tmp_path / "lab", alice_key)
    keys = []
    for _ in range(2):
        running, acceptor = await start_lab(config_path, alice_key)
        async with await running.connect() as conn:
            keys.append(conn.get_server_host_key().export_public_key())
        await stop_lab(running, acceptor)
    key_file = running.config.host_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert keys[0] == keys[1]


async def test_learner_added_while_the_lab_runs_can_log_in(lab: RunningLab) -> None:
    newcomer = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await lab.connect("dan", client_keys=[newcomer])
    roster = load_roster(lab.config.roster).with_learner(
        "dan", key=newcomer.export_public_key().decode()
    )
    save_roster(roster, lab.config.roster)
    async with await lab.connect("dan", client_keys=[newcomer]) as conn:
        seen = await read_until((await open_app(conn)).stdout, r">>> ")
        assert f"HOME={lab.config.learners_root / 'dan'}" in seen


async def test_a_client_leaving_while_its_app_starts_is_ended_and_logged_once(
    lab: RunningLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `ssh lab < /dev/null` on a loaded lab machine: the client's EOF reaches the server while
    # the app is still starting, and the app's first output arrives after that EOF. The server
    # answered the EOF by ending its own sending side, so that output could not be sent: this
    # was taken for a closed channel, the session ended without closing it, and the client
    # waited for the end forever. Both orderings are forced here, not left to the scheduler.
    eof_seen = asyncio.Event()
    eof_received = LearnerSession.eof_received

    def noting_eof(self: LearnerSession) -> bool:
        answer = eof_received(self)
        eof_seen.set()
        return answer

    start = PtyProcess.start
    started: list[PtyProcess] = []

    async def start_after_the_eof(self: PtyProcess) -> None:
        await asyncio.wait_for(eof_seen.wait(), 30)
        await start(self)
        started.append(self)
        self._on_output(b"the app's first output\r\n")  # as its banner would, once running

    monkeypatch.setattr(LearnerSession, "eof_received", noting_eof)
    monkeypatch.setattr(PtyProcess, "start", start_after_the_eof)
    stream = io.StringIO()
    setup_logging(stream)
    async with await lab.connect() as conn:
        proc = await open_app(conn)
        proc.stdin.write_eof()
        await asyncio.wait_for(proc.wait(), 20)
    assert started, "the app never started"
    assert await wait_for_no_processes(lab.config.learners_root) == []
    assert await wait_until(lambda: not lab.runtime.sessions)
    assert stream.getvalue().count("session-end ") == 1, stream.getvalue()
