"""Problems found in lesson files, reported as ``file:line: what is wrong``.

Editors and terminals turn ``path:line:`` into a jump target, so every loader, validation and
self-test problem uses this one shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, at a 1-based line (0 when the file is unreadable)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LessonFileError(Exception):
    """A lesson file that cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
