"""Reading a learner's cell: what it raised or warned, which anticipated mistake it is, and
whether it was an attempt at the step at all.

Feedback starts from what the cell did. An error (or a warning the catalogue knows) is
explained first: a step's own ``error_notes`` win, then the catalogue of autograd mistakes
(``gradtui.lessons.mistakes``), with a pointer to the lesson step that teaches it. A cell that
is one of the step's ``wrong_answers`` (the same statements, however spaced or quoted), alone or
with the step's cells just before it, gets that answer's note. Nothing here talks to the
kernel: it reads the cell result and the source.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from gradtui.kernel.protocol import CellResult
from gradtui.lessons.mistakes import Mistake, find_mistake
from gradtui.lessons.model import ErrorNote, Lesson, Step, WrongAnswer

_CELL_FRAME = re.compile(r'^  File "<cell \d+>", line \d+.*\n    (.+)$', re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z])")
# Python's guess for a misspelt name or attribute, which only its traceback carries
_DID_YOU_MEAN = re.compile(r"\. Did you mean: '([\w.]+)'\?$")
MAX_MESSAGE = 100
MAX_LINE = 60


@dataclass(frozen=True)
class Taught:
    """Where a built-in lesson teaches something: lesson number and title, step number."""

    lesson_id: str
    lesson_number: int
    lesson_title: str
    step_number: int
    step_title: str


def diagnose(result: CellResult, step: Step | None, lesson: Lesson | None) -> list[str]:
    """What the cell raised and the warnings it showed that are known, each explained."""
    notes: list[str] = []
    error = result.error
    if error is not None:
        line = failing_line(error.traceback)
        if error.type == "KeyboardInterrupt":
            notes.append("The cell was interrupted before it finished.")
        else:
            where = f"`{_clip(line, MAX_LINE)}` raised" if line else "The cell raised"
            headline = f"{where} {error.type}: {short_message(error.message)}"
            guess = suggested_name(error.traceback)
            if guess and error.type == "NameError":
                # a typo, not a name the session lacks: the catalogue's "run the code that
                # creates it" would send the learner the wrong way
                notes.append(f"{headline} Did you mean `{guess}`? Python compares names letter "
                             "for letter, capitals included.")
            else:
                if guess:
                    headline += f" Did you mean `{guess}`?"
                notes.append(_explained(headline, error.type, error.message, line, step, lesson,
                                        always=True))
    seen: set[tuple[str, str]] = set()
    for warning in result.warnings:
        if (warning.type, warning.message) in seen:
            continue
        seen.add((warning.type, warning.message))
        headline = f"PyTorch warned ({warning.type}): {short_message(warning.message)}"
        text = _explained(headline, warning.type, warning.message, "", step, lesson,
                          always=False)
        if text:
            notes.append(text)
    return notes


def _explained(headline: str, type_name: str, message: str, line: str, step: Step | None,
               lesson: Lesson | None, *, always: bool) -> str:
    """The headline, then the step's note or the catalogue's explanation and pointer; "" for
    an unknown warning (``always`` False): only known ones are worth the learner's attention."""
    note = _step_note(step, type_name, message)
    row = find_mistake(type_name, message, line)
    parts = [headline]
    if note is not None:
        parts.append(note.note)
    elif row is not None:
        parts.append(row.explain)
    elif not always:
        return ""
    if row is not None:
        parts.append(pointer(row, lesson, step))
    return " ".join(p for p in parts if p)


def _step_note(step: Step | None, type_name: str, message: str) -> ErrorNote | None:
    if step is None:
        return None
    return next((n for n in step.error_notes if n.matches(type_name, message)), None)


def failing_line(traceback: str) -> str:
    """The learner's line that raised: the source line of the last cell frame ("" if none)."""
    found = _CELL_FRAME.findall(traceback)
    return found[-1].strip() if found else ""


def suggested_name(traceback: str) -> str:
    """The name Python's traceback suggests for a misspelt one (``Did you mean: 'a'?``), or
    ""."""
    last = traceback.rstrip("\n").rsplit("\n", 1)[-1]
    found = _DID_YOU_MEAN.search(last)
    return found.group(1) if found else ""


def short_message(message: str) -> str:
    """An error message's first sentence (torch's run on for several), cut at a clause break
    past 100 characters: the whole message is in the traceback above the feedback."""
    first = _SENTENCE_END.split(message.strip(), maxsplit=1)[0]
    text = " ".join((first if len(first) >= 20 else message.strip()).split())
    if len(text) > MAX_MESSAGE:
        breaks = [text.rfind(mark, 20, MAX_MESSAGE) for mark in (" (", ": ", "; ", ", ")]
        cut = max(breaks)
        text = text[:cut].rstrip(" ,;:") + "…" if cut > 0 else _clip(text, MAX_MESSAGE)
    return text if text.endswith((".", "…", ")")) else text + "."


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pointer(row: Mistake, lesson: Lesson | None, step: Step | None) -> str:
    """Which step teaches ``row`` ("" when none does, or when it is the step the learner is on)."""
    taught = where_taught(row.lesson, row.step)
    if taught is None:
        return ""
    if lesson is not None and lesson.id == taught.lesson_id:
        if step is not None and step.title == taught.step_title:
            return ""
        return f"(Step {taught.step_number} of this lesson, “{taught.step_title}”, is about this.)"
    return (f"(Lesson {taught.lesson_number}, “{taught.lesson_title}”, step "
            f"{taught.step_number} is about this: `gradtui lesson {taught.lesson_number}`.)")


