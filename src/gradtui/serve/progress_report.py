"""The teacher's view: every learner's lesson progress, as a table, CSV or JSON.

Progress is read through the lessons area's ``ProgressStore`` (``<learner>/data/progress.json``),
the same store the learner's gradtui writes, so the report never disagrees with the app. Those
files are the learners' own, so they are read as hostile: no symlink below the lab's learners
folder is followed, FIFOs and devices are refused without blocking, the size is capped and every
field is type-checked (``ProgressStore(read_only=True, root=...)``). A learner whose file fails
is one line "unreadable: reason", never a crash of the whole class's report. Every learner
string is shown with its control characters escaped, and CSV cells cannot start a formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from gradtui.lessons.catalog import load_catalog
from gradtui.lessons.model import Lesson
from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.serve.config import LabConfig
from gradtui.serve.learner_launch import learner_dirs
from gradtui.serve.roster import RosterError, check_learner_name, load_roster
from gradtui.untrusted import csv_cell, escape_controls

TABLE_WIDTH = 100  # the table is laid out to fit this many columns (see format_table)

COLUMNS = (
    "learner",
    "lesson_id",
    "title",
    "steps_done",
    "steps_total",
    "hints_used",
    "skips",
    "solutions_shown",
    "completed",
    "ever_completed",
    "attempts",
    "completions",
    "first_completed_at",
    "first_hints_used",
    "first_skips",
    "first_solutions_shown",
    "last_active",
    "problem",
)


@dataclass(frozen=True)
class LearnerReport:
    """One learner's lessons (validated records), or why their file could not be read."""

    learner: str
    lessons: tuple[LessonProgress, ...]
    problem: str | None = None  # an unreadable progress file, said out loud


@dataclass(frozen=True)
class ClassProgress:
    """The lab's course (in listing order) and every learner's report."""

    course: tuple[Lesson, ...]
    learners: tuple[LearnerReport, ...]

    def number(self, lesson_id: str) -> int | None:
        """The lesson's 1-based place in the course (as ``gradtui lesson N`` numbers it)."""
        return next((n for n, lesson in enumerate(self.course, start=1)
                     if lesson.id == lesson_id), None)


def learner_names(config: LabConfig) -> list[str]:
    """Everyone in the roster plus everyone who has a directory (open labs have no roster)."""
    names: set[str] = set()
    try:
        names |= set(load_roster(config.roster).learners)
    except RosterError:
        pass  # a broken roster must not hide the progress of those who did log in
    try:
        entries = list(os.scandir(config.learners_root))
    except OSError:
        entries = []
    for entry in entries:
        try:
            # A symlink named like a learner is not followed here; a roster learner whose
            # folder is one is reported unreadable by the store.
            if entry.is_dir(follow_symlinks=False):
                names.add(check_learner_name(entry.name))
        except (RosterError, OSError):
            continue
    return sorted(names)


def collect_progress(config: LabConfig) -> ClassProgress:
    course = tuple(load_catalog(config.lesson_dirs).lessons)
    reports = []
    for name in learner_names(config):
        # Read-only: the teacher's report must never move a learner's unreadable file aside.
        store = ProgressStore(learner_dirs(config, name).data, read_only=True,
                              root=config.learners_root)
        lessons = store.load()
        reports.append(LearnerReport(name, tuple(lessons.values()), store.problem))
    return ClassProgress(course, tuple(reports))


# --- JSON and CSV: every field, one record per learner and lesson ------------------------------


