"""The portal's own bar chart (R-R2): a round maximum, gridlines at whole values, bars scaled
to it, labels thinned when the bars are many."""

from __future__ import annotations

import pytest

from centrex.sms.charts import bar_chart, round_maximum


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (6, 10), (10, 10), (11, 20), (4_100, 5_000)]
)
def test_the_axis_ends_at_a_round_maximum(value: int, top: int) -> None:
    assert round_maximum(value) == top


@pytest.mark.parametrize(
    ("value", "ticks"),
    [(6, [0, 2, 4, 6, 8, 10]), (20, [0, 5, 10, 15, 20]), (2, [0, 1, 2]), (1, [0, 1])],
)
def test_gridlines_fall_on_whole_values(value: int, ticks: list[int]) -> None:
    assert [tick.value for tick in bar_chart("t", [("a", value)]).ticks] == ticks


def test_bars_are_scaled_to_the_maximum_and_labels_thinned() -> None:
    chart = bar_chart("Parti", [(f"{day:02d}", day % 7) for day in range(1, 32)])
    tallest = max(chart.bars, key=lambda bar: bar.value)
    assert tallest.value == 6
    assert chart.baseline - tallest.y == pytest.approx(tallest.height)
    assert [bar.height for bar in chart.bars if bar.value == 0] == [0.0] * 4
    assert sum(bar.labelled for bar in chart.bars) == 16
