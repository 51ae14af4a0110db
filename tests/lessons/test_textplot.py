from __future__ import annotations

from gradtui.lessons.textplot import text_plot


def test_a_falling_series_starts_top_left_and_ends_bottom_right() -> None:
    rows = text_plot([9.0, 4.0, 1.0, 0.0], height=4, ascii_only=True).splitlines()
    assert rows[0] == "9 |*"
    assert rows[2] == "  | *"  # 4 is 5/9 of the way down: the third of four rows
    assert rows[3] == "0 |  **"
    assert rows[4] == "  +----"


def test_long_series_are_averaged_into_the_width() -> None:
    rows = text_plot([float(i) for i in range(300)], width=30, height=3).splitlines()
    assert len(rows[-2]) == len("    └") + 30 - 1 + 1


def test_nothing_finite_to_plot_says_so() -> None:
    assert text_plot([float("nan")], title="losses") == "losses: nothing to plot yet"


def test_the_step_axis_keeps_first_and_last_apart_for_a_few_points() -> None:
    assert text_plot([9.0, 5.0, 2.0, 1.0], ascii_only=True).splitlines()[-1] == "   step 1 4"
    assert text_plot([3.0], ascii_only=True).splitlines()[-1] == "   step 1"
    assert text_plot([float(i) for i in range(25)]).splitlines()[-1].endswith(" " * 17 + "25")
