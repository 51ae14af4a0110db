"""The session guard: first process of every learner session (cgroup, rlimits, subreaper)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradtui.serve.session_guard import FAILED, GuardError, parse_args
from gradtui.serve.session_limits import GUARD

SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)


def guard(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GUARD, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def test_arguments_need_a_command_after_the_separator() -> None:
    args = parse_args(["--cgroup", "/a", "--rlimit", "core=0", "--reaper", "--", "app", "--x"])
    assert (args.cgroup, args.rlimit, args.reaper, args.command) == (
        ["/a"], ["core=0"], True, ["app", "--x"],
    )  # fmt: skip
    with pytest.raises(GuardError, match="no command"):
        parse_args(["--rlimit", "core=0", "--"])
    with pytest.raises(GuardError, match="unknown option"):
        parse_args(["--bogus", "--", "app"])


def test_rlimits_are_lowered_for_the_session() -> None:
    script = "import resource; print(resource.getrlimit(resource.RLIMIT_NOFILE))"
    result = guard("--rlimit", "nofile=64", "--", sys.executable, "-c", script)
    assert result.stdout.strip() == "(64, 64)", result


def test_the_session_starts_with_default_signal_handling() -> None:
    """Python ignores SIGPIPE, and an ignored signal would stay ignored in the learner's app."""
    result = guard("--", "grep", "SigIgn", "/proc/self/status")
    ignored = int(result.stdout.split()[1], 16)
    assert ignored & SIGPIPE_BIT == 0, result.stdout


def test_a_limit_that_cannot_be_set_refuses_the_session() -> None:
    result = guard("--cgroup", "/nonexistent/cgroup", "--", "true")
    assert result.returncode == FAILED
    assert "The lab could not start your session" in result.stderr
    assert "/nonexistent/cgroup" in result.stderr


DETACHER = """
import os, sys
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execve("/bin/sleep", ["sleep", sys.argv[1]], {})
    os._exit(0)
os.wait()
"""


def sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            # argv[0] too: the guard's and the app's own command lines hold the marker as well
            if argv[:2] == [b"sleep", marker.encode()] and state != "Z":
                found.append(int(entry.name))
    return found


def test_as_reaper_it_ends_what_detached_once_the_app_exits() -> None:
    marker = f"300.{os.getpid()}1"
    result = guard("--reaper", "--", sys.executable, "-c", DETACHER + "sys.exit(3)", marker)
    assert result.returncode == 3  # the app's own status
    assert sleepers(marker) == []


def test_as_reaper_it_ends_everything_when_the_server_hangs_up() -> None:
    marker = f"300.{os.getpid()}2"
    app = DETACHER + "import time; time.sleep(300)"
    proc = subprocess.Popen(
        [*GUARD, "--reaper", "--", sys.executable, "-c", app, marker], start_new_session=True
    )
    try:
        deadline = time.monotonic() + 20
        while not sleepers(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sleepers(marker), "the detached process never started"
        proc.send_signal(signal.SIGHUP)
        status = proc.wait(20)
        assert status == 128 + signal.SIGHUP  # the app died of the hang-up it was passed
        assert sleepers(marker) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in sleepers(marker):
            os.kill(pid, signal.SIGKILL)
