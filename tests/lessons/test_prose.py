from __future__ import annotations

from gradtui.lessons.prose import plain_text


def test_paragraphs_reflow_to_the_width_and_lose_emphasis_markers() -> None:
    text = plain_text("A **gradient** is *one* slope\nper input, written as `x.grad`,\n"
                      "for every input.", width=30)
    assert text == "A gradient is one slope per\ninput, written as `x.grad`,\nfor every input."


def test_code_blocks_are_indented_verbatim_and_lists_and_tables_keep_their_lines() -> None:
    source = ("Run:\n\n```python\ny = 5 * (x + 1) ** 2\ny\n```\n\n- one\n- two\n\n"
              "| node | rule |\n| --- | --- |\n## Heading\n")
    assert plain_text(source) == ("Run:\n\n    y = 5 * (x + 1) ** 2\n    y\n\n- one\n- two\n\n"
                                  "| node | rule |\n| --- | --- |\nHeading")


def test_stars_inside_code_and_arithmetic_stay() -> None:
    assert plain_text("`a*b*c` and 2 * 3 * 4") == "`a*b*c` and 2 * 3 * 4"


def test_power_stars_in_code_spans_are_not_taken_for_bold() -> None:
    assert plain_text("differentiates `x ** 3` into **3** times `x ** 2`") == (
        "differentiates `x ** 3` into 3 times `x ** 2`")
    assert plain_text("the gradient *of `o`*, **all `x ** 2`**") == (
        "the gradient of `o`, all `x ** 2`")


def test_indented_code_blocks_stay_verbatim_like_in_the_readme_example() -> None:
    prose = ("Markdown for the learner. Say what to type:\n\n"
             "    x = torch.tensor(3.0, requires_grad=True)\n    y = x ** 2\n\nThen look.\n")
    assert plain_text(prose, 80).splitlines() == [
        "Markdown for the learner. Say what to type:", "",
        "    x = torch.tensor(3.0, requires_grad=True)", "    y = x ** 2", "", "Then look."]


def test_an_indented_line_inside_a_paragraph_is_still_prose() -> None:
    # Markdown: an indented code block cannot interrupt a paragraph.
    assert plain_text("one line\n    and its continuation", 80) == "one line and its continuation"