def _record(report: LearnerReport, lesson: LessonProgress | None) -> dict[str, object]:
    first = lesson.first_completion if lesson is not None else None
    if lesson is None:
        values: dict[str, object] = {column: "" for column in COLUMNS}
    else:
        values = {
            "lesson_id": lesson.lesson_id, "title": lesson.title,
            "steps_done": lesson.steps_done, "steps_total": lesson.steps_total,
            "hints_used": lesson.hints_used, "skips": lesson.skips,
            "solutions_shown": lesson.solutions_shown, "completed": lesson.completed,
            "ever_completed": lesson.ever_completed, "attempts": lesson.attempts,
            "completions": lesson.completions,
            "first_completed_at": first.at if first else "",
            "first_hints_used": first.hints_used if first else "",
            "first_skips": first.skips if first else "",
            "first_solutions_shown": first.solutions_shown if first else "",
            "last_active": lesson.last_active,
        }
    values["learner"] = report.learner
    values["problem"] = report.problem or ""
    return values


def _sorted_lessons(progress: ClassProgress, report: LearnerReport) -> list[LessonProgress]:
    """Course order first, then lessons the course does not have, by id."""
    last = len(progress.course) + 1
    return sorted(report.lessons,
                  key=lambda lp: (progress.number(lp.lesson_id) or last, lp.lesson_id))


def format_json(progress: ClassProgress) -> str:
    payload = [
        {
            "learner": report.learner,
            "problem": report.problem,
            "lessons": [{k: v for k, v in _record(report, lp).items()
                         if k not in ("learner", "problem")} | {"steps": _steps_json(lp)}
                        for lp in _sorted_lessons(progress, report)],
        }
        for report in progress.learners
    ]
    return json.dumps(payload, indent=2) + "\n"  # JSON escapes every control character


def _steps_json(lesson: LessonProgress) -> list[dict[str, object]]:
    return [{"seconds": r.seconds, "cells": r.cells, "hints": r.hints,
             "solutions": r.solutions, "skips": r.skips, "passes": r.passes,
             "fails": dict(r.fails)} for r in lesson.steps]


