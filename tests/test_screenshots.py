"""The docs' pictures (docs/screenshots/make.py): the committed ones show what they claim, and the
script still makes them from the real app."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def _make_module():
    spec = importlib.util.spec_from_file_location("screenshots_make", FOLDER / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclass looks itself up there)
    spec.loader.exec_module(module)
    return module


make = _make_module()


@pytest.mark.parametrize("name", list(make.PICTURES))
def test_a_committed_picture_shows_what_it_is_for(name):
    svg = (FOLDER / f"{name}.svg").read_text(encoding="utf-8")
    assert make.missing(svg, make.PICTURES[name].shows) == []
    width, height = make.PICTURES[name].size
    rows = make.svg_text(svg)
    assert len(rows) == height and max(map(len, rows)) <= width


def test_svg_text_reads_rows_back_from_a_textual_screenshot():
    svg = (FOLDER / "graph.svg").read_text(encoding="utf-8")
    rows = make.svg_text(svg)
    assert any("grad [10., 10.]" in row for row in rows)  # spaces (&#160;) are spaces
    assert make.missing(svg, ("grad [10., 10.]", "no such text")) == ["no such text"]


def test_the_readme_shows_the_workspace_picture():
    readme = (FOLDER.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "](docs/screenshots/workspace.svg)" in readme


def test_the_script_makes_a_picture_from_the_real_app(tmp_path):
    # One picture (the lesson's: a real kernel, a lesson session, the plot and the verdict);
    # the script itself refuses to write a picture that does not show what it claims.
    done = subprocess.run([sys.executable, str(FOLDER / "make.py"), "--out", str(tmp_path),
                           "lesson"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "lesson.svg").read_text(encoding="utf-8")
    assert make.missing(svg, make.PICTURES["lesson"].shows) == []


def test_the_script_refuses_an_unknown_picture(tmp_path):
    done = subprocess.run([sys.executable, str(FOLDER / "make.py"), "--out", str(tmp_path),
                           "nonesuch"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown picture(s): nonesuch" in done.stderr
    assert list(tmp_path.iterdir()) == []
