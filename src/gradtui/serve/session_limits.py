"""Limits that hold for a learner's whole session: all its processes together, not each one.

A session is the learner's app, its kernel and everything either of them starts. Limits set on
each process (rlimits) let a learner multiply their share by forking: fifty children of 1 GiB
each. A control group (cgroup) counts the whole session together, so ``[session] limits =
"auto"`` takes the best mechanism the machine offers, in this order:

1. ``cgroup v2``: the server runs in a cgroup delegated to it (``systemd-run --user --scope -p
   Delegate=yes gradtui serve ssh``, or a service with ``Delegate=yes``); it moves itself into a
   leaf ``gradtui-server`` and makes one cgroup per session beside it.
2. ``systemd``: systemd runs the machine; each session is a transient scope (``systemd-run
   --scope``, ``--user`` for an ordinary user) with ``MemoryMax``, ``TasksMax``, ``CPUQuota``.
3. ``cgroup v1``: the machine still mounts the v1 controllers and the server may write them (as
   root, typically in a container): one cgroup per session in each hierarchy.
4. ``rlimits``: anywhere, and weaker: see ``Rlimits.statement``.

Whatever the mechanism, a session's first process is ``gradtui.serve.session_guard``: it joins the
session's cgroup (so every later process is born inside it), sets the per-process rlimits, and
where nothing else would find a detached process (no cgroup, no sandbox) it stays as the
session's child subreaper. The sandbox's ``/tmp`` is sized separately (``tmp_mb``).
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gradtui.kernel.proctree import ProcInfo, read_proc, signal_process
from gradtui.serve.config import LabConfig
from gradtui.serve.sandbox import SandboxUnavailable

MiB = 1024 * 1024
CPU_PERIOD_US = 100_000
GUARD = [sys.executable, "-m", "gradtui.serve.session_guard"]
CGROUP_ROOT = Path("/sys/fs/cgroup")
_MOUNTINFO = Path("/proc/self/mountinfo")
_OWN_CGROUP = Path("/proc/self/cgroup")


class LimitsUnavailable(SandboxUnavailable):
    """``[session] limits`` names a mechanism this machine does not offer; the message says why."""


@dataclass(frozen=True)
class SessionLimits:
    """What one session may use, all its processes together (0 = no limit)."""

    memory_mb: int
    cpus: float
    processes: int
    tmp_mb: int

    @classmethod
    def from_config(cls, config: LabConfig) -> SessionLimits:
        return cls(
            memory_mb=config.session_memory_mb,
            cpus=config.session_cpus,
            processes=config.session_processes,
            tmp_mb=config.tmp_mb,
        )


def per_process_rlimits(limits: SessionLimits) -> list[str]:
    """Rlimits every session process gets, whatever the mechanism: ``NAME=VALUE`` for the guard.

    ``as``: no single process may map more than the whole session's memory (it also gives a
    prompt ``MemoryError`` where a cgroup would only kill); ``core=0``: a crashing learner
    process never writes its memory to disk.
    """
    settings = ["core=0"]
    if limits.memory_mb:
        settings.append(f"as={limits.memory_mb * MiB}")
    return settings


# -- one session's group ---------------------------------------------------------------------


@dataclass
class SessionGroup:
    """The processes of one session as the mechanism tracks them, and how its argv starts.

    ``launch``: what goes before the guard (``systemd-run ... --``). ``guard``: the guard's own
    options. ``inner_guard``: options for a second guard *inside* the sandbox, for limits that
    must be set there (a per-sandbox process count), or None. ``cgroups``: the session's cgroup
    folders (the first one lists its processes), empty when the mechanism has none.
    """

    mechanism: str
    launch: list[str] = field(default_factory=list)
    guard: list[str] = field(default_factory=list)
    inner_guard: list[str] | None = None
    cgroups: list[Path] = field(default_factory=list)
    kill_file: Path | None = None  # cgroup v2's cgroup.kill: ends every member at once
    freezer: Path | None = None  # cgroup v1's freezer.state
    find_cgroup: Callable[[int], list[Path]] | None = None  # systemd: from the leader, once run

    def attach(self, leader_pid: int) -> None:
        """Called once the session's first process runs (systemd finds its scope's cgroup)."""
        if self.find_cgroup is not None and not self.cgroups:
            self.cgroups = self.find_cgroup(leader_pid)
            if self.cgroups and (self.cgroups[0] / "cgroup.kill").exists():
                self.kill_file = self.cgroups[0] / "cgroup.kill"

    @property
    def tracks_members(self) -> bool:
        return bool(self.cgroups)

    def members(self) -> list[ProcInfo]:
        """Live processes in the session's cgroup (checked, so a reused pid never counts)."""
        if not self.cgroups:
            return []
        try:
            pids = [int(p) for p in (self.cgroups[0] / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []
        suffix = "/" + self.cgroups[0].name
        found = []
        for pid in pids:
            info = read_proc(pid)
            if info is None or not info.live:
                continue
            try:
                membership = Path(f"/proc/{pid}/cgroup").read_text()
            except OSError:
                continue
            if any(line.endswith(suffix) for line in membership.splitlines()):
                found.append(info)
        return found

    def kill_all(self, timeout_s: float = 3.0) -> list[ProcInfo]:
        """SIGKILL every member, however fast it forks; returns those still alive after."""
        deadline = time.monotonic() + timeout_s
        while (left := self.members()) and time.monotonic() < deadline:
            if self.kill_file is not None:
                _write(self.kill_file, "1")
            elif self.freezer is not None:
                self._freeze_and_kill(left)
            else:
                for info in left:
                    signal_process(info, signal.SIGSTOP)  # a stopped process cannot fork
                for info in self.members():
                    signal_process(info, signal.SIGKILL)
            time.sleep(0.02)
        return self.members()

    def _freeze_and_kill(self, members: list[ProcInfo]) -> None:
        assert self.freezer is not None
        _write(self.freezer, "FROZEN")
        for _ in range(100):
            if self.freezer.read_text().strip() == "FROZEN":
                break
            time.sleep(0.01)
        for info in self.members():
            signal_process(info, signal.SIGKILL)
        _write(self.freezer, "THAWED")  # a frozen process cannot act on its SIGKILL

    def close(self) -> None:
        """Remove the session's cgroups (each must be empty; a few tries while members exit)."""
        if self.find_cgroup is not None:
            return  # systemd removes its own scopes (--collect)
        for folder in self.cgroups:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


# -- the mechanisms --------------------------------------------------------------------------


class Mechanism:
    """How a lab limits its sessions: chosen once per server (``resolve``)."""

    name = "?"

    def open_session(self, label: str, limits: SessionLimits, *, sandboxed: bool) -> SessionGroup:
        raise NotImplementedError

    def statement(self, limits: SessionLimits, *, sandboxed: bool) -> list[str]:
        """What holds for one session under this mechanism, one plain sentence per limit."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Whatever must happen once, at server start; ``LimitsUnavailable`` if it cannot."""

    def sweep_stale(self) -> int:
        """Remove sessions' cgroups a killed server left behind; returns how many."""
        return 0


def _sweep(folders: list[Path], min_age_s: float = 60.0) -> int:
    """rmdir empty ``gradtui-*`` cgroups older than ``min_age_s`` (a live session's is never
    empty, and a just-made one is young: another server's sessions are safe)."""
    removed = 0
    for parent in folders:
        try:
            candidates = [p for p in parent.iterdir() if p.name.startswith("gradtui-")]
        except OSError:
            continue
        for folder in candidates:
            if folder.name == "gradtui-server":
                continue
            try:
                if time.time() - folder.stat().st_mtime >= min_age_s and not _cgroup_pids(folder):
                    folder.rmdir()
                    removed += 1
            except OSError:
                continue
    return removed


def _cgroup_statement(limits: SessionLimits, name: str) -> list[str]:
    lines = [f"limits: {name}: one cgroup per session; its processes are counted together"]
    if limits.memory_mb:
        lines.append(f"memory: {limits.memory_mb} MiB for the whole session, its /tmp included")
    else:
        lines.append("memory: no limit for the whole session ([session] memory_mb = 0)")
    if limits.cpus:
        cores = f"{limits.cpus:g} core" + ("" if limits.cpus == 1 else "s")
        lines.append(f"cpu: at most {cores} at once for the whole session")
    if limits.processes:
        lines.append(f"processes: at most {limits.processes} (threads included) per session")
    return lines


class CgroupV2(Mechanism):
    """Sessions as child cgroups of the server's own delegated cgroup v2."""

    name = "cgroup v2"

    def __init__(self, base: Path, controllers: set[str]) -> None:
        self.base = base
        self.controllers = controllers
        self._prepared = False

    def prepare(self) -> None:
        """Move the server into a leaf and hand the controllers down (once, on first use).

        cgroup v2 lets a cgroup hand controllers to its children only when no process sits in it
        directly ("no internal processes"), hence the server's own leaf.
        """
        if self._prepared:
            return
        leaf = self.base / "gradtui-server"
        wanted = " ".join(f"+{c}" for c in ("memory", "pids", "cpu") if c in self.controllers)
        try:
            leaf.mkdir(exist_ok=True)
            _write(leaf / "cgroup.procs", str(os.getpid()))
            _write(self.base / "cgroup.subtree_control", wanted)
        except OSError as error:
            raise LimitsUnavailable(
                f"cgroup v2: cannot hand the controllers of {self.base} to sessions: {error}"
            ) from None
        self._prepared = True

    def open_session(self, label: str, limits: SessionLimits, *, sandboxed: bool) -> SessionGroup:
        self.prepare()
        folder = self.base / f"gradtui-{label}"
        folder.mkdir()
        if limits.memory_mb:
            _write(folder / "memory.max", str(limits.memory_mb * MiB))
            _write_if_present(folder / "memory.swap.max", "0")
        if limits.processes:
            _write(folder / "pids.max", str(limits.processes))
        if limits.cpus and "cpu" in self.controllers:
            _write(folder / "cpu.max", f"{round(limits.cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
        kill = folder / "cgroup.kill"
        return SessionGroup(
            self.name,
            guard=["--cgroup", str(folder), *_rlimit_args(per_process_rlimits(limits))],
            cgroups=[folder],
            kill_file=kill if kill.exists() else None,
        )

    def sweep_stale(self) -> int:
        return _sweep([self.base])

    def statement(self, limits: SessionLimits, *, sandboxed: bool) -> list[str]:
        lines = _cgroup_statement(limits, f"{self.name} under {self.base}")
        if limits.cpus and "cpu" not in self.controllers:
            lines.append("cpu: no rate limit (the cpu controller is not delegated to the server)")
        return lines


class CgroupV1(Mechanism):
    """Sessions as cgroups in the v1 hierarchies the server may write (memory, pids, cpu)."""

    name = "cgroup v1"

    def __init__(self, hierarchies: dict[str, Path]) -> None:
        self.hierarchies = hierarchies  # controller -> the server's own cgroup folder in it

    def open_session(self, label: str, limits: SessionLimits, *, sandboxed: bool) -> SessionGroup:
        made: dict[str, Path] = {}
        try:
            for controller in ("pids", "memory", "cpu", "freezer"):
                if controller not in self.hierarchies:
                    continue
                folder = self.hierarchies[controller] / f"gradtui-{label}"
                if folder not in made.values():  # two controllers may share one hierarchy
                    folder.mkdir()
                made[controller] = folder
            if limits.memory_mb and "memory" in made:
                _write(made["memory"] / "memory.limit_in_bytes", str(limits.memory_mb * MiB))
                _write_if_present(
                    made["memory"] / "memory.memsw.limit_in_bytes", str(limits.memory_mb * MiB)
                )
            if limits.processes and "pids" in made:
                _write(made["pids"] / "pids.max", str(limits.processes))
            if limits.cpus and "cpu" in made:
                _write(made["cpu"] / "cpu.cfs_period_us", str(CPU_PERIOD_US))
                _write(made["cpu"] / "cpu.cfs_quota_us", str(round(limits.cpus * CPU_PERIOD_US)))
        except OSError:
            SessionGroup(self.name, cgroups=list(dict.fromkeys(made.values()))).close()
            raise
        folders = list(dict.fromkeys(made.values()))
        cgroup_args = [arg for folder in folders for arg in ("--cgroup", str(folder))]
        return SessionGroup(
            self.name,
            guard=[*cgroup_args, *_rlimit_args(per_process_rlimits(limits))],
            cgroups=folders,
            freezer=made["freezer"] / "freezer.state" if "freezer" in made else None,
        )

    def sweep_stale(self) -> int:
        return _sweep(sorted(set(self.hierarchies.values())))

    def statement(self, limits: SessionLimits, *, sandboxed: bool) -> list[str]:
        where = ", ".join(sorted(self.hierarchies))
        lines = _cgroup_statement(limits, f"{self.name} ({where})")
        if limits.cpus and "cpu" not in self.hierarchies:
            lines.append("cpu: no rate limit (no writable cpu hierarchy)")
        return lines


class Systemd(Mechanism):
    """Sessions as transient systemd scopes (``systemd-run --scope``)."""

    name = "systemd"

    def __init__(self, user: bool) -> None:
        self.user = user

    def command(self, unit: str, limits: SessionLimits) -> list[str]:
        argv = [shutil.which("systemd-run") or "systemd-run"]
        argv += ["--user"] if self.user else []
        argv += ["--scope", "--quiet", "--collect", f"--unit={unit}"]
        argv += ["-p", "TimeoutStopSec=5"]
        if limits.memory_mb:
            argv += ["-p", f"MemoryMax={limits.memory_mb}M", "-p", "MemorySwapMax=0"]
        if limits.processes:
            argv += ["-p", f"TasksMax={limits.processes}"]
        if limits.cpus:
            argv += ["-p", f"CPUQuota={round(limits.cpus * 100)}%"]
        return [*argv, "--"]

    def open_session(self, label: str, limits: SessionLimits, *, sandboxed: bool) -> SessionGroup:
        unit = f"gradtui-{label}.scope"
        return SessionGroup(
            self.name,
            launch=self.command(unit.removesuffix(".scope"), limits),
            guard=_rlimit_args(per_process_rlimits(limits)),
            find_cgroup=functools.partial(_scope_cgroup, unit),
        )

    def statement(self, limits: SessionLimits, *, sandboxed: bool) -> list[str]:
        kind = "user" if self.user else "system"
        return _cgroup_statement(limits, f"systemd ({kind} scopes, systemd-run --scope)")


class Rlimits(Mechanism):
    """No cgroup: per-process rlimits, and a per-sandbox process count where the kernel has one."""

    name = "rlimits"

    def open_session(self, label: str, limits: SessionLimits, *, sandboxed: bool) -> SessionGroup:
        guard = _rlimit_args(per_process_rlimits(limits))
        inner = None
        if limits.processes and os.geteuid() != 0:
            if sandboxed:
                # Inside bwrap's own user namespace the kernel counts RLIMIT_NPROC for that
                # namespace alone: set there, it is a per-session process count.
                inner = _rlimit_args([f"nproc={limits.processes}"])
            else:
                # Outside, RLIMIT_NPROC counts all the server user's processes: allow this
                # session its count on top of what the user runs now (lab-wide, approximate).
                running = _processes_of_user(os.getuid())
                guard += _rlimit_args([f"nproc={running + limits.processes}"])
        if not sandboxed:
            guard.append("--reaper")  # nothing else would find a process that detached itself
        return SessionGroup(self.name, guard=guard, inner_guard=inner)

    def statement(self, limits: SessionLimits, *, sandboxed: bool) -> list[str]:
        lines = ["limits: rlimits: no cgroup here, so limits apply to each process separately"]
        if limits.memory_mb:
            lines.append(
                f"memory: at most {limits.memory_mb} MiB of address space per process, not per "
                "session (a learner's forked processes each get that much)"
            )
        lines.append("cpu: no rate limit; each kernel has its own CPU-time budget (kernel_cpu_s)")
        if not limits.processes:
            lines.append("processes: no limit ([session] max_processes = 0)")
        elif os.geteuid() == 0:
            lines.append("processes: NO limit: the kernel exempts root from RLIMIT_NPROC")
        elif sandboxed:
            lines.append(f"processes: at most {limits.processes} per session (in its namespace)")
        else:
            lines.append(
                f"processes: about {limits.processes} per session, counted against all of the "
                "server user's processes (RLIMIT_NPROC without a sandbox is per user)"
            )
        return lines


# -- choosing ----------------------------------------------------------------------------------


def resolve_mechanism(preference: str) -> Mechanism:
    """The mechanism for ``[session] limits``: the best available for ``auto``.

    Raises ``LimitsUnavailable`` when a named mechanism is not available, saying why.
    """
    if preference == "rlimits":
        return Rlimits()
    problems: list[str] = []
    if preference in ("auto", "cgroup"):
        found = cgroup_v2() or problems.append(cgroup_v2_problem())
        if found:
            return found
    if preference in ("auto", "systemd"):
        found = systemd() or problems.append(systemd_problem())
        if found:
            return found
    if preference in ("auto", "cgroup"):
        found = cgroup_v1() or problems.append(cgroup_v1_problem())
        if found:
            return found
    if preference == "auto":
        return Rlimits()
    reasons = "; ".join(p for p in problems if p)
    raise LimitsUnavailable(f"[session] limits = {preference!r} is not available here: {reasons}")


def why_no_cgroup() -> str:
    """Why ``auto`` fell back to rlimits (for logs and ``lab check``): every mechanism's reason."""
    return "; ".join(p for p in (cgroup_v2_problem(), systemd_problem(), cgroup_v1_problem()) if p)


# cgroup v2 ------------------------------------------------------------------------------------


@functools.cache
def _cgroup_v2_probe() -> tuple[CgroupV2 | None, str]:
    mount = _cgroup2_mount()
    if mount is None:
        return None, "cgroup v2: not mounted"
    own = _own_cgroup_paths().get("", None)
    if own is None:
        return None, "cgroup v2: this process is in no v2 cgroup"
    base = mount / own.lstrip("/")
    try:
        controllers = set((base / "cgroup.controllers").read_text().split())
    except OSError as error:
        return None, f"cgroup v2: cannot read {base}: {error.strerror}"
    missing = {"memory", "pids"} - controllers
    if missing:
        return None, f"cgroup v2: {base} has no {' or '.join(sorted(missing))} controller"
    if not all(os.access(base / name, os.W_OK) for name in ("", "cgroup.subtree_control")):
        return None, f"cgroup v2: {base} is not delegated to this user (not writable)"
    if own == "/":
        return None, "cgroup v2: the server is in the root cgroup (start it in its own scope)"
    if _systemd_booted() and os.geteuid() == 0 and not _delegated_by_systemd(base):
        return None, f"cgroup v2: {base} belongs to systemd (not delegated)"
    others = [p for p in _cgroup_pids(base) if p != os.getpid()]
    leaf_exists = (base / "gradtui-server").is_dir()
    if others and not leaf_exists:
        return None, (
            f"cgroup v2: {base} also holds other processes (e.g. pid {others[0]}): start the "
            "server in a cgroup of its own: systemd-run --user --scope -p Delegate=yes gradtui "
            "serve ssh"
        )
    return CgroupV2(base, controllers), ""


def cgroup_v2() -> CgroupV2 | None:
    return _cgroup_v2_probe()[0]


def cgroup_v2_problem() -> str:
    return _cgroup_v2_probe()[1]


def _delegated_by_systemd(folder: Path) -> bool:
    for name in ("trusted.delegate", "user.delegate"):
        try:
            if os.getxattr(folder, name) in (b"1", b"1\0"):
                return True
        except OSError:
            continue
    return False


# systemd --------------------------------------------------------------------------------------


@functools.cache
def _systemd_probe() -> tuple[Systemd | None, str]:
    if not _systemd_booted():
        return None, "systemd: not running this machine"
    if shutil.which("systemd-run") is None:
        return None, "systemd: systemd-run is not installed"
    mechanism = Systemd(user=os.geteuid() != 0)
    probe_limits = SessionLimits(memory_mb=64, cpus=0, processes=16, tmp_mb=1)
    unit = f"gradtui-probe-{secrets.token_hex(4)}"
    script = (
        'p=$(sed -n "s/^0:://p" /proc/self/cgroup); '
        'cat "/sys/fs/cgroup$p/memory.max" "/sys/fs/cgroup$p/pids.max"'
    )
    argv = mechanism.command(unit, probe_limits) + ["sh", "-c", script]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"systemd: systemd-run could not start: {error}"
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"systemd: systemd-run --scope failed: {detail}"
    if result.stdout.split() != [str(64 * MiB), "16"]:
        return None, "systemd: scopes get no memory or pids limit (controllers not delegated)"
    return mechanism, ""


def systemd() -> Systemd | None:
    return _systemd_probe()[0]


def systemd_problem() -> str:
    return _systemd_probe()[1]


def _systemd_booted() -> bool:
    return Path("/run/systemd/system").is_dir()


def _scope_cgroup(unit: str, leader_pid: int, timeout_s: float = 5.0) -> list[Path]:
    """The cgroup folder of ``unit`` once ``leader_pid`` (``systemd-run --scope``) moved into it."""
    mount = _cgroup2_mount() or CGROUP_ROOT
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            lines = Path(f"/proc/{leader_pid}/cgroup").read_text().splitlines()
        except OSError:
            return []
        for line in lines:
            if line.startswith("0::") and line.endswith("/" + unit):
                return [mount / line[3:].lstrip("/")]
        time.sleep(0.02)
    return []


# cgroup v1 ------------------------------------------------------------------------------------


@functools.cache
def _cgroup_v1_probe() -> tuple[CgroupV1 | None, str]:
    mounts = _cgroup1_mounts()
    if not mounts:
        return None, "cgroup v1: no v1 hierarchies mounted"
    own = _own_cgroup_paths()
    hierarchies: dict[str, Path] = {}
    for controller in ("memory", "pids", "cpu", "freezer"):
        if controller not in mounts:
            continue
        mount_point, mount_root = mounts[controller]
        path = own.get(controller)
        if path is None:
            continue
        relative = os.path.relpath(path, mount_root) if mount_root != "/" else path.lstrip("/")
        folder = (mount_point / relative).resolve()
        if os.access(folder, os.W_OK):
            hierarchies[controller] = folder
    missing = {"memory", "pids"} - set(hierarchies)
    if missing:
        return None, f"cgroup v1: no writable {' or '.join(sorted(missing))} hierarchy"
    return CgroupV1(hierarchies), ""


def cgroup_v1() -> CgroupV1 | None:
    return _cgroup_v1_probe()[0]


def cgroup_v1_problem() -> str:
    return _cgroup_v1_probe()[1]


# /proc and cgroupfs reading -------------------------------------------------------------------


def _own_cgroup_paths() -> dict[str, str]:
    """Controller -> this process's cgroup path; ``""`` is the v2 (unified) one."""
    paths: dict[str, str] = {}
    try:
        lines = _OWN_CGROUP.read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller.removeprefix("name=")] = path
    return paths


def _mounts() -> list[tuple[Path, str, str, list[str]]]:
    """(mount point, mount root, file system type, super options) of every mount."""
    found = []
    try:
        lines = _MOUNTINFO.read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) >= 5 and len(tail) >= 3:
            point = Path(fields[4].replace("\\040", " "))
            found.append((point, fields[3], tail[0], tail[2].split(",")))
    return found


def _cgroup2_mount() -> Path | None:
    for point, _root, fstype, _options in _mounts():
        if fstype == "cgroup2":
            return point
    return None


def _cgroup1_mounts() -> dict[str, tuple[Path, str]]:
    found: dict[str, tuple[Path, str]] = {}
    for point, root, fstype, options in _mounts():
        if fstype == "cgroup":
            for option in options:
                found.setdefault(option, (point, root))
    return found


def own_cgroup_folders() -> dict[str, Path]:
    """Controller (``memory``, ``pids``, ``cpu``) -> the cgroup folder this process is in.

    A v1 hierarchy of the controller wins over the v2 one (a hybrid machine has both, and puts
    the controllers in v1).
    """
    own = _own_cgroup_paths()
    folders: dict[str, Path] = {}
    unified = _cgroup2_mount()
    if unified is not None and "" in own:
        base = unified / own[""].lstrip("/")
        try:
            controllers = (base / "cgroup.controllers").read_text().split()
        except OSError:
            controllers = []
        for controller in ("memory", "pids", "cpu"):
            if controller in controllers:
                folders[controller] = base
    for controller, (point, root) in _cgroup1_mounts().items():
        if controller in ("memory", "pids", "cpu") and controller in own:
            path = own[controller]
            relative = os.path.relpath(path, root) if root != "/" else path.lstrip("/")
            folders[controller] = point / relative
    return folders


def _cgroup_pids(folder: Path) -> list[int]:
    try:
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _processes_of_user(uid: int) -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) of ``uid`` now."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue
    return count


def _rlimit_args(settings: list[str]) -> list[str]:
    return [arg for setting in settings for arg in ("--rlimit", setting)]


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _write_if_present(path: Path, value: str) -> None:
    if path.exists():
        _write(path, value)
