"""How sessions are limited together: what each mechanism writes, runs and states."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gradtui.serve import session_limits
from gradtui.serve.session_limits import (
    GUARD,
    CgroupV1,
    CgroupV2,
    LimitsUnavailable,
    MiB,
    Rlimits,
    SessionGroup,
    SessionLimits,
    Systemd,
    resolve_mechanism,
)

LIMITS = SessionLimits(memory_mb=1536, cpus=0.5, processes=64, tmp_mb=64)


def test_cgroup_v2_hands_controllers_down_and_writes_the_sessions_limits(tmp_path: Path) -> None:
    """On a stand-in folder: cgroupfs itself needs a delegated cgroup, which CI cannot have."""
    base = tmp_path / "cg"
    base.mkdir()
    mechanism = CgroupV2(base, {"memory", "pids", "cpu"})
    group = mechanism.open_session("ann-1234", LIMITS, sandboxed=True)
    folder = base / "gradtui-ann-1234"
    # The server left the cgroup's own processes for a leaf, then handed the controllers down.
    assert (base / "gradtui-server" / "cgroup.procs").read_text() == str(os.getpid())
    assert (base / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"
    assert (folder / "memory.max").read_text() == str(1536 * MiB)
    assert (folder / "pids.max").read_text() == "64"
    assert (folder / "cpu.max").read_text() == "50000 100000"
    assert group.guard[:2] == ["--cgroup", str(folder)] and f"as={1536 * MiB}" in group.guard
    assert group.cgroups == [folder]
    # Files a kernel may not have (swap accounting, cgroup.kill before 5.14) are left alone.
    assert not (folder / "memory.swap.max").exists() and group.kill_file is None


def test_cgroup_v1_makes_one_cgroup_per_hierarchy(tmp_path: Path) -> None:
    hierarchies = {name: tmp_path / name for name in ("memory", "pids", "cpu", "freezer")}
    for folder in hierarchies.values():
        folder.mkdir()
    group = CgroupV1(hierarchies).open_session("ann-1234", LIMITS, sandboxed=False)
    made = {name: folder / "gradtui-ann-1234" for name, folder in hierarchies.items()}
    assert (made["memory"] / "memory.limit_in_bytes").read_text() == str(1536 * MiB)
    assert (made["pids"] / "pids.max").read_text() == "64"
    assert (made["cpu"] / "cpu.cfs_quota_us").read_text() == "50000"
    assert (made["cpu"] / "cpu.cfs_period_us").read_text() == "100000"
    assert group.freezer == made["freezer"] / "freezer.state"
    assert group.guard.count("--cgroup") == 4 and "--reaper" not in group.guard


def test_systemd_runs_each_session_in_a_scope_with_its_limits() -> None:
    argv = Systemd(user=True).command("gradtui-ann-1234", LIMITS)
    assert argv[0].endswith("systemd-run") and argv[-1] == "--"
    assert "--user" in argv and "--scope" in argv and "--unit=gradtui-ann-1234" in argv
    properties = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-p"]
    assert {"MemoryMax=1536M", "MemorySwapMax=0", "TasksMax=64", "CPUQuota=50%"} <= set(properties)
    assert "--user" not in Systemd(user=False).command("x", LIMITS)


def test_rlimits_without_a_sandbox_keep_a_subreaper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(session_limits, "_processes_of_user", lambda uid: 40)
    bare = Rlimits().open_session("ann-1", LIMITS, sandboxed=False)
    assert "--reaper" in bare.guard and "nproc=104" in bare.guard  # the user's 40 + 64
    boxed = Rlimits().open_session("ann-1", LIMITS, sandboxed=True)
    assert "--reaper" not in boxed.guard
    assert boxed.inner_guard == ["--rlimit", "nproc=64"]  # counted in bwrap's own namespace


def test_rlimits_say_what_they_do_not_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    text = "\n".join(Rlimits().statement(LIMITS, sandboxed=True))
    assert "per process, not per session" in text
    assert "cpu: no rate limit" in text
    assert "NO limit: the kernel exempts root" in text
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "per session (in its namespace)" in "\n".join(
        Rlimits().statement(LIMITS, sandboxed=True)
    )


def test_a_named_mechanism_that_is_missing_stops_the_lab_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(session_limits, "_systemd_probe", lambda: (None, "systemd: not here"))
    with pytest.raises(LimitsUnavailable, match="limits = 'systemd' is not available.*not here"):
        resolve_mechanism("systemd")
    assert isinstance(resolve_mechanism("rlimits"), Rlimits)


def test_auto_takes_the_best_mechanism_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    v1 = CgroupV1({"memory": Path("/m"), "pids": Path("/p")})
    monkeypatch.setattr(session_limits, "_cgroup_v2_probe", lambda: (None, "cgroup v2: no"))
    monkeypatch.setattr(session_limits, "_systemd_probe", lambda: (None, "systemd: no"))
    monkeypatch.setattr(session_limits, "_cgroup_v1_probe", lambda: (v1, ""))
    assert resolve_mechanism("auto") is v1
    monkeypatch.setattr(session_limits, "_cgroup_v1_probe", lambda: (None, "cgroup v1: no"))
    assert isinstance(resolve_mechanism("auto"), Rlimits)
    assert session_limits.why_no_cgroup() == "cgroup v2: no; systemd: no; cgroup v1: no"


def writable_cgroup2() -> Path | None:
    """A cgroup v2 hierarchy this test may make cgroups in (none: the test is skipped)."""
    mount = session_limits._cgroup2_mount()
    if mount is None or not os.access(mount, os.W_OK):
        return None
    return mount


CGROUP2 = writable_cgroup2()
needs_cgroup2 = pytest.mark.skipif(CGROUP2 is None, reason="no writable cgroup v2 hierarchy here")

FORKER = """
import os, time
for _ in range(5):
    if os.fork() == 0:
        os.setsid()
        time.sleep(300)
        os._exit(0)
