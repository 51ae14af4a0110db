"""``gradtui lab check``: is this lab ready for a class? Run by the teacher before class.

Each check says what it found, why it matters, and the fix. The sandbox and the limits are not
taken on trust: a throw-away learner session is started exactly as the server would start one
(guard, sandbox, limits), with ``gradtui.serve.lab_probe`` in place of the app, and it reports
from inside what a learner could reach. The exit status is 0 only when nothing failed (warnings
say what the lab does not protect, as configured, without failing it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from secrets import token_hex
from typing import Any, Literal

from gradtui.serve.config import (
    LabConfig,
    LabConfigError,
    check_landing,
    default_config_path,
    load_lab_config,
    with_overrides,
)
from gradtui.serve.lab_runtime import LabRuntime
from gradtui.serve.roster import RosterError, load_roster
from gradtui.serve.sandbox import SandboxUnavailable, bwrap_problem
from gradtui.serve.session_limits import MiB, Rlimits

# Measured (bench/ssh_bench.py): a learner's app and kernel take about 65 MB together.
SESSION_RAM_MB = 65
SERVER_RAM_MB = 200
SESSION_DISK_MB = 50  # progress, history, a learner's own small files
PROBE_TIMEOUT_S = 120

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and how to fix it."""

    status: Status
    topic: str
    text: str
    fix: str = ""


# -- the checks -------------------------------------------------------------------------------


def check_config(path: Path | None) -> tuple[LabConfig | None, list[Finding]]:
    shown = path or default_config_path()
    try:
        config = load_lab_config(path)
    except LabConfigError as error:
        return None, [Finding("fail", "config", str(error), "correct the file and run again")]
    if path is None and not shown.exists():
        found = [Finding("warn", "config", f"no {shown.name} in {shown.parent}: defaults apply")]
        return config, found
    findings = []
    mode = stat.S_IMODE(shown.stat().st_mode)
    folder_mode = stat.S_IMODE(shown.parent.stat().st_mode)
    if mode & 0o022 or folder_mode & 0o002:
        findings.append(
            Finding(
                "fail", "config",
                f"{shown} or its folder can be changed by other users (modes "
                f"{mode:04o}, {folder_mode:04o}): they could make learners run any program",
                f"chmod go-w {shown} {shown.parent}",
            )
        )  # fmt: skip
    else:
        findings.append(Finding("ok", "config", f"{shown} parses; only its owner can change it"))
    return config, findings


def check_roster(config: LabConfig) -> list[Finding]:
    path = config.roster
    if not path.exists():
        if config.open_mode:
            return [Finding("warn", "roster", "open lab: anyone who reaches the port gets in")]
        return [
            Finding(
                "fail", "roster", f"{path} does not exist: nobody can log in",
                "add learners: gradtui lab add-learner NAME --key NAME.pub (or --password)",
            )
        ]  # fmt: skip
    try:
        roster = load_roster(path)
    except RosterError as error:
        return [
            Finding(
                "fail", "roster", str(error), "correct it, or write it again with lab add-learner"
            )
        ]
    findings = []
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        findings.append(
            Finding(
                "fail", "roster",
                f"{path} can be read or changed by other users (mode {mode:04o}): they would "
                "see every learner's password hash and key",
                f"chmod 600 {path}",
            )
        )  # fmt: skip
    count = len(roster.learners)
    if count == 0 and not config.open_mode:
        findings.append(
            Finding(
                "fail", "roster", f"{path} lists nobody: nobody can log in",
                "add learners: gradtui lab add-learner NAME --key NAME.pub (or --password)",
            )
        )  # fmt: skip
    elif not findings:
        who = "1 learner" if count == 1 else f"{count} learners"
        findings.append(Finding("ok", "roster", f"{path}: {who}, mode {mode:04o}"))
    if config.open_mode:
        findings.append(Finding("warn", "roster", "open lab: anyone who reaches the port gets in"))
    return findings


