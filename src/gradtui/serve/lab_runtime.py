"""State shared by every connection of a running lab server: config, roster, live sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gradtui.serve.config import LabConfig
from gradtui.serve.roster import Roster, load_roster
from gradtui.serve.session_limits import Mechanism, SessionLimits, resolve_mechanism


class LiveSession(Protocol):
    learner: str

    async def close_for_shutdown(self) -> None: ...


@dataclass
class LabRuntime:
    """The running lab: its config, resolved sandbox mode and limit mechanism, roster and live
    learner sessions.

    Made at server start: it raises ``SandboxUnavailable`` (or its ``LimitsUnavailable``) when
    the sandbox or the limits the config asks for cannot be had here, before anyone logs in.
    """

    config: LabConfig
    sandbox_mode: str
    sessions: set[LiveSession] = field(default_factory=set)
    limits: Mechanism = field(init=False)
    # open client connections (SSH), closed at shutdown: from Python 3.12.1 an asyncio server's
    # wait_closed() waits for every connection, so one left open would hang the stop
    connections: set[Any] = field(default_factory=set)
    _roster: Roster = field(default_factory=Roster)
    _roster_stamp: tuple[int, int, int] | None = None

    def __post_init__(self) -> None:
        self.limits = resolve_mechanism(self.config.limits)
        self.limits.prepare()
        self.limits.sweep_stale()
        if self.sandbox_mode == "bwrap":
            # Fail now on a lab whose secrets cannot be hidden (a system folder) or that would
            # hide gradtui itself, not at every learner's login.
            from gradtui.serve.learner_launch import sandbox_layout

            probe = self.config.learners_root / ".layout-check"
            sandbox_layout(self.config, probe, tmp_on_disk=False)

    def log_limits(self) -> None:
        """One log line per limit in force, so the teacher's log says what holds (and what not)."""
        from gradtui.serve.lab_log import event

        for line in self.limit_statement():
            event("limits", message=line)

    def limit_statement(self) -> list[str]:
        """What holds for each session here, one sentence per limit (for logs and lab check)."""
        limits = SessionLimits.from_config(self.config)
        return self.limits.statement(limits, sandboxed=self.sandbox_mode == "bwrap")

    def roster(self) -> Roster:
        """The roster, re-read when the file changed: a teacher may add learners mid-lab."""
        stamp = _stamp(self.config.roster)
        if stamp != self._roster_stamp:
            self._roster = load_roster(self.config.roster)
            self._roster_stamp = stamp
        return self._roster

    def is_full(self) -> bool:
        return len(self.sessions) >= self.config.max_sessions

    def learner_at_limit(self, learner: str) -> bool:
        """One learner may not fill the lab by opening session after session."""
        mine = sum(1 for session in self.sessions if session.learner == learner)
        return mine >= self.config.max_sessions_per_learner


def full_text(max_sessions: int) -> str:
    """What a learner reads when the lab is full (SSH and web say the same)."""
    who = "1 learner is" if max_sessions == 1 else f"{max_sessions} learners are"
    return f"Sorry, the lab is full ({who} connected).\nPlease try again in a few minutes.\n"


def learner_limit_text(limit: int) -> str:
    """What a learner reads when they already have as many sessions as one learner may."""
    open_now = "1 session" if limit == 1 else f"{limit} sessions"
    return f"You already have {open_now} open in this lab; close one first.\n"


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    # The inode too: add-learner replaces the file, possibly within one mtime tick.
    return (info.st_ino, info.st_mtime_ns, info.st_size)
