"""Where lessons come from: the built-ins shipped in the wheel, then teachers' directories.

Lessons are numbered in listing order (built-ins sorted by file name, then each extra directory
in the order given), so ``gradtui lesson 9`` is a teacher's first lesson after the eight
built-ins.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gradtui import paths
from gradtui.lessons.errors import LessonFileError, Problem
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.model import Lesson
from gradtui.lessons.toml_lines import TomlLines


def builtin_dir() -> Path:
    """The shipped lessons (``src/gradtui/lessons/builtin`` links to the top-level ``lessons/``)."""
    return Path(__file__).parent / "builtin"


def lesson_dirs(extra: Sequence[str | Path] = ()) -> list[Path]:
    """Built-ins, then ``--lessons DIR`` arguments, then ``$GRADTUI_LESSONS``."""
    dirs = [builtin_dir(), *(Path(d) for d in extra), *paths.extra_lesson_dirs()]
    unique: list[Path] = []
    for d in dirs:
        if d.resolve() not in {u.resolve() for u in unique}:
            unique.append(d)
    return unique


def lesson_files(paths_or_dirs: Iterable[str | Path]) -> list[Path]:
    """Every ``*.toml`` file of the given directories (sorted by name) and files, in order."""
    files: list[Path] = []
    for item in paths_or_dirs:
        path = Path(item)
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return files


@dataclass
class Catalog:
    """The lessons that loaded, in order, and the problems of files that did not."""

    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def find(self, key: str) -> Lesson | None:
        """A lesson by its 1-based number in the listing or by its id."""
        if key.isdigit():
            index = int(key) - 1
            return self.lessons[index] if 0 <= index < len(self.lessons) else None
        return next((lesson for lesson in self.lessons if lesson.id == key), None)


def load_catalog(extra: Sequence[str | Path] = ()) -> Catalog:
    """Load every lesson; a broken file is reported, never fatal for the others."""
    catalog = Catalog()
    for directory in lesson_dirs(extra):
        if not directory.is_dir():
            catalog.problems.append(Problem(directory, 0, "not a directory of lessons"))
            continue
        for path in lesson_files([directory]):
            try:
                lesson = load_lesson(path)
            except LessonFileError as exc:
                catalog.problems.extend(exc.problems)
                continue
            clash = next((other for other in catalog.lessons if other.id == lesson.id), None)
            if clash is not None:
                catalog.problems.append(Problem(path, id_line(path),
                                                f"lesson id {lesson.id!r} is already used by "
                                                f"{clash.path}; skipped"))
                continue
            catalog.lessons.append(lesson)
    return catalog


def id_line(path: Path) -> int:
    """The line of a lesson file's ``id`` key (for "id already used" problems)."""
    return TomlLines(path.read_text(encoding="utf-8")).line_of(("id",))


def resume_command(lesson: Lesson, number: int | None = None) -> str:
    """``gradtui lesson ID``, or ``gradtui lesson N`` given its listing ``number``; a lesson
    that only ``--lessons DIR`` finds is named by id, with its folder."""
    folder = lesson.path.parent.resolve()
    found_anyway = {directory.resolve() for directory in lesson_dirs()}
    if folder not in found_anyway:
        return f"gradtui lesson {lesson.id} --lessons {shlex.quote(str(folder))}"
    return f"gradtui lesson {lesson.id if number is None else number}"
