"""What one learner's session runs: argv, environment and working directory.

Shared by the SSH server and the web server so both give a learner the same directories,
limits and sandbox. The environment is built from scratch (not copied from the server) so no
server secret leaks into learner code.

The argv is layered, outermost first: the limit mechanism's launcher (``systemd-run --scope``, if
that is the mechanism), the session guard (joins the session's cgroup, sets rlimits, or stays as
a subreaper), the sandbox (``bwrap ...``), a second guard inside the sandbox when a limit must be
set there, and finally the app (gradtui, or the lab's ``command``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gradtui.serve.config import LabConfig
from gradtui.serve.process_tree import SessionProcesses
from gradtui.serve.roster import check_learner_name
from gradtui.serve.sandbox import (
    SandboxLayout,
    bwrap_argv,
    bwrap_sizes_tmpfs,
    check_gradtui_visible,
    plan_layout,
    python_paths,
    server_homes,
    server_log_folders,
)
from gradtui.serve.session_limits import (
    GUARD,
    Mechanism,
    Rlimits,
    SessionLimits,
    resolve_mechanism,
)

# Marks every process of one session (inherited through the environment), so the server can find
# and end a session's processes even after they were re-parented.
SESSION_TOKEN_VAR = "GRADTUI_LAB_SESSION"

# Server variables a learner's Python needs to find gradtui and its libraries.
_PASSTHROUGH = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "TZ")


@dataclass(frozen=True)
class LearnerDirs:
    """A learner's own directory tree under the lab's learners root."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def work(self) -> Path:
        return self.root / "work"

    def create(self) -> None:
        for path in (self.root, self.data, self.state, self.work):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)


def learner_dirs(config: LabConfig, name: str) -> LearnerDirs:
    return LearnerDirs(config.learners_root / check_learner_name(name))


@dataclass(frozen=True)
class LaunchPlan:
    """Everything needed to start one learner's session process, and to end it.

    ``processes`` finds and ends every process of the session (tell it the first one's pid
    with ``started``); ending it also removes the session's cgroup, so a plan that was made must
    be ended even if its process never started.
    """

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    token: str
    dirs: LearnerDirs
    processes: SessionProcesses


class LaunchError(RuntimeError):
    """The session's program cannot be started; the message says why (for the server's log)."""


def app_argv(config: LabConfig) -> list[str]:
    """The learner's program: the lab's ``command``, or gradtui at the landing."""
    return list(config.command) or [sys.executable, "-m", "gradtui", *config.landing]


def check_app(argv: list[str]) -> None:
    """Raise ``LaunchError`` if ``argv[0]`` is no program this server could run."""
    program = shutil.which(argv[0]) if os.sep not in argv[0] else argv[0]
    if program is None or not os.access(program, os.X_OK) or os.path.isdir(program):
        raise LaunchError(f"the lab's command {argv[0]!r} is not a program that can be run")


def sandbox_layout(config: LabConfig, own_dir: Path, *, tmp_on_disk: bool) -> SandboxLayout:
    """What a learner whose folder is ``own_dir`` sees of the file system in the sandbox.

    Hidden whole: the lab folder, the learners root, the roster's, host key's and web proxy
    secret's folders, the server user's home and the server log's folder. Bound back: Python and
    gradtui, the lab's lesson folders (one under /tmp vanished behind the private /tmp and the
    landing `lesson 7` failed with "not a directory of lessons") and the app's own files.
    """
    secrets_at = [config.base_dir, config.learners_root, config.roster.parent]
    secrets_at += [config.host_key.parent, config.web_proxy_secret_file.parent]
    secrets_at += [*server_homes(), *server_log_folders()]
    needed = python_paths() + list(config.lesson_dirs)
    needed += [Path(arg) for arg in app_argv(config) if os.path.isabs(arg)]
    layout = plan_layout(
        own_dir, secrets_at, needed, learners_root=config.learners_root, tmp_mb=config.tmp_mb
    )
    check_gradtui_visible(layout)
    if tmp_on_disk:
        layout = SandboxLayout(**{**layout.__dict__, "tmp_on_disk": layout.own_dir / ".tmp"})
    return layout


def plan_session(
    config: LabConfig,
    learner: str,
    *,
    term: str,
    sandbox_mode: str,
    limits: Mechanism | None = None,
) -> LaunchPlan:
    """Create the learner's directories and describe the process to start for them.

    ``sandbox_mode`` is the resolved mode (``bwrap`` or ``none``), see ``resolve_sandbox_mode``;
    ``limits`` the lab's resolved limit mechanism (by default resolved from the config).
    """
    dirs = learner_dirs(config, learner)
    dirs.create()
    token = secrets.token_hex(12)
    mechanism = limits or resolve_mechanism(config.limits)
    sandboxed = sandbox_mode == "bwrap"
    app = app_argv(config)
    check_app(app)
    sandbox: list[str] = []
    if sandboxed:
        # A bwrap that cannot cap a tmpfs gets /tmp on disk in the learner's own folder, unless
        # a cgroup counts the tmpfs's memory as the session's.
        counted = not isinstance(mechanism, Rlimits) and config.session_memory_mb > 0
        on_disk = not bwrap_sizes_tmpfs() and not counted
        sandbox = bwrap_argv(sandbox_layout(config, dirs.root, tmp_on_disk=on_disk))
    group = mechanism.open_session(
        f"{learner}-{token[:8]}", SessionLimits.from_config(config), sandboxed=sandboxed
    )
    inner = [] if group.inner_guard is None else [*GUARD, *group.inner_guard, "--"]
    argv = [*group.launch, *GUARD, *group.guard, "--", *sandbox, *inner, *app]
    env = {key: os.environ[key] for key in _PASSTHROUGH if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "TERM": term or "xterm-256color",
            "HOME": str(dirs.root),
            "USER": learner,
            "LOGNAME": learner,
            "GRADTUI_DATA_DIR": str(dirs.data),
            "GRADTUI_STATE_DIR": str(dirs.state),
            "XDG_DATA_HOME": str(dirs.root / ".local" / "share"),
            "XDG_STATE_HOME": str(dirs.root / ".local" / "state"),
            "XDG_CONFIG_HOME": str(dirs.root / ".config"),
            "XDG_CACHE_HOME": str(dirs.root / ".cache"),
            "MPLCONFIGDIR": str(dirs.root / ".cache" / "matplotlib"),
            SESSION_TOKEN_VAR: token,
        }
    )
    if config.kernel_memory_mb:
        env["GRADTUI_KERNEL_MEMORY_MB"] = str(config.kernel_memory_mb)
    if config.kernel_cpu_s:
        env["GRADTUI_KERNEL_CPU_S"] = str(config.kernel_cpu_s)
    if config.app_memory_mb:
        env["GRADTUI_APP_MEMORY_MB"] = str(config.app_memory_mb)
    if config.lesson_dirs:
        env["GRADTUI_LESSONS"] = os.pathsep.join(str(p) for p in config.lesson_dirs)
    processes = SessionProcesses(group, SESSION_TOKEN_VAR, token)
    return LaunchPlan(
        argv=argv, env=env, cwd=dirs.work, token=token, dirs=dirs, processes=processes
    )
