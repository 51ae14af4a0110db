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


@pytest.mark.parametrize(("argv", "says"), [
    (["repl", "--memory-limit", "-5"], "a memory limit of -5 MiB: give at least 384"),
    (["--memory-limit", "100", "lesson", "1"], "a memory limit of 100 MiB"),
    (["repl", "--cpu-limit", "-1"], "a CPU limit of -1 s"),
    (["repl", "--memory-limit", "lots"], "'lots' is not a whole number"),
])
def test_a_limit_that_cannot_be_is_refused_not_taken_as_no_limit(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--memory-limit -5` used to mean "no limit at all".
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert says in capsys.readouterr().err


def test_zero_still_means_no_limit() -> None:
    args = build_parser().parse_args(["repl", "--memory-limit", "0", "--cpu-limit", "0"])
    assert (args.memory_limit, args.cpu_limit) == (0, 0)
