"""The digest charts: 1200 px PNGs, Chinese without missing glyphs, readable numbers, and the
Figure API only (pyplot never imported)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from decimal import Decimal

import pytest

from analytics import charts
from analytics.chart_style import REGISTERED_FONTS, STYLE, compact_number


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


ALL = {
    "trend": lambda lang: charts.kpi_trend(
        "总GMV" if lang == "zh" else "Gross GMV", "USD", [f"2026-W{w}" for w in range(40, 48)],
        [None, 41000, 43000, 45000, 39000, 47000, 52000, 44100], period="2026-W47", lang=lang,
        band=[None] * 5 + [(39000, 45000)] * 3, target=50000),
    "waterfall": lambda lang: charts.driver_waterfall(
        ("上周", 53000), [("流量", -6200), ("转化率", -1800), ("客单价", 900)], ("本周", 45900),
        title="净GMV变化原因", unit="USD", period="2026-W47", lang=lang),
    "mix": lambda lang: charts.channel_mix(
        ["直播", "短视频", "付费"], {"GMV 本周": [30, 50, 20], "GMV 上周": [25, 50, 25]},
        title="GMV结构", period="2026-W47", lang=lang),
    "funnel": lambda lang: charts.funnel(
        [("曝光", 640000, 620000), ("点击", 6900, 7200), ("成交", 120, 145)], title="广告漏斗",
        period="2026-W47", lang=lang),
    "creators": lambda lang: charts.creator_leaderboard(
        [charts.CreatorBar("小美 (@xiaomei)", 8000, "rebook", "ROI 6.1"),
         charts.CreatorBar("@deals_uk", 3000, "watch", "ROI 4.9"),
         charts.CreatorBar("@boost4u", 2500, "stop", "假互动?")],
        title="达人排行", unit="USD", period="2026-W47", lang=lang,
        verdict_names={"rebook": "续约", "watch": "观察", "stop": "停止合作"}),
    "stock": lambda lang: charts.stock_cover(
        [charts.StockBar("收纳盒 L", 6, 21), charts.StockBar("LED lamp", 30, 14)],
        title="库存可售天数", period="2026-W47", lang=lang, below_label="低于补货周期"),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_chart_is_1200_px_wide_and_draws_every_chinese_glyph(name: str) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        png = ALL[name]("zh")
    width, height = size(png)
    assert width == 1200 and 250 <= height <= 900
    assert ALL[name]("en") != png  # axis words follow the language


def test_fonts_registered_and_family_list_falls_back_to_cjk() -> None:
    assert any("Noto" in p or "wqy" in p for p in REGISTERED_FONTS)
    assert STYLE["font.family"][0] == "DejaVu Sans" and len(STYLE["font.family"]) >= 2


def test_compact_numbers_read_naturally_in_each_language() -> None:
    assert compact_number(44100, "en") == "44.1k" and compact_number(44100, "zh") == "4.41万"
    assert compact_number(-6200, "en") == "−6.2k"  # a true minus sign
    assert compact_number(2.1, "en") == "2.1" and compact_number(1_250_000, "zh") == "125万"


def test_compact_numbers_keep_three_significant_digits_in_chinese_too() -> None:
    from jobs.digest.words import Words

    for value, zh, en in ((10421, "1.04万", "10.4k"), (84800, "8.48万", "84.8k"),
                          (299155, "29.9万", "299.2k"), (120_000_000, "1.2亿", "120M")):
        assert (compact_number(value, "zh"), compact_number(value, "en")) == (zh, en)
    # the summary card's short money: as fine in Chinese as in English
    cards = [Words(lang).money(Decimal(10421), "USD", short=True) for lang in ("zh", "en")]
    assert cards == ["US$1.04万", "$10.4K"]
    assert Words("zh").money(Decimal(299155), "USD", short=True) == "US$29.9万"


def test_charts_never_import_pyplot() -> None:
    code = ("import sys, analytics.charts as c; c.funnel([('a', 10, None), ('b', 5, None)],"
            " title='t', period='p', lang='en'); print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _figure_of(monkeypatch, draw):
    """The matplotlib figure a chart function draws (instead of its PNG)."""
    seen = []
    monkeypatch.setattr(charts, "to_png", lambda fig: seen.append(fig) or b"")
    draw()
    return seen[0]


def test_a_waterfall_starts_at_zero_so_a_small_move_looks_small(monkeypatch) -> None:
    fig = _figure_of(monkeypatch, lambda: ALL["waterfall"]("en"))
    low, high = fig.axes[0].get_ylim()
    assert low == 0 and high > 53000


def test_a_trend_leaves_out_weeks_before_its_first_value(monkeypatch) -> None:
    fig = _figure_of(monkeypatch, lambda: ALL["trend"]("en"))
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "2026\nW41" and len(labels) == 7  # W40 had no value


def test_one_number_style_per_axis_in_each_language() -> None:
    from analytics.chart_style import CompactAxis, compact_number

    zh, en = CompactAxis("zh"), CompactAxis("en")
    ticks = [0.0, 2500.0, 5000.0, 7500.0, 10000.0]
    for f in (zh, en):
        f.set_locs(ticks)
    assert [zh(t) for t in ticks] == ["0", "0.25万", "0.50万", "0.75万", "1.00万"]
    assert [en(t) for t in ticks] == ["0", "2.5k", "5.0k", "7.5k", "10.0k"]
    zh.set_locs([0.0, 4000.0, 8000.0])  # under 1万: plain numbers throughout
    assert [zh(t) for t in (0.0, 4000.0, 8000.0)] == ["0", "4,000", "8,000"]
    decades = [10.0, 100.0, 1000.0, 1e4, 1e5, 1e6, 1e7, 1e8]  # a funnel's log axis
    for lang, want in (("zh", ["10", "100", "1,000", "1万", "10万", "100万", "1000万", "1亿"]),
                       ("en", ["10", "100", "1k", "10k", "100k", "1M", "10M", "100M"])):
        log = CompactAxis(lang, 0, log=True)
        log.set_locs(decades)
        assert [log(t) for t in decades] == want  # real values, never "≈0" beside "0.1亿"
    assert compact_number(-1720, "zh", 2, scale_of=19000) == "−0.17万"
    assert compact_number(-30, "zh", 2, scale_of=19000) == "≈0"


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_chart_fits_its_image_under_its_title(monkeypatch, name: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for lang in ("zh", "en"):
        fig = _figure_of(monkeypatch, lambda: ALL[name](lang))  # noqa: B023 (called at once)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()  # the layout runs as the chart is drawn
        renderer = canvas.get_renderer()
        drawn = fig.axes[0].get_tightbbox(renderer)  # ticks, labels, legends, period line
        title = fig.texts[0].get_window_extent(renderer)
        assert drawn.x0 >= 0 and drawn.y0 >= 0 and drawn.x1 <= fig.bbox.width, (name, lang)
        assert drawn.y1 <= title.y0 and title.y1 <= fig.bbox.height, (name, lang)


def test_a_log_axis_reads_real_values_in_each_language(monkeypatch) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for lang, want in (("zh", {"100", "1,000", "1万", "10万", "100万", "1000万"}),
                       ("en", {"100", "1k", "10k", "100k", "1M", "10M"})):
        fig = _figure_of(monkeypatch, lambda: ALL["funnel"](lang))  # noqa: B023
        FigureCanvasAgg(fig).draw()
        ax = fig.axes[0]
        low, high = ax.get_xlim()
        shown = {t.get_text() for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high}
        assert shown == want  # 640,000 impressions to 120 orders: no "≈0" on any tick


def _labels(fig, axis: str) -> list[str]:
    """The tick labels an axis shows once drawn (the ones inside its limits)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    low, high = sorted(ax.get_ylim() if axis == "y" else ax.get_xlim())
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    at = 1 if axis == "y" else 0
    return [t.get_text() for t in ticks if low <= t.get_position()[at] <= high]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_near_flat_trend_looks_flat_and_its_ticks_differ(monkeypatch, lang: str) -> None:
    fig = _figure_of(monkeypatch, lambda: charts.kpi_trend(
        "GMV", "USD", ["2026-10", "2026-11"], [299155, 299170], period="2026-11", lang=lang))
    low, high = fig.axes[0].get_ylim()
    assert low <= 299155 * 0.96 and high >= 299170 * 1.04  # a 0.005 % move is drawn flat
    labels = _labels(fig, "y")
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels


def test_axis_ticks_get_the_decimals_that_tell_them_apart() -> None:
    from analytics.chart_style import CompactAxis

    ticks = [299150.0, 299152.5, 299155.0, 299157.5, 299160.0]  # a 10-dollar axis at 299k
    for lang in ("zh", "en"):
        axis = CompactAxis(lang)
        axis.set_locs(ticks)
        labels = [axis(t) for t in ticks]
        assert len(set(labels)) == len(ticks), labels
    assert [axis(t) for t in ticks[:2]] == ["299.1500k", "299.1525k"]  # one style per axis
    ratio = CompactAxis("en")
    ratio.set_locs([2.10, 2.15, 2.20])  # under the first unit: plain, equally many decimals
    assert [ratio(t) for t in (2.10, 2.15, 2.20)] == ["2.10", "2.15", "2.20"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_waterfall_labels_sit_inside_the_axes_under_the_period_line(monkeypatch,
                                                                     lang: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_of(monkeypatch, lambda: charts.driver_waterfall(  # the demo's monthly one
        ("上月", 276300), [("订单数", -4400), ("客单价", 1400)], ("本月", 273300),
        title="净GMV变化原因", unit="USD", period="2026-11", lang=lang))
    ax = fig.axes[0]
    assert ax.get_ylim()[1] >= 1.1 * 276300  # headroom over the tallest bar
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    period_line = ax.title.get_window_extent(renderer)
    for label in ax.texts:  # the value labels on the bars
        box = label.get_window_extent(renderer)
        assert box.y1 <= ax.bbox.y1 and box.y1 < period_line.y0, label.get_text()


@pytest.mark.parametrize(("lang", "want"), [("zh", ["1万", "10万", "100万", "1000万"]),
                                          ("en", ["10k", "100k", "1M", "10M"])])
def test_a_monthly_store_funnel_reads_whole_decades(monkeypatch, lang: str,
                                                    want: list[str]) -> None:
    fig = _figure_of(monkeypatch, lambda: charts.funnel(
        [("商品浏览", 375_900, 360_000), ("订单", 8_637, 8_780)], title="店铺转化漏斗",
        period="2026-11", lang=lang))
    assert _labels(fig, "x") == want  # never 0.001亿 or ≈0
