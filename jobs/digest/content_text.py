"""The content section in words: the top videos and LIVEs by GMV with their traits, and what the
winners share as sentences a content lead can brief from (Chinese and English, one catalog).

Traits per content: title (the id only without one), creator, product, GMV, views, product
click rate, hook and length (seconds, minutes or hours). Lessons come from
``analytics.content_lessons`` (material differences only), e.g. "Winning videos open with the
hook within 2 s (4 of the top 5 vs 20% of the rest)"; "LIVEs of 2 h or more sold 3.0x more per
hour than shorter ones".
"""

from __future__ import annotations

from analytics.content import Lesson, WinnerProfile
from jobs.digest.advice_text import pick
from jobs.digest.words import Words
from jobs.report.records import ContentRow

#: Contents listed per type.
TOP_PER_TYPE = 3
#: Lessons per content type.
TOP_LESSONS = 4
KINDS: dict[str, tuple[str, str]] = {"VIDEO": ("短视频", "videos"), "LIVE": ("直播", "LIVEs")}
ONE: dict[str, tuple[str, str]] = {"VIDEO": ("短视频", "Video"), "LIVE": ("直播", "LIVE")}
TEXT: dict[str, tuple[str, str]] = {
    "top": ("{kind}《{title}》 {creator}：GMV {gmv}，观看 {views}，商品点击率 {ctr}{traits}",
            "{kind} \"{title}\" by {creator}: GMV {gmv}, {views} views, product CTR {ctr}"
            "{traits}"),
    "product": ("商品 {name}", "product {name}"),
    "hook": ("钩子 {t}", "hook {t}"), "length": ("时长 {t}", "length {t}"),
    "evidence": ("（前 {n} 名中 {k} 个，其余为 {rest}）", " ({k} of the top {n} vs {rest} of the "
                 "rest)"),
    "hook_lesson": ("爆款{kind}在开头 {t}内抛出钩子", "Winning {kind} open with the hook within "
                    "the first {t}"),
    "shorter": ("爆款{kind}时长不超过 {t}", "Winning {kind} run {t} or less"),
    "longer": ("爆款{kind}时长至少 {t}", "Winning {kind} run {t} or longer"),
    "per_hour_long": ("时长 {t}及以上的直播每小时销售额是较短直播的 {m} 倍",
                      "LIVEs of {t} or more sold {m}x more per hour than shorter ones"),
    "per_hour_short": ("时长不足 {t}的直播每小时销售额是较长直播的 {m} 倍",
                       "LIVEs under {t} sold {m}x more per hour than longer ones"),
    "posted": ("爆款{kind}多在 {a}:00–{b}:00 发布", "Winning {kind} went out between {a}:00 and "
               "{b}:00"),
    "music": ("爆款{kind}使用背景音乐", "Winning {kind} use music"),
    "no_music": ("爆款{kind}不用背景音乐", "Winning {kind} skip music"),
    "hashtag": ("爆款{kind}带话题 {tag}", "Winning {kind} carry {tag}"),
    "clicks": ("爆款{kind}的商品点击率是其余的 {m} 倍", "Winning {kind} get {m}x the product "
               "clicks per view of the rest"),
    "none": ("{period}爆款{kind}（前 {n} 名）与其余内容没有明显不同的共同特点",
             "No trait sets the top {n} {kind} apart from the rest {period}"),
    "s": ("{n} 秒", "{n} s"), "min": ("{n} 分钟", "{n} min"), "h": ("{n} 小时", "{n} h"),
    "h_min": ("{h} 小时 {m} 分钟", "{h} h {m} min"),
}


def duration(seconds: float | None, w: Words) -> str:
    """A length as people say it: 45 s, 12 min, 2 h, 2 h 15 min (``—`` when unknown)."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 120:
        return pick(TEXT["s"], w).format(n=s)
    minutes = int(round(s / 60))
    if minutes < 60:
        return pick(TEXT["min"], w).format(n=minutes)
    h, m = divmod(minutes, 60)
    return pick(TEXT["h"] if m == 0 else TEXT["h_min"], w).format(n=h, h=h, m=m)


def _creator(handle: str | None) -> str:
    return f"@{handle}" if handle else "—"


def top_lines(rows: tuple[ContentRow, ...], w: Words, currency: str) -> list[str]:
    """The top videos then LIVEs by GMV, each with its traits."""
    out = []
    for kind in ("VIDEO", "LIVE"):
        ranked = sorted((r for r in rows if r.content_type == kind), key=lambda r: r.rank)
        for r in ranked[:TOP_PER_TYPE]:
            sep = "，" if w.lang == "zh" else ", "
            traits = [pick(TEXT["product"], w).format(name=r.product_name)] if r.product_name \
                else []
            if kind == "VIDEO" and r.hook_s is not None:
                traits.append(pick(TEXT["hook"], w).format(t=duration(r.hook_s, w)))
            if r.duration_s is not None:
                traits.append(pick(TEXT["length"], w).format(t=duration(r.duration_s, w)))
            out.append(pick(TEXT["top"], w).format(
                kind=pick(ONE[kind], w), title=(r.title or "").strip() or r.content_id,
                creator=_creator(r.creator_username), gmv=w.money(r.gmv, currency),
                views=w.count(r.views), ctr=w.ratio(r.ctr, "percent"),
                traits="".join(sep + t for t in traits)))
    return out


def lesson_sentence(x: Lesson, content_type: str, w: Words) -> str:
    """One lesson as a sentence, with its evidence where it is a share of the winners."""
    kind = pick(KINDS.get(content_type, (content_type, content_type)), w)
    key = "hook_lesson" if x.kind == "hook" else x.kind
    text = pick(TEXT[key], w).format(
        kind=kind, t=duration(x.threshold, w), tag=x.tag,
        m=w.ratio(None if x.multiple is None else round(x.multiple, 1),
                  "multiple").rstrip("0").rstrip("."),
        a=f"{int(x.threshold or 0):02d}", b=f"{int(x.until or 0):02d}")
    if x.rest_share is not None:
        text += pick(TEXT["evidence"], w).format(
            k=x.hits, n=x.winners, rest=w.ratio(x.rest_share, "percent"))
    return text + ("。" if w.lang == "zh" else ".")


def lesson_lines(winners: tuple[WinnerProfile, ...], w: Words) -> list[str]:
    """What the winners of each type share, in sentences; one line saying so when nothing
    sets them apart materially."""
    out = []
    for p in winners:
        found = [lesson_sentence(x, p.content_type, w) for x in p.lessons[:TOP_LESSONS]]
        kind = pick(KINDS.get(p.content_type, (p.content_type,) * 2), w)
        out += found or ([pick(TEXT["none"], w).format(kind=kind, n=p.winners,
                                                     period=w.t("in_period")) +
                          ("。" if w.lang == "zh" else ".")] if p.rest else [])
    return out


def content_lines(rows: tuple[ContentRow, ...], winners: tuple[WinnerProfile, ...], w: Words,
                  currency: str) -> list[str]:
    """The content section: the top contents, then the lessons."""
    return top_lines(rows, w, currency) + lesson_lines(winners, w)
