"""The built-in :commands render fresh snapshots with the text views."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.plain.colon_commands import HELP, CommandError, run_builtin


def test_views_are_rendered_from_a_fresh_snapshot(rig) -> None:
    assert run_builtin(rig.client, "graph", "y", ascii=True).splitlines()[0] == "MulBackward0 [2]"
    assert run_builtin(rig.client, "tensors", "").splitlines()[0].startswith("name  shape")
    assert "→ AccumulateGrad (x) [2]" in run_builtin(rig.client, "graph", "y")


def test_help_names_every_builtin() -> None:
    for name in ("tensors", "graph", "grads", "dot", "doc", "restart", "help", "quit"):
        assert f":{name}" in HELP


def test_dot_to_a_file_reports_where_and_how_to_render(rig, tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    message = run_builtin(rig.client, "dot", f"y {target}")
    assert message == f"wrote the graph of y to {target}  (render: dot -Tsvg {target} -o y.svg)"
    assert target.read_text().endswith("}\n")


@pytest.mark.parametrize(
    ("name", "arg", "message"),
    [
        ("dot", "", "usage: :dot NAME"),
        ("graph", "x2", "no tensor named 'x2'"),
        ("frob", "", "unknown command :frob"),
    ],
)
def test_bad_commands_raise_a_clear_error(rig, name: str, arg: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run_builtin(rig.client, name, arg)


def test_graph_and_dot_without_a_name_use_the_value_just_shown(rig) -> None:
    rig.client.snap.last_value = "y"
    assert run_builtin(rig.client, "graph", "").splitlines()[0] == "MulBackward0 [2]"
    assert 'label="autograd graph of y"' in run_builtin(rig.client, "dot", "")


def test_doc_shows_what_the_kernel_knows_about_a_name(rig) -> None:
    rig.client.execute("def area(r):\n    'Area of a circle of radius r.'\n    return 3.14 * r * r")
    assert run_builtin(rig.client, "doc", "area") == "area(...)\n\nArea of a circle of radius r."
    with pytest.raises(CommandError, match="nothing known about 'radius'"):
        run_builtin(rig.client, "doc", "radius")
    with pytest.raises(CommandError, match="usage: :doc NAME"):
        run_builtin(rig.client, "doc", "")


def test_doc_wraps_the_prose_of_a_docstring_at_the_terminals_width(rig, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    doc = ("Train the model m with plain gradient descent, for as many epochs as the\n"
           "schedule says, printing the loss of each epoch as it goes.\n\n"
           "    for epoch in range(10): step(m)   # code keeps its line")
    # the kernel gives docstrings dedented (inspect.getdoc), as this one is
    rig.client.execute(f"def train(m):\n    pass\ntrain.__doc__ = {doc!r}")
    lines = run_builtin(rig.client, "doc", "train").splitlines()
    prose = [line for line in lines[2:] if line and not line.startswith(" ")]
    assert len(prose) > 2 and all(len(line) <= 49 for line in prose)
    assert " ".join(prose) == ("Train the model m with plain gradient descent, for as many "
                               "epochs as the schedule says, printing the loss of each epoch "
                               "as it goes.")
    assert "    for epoch in range(10): step(m)   # code keeps its line" in lines
