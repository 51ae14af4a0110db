"""The ``gradtui`` command line: options, dispatch and pipe manners."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from gradtui import cli


@pytest.mark.parametrize(
    ("argv", "ascii_wanted"),
    [
        (["--ascii"], True),
        (["--ascii", "workspace"], True),  # given before the sub-command: must not be dropped
        (["workspace", "--ascii"], True),
        (["workspace"], False),
        ([], False),
    ],
)
def test_the_workspace_keeps_ascii_wherever_it_is_given(
    argv: list[str], ascii_wanted: bool
) -> None:
    args = cli.build_parser().parse_args(argv)
    assert getattr(args, "ascii", False) is ascii_wanted
    assert args.handler is cli.build_parser().get_default("handler")


def test_kernel_limits_given_before_a_sub_command_are_kept() -> None:
    args = cli.build_parser().parse_args(["--memory-limit", "900", "repl"])
    assert args.memory_limit == 900


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(_: argparse.Namespace) -> int:
        raise BrokenPipeError

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    silenced: list[bool] = []
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    # The real one re-points fd 1 at /dev/null, which would also silence pytest's capture.
    monkeypatch.setattr(cli, "quiet_broken_pipe", lambda: silenced.append(True) or 141)
    assert cli.main([]) == 141
    assert silenced == [True]


def test_run_hands_every_argument_to_the_script(tmp_path) -> None:
    script = tmp_path / "show_args.py"
    script.write_text("import sys\nprint(sys.argv[1:])\n")
    proc = subprocess.run(
        [sys.executable, "-m", "gradtui", "run", str(script), "--help", "-x"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "['--help', '-x']\n"
