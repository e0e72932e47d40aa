"""The phone-sized summary image: the week's headline KPIs as cards, two to a row.

Input: ``Card`` records already in words (name, value, lines such as "WoW ▲ +12.3%" each with a
tone: good / bad / neutral) and a title and period line. Output: PNG bytes, 1080 px wide (a
phone screen's width) and as tall as the cards need. Drawn on a ``matplotlib.figure.Figure``
(no pyplot) with the digest's shared style, so Chinese renders with the CJK fonts and colour is
never the only signal (the lines carry arrows and marks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from analytics.chart_style import BAD, GOOD, NEUTRAL, Lang, chart_context, to_png

__all__ = ["Card", "kpi_cards"]

#: Image width in inches at the chart dpi (1080 px), cards per row, card and header heights.
WIDTH_IN, COLUMNS, CARD_IN, HEADER_IN, GAP_IN = 10.8, 2, 2.9, 1.5, 0.18
#: Font sizes (points): title, period, card name, value, change lines.
TITLE_PT, PERIOD_PT, NAME_PT, VALUE_PT, LINE_PT = 30, 19, 21, 38, 19
#: Colours of the tones, the card fill and muted text.
TONES = {"good": GOOD, "bad": BAD, "neutral": NEUTRAL}
FILL, MUTED, INK = "#F4F5F7", "#555555", "#111111"


@dataclass(frozen=True)
class Card:
    """One KPI card: name, value, change lines with their tones, and the card's own tone."""

    name: str
    value: str
    lines: tuple[tuple[str, str], ...]  # (text, good | bad | neutral)
    tone: str = "neutral"


def _card(fig: Figure, card: Card, left: float, top: float, width: float) -> None:
    """Draw one card with its top-left corner at (left, top), in inches from the bottom-left."""
    w_in, h_in = fig.get_size_inches()
    box = FancyBboxPatch((left / w_in, (top - CARD_IN) / h_in), width / w_in, CARD_IN / h_in,
                         boxstyle="round,pad=0,rounding_size=0.012", transform=fig.transFigure,
                         facecolor=FILL, edgecolor="none")
    fig.patches.append(box)
    stripe = FancyBboxPatch((left / w_in, (top - CARD_IN) / h_in), 0.09 / w_in, CARD_IN / h_in,
                            boxstyle="square,pad=0", transform=fig.transFigure,
                            facecolor=TONES.get(card.tone, NEUTRAL), edgecolor="none")
    fig.patches.append(stripe)
    x = (left + 0.3) / w_in
    room = width - 0.45
    y = top - 0.25
    _fit(fig.text(x, y / h_in, card.name, fontsize=NAME_PT, color=MUTED, va="top"), room)
    y -= 0.5
    _fit(fig.text(x, y / h_in, card.value, fontsize=VALUE_PT, color=INK, va="top",
                  fontweight="bold"), room)
    y -= 0.8
    for text, tone in card.lines:
        _fit(fig.text(x, y / h_in, text, fontsize=LINE_PT, va="top",
                      color=TONES.get(tone, NEUTRAL) if tone != "neutral" else MUTED), room)
        y -= 0.4


def _fit(text: Text, width_in: float) -> None:
    """Shrink ``text`` until it is at most ``width_in`` wide: nothing runs off a card or the
    image (a long tenant name, a value with its reporting-currency figure beside it)."""
    fig = text.get_figure()
    assert isinstance(fig, Figure) and isinstance(fig.canvas, FigureCanvasAgg)
    renderer = fig.canvas.get_renderer()  # type: ignore[no-untyped-call]
    wide = text.get_window_extent(renderer).width / fig.dpi
    if wide > width_in:
        text.set_fontsize(float(text.get_fontsize()) * width_in / wide * 0.98)


def kpi_cards(cards: Sequence[Card], *, title: str, period: str, lang: Lang) -> bytes:
    """The cards under a title and period line, as one phone-width PNG (``lang`` picks nothing
    but is kept for the shared chart signature: the words come in already translated)."""
    rows = -(-len(cards) // COLUMNS)
    height = HEADER_IN + rows * (CARD_IN + GAP_IN) + GAP_IN
    width = (WIDTH_IN - GAP_IN * (COLUMNS + 1)) / COLUMNS
    with chart_context():
        fig = Figure(figsize=(WIDTH_IN, height), dpi=100)
        FigureCanvasAgg(fig)
        room = WIDTH_IN - 2 * GAP_IN
        _fit(fig.text(GAP_IN / WIDTH_IN, 1 - 0.3 / height, title, fontsize=TITLE_PT,
                      fontweight="bold", va="top"), room)
        _fit(fig.text(GAP_IN / WIDTH_IN, 1 - 0.95 / height, period, fontsize=PERIOD_PT,
                      color=MUTED, va="top"), room)
        for i, card in enumerate(cards):
            row, col = divmod(i, COLUMNS)
            left = GAP_IN + col * (width + GAP_IN)
            top = height - HEADER_IN - row * (CARD_IN + GAP_IN)
            _card(fig, card, left, top, width)
        return to_png(fig)
