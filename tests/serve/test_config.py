"""Lab configuration: defaults, relative paths, and clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.serve.config import (
    LabConfigError,
    check_landing,
    load_lab_config,
    parse_landing,
    with_overrides,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lab.toml"
    path.write_text(text)
    return path


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_lab_config(write(tmp_path, '[learners]\nroot = "class"\n'))
    assert config.learners_root == tmp_path / "class"
    assert config.roster == tmp_path / "roster.toml"
    assert config.host_key == tmp_path / "ssh_host_ed25519_key"


def test_defaults_are_loopback_and_lesson_one(tmp_path: Path) -> None:
    config = load_lab_config(write(tmp_path, ""))
    assert (config.host, config.port, config.open_mode) == ("127.0.0.1", 2222, False)
    assert config.landing == ("lesson", "1")
    assert config.sandbox == "auto"


def test_full_config_is_read(tmp_path: Path) -> None:
    text = """
[server]
host = "0.0.0.0"
port = 2200
max_sessions = 5
idle_timeout = 90.5
[learners]
open = true
[session]
landing = "workspace"
sandbox = "none"
kernel_memory_mb = 700
kernel_cpu_s = 30
command = ["python3", "app.py"]
lessons = ["extra"]
"""
    config = load_lab_config(write(tmp_path, text))
    assert config.port == 2200 and config.max_sessions == 5 and config.idle_timeout_s == 90.5
    assert config.open_mode is True and config.landing == ()
    assert config.command == ("python3", "app.py")
    assert config.lesson_dirs == (tmp_path / "extra",)
    assert (config.kernel_memory_mb, config.kernel_cpu_s) == (700, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[server]\nmax_sesions = 3\n", "unknown key 'max_sesions'"),
        ("[servr]\n", "unknown table [servr]"),
        ('[server]\nport = "22"\n', "port = '22' has the wrong type"),
        ("[server]\nport = true\n", "wrong type"),
        ("[server]\nport = 70000\n", "between 0 and 65535"),
        ("[session]\nkernel_memory_mb = 100\n", "give at least 384"),
        ("[server]\nmax_sessions = 0\n", "at least 1"),
        ("[server]\nmax_sessions_per_learner = 0\n", "max_sessions_per_learner must be at least 1"),
        ('[session]\nsandbox = "docker"\n', "sandbox must be one of auto, bwrap, none"),
        ("[session]\ncommand = [1]\n", "list of non-empty strings"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_mistakes_are_reported_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LabConfigError, match=None) as caught:
        load_lab_config(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_named_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LabConfigError, match="no such lab configuration file"):
        load_lab_config(tmp_path / "nope.toml")


def test_no_config_uses_defaults_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_lab_config(None)
    assert config.learners_root == tmp_path / "learners"


def test_landing_words_and_overrides(tmp_path: Path) -> None:
    assert parse_landing("lesson 'variables and gradients'") == (
        "lesson",
        "variables and gradients",
    )
    config = with_overrides(load_lab_config(write(tmp_path, "")), host=None, port=2022)
    assert (config.host, config.port) == ("127.0.0.1", 2022)


def test_a_landing_lesson_that_does_not_exist_is_an_error_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    with pytest.raises(LabConfigError, match=r"landing 'lesson 99': there is no lesson '99' "
                                             r"\(lessons: 1 \(variables\), 2 \(gradients\)"):
        check_landing(load_lab_config(write(tmp_path, '[session]\nlanding = "lesson 99"\n')))


@pytest.mark.parametrize("landing", ["lesson 2", "lesson gradients --plain", "workspace", "repl"])
def test_landings_that_exist_pass(tmp_path: Path, landing: str) -> None:
    check_landing(load_lab_config(write(tmp_path, f'[session]\nlanding = "{landing}"\n')))


def test_a_landing_lesson_from_the_labs_own_folder_passes(tmp_path: Path) -> None:
    own = tmp_path / "my-lessons"
    own.mkdir()
    good = Path(__file__).parents[1] / "lessons" / "fixtures" / "good.toml"
    (own / "07-tiny.toml").write_text(good.read_text())
    text = '[session]\nlanding = "lesson tiny"\nlessons = ["my-lessons"]\n'
    check_landing(load_lab_config(write(tmp_path, text)))
    with pytest.raises(LabConfigError, match="there is no lesson 'tiny'"):
        check_landing(load_lab_config(write(tmp_path, '[session]\nlanding = "lesson tiny"\n')))
