"""Where things go on a digest chart: the title block on top, the one axes under it, sized so
that its tick labels, period line and legends end a small pad from the image's edges.

``new_figure(height_in)`` makes the 1200 px wide Figure (no pyplot) laid out by ``FrameLayout``;
``frame`` writes the title and the grey period/unit line; ``log_minor_marks`` draws the minor
ticks of a log axis as one artist; ``near_flat_limits`` and ``bar_limits`` give the y range of a
near-flat trend and of bars with value labels on top. ``FrameLayout`` replaces matplotlib's
constrained layout, which the charts were designed with, and puts everything where it did
(within a pixel) at a fraction of the cost: constrained layout runs its solver over two full
measurements of the chart before drawing it; ``FrameLayout`` measures the axes once, moves
them, and measures once more to confirm nothing around them moved with them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import LayoutEngine
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN, MarkerStyle
from matplotlib.ticker import NullLocator
from matplotlib.transforms import Bbox

from analytics.chart_style import DPI, WIDTH_IN, Lang, word

#: Space (inches) between the drawing and the image's edges, and half the gap under the title:
#: constrained layout's pad (3 points).
PAD_IN = 3 / 72
#: Most measurements of a chart's axes: moving them can change what surrounds them (a longer
#: axis fits more ticks, a legend placed in axes units moves), so they are measured again until
#: nothing moves by more than ``SETTLED_PX``.
FIT_PASSES, SETTLED_PX = 3, 0.5
#: A series whose plotted values (line, band, target) spread less than this share of their
#: largest is near-flat: its axis is widened by ``FLAT_PAD`` of that value on either side, so
#: that it looks flat (a 0.01 % move drawn corner to corner reads as a surge).
FLAT_SPREAD, FLAT_PAD = 0.04, 0.05
#: Room above the tallest bar, as a share of the height it reaches from the axis's foot: its
#: value label then sits inside the axes, clear of the period line above them.
LABEL_HEADROOM = 0.12


class FrameLayout(LayoutEngine):
    """A chart's layout, computed at draw time: the figure's own texts are the title block at
    the top; the one axes take the rest, so that all they draw ends ``PAD_IN`` from the edges
    and two pads under the title (as constrained layout placed them)."""

    _adjust_compatible, _colorbar_gridspec = True, False

    def execute(self, fig: Figure) -> None:
        """Place the figure's one axes (matplotlib calls this at the start of each draw)."""
        canvas = fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        (ax,) = fig.axes
        pad = PAD_IN * fig.dpi
        top = fig.bbox.height - pad
        for text in fig.texts:
            top = min(top, text.get_window_extent(renderer).y0 - pad)
        room = Bbox.from_extents(pad, pad, fig.bbox.width - pad, top - pad)
        for _ in range(FIT_PASSES):
            if _place(ax, room, renderer) <= SETTLED_PX:
                break


def _place(ax: Axes, room: Bbox, renderer: RendererBase) -> float:
    """Move ``ax`` so that all it draws fills ``room`` (pixels); returns how far it moved."""
    box = ax.bbox.frozen()
    tight = ax.get_tightbbox(renderer, for_layout_only=True)
    if tight is None:
        return 0.0
    x0, y0 = room.x0 + box.x0 - tight.x0, room.y0 + box.y0 - tight.y0
    x1, y1 = room.x1 - (tight.x1 - box.x1), room.y1 - (tight.y1 - box.y1)
    if x1 <= x0 or y1 <= y0:
        return 0.0  # the labels leave no room: keep the place it has
    size = ax.get_figure(root=True).bbox  # type: ignore[union-attr]
    ax.set_position((x0 / size.width, y0 / size.height, (x1 - x0) / size.width,
                     (y1 - y0) / size.height))
    return float(max(abs(a - b) for a, b in zip(box.extents, (x0, y0, x1, y1), strict=True)))


def new_figure(height_in: float) -> Figure:
    """A 1200 px wide Figure (no pyplot) laid out by ``FrameLayout``."""
    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, layout=FrameLayout())


def near_flat_limits(values: Sequence[float]) -> tuple[float, float] | None:
    """The y limits of a near-flat series (``FLAT_SPREAD``): ``FLAT_PAD`` of its largest value
    below and above its values; None when it moves enough for the axis to fit it as usual."""
    shown = [v for v in values if math.isfinite(v)]
    if not shown:
        return None
    low, high = min(shown), max(shown)
    size = max(abs(low), abs(high))
    if not size or high - low >= FLAT_SPREAD * size:
        return None
    return low - FLAT_PAD * size, high + FLAT_PAD * size


def bar_limits(levels: Sequence[float]) -> tuple[float, float]:
    """The y limits of bars that reach ``levels``: from zero (a small move looks small) to
    ``LABEL_HEADROOM`` above the tallest, where its value label goes."""
    foot, high = min(0.0, *levels), max(levels)
    return foot, high + (LABEL_HEADROOM * (high - foot) or abs(high) * 0.1 or 1.0)


def frame(fig: Figure, ax: Axes, title: str, period: str, unit: str, lang: Lang) -> None:
    """Title, then a grey line with the period and the unit, both left-aligned. Both have a
    fixed place, and so do the axis labels (the charts have none: the unit line names the
    unit); left to matplotlib, it would measure every tick label again at each measurement
    and draw to see whether they must move."""
    fig.text(0.01, 1 - PAD_IN / fig.get_figheight(), title, ha="left", va="top", fontsize=20,
             fontweight="bold")
    sep = "  ·  "
    ax.set_title(f"{period}{sep}{word('unit', lang)}: {unit}", loc="left", color="#555555",
                 fontsize=15, pad=12, y=1.0)  # x tick labels are below: nothing to clear
    for axis in (ax.xaxis, ax.yaxis):  # no axis labels: the unit line names the unit
        axis.label.set_visible(False)
        axis.set_label_coords(0.5, 0.5)  # a fixed place, never worked out


def log_minor_marks(ax: Axes) -> None:
    """The minor ticks of ``ax``'s log x axis as one row of marks: the same marks (size, width
    and colour of the rc settings, pointing out) at the same places as matplotlib's, which makes
    a ``Tick`` (two lines, a grid line, two labels) for each of the fifty or so and spends more
    on them than on the rest of the chart. Call it once the x limits are set."""
    low, high = sorted(ax.get_xlim())
    at = [x for x in ax.xaxis.get_minorticklocs() if low <= x <= high]  # the ones in view
    ax.xaxis.set_minor_locator(NullLocator())
    ax.add_artist(Line2D(at, [0.0] * len(at), transform=ax.get_xaxis_transform("tick1"),
                         linestyle="none", marker=MarkerStyle(TICKDOWN), clip_on=False,
                         markersize=rcParams["xtick.minor.size"],
                         markeredgewidth=rcParams["xtick.minor.width"],
                         color=rcParams["xtick.color"]))
