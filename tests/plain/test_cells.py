"""When a cell is complete, how piped lines group into cells, what a :command is."""

from __future__ import annotations

import pytest

from gradtui.plain.cells import cell_complete, iter_cells, parse_command


@pytest.mark.parametrize(
    "source",
    [
        "x = 1",
        "x = 1\ny = 2",  # a pasted multi-statement cell
        "for i in range(3):\n    print(i)\n",  # a block closed by an empty line
        "x = 1\nfor i in r:\n    p\n",
        "1 +",  # a syntax error runs, so the kernel shows the caret
        "",
        ":graph o",
    ],
)
def test_complete_cells_run_on_enter(source: str) -> None:
    assert cell_complete(source)


@pytest.mark.parametrize(
    "source",
    [
        "for i in range(3):",
        "for i in range(3):\n    print(i)",  # the body may go on
        "x = 1\nfor i in r:\n    p",
        "x = (1,",
        "x = '''abc",
        "@decorator",
        "x = 1 + \\",
        "if x:\n    pass\nelse:",
    ],
)
def test_incomplete_cells_keep_reading(source: str) -> None:
    assert not cell_complete(source)


def test_piped_lines_group_like_the_python_repl_plus_dedent_ends_a_block() -> None:
    lines = [
        "import torch", "", "for i in range(3):", "    print(i)", "x = 2",
        "if x:", "    a = 1", "else:", "    a = 2", "", ":graph o",
        "y = (1,", "", "2)", "@d", "def g(): pass", "try:", "    1/0", "except Exception:",
        "    pass", "def f(", "    a,", "):", "    return a",
    ]
    assert list(iter_cells(f"{line}\n" for line in lines)) == [
        "import torch",
        "for i in range(3):\n    print(i)",
        "x = 2",
        "if x:\n    a = 1\nelse:\n    a = 2",
        ":graph o",
        "y = (1,\n\n2)",
        "@d\ndef g(): pass",
        "try:\n    1/0\nexcept Exception:\n    pass",
        "def f(\n    a,\n):\n    return a",  # the unfinished last cell still runs
    ]


def test_an_unfinished_cell_at_the_end_of_input_is_still_run() -> None:
    assert list(iter_cells(["for i in r:"])) == ["for i in r:"]


def test_a_colon_line_inside_an_open_cell_is_code_not_a_command() -> None:
    assert list(iter_cells(["x = {", ":1}", ""])) == ["x = {\n:1}"]


@pytest.mark.parametrize(
    ("source", "parsed"),
    [
        (":graph o", ("graph", "o")),
        ("  :DOT  o  out.dot ", ("dot", "o  out.dot")),
        (":help", ("help", "")),
        ("x = 1", None),
        (":graph o\nx", None),
    ],
)
def test_parse_command(source: str, parsed: tuple[str, str] | None) -> None:
    assert parse_command(source) == parsed