def check_host_key(config: LabConfig) -> list[Finding]:
    import asyncssh

    from gradtui.serve.host_key import fingerprint

    path = config.host_key
    if not path.exists():
        return [
            Finding(
                "warn", "host key",
                f"{path} does not exist yet: the server creates it at its first start and logs "
                "its fingerprint (give learners that fingerprint)",
            )
        ]  # fmt: skip
    mode = stat.S_IMODE(path.stat().st_mode)
    try:
        key = asyncssh.read_private_key(str(path))
    except (OSError, asyncssh.KeyImportError, ValueError) as error:
        return [Finding("fail", "host key", f"{path} cannot be read as a private key: {error}",
                        f"move it away; the server then makes a new one at {path}")]  # fmt: skip
    if mode & 0o077:
        return [Finding("fail", "host key",
                        f"{path} can be read by other users (mode {mode:04o}): they could "
                        "impersonate the lab server", f"chmod 600 {path}")]  # fmt: skip
    return [Finding("ok", "host key", f"{path}, mode 0600, fingerprint {fingerprint(key)}")]


def check_port(host: str, port: int, what: str) -> list[Finding]:
    if port == 0:
        return [Finding("ok", what, "port 0: the system picks a free port at start")]
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except PermissionError:
        return [Finding("fail", what, f"{host}:{port} needs privileges (a port below 1024)",
                        "use a port of 1024 or more, e.g. 2222")]  # fmt: skip
    except OSError as error:
        return [Finding("fail", what, f"cannot listen on {host}:{port}: {error.strerror}",
                        "stop what uses the port (a lab server already running?) or choose "
                        "another port in lab.toml")]  # fmt: skip
    return [Finding("ok", what, f"{host}:{port} is free to listen on")]


def check_lessons(config: LabConfig) -> list[Finding]:
    from gradtui.lessons.catalog import load_catalog

    findings = []
    try:
        check_landing(config)
    except LabConfigError as error:
        findings.append(Finding("fail", "lessons", str(error),
                                "fix [session] landing or the lesson folder"))  # fmt: skip
    catalog = load_catalog([str(d) for d in config.lesson_dirs])
    for problem in catalog.problems:
        findings.append(Finding("fail", "lessons", str(problem), "fix the lesson file"))
    if not findings:
        landing = " ".join(config.landing) or "workspace"
        findings.append(
            Finding("ok", "lessons", f"{len(catalog.lessons)} lessons load; landing: {landing}")
        )
    return findings


def check_resources(config: LabConfig) -> list[Finding]:
    findings = []
    need_mb = config.max_sessions * SESSION_RAM_MB + SERVER_RAM_MB
    available = _available_memory_mb()
    per = f"{config.max_sessions} learners at ~{SESSION_RAM_MB} MB each plus the server"
    if available is None:
        findings.append(Finding("warn", "memory", "this system does not say how much is free"))
    elif available < need_mb:
        findings.append(
            Finding(
                "fail",
                "memory",
                f"{available} MB free, {per} need {need_mb} MB",
                "free memory, or lower [server] max_sessions",
            )  # fmt: skip
        )
    else:
        findings.append(Finding("ok", "memory", f"{available} MB free; {per} need {need_mb} MB"))
    where = _existing_ancestor(config.learners_root)
    free_mb = shutil.disk_usage(where).free // MiB
    need_disk = config.max_sessions * SESSION_DISK_MB
    text = f"{free_mb} MB free in {where}; {config.max_sessions} learners need ~{need_disk} MB"
    if free_mb < need_disk:
        findings.append(Finding("fail", "disk", text, "free disk space, or move [learners] root"))
    else:
        findings.append(Finding("ok", "disk", text))
    cores = os.cpu_count() or 1
    findings.append(Finding("ok", "cpu", f"{cores} cores (60 learners held on 2: see bench)"))
    if os.geteuid() == 0:
        findings.append(
            Finding(
                "warn", "user",
                "running as root: learners' code would run as root (capabilities dropped in "
                "the sandbox, but root-owned files stay readable to it)",
                "run the lab as an ordinary user",
            )
        )  # fmt: skip
    return findings


