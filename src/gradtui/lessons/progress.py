"""Per-user lesson progress in ``<data_dir>/progress.json``, written atomically.

A write goes to a temporary file in the same directory, is fsynced, then ``os.replace``d over the
old file, so a kill at any moment leaves either the old or the new content. A file that cannot be
read is reported and moved aside as ``progress.json.corrupt-<timestamp>``, never fatal: learners
lose progress bookkeeping at worst, never a session.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = "progress.json"
FORMAT_VERSION = 1
STALE_TEMP_S = 600  # a write takes milliseconds: older temp files were left by a killed writer


@dataclass
class LessonProgress:
    """Where a learner is in one lesson (the lab's progress table reads these fields)."""

    lesson_id: str
    title: str
    steps_total: int
    steps_done: int = 0
    current_step: int = 0  # 0-based; equals steps_total once completed
    hints_used: int = 0
    skips: int = 0
    completed: bool = False
    last_active: str = ""  # ISO-8601, UTC
    solutions_shown: int = 0

    def touch(self) -> None:
        self.last_active = datetime.now(UTC).isoformat(timespec="seconds")

    @staticmethod
    def from_json(data: dict[str, Any]) -> LessonProgress:
        names = {f.name: f.type for f in fields(LessonProgress)}
        kwargs = {k: v for k, v in data.items() if k in names}
        progress = LessonProgress(**kwargs)
        for name in ("steps_total", "steps_done", "current_step", "hints_used", "skips",
                     "solutions_shown"):
            value = getattr(progress, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, not {value!r}")
        if not isinstance(progress.lesson_id, str) or not isinstance(progress.completed, bool):
            raise ValueError("lesson_id must be a string and completed a boolean")
        return progress


class ProgressStore:
    """Reads and writes ``progress.json`` in ``data_dir``; ``problem`` reports a set-aside file.

    ``read_only=True`` is for onlookers such as the teacher's progress report: an unreadable file
    is reported in ``problem`` but left where it is (the learner's own gradtui sets it aside and
    tells the learner).
    """

    def __init__(self, data_dir: Path, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILE_NAME
        self.read_only = read_only
        self.problem: str | None = None

    def load(self) -> dict[str, LessonProgress]:
        """Every lesson's progress; a corrupt file is set aside (see ``problem``), {} returned."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.problem = f"cannot read {self.path}: {exc}; progress starts empty"
            return {}
        try:
            data = json.loads(text)
            lessons = data["lessons"]
            if not isinstance(lessons, dict):
                raise ValueError("`lessons` is not an object")
            return {key: LessonProgress.from_json(value) for key, value in lessons.items()}
        except (ValueError, KeyError, TypeError) as exc:
            self._set_aside(exc)
            return {}

    def get(self, lesson_id: str) -> LessonProgress | None:
        return self.load().get(lesson_id)

    def save(self, progress: LessonProgress) -> None:
        """Store one lesson's progress (others are kept), atomically."""
        if self.read_only:
            raise PermissionError(f"{self.path} was opened read-only")
        everything = self.load()
        progress.touch()
        everything[progress.lesson_id] = progress
        self._write(everything)

    def forget(self, lesson_id: str) -> None:
        everything = self.load()
        if everything.pop(lesson_id, None) is not None:
            self._write(everything)

    def _write(self, everything: dict[str, LessonProgress]) -> None:
        payload = {"version": FORMAT_VERSION,
                   "lessons": {key: asdict(value) for key, value in sorted(everything.items())}}
        write_atomically(self.path, json.dumps(payload, indent=2) + "\n")
        self._remove_stale_temp_files()

    def _remove_stale_temp_files(self) -> None:
        now = time.time()
        for temp in self.data_dir.glob(f".{FILE_NAME}.*.tmp"):
            try:
                if now - temp.stat().st_mtime > STALE_TEMP_S:
                    temp.unlink()
            except OSError:
                continue  # another process's cleanup got there first

    def _set_aside(self, error: Exception) -> None:
        if self.read_only:
            self.problem = f"unreadable progress file {self.path} ({error})"
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
            where = f"moved to {target}"
        except OSError as exc:
            where = f"could not be moved aside ({exc})"
        self.problem = (f"your progress file {self.path} was unreadable ({error}); it was "
                        f"{where} and progress starts empty")


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
