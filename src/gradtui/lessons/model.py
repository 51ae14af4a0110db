"""What a lesson is: metadata, settings and ordered steps (plain data, loaded from TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradtui.lessons.checks import Check


@dataclass(frozen=True)
class WrongAnswer:
    """Code a learner might plausibly type that the step's checks must reject (self-tested)."""

    code: str
    line: int
    note: str = ""


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
    plot: str = ""  # an expression giving a list of numbers to plot after every cell
    graph: str = ""  # a tensor whose graph the front end should show while on this step
    solution_line: int = 0

    @property
    def expects_error(self) -> bool:
        """The step teaches an error: its solution is meant to raise (a ``raised`` check)."""
        return any(check.kind == "raised" for check in self.checks)


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