def format_csv(progress: ClassProgress) -> str:
    """One line per learner and lesson; learners with no progress get one empty line.

    Cells a spreadsheet would run as a formula (``=HYPERLINK(...)``) start with ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for report in progress.learners:
        lessons = _sorted_lessons(progress, report)
        for lesson in lessons or [None]:
            record = _record(report, lesson)
            writer.writerow([csv_cell(record[column]) for column in COLUMNS])
    return out.getvalue()


# --- the table: learners down, the course's lessons across ------------------------------------


def _help(hints: int, solutions: int, skips: int) -> str:
    """``h2s5k1``: hints, solutions shown, steps skipped (zeros left out)."""
    return "".join(f"{mark}{count}" for mark, count in (("h", hints), ("s", solutions),
                                                          ("k", skips)) if count)


def _cell(lesson: LessonProgress | None) -> tuple[str, str]:
    """(status, help): ``done`` once ever completed (help of that first completion), else
    steps done/total (help of the current attempt); ``-`` if never started."""
    if lesson is None:
        return "-", ""
    first = lesson.first_completion
    if first is not None:
        return "done", _help(first.hints_used, first.solutions_shown, first.skips)
    status = "done" if lesson.completed else f"{lesson.steps_done}/{lesson.steps_total}"
    return status, _help(lesson.hints_used, lesson.solutions_shown, lesson.skips)


def last_seen(lessons: tuple[LessonProgress, ...], now: datetime | None = None) -> str:
    """``5m ago``, ``3h ago``, ``2d ago``, a date after a month, ``never``."""
    times = []
    for lesson in lessons:
        try:
            moment = datetime.fromisoformat(lesson.last_active)
        except ValueError:
            continue
        times.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if not times:
        return "never"
    latest = max(times)
    seconds = ((now or datetime.now(UTC)) - latest).total_seconds()
    if seconds < 0 or seconds >= 30 * 86400:
        return latest.date().isoformat()
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"


def _layout(rows: list[list[str] | tuple[str, str]], width: int, gap: int) -> list[str]:
    """Columns padded to their widest cell, ``gap`` spaces apart. A ``(learner, note)`` row is
    an unreadable learner: its note runs across the lesson columns (cut at ``width``)."""
    table = [row for row in rows if isinstance(row, list)]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    space = " " * gap
    lines = []
    for row in rows:
        if isinstance(row, tuple):
            line = f"{row[0].ljust(widths[0])}{space}{row[1]}"
            lines.append(line if len(line) <= width else line[: width - 1] + "…")
        else:
            lines.append(space.join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                         .rstrip())
    lines.insert(1, space.join("-" * w for w in widths))
    return lines


def format_table(progress: ClassProgress, *, width: int = TABLE_WIDTH,
                 now: datetime | None = None) -> str:
    """Learners down; across, the course's lessons someone has started, numbered as
    ``gradtui lesson N`` numbers them; then each learner's last activity.

    Help marks follow the status in the same cell; when that would be wider than ``width``,
    they move to a second line under each learner, and then the columns close up to one space,
    so eight lessons fit in 100 columns (with learner names up to 12 characters)."""
    reports = progress.learners
    if not reports:
        return "No learners yet: add some with `gradtui lab add-learner NAME`.\n"
    started = {lp.lesson_id for report in reports for lp in report.lessons}
    shown = [(n, lesson) for n, lesson in enumerate(progress.course, start=1)
             if lesson.id in started]
    header = ["learner", *(str(n) for n, _ in shown), "last seen"]

    def rows(split: bool) -> list[list[str] | tuple[str, str]]:
        table: list[list[str] | tuple[str, str]] = [header]
        for report in reports:
            if report.problem:
                table.append((report.learner, escape_controls(report.problem)))
                continue
            by_id = {lp.lesson_id: lp for lp in report.lessons}
            cells = [_cell(by_id.get(lesson.id)) for _, lesson in shown]
            seen = last_seen(report.lessons, now)
            if split:
                table.append([report.learner, *(status for status, _ in cells), seen])
                if any(marks for _, marks in cells):
                    table.append(["", *(marks for _, marks in cells), ""])
            else:
                table.append([report.learner,
                              *(f"{status} {marks}".strip() for status, marks in cells), seen])
        return table

    for split, gap in ((False, 2), (True, 2), (True, 1)):
        lines = _layout(rows(split), width, gap)
        if max(len(line) for line in lines) <= width:
            break
    legend = [
        *_wrap_items("lessons:", [f"{n} {escape_controls(lesson.id)}" for n, lesson in shown],
                     width),
        *_wrap("cells: done = completed at least once (with the help its first completion "
               "took), else steps done/total; h = hints, s = solutions shown, k = steps "
               "skipped", width),
    ]
    if not shown:
        legend = ["No lesson started yet."]
    notes = _other_lessons(progress)
    # In full below the table (the row is cut to the table's width).
    problems = [line for report in reports if report.problem
                for line in _wrap(f"! {report.learner}: {escape_controls(report.problem)}",
                                  width)]
    return "\n".join([*lines, "", *legend, *notes, *problems]) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False, subsequent_indent="  ")


def _wrap_items(head: str, items: list[str], width: int) -> list[str]:
    """``head`` and the items joined by `` · ``, lines broken between items only."""
    lines = [head]
    for item in items:
        sep = " " if lines[-1] == head else " · "
        if len(lines[-1]) + len(sep) + len(item) > width and lines[-1] != head:
            lines.append("  " + item)
        else:
            lines[-1] += sep + item
    return lines


def _other_lessons(progress: ClassProgress) -> list[str]:
    """Lessons a learner has records for that this lab's course does not (retired, renamed, or
    made up in a hand-edited file): named, a few per learner, never made into columns."""
    course = {lesson.id for lesson in progress.course}
    notes = []
    for report in progress.learners:
        others = sorted(lp.lesson_id for lp in report.lessons if lp.lesson_id not in course)
        if others:
            named = ", ".join(escape_controls(i) for i in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            notes.append(f"{report.learner}: also {named}{more} (not in this lab's lessons)")
    return notes


FORMATTERS: dict[str, Callable[[ClassProgress], str]] = {
    "table": format_table, "csv": format_csv, "json": format_json,
}
