"""The bubblewrap sandbox a learner's whole gradtui session runs in, when the machine allows it.

In ``bwrap`` mode the learner's gradtui process (and so its kernel, a child) sees: no network
(``--unshare-net``), no other processes (``--unshare-pid``), the file system read-only
(``--ro-bind / /``), its own folder writable, and a private size-capped ``/tmp`` and ``/dev/shm``.
Folders that hold secrets are replaced *whole* by empty read-only folders: the lab folder (roster,
host key, config, other learners), the learners root, the folders of the roster and host key
wherever they are, the server user's home (their keys and files) and the folder of the server's
log file. Hiding folders rather than files is the point: the teacher's ``lab add-learner``
replaces the roster by renaming a new file into place, and a file hidden by a mount on its path
reappears when the path gets a new file; a mount on the folder holds whatever happens inside.

What the session needs from inside those folders (the Python installation, gradtui and its
libraries, the lab's lesson folders, the app) is bound back read-only; never a folder that holds a
hidden one (that would uncover it), never another learner's. The sandbox dies with the server
(``--die-with-parent``) and keeps no capabilities even when the server runs as root.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024


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


@functools.cache
def bwrap_sizes_tmpfs() -> bool:
    """True if this bwrap has ``--size`` (0.8+), so a tmpfs it mounts can be capped."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        result = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in result.stdout + result.stderr


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
SHM = Path("/dev/shm")

# Folders of the operating system itself: hiding one would break every program, so a secret that
# lives directly in one of these cannot be hidden by folder, and the lab refuses to run sandboxed.
SYSTEM_FOLDERS = frozenset(
    Path(p)
    for p in (
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
        "/media", "/mnt", "/nix", "/opt", "/proc", "/run", "/sbin", "/snap", "/srv", "/sys",
        "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/share", "/var", "/var/lib",
        "/var/tmp",
    )
)  # fmt: skip

# Namespaces and safety switches, whatever the paths.
_ISOLATION = [
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent", "--cap-drop", "ALL",
]  # fmt: skip

# A hidden folder's empty tmpfs holds only the mount points bwrap makes in it, then turns read-only.
_HIDDEN_TMPFS_BYTES = MiB


@dataclass(frozen=True)
class SandboxLayout:
    """What one learner's sandbox shows of the file system (all paths absolute and resolved).

    ``hidden``: folders shown empty and read-only. ``visible``: paths inside a hidden folder or
    ``/tmp`` bound back read-only. ``own_dir``: the learner's folder, the one writable place
    besides the private ``/tmp``. ``tmp_mb``: size of that ``/tmp`` and of ``/dev/shm``.
    ``tmp_on_disk``: a folder (in ``own_dir``) used as ``/tmp`` and ``/dev/shm`` instead of a
    tmpfs, where a tmpfs could hold memory that no limit counts (a bwrap without ``--size`` and
    no cgroup to charge it to).
    """

    own_dir: Path
    hidden: tuple[Path, ...]
    visible: tuple[Path, ...]
    tmp_mb: int
    tmp_on_disk: Path | None = None


def plan_layout(
    own_dir: Path,
    secret_folders: Iterable[Path],
    needed: Iterable[Path],
    *,
    learners_root: Path,
    tmp_mb: int,
) -> SandboxLayout:
    """Decide what to hide and what to bind back for a learner whose folder is ``own_dir``.

    ``secret_folders``: folders to hide whole (missing ones are skipped; one inside another is
    already hidden by it). ``needed``: what the session must still see (missing ones skipped);
    one is bound back only if something hides it, and dropped if binding it would uncover a
    hidden folder or another learner's files. Raises ``SandboxUnavailable`` if a secret lives
    in a system folder (which cannot be hidden) or gradtui itself would be hidden.
    """
    own_dir = own_dir.resolve()
    learners_root = learners_root.resolve()
    folders = {p.resolve() for p in secret_folders if p.is_dir()} | {learners_root}
    # What is in /tmp is hidden already: the sandbox has a /tmp of its own.
    folders = {p for p in folders if not _inside(p, PRIVATE_TMP)}
    for folder in sorted(folders):
        if folder in SYSTEM_FOLDERS:
            raise SandboxUnavailable(
                f"{folder} is a system folder and cannot be hidden from learners: keep the "
                "lab's files (roster, host key, learners, log) in a folder of their own"
            )
    hidden = tuple(p for p in sorted(folders) if not any(_inside(p, q) for q in folders if q != p))
    covers = (*hidden, PRIVATE_TMP)
    visible: set[Path] = set()
    for path in needed:
        path = path.resolve()
        if not path.exists() or not any(_inside(path, cover) for cover in covers):
            continue  # missing, or already visible through `--ro-bind / /`
        if any(_inside(folder, path) for folder in folders):
            continue  # the path holds (or is) a hidden folder: binding it would uncover it
        if _inside(path, learners_root):
            continue  # another learner's (or this learner's own, bound writable anyway)
        visible.add(path)
    # Binding a path that is inside another bound path changes nothing: keep the outer one.
    kept = tuple(p for p in sorted(visible) if not any(_inside(p, q) for q in visible if q != p))
    return SandboxLayout(own_dir=own_dir, hidden=hidden, visible=kept, tmp_mb=tmp_mb)


