"""What one learner's session runs: argv, environment and working directory.

Shared by the SSH server and the web server so both give a learner the same directories,
limits and sandbox. The environment is built from scratch (not copied from the server) so no
server secret leaks into learner code.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from gradtui.serve.config import LabConfig
from gradtui.serve.roster import check_learner_name
from gradtui.serve.sandbox import bwrap_prefix

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
    """Everything needed to start one learner's session process."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    token: str
    dirs: LearnerDirs


def plan_session(config: LabConfig, learner: str, *, term: str, sandbox_mode: str) -> LaunchPlan:
    """Create the learner's directories and describe the process to start for them.

    ``sandbox_mode`` is the resolved mode (``bwrap`` or ``none``), see ``resolve_sandbox_mode``.
    """
    dirs = learner_dirs(config, learner)
    dirs.create()
    token = secrets.token_hex(12)
    app = list(config.command) or [sys.executable, "-m", "gradtui", *config.landing]
    if sandbox_mode == "bwrap":
        hidden = [config.roster, config.host_key]
        # Python, gradtui and the app must stay visible even if they live under /tmp.
        needed = [Path(sys.prefix), Path(sys.base_prefix), *(Path(p) for p in sys.path if p)]
        needed += [Path(arg) for arg in app if os.path.isabs(arg)]
        # The teacher's own lesson folders too: one under /tmp vanished behind the private /tmp
        # and the landing `lesson 7` failed with "not a directory of lessons".
        needed += list(config.lesson_dirs)
        app = bwrap_prefix(dirs.root, config.learners_root, hidden, needed) + app
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
    if config.lesson_dirs:
        env["GRADTUI_LESSONS"] = os.pathsep.join(str(p) for p in config.lesson_dirs)
    return LaunchPlan(argv=app, env=env, cwd=dirs.work, token=token, dirs=dirs)
