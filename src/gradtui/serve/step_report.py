"""``gradtui lab progress --by-step``: where the class is stuck, step by step.

For each step of each lesson someone has started: how many learners are on it now, how many are
past it, the median time learners spent on it (active time, as the lesson runner records it),
the help they took there, and the check that fails most. Only the course's own check labels are
counted, and "fails most" ranks checks by how many learners failed them before how often, so
one learner's hand-edited file cannot make up a check or outvote the class.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass

from gradtui.lessons.model import Lesson
from gradtui.lessons.progress import LessonProgress
from gradtui.serve.progress_report import TABLE_WIDTH, ClassProgress
from gradtui.untrusted import csv_cell, escape_controls


@dataclass(frozen=True)
class StepStats:
    lesson_id: str
    lesson_number: int  # as ``gradtui lesson N`` numbers it
    step: int  # 1-based
    title: str
    on_it: int  # learners whose current attempt is at this step
    past_it: int  # learners who passed or skipped it (or completed the lesson)
    median_seconds: float | None  # over learners who spent time on it
    hints: int
    solutions: int
    skips: int
    most_failed: str  # a check label of this step, "" if none failed
    most_failed_learners: int
    most_failed_times: int


@dataclass(frozen=True)
class LessonStats:
    lesson: Lesson
    number: int
    learners: int  # learners with records for this version of the lesson
    completed: int
    other_versions: int  # learners whose records are for another number of steps
    steps: tuple[StepStats, ...]


def step_stats(progress: ClassProgress) -> list[LessonStats]:
    """Per-step statistics for every course lesson at least one learner has started."""
    result = []
    for number, lesson in enumerate(progress.course, start=1):
        records = [lp for report in progress.learners for lp in report.lessons
                   if lp.lesson_id == lesson.id]
        if not records:
            continue
        same = [lp for lp in records if lp.steps_total == len(lesson.steps)]
        steps = tuple(_one_step(lesson, number, index, same)
                      for index in range(len(lesson.steps)))
        result.append(LessonStats(lesson, number, len(same),
                                  sum(lp.ever_completed for lp in same),
                                  len(records) - len(same), steps))
    return result


def _one_step(lesson: Lesson, number: int, index: int,
              learners: list[LessonProgress]) -> StepStats:
    step = lesson.steps[index]
    labels = list(dict.fromkeys(check.label() for check in step.checks))
    on_it = past_it = hints = solutions = skips = 0
    seconds: list[float] = []
    failed_by: dict[str, list[int]] = {}  # label -> [learners, times]
    for lp in learners:
        record = lp.steps[index] if index < len(lp.steps) else None
        if not lp.completed and lp.current_step == index:
            on_it += 1
        elif lp.ever_completed or lp.current_step > index or (
                record is not None and (record.passes or record.skips)):
            past_it += 1
        if record is None:
            continue
        if record.seconds > 0:
            seconds.append(record.seconds)
        hints += record.hints
        solutions += record.solutions
        skips += record.skips
        for label, times in record.fails.items():
            if label in labels and times > 0:
                counts = failed_by.setdefault(label, [0, 0])
                counts[0] += 1
                counts[1] += times
    # Most learners, then most failures, then the step's first check (the one to fix first).
    most, (by, times) = max(failed_by.items(),
                            key=lambda item: (*item[1], -labels.index(item[0])),
                            default=("", (0, 0)))
    return StepStats(
        lesson_id=lesson.id, lesson_number=number, step=index + 1, title=step.title,
        on_it=on_it, past_it=past_it,
        median_seconds=statistics.median(seconds) if seconds else None,
        hints=hints, solutions=solutions, skips=skips,
        most_failed=most, most_failed_learners=by, most_failed_times=times,
    )


def duration(seconds: float | None) -> str:
    """``0:42``, ``12:05``, ``1:02:03``; ``-`` when nobody spent time there."""
    if seconds is None:
        return "-"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _help(stats: StepStats) -> str:
    return "".join(f"{mark}{count}" for mark, count in
                   (("h", stats.hints), ("s", stats.solutions), ("k", stats.skips)) if count)


def format_steps_table(progress: ClassProgress, *, width: int = TABLE_WIDTH) -> str:
    """One block per lesson, one row per step; titles and check names are cut to fit ``width``
    (the whole names are in ``--format csv`` and ``json``)."""
    lessons = step_stats(progress)
    if not lessons:
        return "No lesson started yet: nothing to show by step.\n"
    out: list[str] = []
    for stats in lessons:
        out.extend(_lesson_block(stats, width))
        out.append("")
    out.extend(textwrap.wrap(
        "on it = learners at that step now; past = passed or skipped it; median = median "
        "active time of those who worked on it (a pause counts at most 10 min); help: h hints, "
        "s solutions shown, k skips; fails most = the check most learners failed there, "
        "by = how many learners", width, subsequent_indent="  "))
    return "\n".join(out) + "\n"


def _lesson_block(stats: LessonStats, width: int) -> list[str]:
    summary = (f"{stats.number} {escape_controls(stats.lesson.id)}: "
               f"{stats.learners} started, {stats.completed} completed")
    if stats.other_versions:
        summary += (f" ({stats.other_versions} more with records of another version of this "
                    "lesson, not counted)")
    block = textwrap.wrap(summary, width, subsequent_indent="  ")
    header = ["step", "on it", "past", "median", "help", "by", "fails most"]
    rows = [[f"{step.step:>2} {escape_controls(step.title)}", str(step.on_it),
             str(step.past_it), duration(step.median_seconds), _help(step),
             str(step.most_failed_learners or ""), escape_controls(step.most_failed)]
            for step in stats.steps]
    numbers = [max(len(row[i]) for row in [header, *rows]) for i in range(1, 6)]
    # What the numbers leave is shared: titles up to 28 columns, the check name the rest.
    room = width - 2 - sum(numbers) - 2 * 6
    titles = min(max(len(row[0]) for row in [header, *rows]), 28, room - 12)
    widths = (titles, *numbers, room - titles)
    block.append(_step_line(header, widths))
    block.append("  " + "  ".join("-" * w for w in (*widths[:-1], min(widths[-1], 10))))
    block.extend(_step_line(row, widths) for row in rows)
    return block


def _step_line(row: list[str], widths: tuple[int, ...]) -> str:
    cells = [_cut(row[0], widths[0]).ljust(widths[0]),
             *(cell.rjust(w) for cell, w in zip(row[1:6], widths[1:6], strict=True)),
             _cut(row[6], widths[6])]
    return ("  " + "  ".join(cells)).rstrip()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def format_steps_json(progress: ClassProgress) -> str:
    return json.dumps([asdict(step) for stats in step_stats(progress) for step in stats.steps],
                      indent=2) + "\n"


def format_steps_csv(progress: ClassProgress) -> str:
    steps = [step for stats in step_stats(progress) for step in stats.steps]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(StepStats.__dataclass_fields__)
    writer.writerow(columns)
    for step in steps:
        writer.writerow([csv_cell(value) for value in asdict(step).values()])
    return out.getvalue()


STEP_FORMATTERS: dict[str, Callable[[ClassProgress], str]] = {
    "table": format_steps_table, "csv": format_steps_csv, "json": format_steps_json,
}
