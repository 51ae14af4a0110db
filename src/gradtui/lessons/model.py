"""What a lesson is: metadata, settings and ordered steps (plain data, loaded from TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradtui.lessons.checks import Check
    from gradtui.lessons.checks.predict import PredictCheck


@dataclass(frozen=True)
class WrongAnswer:
    """Code a learner might plausibly type that the step's checks must reject (self-tested)."""

    code: str
    line: int
    note: str = ""


@dataclass(frozen=True)
class ErrorNote:
    """What a step says when a cell raises (or warns) a given error: matched on the exception
    or warning type and on text its message contains; ``code`` makes it (self-tested)."""

    note: str
    code: str
    line: int
    type: str = ""
    contains: str = ""

    def matches(self, type_name: str, message: str) -> bool:
        if self.type and type_name.rsplit(".", 1)[-1] != self.type.rsplit(".", 1)[-1]:
            return False
        return self.contains in message


@dataclass(frozen=True)
class Step:
    """One step: prose to read, code to type, checks that decide when it is done."""

    prose: str
    checks: tuple[Check, ...]
    solution: str
    line: int
    title: str = ""
    starter: str = ""
    hints: tuple[str, ...] = ()
    wrong_answers: tuple[WrongAnswer, ...] = ()
    error_notes: tuple[ErrorNote, ...] = ()
    plot: str = ""  # an expression giving a list of numbers to plot after every cell
    graph: str = ""  # a tensor whose graph the front end should show while on this step
    solution_line: int = 0

    @property
    def expects_error(self) -> bool:
        """The step teaches an error: its solution is meant to raise (a ``raised`` check)."""
        return any(check.kind == "raised" for check in self.checks)

    @property
    def predict(self) -> PredictCheck | None:
        """The step's ``predict`` check: the learner states a value, then the lesson runs
        code and compares (such a step has no other check)."""
        check = self.checks[0] if self.checks else None
        return check if check is not None and check.kind == "predict" else None  # type: ignore[return-value]

    @property
    def code_it_runs(self) -> str:
        """What the step runs to change the learner's state: its solution, or for a predict
        step the code the lesson runs after the prediction (replays and skips use this)."""
        predict = self.predict
        return self.solution if predict is None else predict.params["run"]


@dataclass(frozen=True)
class Settings:
    """What the teacher lets the learner do."""

    allow_solution: bool = True
    allow_skip: bool = True


@dataclass(frozen=True)
class Lesson:
    """A whole lesson file."""

    id: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path
    settings: Settings = field(default_factory=Settings)
