"""Load and validate lesson files (``tomllib``), reporting ``file:line: what is wrong``.

A file is validated fully before it is used: every problem in it is collected, each at the line
of the offending key or table, so a teacher fixes a file in one pass.
"""

from __future__ import annotations

import ast
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradtui.lessons.checks import Check, CheckParamError, build_check
from gradtui.lessons.checks.predict import NOT_A_PREDICTION, parse_prediction
from gradtui.lessons.errors import LessonFileError, Problem
from gradtui.lessons.model import ErrorNote, Lesson, Settings, Step, WrongAnswer
from gradtui.lessons.toml_lines import KeyPath, TomlLines

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TOP_FIELDS = {"id", "title", "summary", "settings", "steps"}
_SETTINGS = {"allow_solution", "allow_skip"}
_STEP_FIELDS = {"title", "prose", "starter", "checks", "hints", "solution", "wrong_answers",
                "error_notes", "plot", "graph"}
_WRONG_FIELDS = {"code", "note"}
_NOTE_FIELDS = {"type", "contains", "note", "code"}


class _Collector:
    """Problems of one file, each placed at the line of its key path."""

    def __init__(self, path: Path, lines: TomlLines) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, where: KeyPath, message: str) -> None:
        self.problems.append(Problem(self.path, self.lines.line_of(where), message))

    def field(self, table: dict[str, Any], where: KeyPath, key: str, kind: type,
              *, required: bool, default: Any = None) -> Any:
        """``table[key]`` if present and of ``kind``; records a problem otherwise."""
        if key not in table:
            if required:
                self.add(where, f"missing field `{key}`{_in(where)}")
            return default
        value = table[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.add((*where, key), f"`{key}` must be {_kind_name(kind)}, "
                                    f"not {type(value).__name__} {_short(value)}")
            return default
        return value

    def unknown(self, table: dict[str, Any], where: KeyPath, known: set[str]) -> None:
        for key in table:
            if key not in known:
                self.add((*where, key), f"unknown field `{key}`{_in(where)} "
                                        f"(known: {', '.join(sorted(known))})")


def _in(where: KeyPath) -> str:
    if not where:
        return ""
    parts = []
    for item in where:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]} {item + 1}"
        else:
            parts.append({"steps": "step", "checks": "check", "wrong_answers": "wrong answer",
                          "error_notes": "error note"}.get(item, f"[{item}]"))
    return " in " + " ".join(parts)