def check_sandbox_and_limits(config: LabConfig) -> list[Finding]:
    """Resolve the sandbox and limits as the server would, then probe a real session."""
    problem = bwrap_problem()
    findings: list[Finding] = []
    if config.sandbox == "none":
        findings.append(
            Finding(
                "warn",
                "sandbox",
                'sandbox = "none": learners\' code runs with the '
                "server's permissions (see SECURITY.md)",
            )  # fmt: skip
        )
        mode = "none"
    elif problem is not None:
        fallback = " so learners would run unsandboxed" if config.sandbox == "auto" else ""
        findings.append(Finding("fail", "sandbox", f"{problem}{fallback}", _bwrap_fix(problem)))
        return findings
    else:
        mode = "bwrap"
    try:
        runtime = LabRuntime(config=config, sandbox_mode=mode)
    except SandboxUnavailable as error:
        findings.append(Finding("fail", "limits" if "limits" in str(error) else "sandbox",
                                str(error), _limits_fix()))  # fmt: skip
        return findings
    if mode == "bwrap":
        findings.append(Finding("ok", "sandbox", "bwrap works here; probing a session from inside"))
    # What the mechanism holds: facts with a cgroup; with rlimits, notes (what they do not hold
    # is said in the lines themselves), the first one with the fix.
    weak = isinstance(runtime.limits, Rlimits)
    for number, line in enumerate(runtime.limit_statement()):
        topic, _, text = line.partition(": ")
        fix = _limits_fix() if weak and number == 0 else ""
        findings.append(Finding("warn" if weak else "ok", topic, text, fix))
    try:
        report = probe_session(config, runtime)
    except ProbeFailed as error:
        findings.append(
            Finding(
                "fail",
                "sandbox",
                f"a learner session could not start: {error}",
                "see the message; `gradtui serve ssh` would fail the same way",
            )
        )
        return findings
    findings += judge_probe(config, runtime, report)
    return findings


# -- the probe session ------------------------------------------------------------------------


class ProbeFailed(Exception):
    """The throw-away session did not start or did not answer."""


def probe_session(config: LabConfig, runtime: LabRuntime) -> dict[str, Any]:
    """Start a throw-away learner session running ``lab_probe``; its report (a dict)."""
    from gradtui.serve.learner_launch import plan_session

    learner = f"lab-check-{token_hex(4)}"
    other = config.learners_root / f"lab-check-other-{token_hex(4)}"
    listener = socket.socket()
    try:
        other.mkdir(mode=0o700, parents=True)
        (other / "progress.json").write_text("{}")
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        paths = {"another learner's folder": str(other / "progress.json")}
        paths["the roster"] = str(config.roster)
        for name, path in (("the host key", config.host_key), ("lab.toml", default_config_path())):
            if path.exists():
                paths[name] = str(path)
        spec = {
            "paths": paths,
            "port": listener.getsockname()[1],
            "memory_mb": config.session_memory_mb,
            "fork_limit": config.session_processes + 8 if config.session_processes else 0,
        }
        argv = (sys.executable, "-m", "gradtui.serve.lab_probe", json.dumps(spec))
        probe_config = with_overrides(config, command=argv)
        plan = plan_session(
            probe_config, learner, term="dumb", sandbox_mode=runtime.sandbox_mode,
            limits=runtime.limits,
        )  # fmt: skip
        try:
            return _run(plan)
        finally:
            asyncio.run(plan.processes.end(grace_s=0.5))
            plan.processes.close()
    finally:
        listener.close()
        shutil.rmtree(other, ignore_errors=True)
        shutil.rmtree(config.learners_root / learner, ignore_errors=True)