print("forked", flush=True)
time.sleep(300)
"""


@pytest.fixture
def scratch_cgroup2() -> Iterator[Path]:
    assert CGROUP2 is not None
    folder = CGROUP2 / f"gradtui-test-{os.getpid()}-{secrets.token_hex(3)}"
    folder.mkdir()
    yield folder
    for child in sorted(folder.glob("**/"), key=lambda p: -len(p.parts)):
        if child != folder:
            with contextlib.suppress(OSError):
                child.rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()


@needs_cgroup2
def test_a_v2_cgroup_finds_and_kills_every_member_then_goes(scratch_cgroup2: Path) -> None:
    """A real cgroup v2 (without controllers here): members and cgroup.kill, as in any v2 lab."""
    session = scratch_cgroup2 / "gradtui-ann-1"
    session.mkdir()
    kill = session / "cgroup.kill"
    group = SessionGroup("cgroup v2", cgroups=[session], kill_file=kill if kill.exists() else None)
    proc = subprocess.Popen(
        [*GUARD, "--cgroup", str(session), "--", sys.executable, "-c", FORKER],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "forked"
        members = {info.pid for info in group.members()}
        assert proc.pid in members and len(members) == 6  # the app and its 5 setsid'd children
        assert group.kill_all() == []
        group.close()
        assert not session.exists()
    finally:
        proc.kill()
        proc.wait()


@needs_cgroup2
def test_a_systemd_scope_is_found_from_its_first_process(
    scratch_cgroup2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """systemd-run --scope moves itself into the scope, then runs the command in the same pid;
    a stand-in does just that, so finding the scope's cgroup from the leader is exercised."""
    fake = tmp_path / "bin" / "systemd-run"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in --unit=*) unit="${a#--unit=}";; esac; done\n'
        'while [ "$1" != "--" ]; do shift; done; shift\n'
        f'scope="{scratch_cgroup2}/$unit.scope"\n'
        'mkdir "$scope" && echo $$ > "$scope/cgroup.procs"\n'
        'exec "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    group = Systemd(user=False).open_session("ann-2", LIMITS, sandboxed=True)
    proc = subprocess.Popen(
        [*group.launch, *GUARD, *group.guard, "--", sys.executable, "-c", FORKER],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "forked"
        group.attach(proc.pid)
        assert group.cgroups == [scratch_cgroup2 / "gradtui-ann-2.scope"]
        assert len(group.members()) == 6
        assert group.kill_all() == []
    finally:
        proc.kill()
        proc.wait()
