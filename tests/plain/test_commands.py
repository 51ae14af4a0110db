"""``gradtui repl``'s options, parsed by the real command line (argparse quirks included)."""

from __future__ import annotations

import pytest

from gradtui.cli import build_parser


@pytest.mark.parametrize("argv", [
    ["repl", "--ascii"],
    ["--ascii", "repl"],
    ["lesson", "1", "--ascii"],
    ["--ascii", "lesson", "1"],
])
def test_ascii_is_kept_before_or_after_the_sub_command(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).ascii is True


@pytest.mark.parametrize("argv", [
    ["repl", "--memory-limit", "900", "--cpu-limit", "5"],
    ["--memory-limit", "900", "--cpu-limit", "5", "repl"],
    ["--memory-limit", "900", "--cpu-limit", "5", "lesson", "2"],
])
def test_kernel_limits_are_kept_before_or_after_the_sub_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.memory_limit, args.cpu_limit) == (900, 5)


def test_without_options_front_ends_see_no_limit_and_no_ascii() -> None:
    args = build_parser().parse_args(["repl"])
    assert getattr(args, "memory_limit", None) is None
    assert getattr(args, "cpu_limit", None) is None
    assert not getattr(args, "ascii", False)