def _kind_name(kind: type) -> str:
    return {str: "a string", bool: "true or false", list: "an array", dict: "a table",
            int: "an integer"}.get(kind, kind.__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# A lesson is a few dozen kilobytes of prose and code; nothing in one nests deeper than a few
# levels. Past these a file is refused with its own problem, not read (one file 50,000 arrays
# deep crashed `gradtui lessons` for its whole folder with a RecursionError).
MAX_LESSON_BYTES = 4 * 1024 * 1024
MAX_NESTING = 64


def load_lesson(path: Path) -> Lesson:
    """Read and validate one lesson file; raises LessonFileError listing every problem."""
    path = Path(path)
    try:
        source = _read_source(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonFileError([Problem(path, 0, f"cannot read the file: {exc}")]) from exc
    except ValueError as exc:
        raise LessonFileError([Problem(path, 0, str(exc))]) from None
    deep = _too_deep(source, MAX_NESTING)
    if deep is not None:
        raise LessonFileError([Problem(
            path, deep, f"arrays or inline tables nested more than {MAX_NESTING} deep"
        )])
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise LessonFileError([_syntax_problem(path, exc)]) from exc
    except RecursionError:  # nesting our scan did not see; never the whole catalog's problem
        raise LessonFileError([Problem(path, 1, "nested too deeply to read")]) from None
    collect = _Collector(path, TomlLines(source))
    lesson = _build_lesson(data, path, collect)
    if collect.problems or lesson is None:
        raise LessonFileError(sorted(collect.problems, key=lambda p: p.line))
    return lesson


def _read_source(path: Path) -> str:
    """The file's text: a regular file of at most MAX_LESSON_BYTES (a FIFO in a lesson folder
    would hang `gradtui lessons`, a device would be read for ever)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("not a regular file")
    if info.st_size > MAX_LESSON_BYTES:
        raise ValueError(
            f"{info.st_size:,} bytes is too big for a lesson (at most {MAX_LESSON_BYTES:,})"
        )
    with path.open("rb") as handle:
        data = handle.read(MAX_LESSON_BYTES + 1)
    if len(data) > MAX_LESSON_BYTES:
        raise ValueError(f"more than {MAX_LESSON_BYTES:,} bytes is too big for a lesson")
    return data.decode("utf-8")


def _too_deep(source: str, limit: int) -> int | None:
    """The line where arrays/inline tables first nest deeper than ``limit``, or None.

    Brackets inside strings and comments do not count; ``[table]`` headers never nest.
    """
    depth, line, i, n = 0, 1, 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
        elif ch == "#":
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "\"'":
            quote = source[i : i + 3] if source[i : i + 3] in ('"""', "'''") else ch
            end = i + len(quote)
            while True:
                end = source.find(quote, end)
                if end < 0:
                    return None  # an unclosed string: tomllib says where
                if quote[0] == '"' and _escaped(source, end):
                    end += 1
                    continue
                break
            line += source.count("\n", i, end)
            i = end + len(quote)
            continue
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def _escaped(source: str, at: int) -> bool:
    """True when the quote at ``at`` follows an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and source[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _syntax_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    # tomllib's message ends with "(at line L, column C)"; put the line in front like the rest.
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)$", text)
    if match is None:
        return Problem(path, 1, f"bad TOML: {text}")
    message = text[: match.start()].strip()
    return Problem(path, int(match.group(1)),
                   f"bad TOML: {message} (column {match.group(2)})")


def _build_lesson(data: dict[str, Any], path: Path, collect: _Collector) -> Lesson | None:
    collect.unknown(data, (), _TOP_FIELDS)
    lesson_id = collect.field(data, (), "id", str, required=True, default="")
    if lesson_id and not _ID.match(lesson_id):
        collect.add(("id",), f"`id` {lesson_id!r} must be lower-case letters, digits, - or _")
    title = collect.field(data, (), "title", str, required=True, default="")
    summary = collect.field(data, (), "summary", str, required=False, default="")
    settings = _build_settings(data, collect)
    raw_steps = collect.field(data, (), "steps", list, required=True, default=[])
    if "steps" in data and not raw_steps:
        collect.add(("steps",), "a lesson needs at least one step ([[steps]])")
    steps = []
    for index, raw in enumerate(raw_steps):
        if not isinstance(raw, dict):
            collect.add(("steps",), f"step {index + 1} must be a table ([[steps]])")
            continue
        step = _build_step(raw, ("steps", index), collect)
        if step is not None:
            steps.append(step)
    if collect.problems:
        return None
    return Lesson(id=lesson_id, title=title, summary=summary, steps=tuple(steps), path=path,
                  settings=settings)


def _build_settings(data: dict[str, Any], collect: _Collector) -> Settings:
    raw = collect.field(data, (), "settings", dict, required=False, default={})
    collect.unknown(raw, ("settings",), _SETTINGS)
    return Settings(
        allow_solution=collect.field(raw, ("settings",), "allow_solution", bool,
                                     required=False, default=True),
        allow_skip=collect.field(raw, ("settings",), "allow_skip", bool, required=False,
                                 default=True),
    )


@dataclass
class _StepParts:
    checks: list[Check] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    wrong: list[WrongAnswer] = field(default_factory=list)
    notes: list[ErrorNote] = field(default_factory=list)


def _build_step(raw: dict[str, Any], where: KeyPath, collect: _Collector) -> Step | None:
    before = len(collect.problems)
    collect.unknown(raw, where, _STEP_FIELDS)
    prose = collect.field(raw, where, "prose", str, required=True, default="")
    solution = collect.field(raw, where, "solution", str, required=True, default="")
    parts = _StepParts()
    raw_checks = collect.field(raw, where, "checks", list, required=True, default=[])
    if "checks" in raw and not raw_checks:
        collect.add((*where, "checks"), f"`checks` is empty{_in(where)}: a step needs one")
    for index, table in enumerate(raw_checks):
        check_where = (*where, "checks", index)
        if not isinstance(table, dict):
            collect.add(check_where, f"check {index + 1}{_in(where)} must be a table")
            continue
        try:
            parts.checks.append(build_check(table, collect.lines.line_of(check_where)))
        except CheckParamError as exc:
            key_where = check_where if exc.key is None else (*check_where, exc.key)
            collect.add(key_where, f"{exc}{_in(check_where)}")
    for index, hint in enumerate(collect.field(raw, where, "hints", list, required=False,
                                               default=[])):
        if isinstance(hint, str):
            parts.hints.append(hint)
        else:
            collect.add((*where, "hints"), f"hint {index + 1}{_in(where)} must be a string")
    for index, table in enumerate(collect.field(raw, where, "wrong_answers", list,
                                                required=False, default=[])):
        wrong_where = (*where, "wrong_answers", index)
        if not isinstance(table, dict):
            collect.add(wrong_where, f"wrong answer {index + 1}{_in(where)} must be a table "
                                     "with `code`")
            continue
        collect.unknown(table, wrong_where, _WRONG_FIELDS)
        code = collect.field(table, wrong_where, "code", str, required=True, default="")
        note = collect.field(table, wrong_where, "note", str, required=False, default="")
        parts.wrong.append(WrongAnswer(code=code, note=note,
                                       line=collect.lines.line_of((*wrong_where, "code"))))
    _build_error_notes(raw, where, collect, parts)
    _check_predict(raw, where, collect, parts, solution)
    optional = {key: collect.field(raw, where, key, str, required=False, default="")
                for key in ("title", "starter", "plot", "graph")}
    if optional["plot"]:
        try:
            ast.parse(optional["plot"], mode="eval")
        except SyntaxError as exc:
            collect.add((*where, "plot"), f"`plot` is not a Python expression: {exc.msg}")
    if optional["graph"] and not optional["graph"].isidentifier():
        collect.add((*where, "graph"), f"`graph` must be a variable name, not "
                                       f"{optional['graph']!r}")
    if len(collect.problems) > before:
        return None
    return Step(prose=prose, checks=tuple(parts.checks), solution=solution,
                line=collect.lines.line_of(where), hints=tuple(parts.hints),
                wrong_answers=tuple(parts.wrong), error_notes=tuple(parts.notes),
                solution_line=collect.lines.line_of((*where, "solution")), **optional)


def _build_error_notes(raw: dict[str, Any], where: KeyPath, collect: _Collector,
                       parts: _StepParts) -> None:
    for index, table in enumerate(collect.field(raw, where, "error_notes", list,
                                                required=False, default=[])):
        note_where = (*where, "error_notes", index)
        if not isinstance(table, dict):
            collect.add(note_where, f"error note {index + 1}{_in(where)} must be a table with "
                                    "`note` and `code`")
            continue
        collect.unknown(table, note_where, _NOTE_FIELDS)
        values = {key: collect.field(table, note_where, key, str,
                                     required=key in ("note", "code"), default="")
                  for key in sorted(_NOTE_FIELDS)}
        if not values["type"] and not values["contains"]:
            collect.add(note_where, f"an error note needs `type`, `contains`, or both"
                                    f"{_in(note_where)}")
        parts.notes.append(ErrorNote(line=collect.lines.line_of(note_where), **values))


def _check_predict(raw: dict[str, Any], where: KeyPath, collect: _Collector,
                   parts: _StepParts, solution: str) -> None:
    """A predict step has that one check, and its solution and wrong answers are values."""
    if not any(check.kind == "predict" for check in parts.checks):
        return
    if len(parts.checks) > 1:
        other = next(i for i, c in enumerate(parts.checks) if c.kind != "predict" or i > 0)
        collect.add((*where, "checks", other), f"a step with a `predict` check can have no "
                                               f"other check{_in(where)}")
    if solution and parse_prediction(solution) is NOT_A_PREDICTION:
        collect.add((*where, "solution"), "the `solution` of a predict step is the right "
                                          "prediction: a number, a list of numbers or None")
    for index, wrong in enumerate(parts.wrong):
        if parse_prediction(wrong.code) is NOT_A_PREDICTION:
            collect.add((*where, "wrong_answers", index, "code"),
                        "a wrong answer of a predict step is a wrong prediction: a number, a "
                        "list of numbers or None")
