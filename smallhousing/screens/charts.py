"""A bar chart of counts by month, drawn in text: the dashboard's complaints received per month and
the Reports screen's stage 1 complaints by month.

Each month has a bar and its name underneath; the scale on the left reads 0 at the foot, the
highest count at the top, and the counts the rows between reach.
Drawn by the widget itself from the space it is given (a few rows at 80x24, more on a larger
terminal), so it costs nothing to import: the dashboard's first paint is timed.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

EIGHTHS = " ▁▂▃▄▅▆▇█"


class MonthChart(Widget):
    """Bars for (label, count) pairs, one a month; colours in the stylesheet of the screen."""

    COMPONENT_CLASSES = {"month-chart--bar", "month-chart--scale"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.months: list[tuple[str, int]] = []

    def show(self, months: list[tuple[str, int]]) -> None:
        """Chart these (label, count) pairs, such as ("Apr", 12)."""
        self.months = list(months)
        self.refresh()

    @property
    def highest(self) -> int:
        return max((n for _, n in self.months), default=0)

    def scale(self, rows: int) -> list[str]:
        """The scale's number beside each row of bars, top row first: the highest count at the top,
        then the count (rounded) at the top of every row below it, or of every other row in a tall
        chart; "" beside the rest, and beside rows whose number would repeat the one above."""
        top = self.highest
        step = 1 if rows <= 4 else 2
        out, last = [], None
        for line, row in enumerate(range(rows, 0, -1)):
            value = round(top * row / rows)
            if top and line % step == 0 and value and value != last:
                out.append(str(value))
                last = value
            else:
                out.append("")
        return out

    def render(self) -> Text:
        width, height = self.size
        bar_style = self.get_component_rich_style("month-chart--bar")
        scale_style = self.get_component_rich_style("month-chart--scale")
        text = Text(no_wrap=True, overflow="crop", end="")
        if not self.months or width < 8 or height < 2:
            return text
        rows = height - 1  # the last line names the months
        top = self.highest or 1
        numbers = self.scale(rows)
        number_width = max(len(str(self.highest)), 1)
        left = number_width + 2  # the number, a space, the axis
        slot = max((width - left) // len(self.months), 1)
        bar = max(slot - 1, 1) if slot < 4 else slot - 2
        lead = (slot - bar) // 2
        eighths = [0 if n <= 0 else max(1, round(n / top * rows * 8)) for _, n in self.months]
        for line, number in enumerate(numbers):
            row = rows - line  # 1 at the foot
            text.append(f"{number:>{number_width}} {'┤' if number else '│'}", scale_style)
            cells = []
            for filled in eighths:
                level = min(max(filled - (row - 1) * 8, 0), 8)
                cells.append(" " * lead + EIGHTHS[level] * bar + " " * (slot - lead - bar))
            text.append("".join(cells), bar_style)
            text.append("\n")
        text.append(f"{'0':>{number_width}} └", scale_style)
        names = []
        for label, _ in self.months:
            name = label if len(label) <= slot else label[:1]
            names.append(f"{name:^{slot}}"[:slot] if slot >= len(name) else name[:slot])
        text.append("".join(names), scale_style)
        return text
