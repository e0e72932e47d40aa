"""The six digest charts, as PNG bytes: data in, picture out (matplotlib Figure API, no pyplot).

Inputs: plain numbers and already-translated names (metric, channel, creator, SKU), the period
label and the reader's language; fixed words (target, baseline, this week...) are translated here.
Outputs: PNG bytes, 1200 px wide, with a title, the period and the unit on every chart. Colours
come from the colour-blind-safe Okabe-Ito palette and good/bad is also told by shape or text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analytics.chart_layout import (
    bar_limits,
    frame,
    log_minor_marks,
    near_flat_limits,
    new_figure,
)
from analytics.chart_style import (
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    SERIES,
    CompactAxis,
    Lang,
    Number,
    chart_context,
    compact_number,
    to_png,
    word,
)

#: Creator verdicts (``analytics.creator_verdicts``) and their bar colours.
VERDICT_COLOURS = {"rebook": GOOD, "watch": PALETTE["orange"], "stop": BAD}


@dataclass(frozen=True)
class CreatorBar:
    """One creator row: GMV, the verdict (invest / keep / cut / risk) and a short note."""

    name: str
    gmv: Number
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class StockBar:
    """One SKU row: days of stock cover against the reorder lead time."""

    label: str
    days_of_cover: Number
    lead_time_days: Number


def kpi_trend(name: str, unit: str, weeks: Sequence[str], values: Sequence[Number | None], *,
              period: str, lang: Lang, band: Sequence[tuple[Number, Number] | None] = (),
              target: Number | None = None, line_label: str | None = None,
              band_label: str | None = None) -> bytes:
    """Weekly values of one KPI with its 4-week baseline band and the target line; weeks before
    the first one with data are left out (no empty slots). ``band_label`` names the band of
    another cadence ("3-month range")."""
    first = next((i for i, v in enumerate(values) if v is not None), len(values))
    if 0 < first < len(values):
        weeks, values, band = weeks[first:], values[first:], band[first:] if band else band
    with chart_context():
        fig = new_figure(5.2)
        ax = fig.add_subplot()
        xs = range(len(weeks))
        lows: list[float] = []
        highs: list[float] = []
        if band:
            lows = [float(b[0]) if b else float("nan") for b in band]
            highs = [float(b[1]) if b else float("nan") for b in band]
            ax.fill_between(xs, lows, highs, color=PALETTE["sky"], alpha=0.3, linewidth=0,
                            label=band_label or word("baseline", lang))
        ys = [float(v) if v is not None else float("nan") for v in values]
        ax.plot(xs, ys, color=GOOD, marker="o", linewidth=3, markersize=8,
                label=line_label or name)
        if ys and ys[-1] == ys[-1]:
            ax.annotate(compact_number(ys[-1], lang, 2), (xs[-1], ys[-1]), xytext=(0, 12),
                        textcoords="offset points", ha="center", fontweight="bold")
        if target is not None:
            ax.axhline(float(target), color=PALETTE["orange"], linestyle="--", linewidth=2.5,
                       label=f"{word('target', lang)} {compact_number(target, lang, 2)}")
        ax.set_xticks(list(xs), [w.replace("-", "\n", 1) for w in weeks])
        ax.yaxis.set_major_formatter(CompactAxis(lang))
        ax.legend(loc="upper left", ncols=3, frameon=False)
        ax.margins(y=0.25)
        marks = [] if target is None else [float(target)]
        flat = near_flat_limits([*ys, *lows, *highs, *marks])  # a flat series looks flat
        if flat:
            ax.set_ylim(*flat)
        frame(fig, ax, name, period, unit, lang)
        return to_png(fig)


def driver_waterfall(start: tuple[str, Number], steps: Sequence[tuple[str, Number]],
                     end: tuple[str, Number], *, title: str, unit: str, period: str,
                     lang: Lang) -> bytes:
    """Last week's value, each driver's contribution (+ up, − down), this week's value."""
    with chart_context():
        fig = new_figure(5.6)
        ax = fig.add_subplot()
        labels = [start[0], *(s[0] for s in steps), end[0]]
        running = float(start[1])
        top = max(abs(float(start[1])), abs(float(end[1])))
        # Chinese labels in the axis's unit (−0.17万 beside 1.9万); English ones as usual
        scale = top if lang == "zh" else None
        places = 2 if lang == "zh" else 1
        ax.bar(0, running, color=NEUTRAL)
        for i, (_, delta) in enumerate(steps, start=1):
            d = float(delta)
            ax.bar(i, d, bottom=running, color=GOOD if d >= 0 else BAD,
                   hatch="" if d >= 0 else "//", edgecolor="white")
            ax.text(i, running + max(d, 0), ("+" if d >= 0 else "")
                    + compact_number(d, lang, places, scale_of=scale),
                    ha="center", va="bottom", fontweight="bold")
            running += d
        ax.bar(len(labels) - 1, float(end[1]), color=PALETTE["black"])
        for x, v in ((0, float(start[1])), (len(labels) - 1, float(end[1]))):
            ax.text(x, v, compact_number(v, lang), ha="center", va="bottom", fontweight="bold")
        ax.set_xticks(range(len(labels)), labels)
        ax.yaxis.set_major_formatter(CompactAxis(lang))
        levels = _running_levels(float(start[1]), [float(d) for _, d in steps])
        ax.set_ylim(*bar_limits([*levels, float(end[1])]))
        frame(fig, ax, title, period, unit, lang)
        return to_png(fig)


def _running_levels(start: float, deltas: Sequence[float]) -> list[float]:
    levels = [start]
    for d in deltas:
        levels.append(levels[-1] + d)
    return levels