def where_taught(lesson_id: str, step_title: str) -> Taught | None:
    """The built-in lesson step with this lesson id and step title, or None."""
    return _builtin_steps().get((lesson_id, step_title))


@lru_cache(maxsize=1)
def _builtin_steps() -> dict[tuple[str, str], Taught]:
    from gradtui.lessons.catalog import builtin_dir, lesson_files
    from gradtui.lessons.errors import LessonFileError
    from gradtui.lessons.loader import load_lesson

    found: dict[tuple[str, str], Taught] = {}
    for number, path in enumerate(lesson_files([builtin_dir()]), start=1):
        try:
            lesson = load_lesson(path)
        except LessonFileError:
            continue  # a broken built-in is reported by the catalogue, not here
        for step_number, step in enumerate(lesson.steps, start=1):
            found[(lesson.id, step.title)] = Taught(lesson.id, number, lesson.title,
                                                    step_number, step.title)
    return found


# --- what the learner typed ----------------------------------------------------------------

def _statements(source: str) -> tuple[list[str], list[str]] | None:
    """The cell's statements as normalised text (imports left out), and the same without
    lines that only look at something (``x.grad``, ``w, b``); None if it does not parse."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return None
    full: list[str] = []
    core: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        text = ast.dump(node, annotate_fields=False, include_attributes=False)
        full.append(text)
        if not (isinstance(node, ast.Expr) and _only_looks(node.value)):
            core.append(text)
    return full, core


def _only_looks(node: ast.expr) -> bool:
    """An expression that reads names and attributes but calls nothing: ``x``, ``a.grad``,
    ``w, b``, ``d['k']``."""
    if isinstance(node, ast.Tuple):
        return all(_only_looks(e) for e in node.elts)
    if isinstance(node, ast.Attribute):
        return _only_looks(node.value)
    if isinstance(node, ast.Subscript):
        return _only_looks(node.value)
    return isinstance(node, ast.Name | ast.Constant)


def same_code(cell: str, expected: str, context: str = "") -> bool:
    """Whether ``cell`` does what ``expected`` does, statement for statement: spacing, quotes,
    imports and lines that only look at a value do not count (unless ``expected`` is only
    such lines, as ``a`` is), nor do lines of ``context`` (the step's own code) that
    ``expected`` leaves out: ``a = [1, 2]`` typed before the mistake ``total = len(a)``."""
    mine, theirs = _statements(cell), _statements(expected)
    if mine is None or theirs is None:
        return False
    if not theirs[1]:
        return mine[0] == theirs[0] and bool(theirs[0])
    around = _statements(context) if context else None
    extra = set(around[1]) - set(theirs[1]) if around is not None else set()
    return [s for s in mine[1] if s not in extra] == theirs[1]


def does_something(source: str) -> bool:
    """The cell runs code beyond imports and lines that only look at values."""
    statements = _statements(source)
    return statements is None or bool(statements[1])


# How many earlier cells a wrong answer typed a statement (or a few) at a time may span.
MAX_CELLS_JOINED = 8


def matching_wrong_answer(step: Step, source: str,
                          earlier: Sequence[str] = ()) -> WrongAnswer | None:
    """The step's wrong answer (with a note) that the cell is, if any, alone or as the last of
    a run of cells (``earlier``, oldest first: this step's cells before it): a wrong answer of
    several statements is met just as well typed a line at a time. A run that is only the
    first lines of the step's own code (``on_the_way``) matches nothing: that learner is still
    typing the right thing."""
    cells = [textwrap.dedent(cell) for cell in (*earlier[-MAX_CELLS_JOINED:], source)]
    last = _statements(cells[-1])
    for start in range(len(cells) - 1, -1, -1):  # the cell alone first, then longer runs
        joined = "\n".join(cells[start:])
        if on_the_way(step, joined):
            continue
        for wrong in step.wrong_answers:
            if not (wrong.note and same_code(joined, wrong.code, step.code_it_runs)):
                continue
            # Over several cells, this cell must be part of the mistake: not a line of the
            # step's own code typed after it (the fix), which ``same_code`` leaves out.
            theirs = _statements(wrong.code)
            if start == len(cells) - 1 or (last and theirs and set(last[1]) & set(theirs[1])):
                return wrong
    return None


def on_the_way(step: Step, source: str) -> bool:
    """The cell is a run of consecutive statements of the step's own code that stops before its
    last one: the learner is typing it a line at a time, and a verdict now would be noise."""
    mine, code = _statements(source), _statements(step.code_it_runs)
    if mine is None or code is None or not mine[1] or not code[1]:
        return False
    part, whole = mine[1], code[1]
    if len(part) >= len(whole):
        return False
    return any(whole[i: i + len(part)] == part for i in range(len(whole) - len(part)))
