"""State shared by every connection of a running lab server: config, roster, live sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gradtui.serve.config import LabConfig
from gradtui.serve.roster import Roster, load_roster


class LiveSession(Protocol):
    learner: str

    async def close_for_shutdown(self) -> None: ...


@dataclass
class LabRuntime:
    """The running lab: its config, resolved sandbox mode, roster and live learner sessions."""

    config: LabConfig
    sandbox_mode: str
    sessions: set[LiveSession] = field(default_factory=set)
    _roster: Roster = field(default_factory=Roster)
    _roster_stamp: tuple[int, int, int] | None = None

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
