"""The wheel a tool install gets (``pipx install .``, ``uv tool install .``) is complete.

Tests otherwise run against the editable install, which finds data files in the checkout: a
lesson file or stylesheet left out of the package data would only break the learner's install.
"""

from __future__ import annotations

import email
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import gradtui

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # no build isolation: the test extra brings setuptools, and nothing is fetched
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("gradtui-*.whl")
    return built


def test_the_wheel_holds_every_module_lesson_and_stylesheet(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source = ROOT / "src"
    wanted = {str(p.relative_to(source)) for p in (source / "gradtui").rglob("*")
              if p.suffix in (".py", ".tcss") and "__pycache__" not in p.parts}
    wanted |= {f"gradtui/lessons/builtin/{p.name}" for p in (ROOT / "lessons").glob("*.toml")}
    assert len(wanted) > 100 and wanted <= names, sorted(wanted - names)


def test_the_wheel_says_its_version_pythons_and_command(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = f"gradtui-{gradtui.__version__}.dist-info"
    metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert metadata["Version"] == gradtui.__version__
    assert metadata["Requires-Python"] == ">=3.11"
    classifiers = metadata.get_all("Classifier")
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (11, 12, 13)} <= set(
        classifiers)
    assert "gradtui = gradtui.cli:main" in archive.read(f"{info}/entry_points.txt").decode()


def test_the_installed_wheel_runs_and_finds_its_lessons(wheel: Path, tmp_path: Path) -> None:
    """Installed alone (as a tool install would, dependencies from this venv), out of the
    checkout: the command answers --version and lists the eight lessons from its own copy."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    env = {"PYTHONPATH": str(target), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}
    run = [sys.executable, "-c", "import sys, gradtui.cli as c; "
           "assert c.__file__.startswith(sys.argv[1]), c.__file__; sys.exit(c.main(sys.argv[2:]))",
           str(target)]
    version = subprocess.run([*run, "--version"], capture_output=True, text=True, timeout=60,
                             env=env, cwd=tmp_path)
    assert version.stdout == f"gradtui {gradtui.__version__} (Python {platform.python_version()})\n"
    lessons = subprocess.run([*run, "lessons"], capture_output=True, text=True, timeout=60,
                             env=env, cwd=tmp_path)
    assert lessons.returncode == 0, lessons.stderr
    assert " 8. Gradients of gradients" in lessons.stdout
