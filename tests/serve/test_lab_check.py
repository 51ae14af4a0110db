"""`gradtui lab check`: a good lab passes; each broken part fails with the right explanation."""

from __future__ import annotations

import argparse
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from gradtui.serve import sandbox
from gradtui.serve.config import load_lab_config
from gradtui.serve.host_key import load_or_create_host_key
from gradtui.serve.lab_check import Finding, judge_probe, main, render, run_checks
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.roster import Roster, save_roster

SANDBOX = "auto" if sandbox.bwrap_problem() is None else "none"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def good_lab(outside_tmp_path: Path) -> Path:
    """A lab as a careful teacher leaves it: private roster and key, a free port, lesson 1."""
    lab = outside_tmp_path / "lab"
    lab.mkdir()
    (lab / "lab.toml").write_text(
        f'[server]\nhost = "127.0.0.1"\nport = {free_port()}\n'
        f'[session]\nlanding = "lesson 1"\nsandbox = "{SANDBOX}"\n'
    )
    key = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    save_roster(Roster().with_learner("ann", key=key), lab / "roster.toml")
    load_or_create_host_key(lab / "ssh_host_ed25519_key")
    return lab / "lab.toml"


def failures(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == "fail"]


def test_a_good_lab_is_ready(good_lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argparse.Namespace(config=str(good_lab))) == 0
    out = capsys.readouterr().out
    assert "Ready for class" in out and "FAIL" not in out
    assert "fingerprint SHA256:" in out  # the host key's, to give to learners
    if SANDBOX == "auto":  # probed from inside a real session
        assert "another learner's folder is unreachable" in out
        assert "the roster is unreachable" in out
        assert "no network in a session" in out
    assert "one process cannot map more than" in out


def test_a_roster_others_can_read_fails(good_lab: Path) -> None:
    roster = good_lab.parent / "roster.toml"
    roster.chmod(0o644)
    found = failures(run_checks(good_lab))
    assert [f.topic for f in found] == ["roster"]
    assert "mode 0644" in found[0].text and "password hash" in found[0].text
    assert found[0].fix == f"chmod 600 {roster}"


def test_a_busy_port_fails(good_lab: Path) -> None:
    config = load_lab_config(good_lab)
    with socket.socket() as busy:
        busy.bind((config.host, config.port))
        busy.listen(1)
        found = failures(run_checks(good_lab))
    assert [f.topic for f in found] == ["ssh port"]
    assert f"cannot listen on 127.0.0.1:{config.port}" in found[0].text
    assert "already running" in found[0].fix


def test_a_missing_landing_lesson_fails(good_lab: Path) -> None:
    good_lab.write_text(good_lab.read_text().replace('"lesson 1"', '"lesson 99"'))
    found = failures(run_checks(good_lab))
    assert [f.topic for f in found] == ["lessons"]
    assert "there is no lesson '99'" in found[0].text


def test_a_broken_lesson_in_the_labs_folder_fails_with_file_and_line(good_lab: Path) -> None:
    lessons = good_lab.parent / "lessons"
    lessons.mkdir()
    (lessons / "01-mine.toml").write_text('title = "Mine"\n[[step]\n')
    good_lab.write_text(good_lab.read_text() + 'lessons = ["lessons"]\n')
    found = failures(run_checks(good_lab))
    assert found and all(f.topic == "lessons" for f in found)
    assert "01-mine.toml" in found[0].text


@pytest.fixture
def broken_bwrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A bwrap that fails as Ubuntu 24.04's AppArmor makes it fail."""
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    sandbox.bwrap_problem.cache_clear()
    sandbox.bwrap_sizes_tmpfs.cache_clear()
    yield
    sandbox.bwrap_problem.cache_clear()
    sandbox.bwrap_sizes_tmpfs.cache_clear()


def test_a_sandbox_that_cannot_work_here_fails_with_the_fix(good_lab: Path, broken_bwrap) -> None:
    good_lab.write_text(good_lab.read_text().replace(f'sandbox = "{SANDBOX}"', 'sandbox = "auto"'))
    found = failures(run_checks(good_lab))
    assert [f.topic for f in found] == ["sandbox"]
    assert "uid map: Permission denied" in found[0].text
    assert "learners would run unsandboxed" in found[0].text  # auto would fall back
    assert "AppArmor" in found[0].fix and 'sandbox = "none"' in found[0].fix


def test_a_probe_that_reached_secrets_fails_in_bwrap_and_is_noted_without(good_lab: Path) -> None:
    config = load_lab_config(good_lab)
    leaky = {
        "paths": {"the roster": "read", "another learner's folder": "FileNotFoundError"},
        "network": "connected",
        "interfaces": ["eth0"],
        "one_process": "allowed",
        "cgroup": {},
        "processes": {"forked": 72, "refused": None},
        "tmp": {"bytes": 12 * 1024**3, "fstype": "tmpfs"},
    }
    runtime = LabRuntime(config=config, sandbox_mode="none")
    runtime.sandbox_mode = "bwrap"  # judged as if the sandbox had been asked to hold
    sandboxed = {(f.status, f.topic) for f in judge_probe(config, runtime, leaky)}
    assert {("fail", "sandbox"), ("fail", "network"), ("fail", "memory")} <= sandboxed
    assert ("fail", "processes") in sandboxed and ("ok", "sandbox") in sandboxed
    runtime.sandbox_mode = "none"
    unsandboxed = {(f.status, f.topic) for f in judge_probe(config, runtime, leaky)}
    assert ("warn", "sandbox") in unsandboxed and ("warn", "network") in unsandboxed


def test_the_report_wraps_and_ends_with_the_verdict() -> None:
    findings = [
        Finding("ok", "config", "fine"),
        Finding("fail", "roster", "word " * 40, "chmod 600 roster.toml"),
        Finding("warn", "user", "running as root"),
    ]
    text = render(findings, width=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "  FAIL  roster     word" in text and "fix: chmod 600 roster.toml" in text
    assert text.rstrip().endswith("NOT ready: 1 problem to fix (FAIL above); 1 note.")


def test_a_config_that_does_not_parse_fails_first(outside_tmp_path: Path) -> None:
    path = outside_tmp_path / "lab.toml"
    path.write_text("[server]\nmax_sesions = 3\n")
    found = run_checks(path)
    assert [(f.status, f.topic) for f in found] == [("fail", "config")]
    assert "unknown key 'max_sesions'" in found[0].text


def test_a_config_others_can_change_fails(good_lab: Path) -> None:
    good_lab.chmod(good_lab.stat().st_mode | stat.S_IWOTH)
    found = failures(run_checks(good_lab))
    assert [f.topic for f in found] == ["config"]
    assert "could make learners run any program" in found[0].text


def test_without_a_cgroup_the_weaker_limits_are_noted_and_root_fails_the_process_count(
    good_lab: Path,
) -> None:
    good_lab.write_text(good_lab.read_text() + 'limits = "rlimits"\n')
    findings = run_checks(good_lab)
    notes = {f.topic for f in findings if f.status == "warn"}
    assert {"limits", "memory", "cpu"} <= notes  # per process only, no CPU rate: said, not failed
    found = failures(findings)
    if os.geteuid() == 0:  # root is exempt from RLIMIT_NPROC
        assert [f.topic for f in found] == ["processes"]
        assert "no process limit holds here" in found[0].text
    else:
        assert found == []