def _run(plan: Any) -> dict[str, Any]:
    proc = subprocess.Popen(
        plan.argv, env=plan.env, cwd=plan.cwd, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    plan.processes.started(proc.pid)
    try:
        out, err = proc.communicate(timeout=PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise ProbeFailed(f"no answer within {PROBE_TIMEOUT_S} s") from None
    lines = out.decode("utf-8", "replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        detail = (err.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise ProbeFailed(f"exit status {proc.returncode}: {detail}") from None


def judge_probe(config: LabConfig, runtime: LabRuntime, report: dict[str, Any]) -> list[Finding]:
    """Turn what the session saw from inside into findings."""
    sandboxed = runtime.sandbox_mode == "bwrap"
    leak: Status = "fail" if sandboxed else "warn"
    findings = []
    for name, outcome in report.get("paths", {}).items():
        if outcome == "read":
            findings.append(Finding(leak, "sandbox", f"a learner's code CAN read {name}",
                                    _sandbox_fix(sandboxed)))  # fmt: skip
        else:
            findings.append(Finding("ok", "sandbox", f"{name} is unreachable ({outcome})"))
    if report.get("network") == "connected" or report.get("interfaces"):
        up = ", ".join(report.get("interfaces", [])) or "loopback"
        findings.append(Finding(leak, "network", f"a learner's code CAN reach the network ({up})",
                                _sandbox_fix(sandboxed)))  # fmt: skip
    else:
        findings.append(Finding("ok", "network", "no network in a session (not even loopback)"))
    findings += _judge_memory(config, runtime, report)
    findings += _judge_processes(config, runtime, report)
    findings += _judge_cpu(config, runtime, report)
    findings += _judge_tmp(config, report)
    return findings


def _judge_memory(config: LabConfig, runtime: LabRuntime, report: dict[str, Any]) -> list[Finding]:
    if not config.session_memory_mb:
        return [Finding("warn", "memory", "[session] memory_mb = 0: sessions' memory unlimited")]
    findings = []
    if report.get("one_process") == "refused":
        findings.append(Finding("ok", "memory", f"one process cannot map more than "
                                f"{config.session_memory_mb} MiB"))  # fmt: skip
    else:
        findings.append(Finding("fail", "memory", "one process could map more than the "
                                "session's memory", _limits_fix()))  # fmt: skip
    if isinstance(runtime.limits, Rlimits):
        return findings  # per process only: said with the mechanism's own lines
    held = report.get("cgroup", {}).get("memory", "")
    expected = config.session_memory_mb * MiB
    if held.isdigit() and abs(int(held) - expected) < 64 * 1024:
        findings.append(Finding("ok", "memory", f"the session's cgroup holds it to "
                                f"{config.session_memory_mb} MiB together"))  # fmt: skip
    else:
        findings.append(Finding("fail", "memory", f"the session's cgroup memory limit is "
                                f"{held or 'missing'}, not {expected}", _limits_fix()))  # fmt: skip
    return findings


def _judge_processes(
    config: LabConfig, runtime: LabRuntime, report: dict[str, Any]
) -> list[Finding]:
    if not config.session_processes:
        return [Finding("warn", "processes", "[session] max_processes = 0: no process limit")]
    forked = report.get("processes", {}).get("forked", 0)
    if forked < config.session_processes:
        return [Finding("ok", "processes", f"a session could start only {forked} more processes "
                        f"(max_processes = {config.session_processes})")]  # fmt: skip
    return [Finding("fail", "processes", f"a session started {forked} processes past "
                    f"max_processes = {config.session_processes}: no process limit holds here",
                    _limits_fix())]  # fmt: skip


def _judge_cpu(config: LabConfig, runtime: LabRuntime, report: dict[str, Any]) -> list[Finding]:
    if not config.session_cpus:
        return [Finding("warn", "cpu", "[session] cpus = 0: no CPU rate limit")]
    if isinstance(runtime.limits, Rlimits):
        return []  # no rate limit: said with the mechanism's own lines
    held = report.get("cgroup", {}).get("cpu", "").split()
    if len(held) == 2 and held[0].isdigit() and held[1].isdigit():
        cores = int(held[0]) / int(held[1])
        if abs(cores - config.session_cpus) < 0.02:
            return [Finding("ok", "cpu", f"the session's cgroup allows {_cores(cores)} at once")]
    found = " ".join(held) or "none"
    return [Finding("warn", "cpu", f"the session's cgroup holds no CPU limit ({found})",
                    "the cpu controller is not available to the lab")]  # fmt: skip


def _judge_tmp(config: LabConfig, report: dict[str, Any]) -> list[Finding]:
    tmp = report.get("tmp", {})
    size = tmp.get("bytes", 0)
    if tmp.get("fstype") == "tmpfs" and size <= config.tmp_mb * MiB * 1.05:
        return [Finding("ok", "tmp", f"/tmp in a session holds at most {size // MiB} MiB")]
    if tmp.get("fstype") not in ("tmpfs", None, "?"):
        return [Finding("ok", "tmp", "/tmp in a session is on disk in the learner's folder")]
    return [Finding("warn", "tmp", f"/tmp in a session is {tmp.get('fstype')} of {size // MiB} "
                    "MiB (not capped by tmp_mb)")]  # fmt: skip


# -- fixes ---------------------------------------------------------------------------------------


def _bwrap_fix(problem: str) -> str:
    if "not installed" in problem:
        return "install it: sudo apt-get install bubblewrap (or your system's package)"
    return (
        "unprivileged user namespaces are off or restricted here. Ubuntu 24.04+: allow bwrap in "
        "AppArmor (a profile for /usr/bin/bwrap with `userns,`) or `sudo sysctl "
        "kernel.apparmor_restrict_unprivileged_userns=0`; Debian 11 and older: `sudo sysctl "
        "kernel.unprivileged_userns_clone=1`; in a container, allow user namespaces. Or set "
        '[session] sandbox = "none" knowingly (see SECURITY.md)'
    )


def _sandbox_fix(sandboxed: bool) -> str:
    if sandboxed:
        return "the sandbox is not holding: report this (SECURITY.md) and do not run the class"
    return 'expected with sandbox = "none"; install bubblewrap and use sandbox = "bwrap"'


def _limits_fix() -> str:
    fix = (
        "give the lab a cgroup: start it as `systemd-run --user --scope -p Delegate=yes gradtui "
        'serve ssh` (or a service with Delegate=yes), or set [session] limits = "systemd"'
    )
    if os.geteuid() == 0:
        fix += "; at least run it as an ordinary user (rlimits then count processes per sandbox)"
    return fix


# -- helpers and output ----------------------------------------------------------------------


def _cores(count: float) -> str:
    return f"{count:g} core" + ("" if count == 1 else "s")


def _available_memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def run_checks(config_path: Path | None) -> list[Finding]:
    config, findings = check_config(config_path)
    if config is None:
        return findings
    findings += check_roster(config)
    findings += check_host_key(config)
    findings += check_port(config.host, config.port, "ssh port")
    if config.web_user_header or config.open_mode:
        findings += check_port(config.host, config.web_port, "web port")
    findings += check_sandbox_and_limits(config)
    findings += check_lessons(config)
    findings += check_resources(config)
    return findings


LABELS = {"ok": "ok", "warn": "note", "fail": "FAIL"}


def render(findings: list[Finding], width: int = 100) -> str:
    """The report: one block per finding, then the verdict."""
    width = max(width, 60)
    lines = []
    for finding in findings:
        head = f"  {LABELS[finding.status]:<5} {finding.topic:<10} "
        body = textwrap.wrap(finding.text, width - len(head)) or [""]
        lines.append(head + body[0])
        lines += [" " * len(head) + more for more in body[1:]]
        if finding.fix:
            fix = textwrap.wrap("fix: " + finding.fix, width - len(head))
            lines += [" " * len(head) + part for part in fix]
    failed = sum(f.status == "fail" for f in findings)
    notes = sum(f.status == "warn" for f in findings)
    note_text = f"; {notes} note{'s' if notes != 1 else ''}" if notes else ""
    if failed:
        verdict = f"NOT ready: {failed} problem{'s' if failed != 1 else ''} to fix (FAIL above)"
    else:
        verdict = "Ready for class"
    return "\n".join([*lines, "", verdict + note_text + "."]) + "\n"


def main(args: argparse.Namespace) -> int:
    config_path = getattr(args, "config", None)
    path = Path(config_path).expanduser() if config_path else None
    print(f"gradtui lab check: {path or default_config_path()}\n", flush=True)
    findings = run_checks(path)
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    sys.stdout.write(render(findings, width))
    return 1 if any(f.status == "fail" for f in findings) else 0