def channel_mix(channels: Sequence[str], shares: Mapping[str, Sequence[Number]], *,
                title: str, period: str, lang: Lang) -> bytes:
    """100 % stacked bars: each row (e.g. GMV this week, visitors last week) split by channel."""
    with chart_context():
        fig = new_figure(1.6 + 0.9 * len(shares))
        ax = fig.add_subplot()
        rows = list(shares)[::-1]
        for r, row in enumerate(rows):
            values = [float(v) for v in shares[row]]
            total = sum(values) or 1.0
            left = 0.0
            for c, v in enumerate(values):
                pct = 100 * v / total
                ax.barh(r, pct, left=left, color=SERIES[c % len(SERIES)], edgecolor="white",
                        label=channels[c] if r == 0 else None)
                if pct >= 7:
                    ax.text(left + pct / 2, r, f"{pct:.0f}%", ha="center", va="center",
                            color="white" if c in (0, 5) else "black", fontweight="bold")
                left += pct
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlim(0, 100)
        ax.grid(False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=min(len(channels), 7),
                  frameon=False, fontsize=14)
        frame(fig, ax, title, period, "%", lang)
        return to_png(fig)


def funnel(stages: Sequence[tuple[str, Number, Number | None]], *, title: str, period: str,
           lang: Lang, periods: tuple[str, str] | None = None) -> bytes:
    """Stage counts this week (bars, log scale) and last week (◇), with step conversion rates;
    ``periods`` names the two (default "this week", "last week"; a monthly report's months)."""
    this, last = periods or (word("this_week", lang), word("last_week", lang))
    with chart_context():
        fig = new_figure(1.4 + 0.9 * len(stages))
        ax = fig.add_subplot()
        ys = list(range(len(stages)))[::-1]
        values = [max(float(s[1]), 1.0) for s in stages]
        ax.barh(ys, values, color=GOOD, label=this)
        prev = [(y, float(s[2])) for y, s in zip(ys, stages, strict=True) if s[2]]
        prev_of = dict(prev)
        if prev:
            ax.scatter([p[1] for p in prev], [p[0] for p in prev], marker="D", s=90,
                       color=PALETTE["orange"], zorder=3, label=last)
        for i, (y, v) in enumerate(zip(ys, values, strict=True)):
            rate = f"  ({100 * v / values[i - 1]:.1f}%)" if i and values[i - 1] else ""
            ax.text(max(v, prev_of.get(y, 0.0)) * 1.35, y, compact_number(stages[i][1], lang)
                    + rate, va="center")
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 5, max(values) * 60)
        log_minor_marks(ax)
        ax.set_yticks(ys, [s[0] for s in stages])
        ax.xaxis.set_major_formatter(CompactAxis(lang, 0, log=True))
        ax.legend(loc="lower right", frameon=False)
        frame(fig, ax, title, period, word("count", lang), lang)
        return to_png(fig)


def creator_leaderboard(rows: Sequence[CreatorBar], *, title: str, unit: str, period: str,
                        lang: Lang, verdict_names: Mapping[str, str]) -> bytes:
    """Top creators by GMV, coloured (and named in the legend) by what to do with each."""
    with chart_context():
        fig = new_figure(1.8 + 0.6 * max(len(rows), 1))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        gmv = [float(r.gmv) for r in rows]
        colours = [VERDICT_COLOURS.get(r.verdict, NEUTRAL) for r in rows]
        ax.barh(ys, gmv, color=colours)
        for y, v, r in zip(ys, gmv, rows, strict=True):
            ax.text(v, y, f"  {compact_number(v, lang)}  {r.note}", va="center")
        ax.set_yticks(ys, [r.name for r in rows])
        ax.set_xlim(0, max(gmv, default=1.0) * 1.6)
        ax.xaxis.set_major_formatter(CompactAxis(lang))
        used = [v for v in VERDICT_COLOURS if any(r.verdict == v for r in rows)]
        ax.legend(handles=[Patch(color=VERDICT_COLOURS[v], label=verdict_names.get(v, v))
                           for v in used], loc="lower right", bbox_to_anchor=(1.0, 1.0),
                  ncols=len(used) or 1, frameon=False)
        frame(fig, ax, title, period, unit, lang)
        return to_png(fig)


def stock_cover(rows: Sequence[StockBar], *, title: str, period: str, lang: Lang,
                below_label: str) -> bytes:
    """Days of stock cover per SKU; bars under the lead-time mark (|) are at risk of selling out."""
    with chart_context():
        fig = new_figure(1.8 + 0.6 * max(len(rows), 1))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))[::-1]
        for y, r in zip(ys, rows, strict=True):
            cover, lead = float(r.days_of_cover), float(r.lead_time_days)
            risky = cover < lead
            ax.barh(y, cover, color=BAD if risky else GOOD, hatch="//" if risky else "")
            ax.plot([lead, lead], [y - 0.4, y + 0.4], color=PALETTE["black"], linewidth=3)
            ax.text(max(cover, lead), y, f"  {cover:.0f} / {lead:.0f} {word('days', lang)}",
                    va="center")
        ax.set_yticks(ys, [r.label for r in rows])
        top = max((max(float(r.days_of_cover), float(r.lead_time_days)) for r in rows),
                  default=1.0)
        ax.set_xlim(0, top * 1.45)
        ax.legend(handles=[Patch(facecolor=BAD, edgecolor="black", hatch="//", label=below_label),
                           Line2D([], [], color=PALETTE["black"], linewidth=3, linestyle="none",
                                  marker="|", markersize=18, label=word("lead_time", lang))],
                  loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
        frame(fig, ax, title, period, word("days", lang), lang)
        return to_png(fig)
