"""The bubblewrap sandbox a learner's whole gradtui session runs in, when the machine allows it.

In ``bwrap`` mode the learner's gradtui process (and so its kernel, a child) sees:
no network (``--unshare-net``), no other processes (``--unshare-pid``), the whole file system
read-only (``--ro-bind / /``), an empty learners root except their own directory (writable),
a private ``/tmp``, and the lab's secrets (roster, host key) replaced by empty files. It dies with
the server (``--die-with-parent``) and keeps no capabilities even when the server runs as root.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class SandboxUnavailable(RuntimeError):
    """``sandbox = "bwrap"`` was asked for but bwrap cannot run here; the message says why."""


@functools.cache
def bwrap_problem() -> str | None:
    """None if bwrap can create its namespaces here, else a one-line reason it cannot."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap is not installed (apt-get install bubblewrap)"
    probe = [
        bwrap, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--unshare-net",
        "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL", "true",
    ]  # fmt: skip
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start: {error}"
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1:] or ["no message"]
        return f"bwrap cannot create namespaces here: {detail[0]}"
    return None


def resolve_sandbox_mode(requested: str) -> str:
    """``auto``: ``bwrap`` when it works, else ``none``; ``bwrap``: fail loudly if it can't."""
    if requested == "none":
        return "none"
    problem = bwrap_problem()
    if problem is None:
        return "bwrap"
    if requested == "bwrap":
        raise SandboxUnavailable(problem)
    return "none"


PRIVATE_TMP = Path("/tmp")

# Namespaces and safety switches, whatever the paths.
_ISOLATION = [
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent", "--cap-drop", "ALL",
]  # fmt: skip


def bwrap_prefix(
    learner_dir: Path,
    learners_root: Path,
    hidden_files: list[Path],
    keep_visible: Sequence[Path] = (),
) -> list[str]:
    """The ``bwrap ...`` argv prefix that confines one learner to ``learner_dir``.

    ``keep_visible``: paths the session needs (Python, gradtui, the app) that may live under
    ``/tmp`` (a CI checkout, say), bound back read-only over the private ``/tmp``.
    """
    bwrap = shutil.which("bwrap") or "bwrap"
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    argv += ["--tmpfs", str(PRIVATE_TMP), *_ISOLATION]
    for path in sorted({p.resolve() for p in keep_visible if _inside(p, PRIVATE_TMP)}):
        if path.exists():
            argv += ["--ro-bind", str(path), str(path)]
    # Hide every other learner: an empty tmpfs over the root, then only this learner's dir.
    argv += ["--tmpfs", str(learners_root), "--bind", str(learner_dir), str(learner_dir)]
    for secret in hidden_files:
        if secret.exists() and not _inside(secret, learners_root):
            # Not /dev/null: bwrap mounts binds "nodev", so a device there cannot be opened.
            argv += ["--ro-bind", str(_empty_file(learners_root)), str(secret)]
    argv += ["--chdir", str(learner_dir / "work"), "--"]
    return argv


def _empty_file(learners_root: Path) -> Path:
    """An empty read-only file to mount over secrets (a dot name is never a learner's)."""
    path = learners_root / ".empty"
    if not path.exists():
        learners_root.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o444)
    return path


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
