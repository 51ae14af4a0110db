"""The teacher's view: every learner's lesson progress, as a table, CSV or JSON.

Progress is read through the lessons area's ``ProgressStore`` (``<learner>/data/progress.json``),
the same store the learner's gradtui writes, so the report never disagrees with the app.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from gradtui.lessons.catalog import load_catalog
from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.serve.config import LabConfig
from gradtui.serve.learner_launch import learner_dirs
from gradtui.serve.roster import RosterError, check_learner_name, load_roster

COLUMNS = (
    "learner",
    "lesson_id",
    "title",
    "steps_done",
    "steps_total",
    "hints_used",
    "skips",
    "completed",
    "last_active",
)


@dataclass(frozen=True)
class ProgressRow:
    """One learner in one lesson."""

    learner: str
    lesson_id: str
    title: str
    steps_done: int
    steps_total: int
    hints_used: int
    skips: int
    completed: bool
    last_active: str
    position: int = 0  # the lesson's place in the course, for the table's column order


@dataclass(frozen=True)
class LearnerReport:
    learner: str
    rows: tuple[ProgressRow, ...]
    problem: str | None = None  # an unreadable progress file, said out loud


def _load_lessons(data_dir: Path) -> tuple[list[LessonProgress], str | None]:
    # Read-only: the teacher's report must never move a learner's unreadable file aside.
    store = ProgressStore(data_dir, read_only=True)
    lessons = store.load()
    return list(lessons.values()), store.problem


def learner_names(config: LabConfig) -> list[str]:
    """Everyone in the roster plus everyone who has a directory (open labs have no roster)."""
    names: set[str] = set()
    try:
        names |= set(load_roster(config.roster).learners)
    except RosterError:
        pass  # a broken roster must not hide the progress of those who did log in
    if config.learners_root.is_dir():
        for entry in config.learners_root.iterdir():
            try:
                if entry.is_dir():
                    names.add(check_learner_name(entry.name))
            except RosterError:
                continue
    return sorted(names)


def course_order(config: LabConfig) -> dict[str, int]:
    """Lesson id -> its place in the lab's listing (built-ins, then the lab's own folders)."""
    return {lesson.id: n for n, lesson in enumerate(load_catalog(config.lesson_dirs).lessons)}


def collect_progress(config: LabConfig) -> list[LearnerReport]:
    order = course_order(config)
    reports = []
    for name in learner_names(config):
        lessons, problem = _load_lessons(learner_dirs(config, name).data)
        rows = tuple(
            sorted(
                (
                    ProgressRow(
                        learner=name,
                        lesson_id=lp.lesson_id,
                        title=lp.title,
                        steps_done=lp.steps_done,
                        steps_total=lp.steps_total,
                        hints_used=lp.hints_used,
                        skips=lp.skips,
                        completed=lp.completed,
                        last_active=lp.last_active,
                        # Lessons no longer in the course go last, by id.
                        position=order.get(lp.lesson_id, len(order)),
                    )
                    for lp in lessons
                ),
                key=lambda row: (row.position, row.lesson_id),
            )
        )
        reports.append(LearnerReport(name, rows, problem))
    return reports


def format_json(reports: list[LearnerReport]) -> str:
    payload = [
        {
            "learner": report.learner,
            "problem": report.problem,
            "lessons": [{k: getattr(row, k) for k in COLUMNS[1:]} for row in report.rows],
        }
        for report in reports
    ]
    return json.dumps(payload, indent=2) + "\n"


def format_csv(reports: list[LearnerReport]) -> str:
    """One line per learner and lesson; learners with no progress get one empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for report in reports:
        if not report.rows:
            writer.writerow([report.learner] + [""] * (len(COLUMNS) - 1))
        for row in report.rows:
            writer.writerow([getattr(row, column) for column in COLUMNS])
    return out.getvalue()


def _cell(row: ProgressRow | None) -> str:
    """``5/7 h2 s1`` (steps done/total, hints, skips), ``done`` when completed, ``-`` if never."""
    if row is None:
        return "-"
    text = "done" if row.completed else f"{row.steps_done}/{row.steps_total}"
    if row.hints_used:
        text += f" h{row.hints_used}"
    if row.skips:
        text += f" s{row.skips}"
    return text


def format_table(reports: list[LearnerReport]) -> str:
    """Learners down, lessons across in course order, then each learner's last activity."""
    if not reports:
        return "No learners yet: add some with `gradtui lab add-learner NAME`.\n"
    columns = sorted({(row.position, row.lesson_id) for report in reports for row in report.rows})
    lesson_ids = [lesson_id for _, lesson_id in columns]
    header = ["learner", *lesson_ids, "last active"]
    lines = [header]
    for report in reports:
        by_lesson = {row.lesson_id: row for row in report.rows}
        last = max((row.last_active for row in report.rows), default="") or "never"
        lines.append([report.learner, *(_cell(by_lesson.get(i)) for i in lesson_ids), last])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    legend = "cells: steps done/total, hN = hints used, sN = skips; done = lesson completed"
    problems = [f"! {r.learner}: {r.problem}" for r in reports if r.problem]
    return "\n".join([*rendered, "", legend, *problems]) + "\n"


FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}
