"""Charts the portal draws itself (R-R2): the geometry of a bar chart, drawn as inline SVG by
the template `sms/_bar_chart.svg`. Readable without colour — one series, every bar's value
in its `<title>` and the table beside the chart, axis labels in text — and printable (vector,
no script, no external file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The drawing area, in SVG user units (the SVG scales to the page's width).
WIDTH = 720
HEIGHT = 240
LEFT = 48  # room for the value axis' labels
BOTTOM = 28  # room for the category labels
TOP = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    # Whether the category label is written under this bar (every few bars when they are many).
    labelled: bool

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    """A vertical bar chart of (label, value) pairs, scaled to a round maximum."""

    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    label_y: float = HEIGHT - BOTTOM + 16

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def right(self) -> int:
        return self.width


def round_maximum(value: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(title: str, points: list[tuple[str, int]], *, max_labels: int = 16) -> BarChart:
    """The geometry of `points` as bars; a label under every bar, or every few bars so that at
    most `max_labels` are written."""
    top = round_maximum(max((value for _label, value in points), default=0))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(points), 1)
    every = max(1, math.ceil(len(points) / max_labels))
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * value / top
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                labelled=index % every == 0,
            )
        )
    # Gridlines at whole values: the maximum split in 4, 5, 2 or 1 equal steps.
    steps = next(count for count in (4, 5, 2, 1) if top % count == 0)
    ticks = [
        Tick(value=top * step // steps, y=round(HEIGHT - BOTTOM - plot_height * step / steps, 2))
        for step in range(steps + 1)
    ]
    return BarChart(title=title, bars=bars, ticks=ticks)
