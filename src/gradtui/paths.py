"""Where gradtui keeps a user's files (XDG base directories, overridable per learner).

The teaching-lab server gives every learner their own directories through these variables, so
every front end must find its files here and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value and os.path.isabs(value) else Path.home() / default


def data_dir() -> Path:
    """Progress and other per-user data: ``$GRADTUI_DATA_DIR`` or ``$XDG_DATA_HOME/gradtui``."""
    override = os.environ.get("GRADTUI_DATA_DIR")
    return Path(override) if override else _xdg("XDG_DATA_HOME", ".local/share") / "gradtui"


def state_dir() -> Path:
    """History and other state: ``$GRADTUI_STATE_DIR`` or ``$XDG_STATE_HOME/gradtui``."""
    override = os.environ.get("GRADTUI_STATE_DIR")
    return Path(override) if override else _xdg("XDG_STATE_HOME", ".local/state") / "gradtui"


def history_file() -> Path:
    """The input history shared by the Textual workspace and ``gradtui repl``."""
    return state_dir() / "history"


def extra_lesson_dirs() -> list[Path]:
    """Teacher-supplied lesson directories from ``$GRADTUI_LESSONS`` (``os.pathsep``-separated)."""
    value = os.environ.get("GRADTUI_LESSONS", "")
    return [Path(p) for p in value.split(os.pathsep) if p]
