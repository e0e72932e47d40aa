"""The ads-by-campaign section in words (Chinese and English, from one catalog).

One line per campaign, biggest spend first: its name (the id only where the warehouse has no
name) and store, spend, platform ROAS, true ROAS (marked as an estimate where it is scaled
from the store's true / platform ratio), CPA, CTR, the ROAS trend against the previous period,
and the verdict with its reason on the targets' basis (``analytics.campaigns.campaign_verdict``).
A closing line states the basis, the targets and how true ROAS was attributed.
"""

from __future__ import annotations

from collections.abc import Mapping

from jobs.digest.advice_text import blocker_words, pick
from jobs.digest.words import Words
from jobs.report.records import CampaignRow

#: Campaigns listed (the largest spend; the deck and the PDF carry the same lines).
TOP_CAMPAIGNS = 8
CAMPAIGN: dict[str, tuple[str, str]] = {
    "line": ("{name}（{store}）：花费 {spend}，平台ROAS {roas}（{vs_prev} {trend}），真实ROAS "
             "{true}，CPA {cpa}，点击率 {ctr} → {verdict}",
             "{name} ({store}): spend {spend}, platform ROAS {roas} ({vs_prev} {trend}), true "
             "ROAS {true}, CPA {cpa}, CTR {ctr} → {verdict}"),
    "estimate": ("≈{value}（估算）", "≈{value} (estimate)"),
    "cut": ("暂停：低于保本 {be}，差距超出波动范围 ±{noise}",
            "cut: below break-even {be} by more than its noise band (±{noise})"),
    "watch_noise": ("观察：略低于保本 {be}，仍在波动范围 ±{noise} 内",
                    "watch: below break-even {be} but within its noise band (±{noise})"),
    "watch": ("观察：低于目标 {target}", "watch: below the target {target}"),
    "keep": ("保持：达到目标 {target}", "keep: meets the target {target}"),
    "keep_no_target": ("保持：高于保本 {be}", "keep: above break-even {be}"),
    "scale": ("加预算：超出目标 {target} {pct}", "scale: beats the target {target} by {pct}"),
    "keep_held": ("保持：超出目标 {target} {pct}，但店铺{why}，暂不加预算",
                  "keep: beats the target {target} by {pct}, but no more budget while the "
                  "store's {why}"),
    "unknown": ("无法判断：没有ROAS", "no verdict: no ROAS"),
    "basis": ("判断依据：{basis}（目标设定所用的ROAS）对比保本 {be} 和目标 {target}；"
              "低于保本但在该计划近几周的正常波动范围内时为观察，不建议暂停。",
              "Verdicts judge {basis} (the ROAS the targets are set on) against break-even {be} "
              "and the target {target}; a gap below break-even within the campaign's usual "
              "weekly swing means watch, not cut."),
    "attribution": ("单个计划的真实ROAS为估算：平台ROAS × 店铺真实/平台ROAS之比"
                    "（店铺只按店统计付费流量带来的GMV）。",
                    "True ROAS per campaign is an estimate where a store runs several "
                    "campaigns: its platform ROAS x the store's true / platform ratio (TikTok "
                    "attributes shop GMV to paid traffic per store only)."),
}


def _verdict(r: CampaignRow, w: Words) -> str:
    target, be = r.target, r.break_even
    roas = getattr(r, r.basis, None)
    if r.verdict is None or roas is None:
        return pick(CAMPAIGN["unknown"], w)
    key = r.verdict
    if key == "watch" and be is not None and roas < be:
        key = "watch_noise"
    if key == "keep" and target is None:
        key = "keep_no_target"
    if key == "keep" and r.blockers:
        key = "keep_held"
    why = blocker_words({"blockers": r.blockers, **dict(zip(
        ("cvr_change", "refund_pp", "true_roas_change"), r.checks, strict=False))}, w)
    return pick(CAMPAIGN[key], w).format(
        basis=w.metric(r.basis), roas=w.ratio(roas, "multiple"),
        be=w.ratio(be, "multiple"), target=w.ratio(target, "multiple"),
        noise=w.ratio(r.noise, "percent"),
        pct=w.ratio(None if not target else roas / target - 1, "percent"), why=why)


def campaign_lines(rows: tuple[CampaignRow, ...], w: Words,
                   store_names: Mapping[str, str]) -> list[str]:
    """The campaigns with the most spend, each with its verdict, then the basis line."""
    out = []
    for r in rows[:TOP_CAMPAIGNS]:
        true = w.ratio(r.roas_true, "multiple")
        if r.roas_true is not None and r.true_estimated:
            true = pick(CAMPAIGN["estimate"], w).format(value=true)
        trend = None if not r.roas_previous or r.roas_platform is None else (
            r.roas_platform / r.roas_previous - 1)
        out.append(pick(CAMPAIGN["line"], w).format(
            name=r.campaign_name or r.campaign_id, store=store_names.get(r.shop_id, r.shop_id),
            spend=w.money(r.spend, r.currency), roas=w.ratio(r.roas_platform, "multiple"),
            trend=w.pct_change(trend), vs_prev=w.t("vs_prev"), true=true,
            cpa=w.money(r.cpa, r.currency), ctr=w.ratio(r.ctr, "percent"), verdict=_verdict(r, w)))
    if out:
        basis = w.metric(rows[0].basis)
        out.append(pick(CAMPAIGN["basis"], w).format(
            basis=basis, be=w.ratio(rows[0].break_even, "multiple"),
            target=w.ratio(rows[0].target, "multiple")))
        if any(r.true_estimated for r in rows[:TOP_CAMPAIGNS]):
            out.append(pick(CAMPAIGN["attribution"], w))
    return out