def bwrap_argv(layout: SandboxLayout, *, sized_tmpfs: bool | None = None) -> list[str]:
    """The ``bwrap ... --`` argv prefix that confines one learner to ``layout``.

    Mounts happen in argv order: hidden folders first (outermost only), then what is bound back
    into them and into ``/tmp``, then the learner's own folder, and only then are the hidden
    folders made read-only (bwrap creates the mount points inside them first).
    """
    if sized_tmpfs is None:
        sized_tmpfs = bwrap_sizes_tmpfs()
    bwrap = shutil.which("bwrap") or "bwrap"

    def tmpfs(path: Path, size_bytes: int) -> list[str]:
        size = ["--size", str(size_bytes)] if sized_tmpfs else []
        return [*size, "--tmpfs", str(path)]

    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    if layout.tmp_on_disk is not None:
        layout.tmp_on_disk.mkdir(mode=0o700, exist_ok=True)
        for path in (PRIVATE_TMP, SHM):
            argv += ["--bind", str(layout.tmp_on_disk), str(path)]
    else:
        argv += tmpfs(PRIVATE_TMP, layout.tmp_mb * MiB) + tmpfs(SHM, layout.tmp_mb * MiB)
    for folder in layout.hidden:
        argv += tmpfs(folder, _HIDDEN_TMPFS_BYTES)
    for path in layout.visible:
        argv += ["--ro-bind", str(path), str(path)]
    argv += ["--bind", str(layout.own_dir), str(layout.own_dir)]
    for folder in layout.hidden:
        argv += ["--remount-ro", str(folder)]
    argv += _ISOLATION
    argv += ["--chdir", str(layout.own_dir / "work"), "--"]
    return argv


def server_homes() -> list[Path]:
    """The server user's home folders: ``$HOME`` and the password database's (they may differ).

    A service account whose home is a system folder (``/``, ``/var/lib``) has none to hide.
    """
    homes = []
    if os.environ.get("HOME"):
        homes.append(Path(os.environ["HOME"]))
    try:
        homes.append(Path(pwd.getpwuid(os.geteuid()).pw_dir))
    except KeyError:
        pass
    return [home for home in homes if home.resolve() not in SYSTEM_FOLDERS]


def server_log_folders() -> list[Path]:
    """Folders of the files the server's stdout and stderr are written to (its log), if any.

    A log written straight into a system folder cannot be hidden by folder (``lab check`` says
    so); keep it in the lab folder or the server user's home.
    """
    folders = []
    for fd in (1, 2):
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                folders.append(Path(os.readlink(f"/proc/self/fd/{fd}")).parent)
        except OSError:
            continue
    return [folder for folder in folders if folder.resolve() not in SYSTEM_FOLDERS]


def python_paths() -> list[Path]:
    """What a gradtui process needs to start: the Python installation, venv and import path."""
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths = [Path(p) for p in prefixes]
    paths += [Path(sys.executable), *(Path(p) for p in sys.path if p)]
    return paths


def gradtui_location() -> Path:
    """The folder gradtui is imported from (site-packages, or a checkout's ``src``)."""
    import gradtui

    return Path(gradtui.__file__).resolve().parent.parent


def check_gradtui_visible(layout: SandboxLayout) -> None:
    """Raise ``SandboxUnavailable`` if gradtui itself would be hidden from the session."""
    where = gradtui_location()
    hidden_by = [f for f in layout.hidden if _inside(where, f)]
    if hidden_by and not any(_inside(where, v) for v in layout.visible):
        raise SandboxUnavailable(
            f"gradtui is installed in {where}, inside {hidden_by[0]}, which learners must not "
            "see: install gradtui outside the lab folder (a venv elsewhere)"
        )


def _inside(path: Path, root: Path) -> bool:
    """True if ``path`` is ``root`` or inside it (both already resolved)."""
    return path == root or root in path.parents

