"""``gradtui lessons [check PATH...]`` and ``gradtui lesson N|ID``.

The listing and the checker print plain text; ``open_lesson_session`` finds the lesson and its
progress, and the command line (``gradtui.cli``) hands that session to a front end.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from typing import TextIO

from gradtui import paths
from gradtui.lessons.catalog import (
    id_line,
    lesson_dirs,
    lesson_files,
    load_catalog,
    resume_command,
)
from gradtui.lessons.errors import LessonFileError, Problem
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.model import Lesson
from gradtui.lessons.progress import LessonProgress, ProgressStore
from gradtui.lessons.session import LessonSession, NextLesson, counted
from gradtui.pipes import quiet_broken_pipe


def run_lessons_command(args: argparse.Namespace) -> int:
    """``gradtui lessons`` (list) or ``gradtui lessons check [PATH...]``."""
    extra = list(getattr(args, "lessons", []) or [])
    try:
        if getattr(args, "lessons_command", None) == "check":
            targets = list(args.paths) or [str(d) for d in lesson_dirs(extra)]
            status = check_paths(targets, sys.stdout, extra)
        else:
            status = list_lessons(extra, sys.stdout, sys.stderr)
        sys.stdout.flush()  # inside the try: a reader that left shows up here, not at exit
    except BrokenPipeError:
        return quiet_broken_pipe()
    return status


def list_lessons(extra: list[str], out: TextIO, err: TextIO) -> int:
    catalog = load_catalog(extra)
    store = ProgressStore(paths.data_dir())
    progress = store.load()
    if store.problem:
        print(f"gradtui: {store.problem}", file=err)
    for problem in catalog.problems:
        print(f"gradtui: {problem}", file=err)
    width = max((len(lesson.title) for lesson in catalog.lessons), default=0)
    for number, lesson in enumerate(catalog.lessons, start=1):
        status = _status(lesson, progress.get(lesson.id))
        print(f"{number:>2}. {lesson.title:<{width}}  {status:<22} {lesson.id}", file=out)
    if catalog.lessons:
        # Lessons from --lessons DIR are only numbered when DIR is given again.
        where = "".join(f" --lessons {shlex.quote(d)}" for d in extra)
        print(f"\nStart one with `gradtui lesson N{where}` (or `gradtui lesson N{where} --plain`).",
              file=out)
    else:
        print("No lessons found.", file=out)
    return 0


def _status(lesson: Lesson, progress: LessonProgress | None) -> str:
    total = len(lesson.steps)
    if progress is None or progress.steps_total != total:
        if progress is not None and progress.ever_completed:
            return "done (lesson changed)"  # the file gained or lost steps since
        return f"not started ({counted(total, 'step')})"
    if progress.completed:
        return f"done ({total}/{total})"
    if progress.ever_completed:  # restarted after finishing: both facts matter
        return f"done; again at {progress.current_step + 1}/{total}"
    return f"step {progress.current_step + 1} of {total}"


def check_paths(targets: list[str], out: TextIO, extra: Sequence[str] = ()) -> int:
    """Validate and self-test lesson files; 0 when all are fine, 1 otherwise.

    ``extra``: the ``--lessons`` folders, whose lessons (with the built-ins and
    ``$GRADTUI_LESSONS``) a checked file's id must not repeat.
    """
    from gradtui.kernel import KernelDied
    from gradtui.kernel.client import KernelClient
    from gradtui.lessons.selftest import self_test

    files = lesson_files(targets)
    problems: list[Problem] = []
    lessons: list[Lesson] = []
    for path in files:
        if not path.exists():
            problems.append(Problem(path, 0, "no such file or directory"))
            continue
        try:
            lessons.append(load_lesson(path))
        except LessonFileError as exc:
            problems.extend(exc.problems)
    clashes = _id_clashes(lessons, extra)
    problems.extend(clashes)
    if not files:
        print("gradtui lessons check: no lesson files (*.toml) found", file=out)
        return 1
    if lessons:
        try:
            with KernelClient() as client, KernelClient() as scratch:
                for lesson in lessons:
                    found = self_test(lesson, client, scratch)
                    problems.extend(found)
                    if not found and lesson.path not in {c.path for c in clashes}:
                        print(f"ok  {lesson.path}: {_tested(lesson)}", file=out)
        except (KernelDied, OSError) as exc:
            print(f"gradtui lessons check: the kernel failed: {exc}", file=out)
            return 1
    for problem in problems:
        print(problem, file=out)
    return 1 if problems else 0


def _tested(lesson: Lesson) -> str:
    """What the self-test proved: "7 steps, 9 wrong answers rejected, 1 prediction and
    2 error notes shown"."""
    steps = lesson.steps
    wrong = sum(len(s.wrong_answers) for s in steps if s.predict is None)
    guesses = sum(len(s.wrong_answers) for s in steps if s.predict is not None)
    predictions = sum(s.predict is not None for s in steps)
    notes = sum(len(s.error_notes) for s in steps)
    text = f"{counted(len(steps), 'step')}, {counted(wrong, 'wrong answer')} rejected"
    if predictions:
        text += (f", {counted(predictions, 'prediction')} checked "
                 f"({counted(guesses, 'wrong guess')} told apart)")
    if notes:
        text += f", {counted(notes, 'error note')} shown"
    return text


def _id_clashes(lessons: list[Lesson], extra: Sequence[str]) -> list[Problem]:
    """Ids that another lesson already uses: the listing would skip the later file, so a
    teacher's lesson reusing a built-in id (say `variables`) could never be taken."""
    others = [*load_catalog(extra).lessons, *lessons]
    found: list[Problem] = []
    for lesson in lessons:
        mine = lesson.path.resolve()
        clash = next((o for o in others if o.id == lesson.id and o.path.resolve() != mine), None)
        if clash is not None:
            found.append(Problem(lesson.path, id_line(lesson.path),
                                 f"lesson id {lesson.id!r} is already used by {clash.path}; "
                                 "pick another id"))
    return found


def _up_next(lessons: list[Lesson], lesson: Lesson) -> NextLesson | None:
    """The lesson listed after ``lesson`` (None after the last one)."""
    number = next(n for n, other in enumerate(lessons, start=1) if other is lesson)
    if number >= len(lessons):
        return None
    following = lessons[number]
    return NextLesson(number + 1, following.title, resume_command(following, number + 1))


def open_lesson_session(args: argparse.Namespace) -> LessonSession | None:
    """The session ``gradtui lesson N|ID`` takes, or None after saying what lessons exist."""
    catalog = load_catalog(list(getattr(args, "lessons", []) or []))
    lesson = catalog.find(args.lesson)
    if lesson is None:
        for problem in catalog.problems:
            print(f"gradtui: {problem}", file=sys.stderr)
        names = ", ".join(f"{n} ({lsn.id})" for n, lsn in enumerate(catalog.lessons, start=1))
        print(f"gradtui lesson: no lesson {args.lesson!r}. Lessons: {names}", file=sys.stderr)
        return None
    store = ProgressStore(paths.data_dir())
    # A progress file set aside, or a save that failed, is shown by the lesson itself (its
    # first feedback), in the workspace and the plain REPL alike.
    following = _up_next(catalog.lessons, lesson)
    return LessonSession(lesson, store, restart=bool(getattr(args, "restart", False)),
                         up_next=following, last_lesson=following is None)
