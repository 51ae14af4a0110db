"""``gradtui serve`` command-line errors: clear messages, never a traceback."""

from __future__ import annotations

import pytest

from gradtui.cli import build_parser


@pytest.mark.parametrize(("argv", "says"), [
    (["serve", "ssh", "--port", "99999"], "99999 is not a port: use 1-65535 (or 0 for any)"),
    (["serve", "web", "--port", "-1"], "-1 is not a port"),
    (["serve", "ssh", "--port", "ssh"], "'ssh' is not a port number"),
])
def test_a_port_out_of_range_is_a_usage_error(argv, says, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert says in capsys.readouterr().err


def test_ports_in_range_are_taken() -> None:
    assert build_parser().parse_args(["serve", "ssh", "--port", "0"]).port == 0
    assert build_parser().parse_args(["serve", "web", "--port", "65535"]).port == 65535


@pytest.mark.parametrize("how", ["ssh", "web"])
def test_a_port_already_taken_is_one_clear_line(how: str, tmp_path) -> None:
    import socket
    import subprocess
    import sys

    (tmp_path / "lab.toml").write_text(
        '[learners]\nopen = true\n[session]\nlanding = "repl"\nsandbox = "none"\n'
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "gradtui", "serve", how, "--config",
             str(tmp_path / "lab.toml"), "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
    assert done.returncode == 1
    assert f"gradtui serve {how}: cannot listen: " in done.stderr
    assert "Traceback" not in done.stderr
