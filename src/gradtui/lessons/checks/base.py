"""The check machinery: a registry of kinds, parameter validation, and what a check sees.

Each kind (``tensor_kinds``, ``cell_kinds``) declares its required and optional fields with their
types; ``build_check`` validates a TOML table against them at load time so a lesson file's
mistakes surface as ``file:line`` problems, never while a learner is working.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from gradtui.kernel.protocol import ExecuteReply, Snapshot

Evaluate = Callable[[str], tuple[bool, str]]


class CheckParamError(Exception):
    """A check's parameters are wrong; ``key`` names the offending field (for its line)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    message: str  # what is wrong (on failure) or what was confirmed (on pass)


@dataclass
class JudgeContext:
    """What a check may look at: the reply to the learner's last cell and the kernel.

    ``evaluate`` answers each expression once per context: judging a step and noting what its
    checks see ask the same questions of one unchanged kernel state.
    """

    reply: ExecuteReply
    evaluate: Evaluate

    def __post_init__(self) -> None:
        ask = self.evaluate
        answers: dict[str, tuple[bool, str]] = {}

        def remembered(expr: str) -> tuple[bool, str]:
            if expr not in answers:
                answers[expr] = ask(expr)
            return answers[expr]

        self.evaluate = remembered

    @property
    def snapshot(self) -> Snapshot:
        return self.reply.snapshot or Snapshot()


class Check(ABC):
    """Base class: subclasses declare ``kind``, ``required``/``optional`` fields and ``judge``."""

    kind: ClassVar[str]
    required: ClassVar[dict[str, type | tuple[type, ...]]] = {}
    optional: ClassVar[dict[str, type | tuple[type, ...]]] = {}

    def __init__(self, params: dict[str, Any], line: int = 0) -> None:
        self.params = params
        self.line = line
        self.custom_message: str | None = params.get("message")
        self.validate()

    def validate(self) -> None:
        """Extra checks beyond field names and types; raise CheckParamError."""
        return None  # most kinds need nothing beyond the field types

    def judge(self, ctx: JudgeContext) -> CheckResult:
        result = self.run(ctx)
        if not result.passed and self.custom_message:
            return CheckResult(False, self.custom_message)
        return result

    @abstractmethod
    def run(self, ctx: JudgeContext) -> CheckResult:
        """Judge the state; the message says what is wrong when it fails."""

    def label(self) -> str:
        """A short name for progress records and the teacher's view: ``grad x``,
        ``graph_has y MulBackward0``, ``expr ...``: the kind and its text fields, in the order
        the kind declares them (numbers and lists left out)."""
        order = [*self.required, *self.optional]
        words = [str(self.params[key]) for key in order
                 if isinstance(self.params.get(key), str)]
        text = " ".join(" ".join([self.kind, *words]).split())
        return text if len(text) <= 60 else text[:59] + "…"

    @abstractmethod
    def observe(self, ctx: JudgeContext) -> str:
        """What this check reads, as text. A cell after which every check observes what it did
        before changed nothing the step looks at (the learner is not told "Not yet")."""

    def describe(self) -> str:
        """A one-line summary for listings and self-test reports."""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "message")
        return f"{self.kind}({args})"


REGISTRY: dict[str, type[Check]] = {}
COMMON_OPTIONAL: dict[str, type | tuple[type, ...]] = {"message": str}


def register(cls: type[Check]) -> type[Check]:
    REGISTRY[cls.kind] = cls
    return cls


_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", float: "a number",
               list: "an array"}


def _type_name(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    names = [_TYPE_NAMES.get(t, t.__name__) for t in types if not (t is int and float in types)]
    return " or ".join(names)


def build_check(table: dict[str, Any], line: int = 0) -> Check:
    """A check from its TOML table; raises CheckParamError saying what is wrong."""
    kind = table.get("kind")
    if kind is None:
        raise CheckParamError(
            f"check has no `kind` (one of: {', '.join(sorted(REGISTRY))})", None)
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise CheckParamError(
            f"unknown check kind {kind!r} (known kinds: {', '.join(sorted(REGISTRY))})", "kind")
    cls = REGISTRY[kind]
    params = {k: v for k, v in table.items() if k != "kind"}
    allowed = {**cls.required, **cls.optional, **COMMON_OPTIONAL}
    for key in cls.required:
        if key not in params:
            raise CheckParamError(f"check kind {kind!r} needs the field `{key}`", None)
    for key, value in params.items():
        if key not in allowed:
            raise CheckParamError(
                f"check kind {kind!r} has no field `{key}` (fields: {', '.join(sorted(allowed))})",
                key)
        expected = allowed[key]
        # TOML booleans are ints to Python; a bool where a number is wanted is still a mistake.
        is_bool = isinstance(value, bool)
        wants_bool = expected is bool or (isinstance(expected, tuple) and bool in expected)
        if not isinstance(value, expected) or (is_bool and not wants_bool):
            raise CheckParamError(
                f"field `{key}` of check kind {kind!r} must be {_type_name(expected)}, "
                f"not {type(value).__name__} {value!r}", key)
    return cls(params, line)
