"""The first process of every learner session: joins its cgroup, sets its limits, runs the session.

    python -m gradtui.serve.session_guard [--cgroup DIR]... [--rlimit NAME=VALUE]... [--reaper]
        -- ARGV...

It joins each cgroup folder first (so every process of the session is born inside it), then
lowers the named rlimits (``as``, ``core``, ``cpu``, ``fsize``, ``nofile``, ``nproc``), starts a
process group of its own if it has none (so no signal meant for the server's group reaches the
session, or the reverse), and then:

- without ``--reaper``, replaces itself with ``ARGV`` (exec): nothing of it stays;
- with ``--reaper`` (no sandbox and no cgroup: nothing else would find a process that detached
  itself), it stays as the session's *child subreaper*: it runs ``ARGV`` as its child, adopts every
  orphan below it (``fork(); setsid(); fork()`` included), and when ``ARGV`` exits or the server
  sends SIGHUP/SIGTERM, it ends everything below it before exiting with ``ARGV``'s status.

If a limit cannot be set it refuses to start the session (status 111, a line on stderr, which is
the learner's terminal) rather than run it unlimited.
"""

from __future__ import annotations

import os
import resource
import signal
import sys

# Imports are few and cheap on purpose: the guard starts before every learner session (the
# /proc helpers it needs only as a reaper are imported there).

FAILED = 111
CANNOT_START = "The lab could not start your session; please tell your teacher."
RLIMITS = {
    "as": resource.RLIMIT_AS,
    "core": resource.RLIMIT_CORE,
    "cpu": resource.RLIMIT_CPU,
    "fsize": resource.RLIMIT_FSIZE,
    "nofile": resource.RLIMIT_NOFILE,
    "nproc": resource.RLIMIT_NPROC,
}
# The guard ignores terminal signals: they are the app's to handle (it shares the terminal).
_TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)
_WATCHED = {signal.SIGCHLD, signal.SIGHUP, signal.SIGTERM}
GRACE_S = 1.0


class GuardError(Exception):
    """A limit could not be put in place; the session must not start."""


class GuardArgs:
    """The parsed command line (a plain class: ``dataclasses`` costs 30 ms to import)."""

    def __init__(self) -> None:
        self.cgroup: list[str] = []
        self.rlimit: list[str] = []
        self.reaper = False
        self.command: list[str] = []


def parse_args(argv: list[str]) -> GuardArgs:
    """``[--cgroup DIR]... [--rlimit NAME=VALUE]... [--reaper] -- COMMAND...``"""
    args = GuardArgs()
    rest = list(argv)
    while rest and rest[0] != "--":
        option = rest.pop(0)
        if option == "--reaper":
            args.reaper = True
        elif option in ("--cgroup", "--rlimit") and rest:
            getattr(args, option[2:]).append(rest.pop(0))
        else:
            raise GuardError(f"unknown option {option!r}")
    args.command = rest[1:]
    if not args.command:
        raise GuardError("no command to run after --")
    return args


def join_cgroups(folders: list[str]) -> None:
    for folder in folders:
        try:
            with open(os.path.join(folder, "cgroup.procs"), "w") as handle:
                handle.write("0")  # 0: the writing process itself
        except OSError as error:
            raise GuardError(f"cannot join the session's cgroup {folder}: {error}") from None


def set_rlimits(settings: list[str]) -> None:
    for setting in settings:
        name, _, raw = setting.partition("=")
        if name not in RLIMITS or not raw.isdigit():
            raise GuardError(f"unknown rlimit setting {setting!r}")
        which, value = RLIMITS[name], int(raw)
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)  # never try to raise a hard limit: only lower it
        try:
            resource.setrlimit(which, (value, value))
        except (OSError, ValueError) as error:
            raise GuardError(f"cannot set {name} to {value}: {error}") from None


def own_process_group() -> None:
    try:
        os.setsid()
    except PermissionError:
        pass  # already a session leader (the SSH server's pty session)


def _reset_signals() -> None:
    """In the session's process: default signal handling, nothing blocked (as after a login)."""
    # Python itself ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across exec.
    defaults = (signal.SIGHUP, signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ)
    for signum in (*_TERMINAL_SIGNALS, *defaults):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def run_reaper(command: list[str]) -> int:
    """Run ``command`` as our child and end everything below us once it is done."""
    from gradtui.kernel.proctree import become_subreaper, end_descendants, reap_children

    if not become_subreaper():
        raise GuardError("cannot become the session's child subreaper (prctl failed)")
    for signum in _TERMINAL_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, _WATCHED)
    child = os.fork()
    if child == 0:
        _reset_signals()
        try:
            os.execvp(command[0], command)
        except OSError as error:
            os.write(2, f"gradtui: cannot run {command[0]}: {error.strerror}\r\n".encode())
        os._exit(127)
    status = None
    while status is None:
        for pid, raw in reap_children():
            if pid == child:
                status = os.waitstatus_to_exitcode(raw)
        if status is not None:
            break
        info = signal.sigtimedwait(_WATCHED, 1.0)
        if info is not None and info.si_signo in (signal.SIGHUP, signal.SIGTERM):
            os.kill(child, info.si_signo)  # not yet reaped by us: the pid is still our child's
            status = _wait_for(child, GRACE_S)
            break
    end_descendants(os.getpid(), grace_s=GRACE_S, reap=True)
    if status is None:
        return 128 + signal.SIGKILL
    return status if status >= 0 else 128 - status


def _wait_for(child: int, seconds: float) -> int | None:
    """The child's exit status if it exits within ``seconds`` (reaping others meanwhile)."""
    from gradtui.kernel.proctree import reap_children

    for _ in range(max(1, int(seconds / 0.02))):
        for pid, raw in reap_children():
            if pid == child:
                return os.waitstatus_to_exitcode(raw)
        signal.sigtimedwait(_WATCHED, 0.02)
    return None


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        join_cgroups(args.cgroup)
        set_rlimits(args.rlimit)
        own_process_group()
        if args.reaper:
            return run_reaper(args.command)
    except GuardError as error:
        sys.stderr.write(f"{CANNOT_START}\r\n({error})\r\n")
        return FAILED
    _reset_signals()
    try:
        os.execvp(args.command[0], args.command)
    except OSError as error:
        sys.stderr.write(f"{CANNOT_START}\r\n(cannot run {args.command[0]}: {error.strerror})\r\n")
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
