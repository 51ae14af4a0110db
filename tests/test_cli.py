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


@pytest.mark.parametrize(
    ("argv", "says", "expect"),
    [
        ([], "running the plain REPL (gradtui repl) instead", "42"),
        (["workspace"], "running the plain REPL (gradtui repl) instead", "42"),
        (["lesson", "1"], "running the lesson in the plain REPL (--plain) instead", "Step 1 of"),
    ],
)
def test_without_a_terminal_the_plain_front_end_runs_and_ends(
    argv: list[str], says: str, expect: str, tmp_path
) -> None:
    """Issue 12 item 11: `gradtui > file` wrote the full-screen app's escape codes into the file
    and never exited (no keys could reach it)."""
    import os

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "d"), "XDG_STATE_HOME": str(tmp_path)}
    env.pop("GRADTUI_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "gradtui", *argv], input="x = 41\nx + 1\n", capture_output=True,
        text=True, timeout=120, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert says in done.stderr
    assert expect in done.stdout
    assert "\x1b" not in done.stdout


def test_an_explicit_plain_command_says_nothing_about_terminals() -> None:
    args = cli.build_parser().parse_args(["repl"])
    handler = args.handler
    cli._plain_without_a_terminal(args)  # pytest's stdin is no terminal
    assert args.handler is handler
