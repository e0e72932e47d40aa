"""Suggestions in words, Chinese and English, from one catalog: each says what to do, on which
basis (which ROAS, which target), what checked it and the expected effect.

``suggestion_sentence(s, w, currency)`` fills the phrase of ``s.action`` (``ADVICE``) with the
suggestion's facts formatted by ``Words``; reasons and states that come as codes (creator
verdict reasons, authorization states, cross-check blockers) have their own words here, so no
code reaches a reader.
"""

from __future__ import annotations

from typing import Any

from jobs.digest.advice import Suggestion
from jobs.digest.section_text import creator_name, sku_label, verdict_reasons
from jobs.digest.words import Words

#: action -> (zh, en); ``{true}`` is the true-ROAS aside (``TRUE_ASIDE``), maybe empty.
ADVICE: dict[str, tuple[str, str]] = {
    "raise_budget": (
        "{store}：广告预算提高 {pct}（约多花 {extra}，按当前ROAS预计多带来约 {revenue} 收入）。"
        "依据：平台ROAS {roas} 高于目标 {target}{true}；转化率、退款和真实ROAS均未变差。",
        "{store}: raise the ad budget by {pct} (≈ {extra} more spend, ≈ {revenue} more revenue "
        "at today's ROAS). Basis: platform ROAS {roas} beats the {target} target{true}; "
        "conversion, refunds and true ROAS did not get worse."),
    "pause_ads": (
        "{store}：削减或暂停亏损的广告系列：平台ROAS {roas} 低于盈亏平衡 {break_even}，"
        "超出正常波动（±{noise}）{true}。预计{per}少亏约 {loss}（花费 {spend}）。",
        "{store}: cut or pause the losing campaigns: platform ROAS {roas} is below break-even "
        "{break_even}, beyond the ±{noise} noise band{true}. Expected: ≈ {loss} {per} less "
        "lost (of {spend} spend)."),
    "hold_noise": (
        "{store}：广告预算暂不调整：平台ROAS {roas} 仅略低于盈亏平衡 {break_even}，"
        "在正常波动（±{noise}）之内{true}；{next}再看。",
        "{store}: hold the ad budget: platform ROAS {roas} is only just below break-even "
        "{break_even}, inside the ±{noise} noise band{true}; look again {next}."),
    "hold_budget": (
        "{store}：暂不加广告预算：平台ROAS {roas} 虽高于目标 {target}，但{why}；先解决这些。",
        "{store}: do not raise the ad budget yet: platform ROAS {roas} beats the {target} "
        "target, but {why}; fix that first."),
    "check_refunds": ("{store}：检查退款：退款率 {rate}，{base_avg} {base}。",
                      "{store}: check refunds: refund rate {rate} vs {base} {base_avg}."),
    "restock": ("{store}：补货 {sku} {qty} 件（可售 {cover} 天，补货周期 {lead} 天）。",
                "{store}: reorder {qty} units of {sku} ({cover} days of cover, lead time {lead} "
                "days)."),
    "stop_creator": ("停止与达人 {who} 合作：{reasons}（{period}佣金 {commission}，GMV {gmv}）。",
                     "Stop working with creator {who}: {reasons} (commission {commission}, "
                     "GMV {gmv} {period})."),
    "reauthorize_account": ("{store}：请重新授权（{reason}），否则数据无法同步。",
                            "{store}: re-authorize ({reason}); its data cannot sync until then."),
    "reauthorize": ("{store}：{source} 数据从未同步，请重新授权或检查连接。",
                    "{store}: {source} {has} never synced: re-authorize the shop or check the "
                    "connection."),
    "resync": ("{store}：{source} 数据落后 {days} 天（最后完整日 {day}），请运行 tikpulse sync "
               "或检查授权。",
               "{store}: {source} {be} {days} {day_word} behind (last complete day {day}): run "
               "tikpulse sync or check the authorization."),
}
TRUE_ASIDE = ("（真实ROAS {value}）", " (true ROAS {value})")
#: Cross-checks that held a budget increase back, with ``{pct}`` / ``{pp}`` filled in.
BLOCKERS: dict[str, tuple[str, str]] = {
    "cvr_down": ("转化率下降 {pct}", "conversion fell {pct}"),
    "refunds_up": ("退款率上升 {pp} 个百分点", "refunds rose {pp} points"),
    "true_roas_down": ("真实ROAS下降 {pct}", "true ROAS fell {pct}"),
}
#: Authorization states (``analytics.suggestions.ACTION_STATES``) in words.
AUTH_STATES: dict[str, tuple[str, str]] = {
    "expired": ("授权已过期", "authorization expired"),
    "revoked": ("授权已撤销", "authorization revoked"),
    "expiring": ("授权即将过期", "authorization expires soon"),
    "missing_scope": ("缺少所需权限", "a needed permission is missing"),
    "shop_changed": ("店铺主体已变更", "the shop changed legal entity"),
    "refresh_failed": ("令牌刷新失败", "token refresh failed"),
}


def pick(pair: tuple[str, str], w: Words) -> str:
    """The (zh, en) pair's text in the reader's language."""
    return pair[0] if w.lang == "zh" else pair[1]


def blocker_words(f: dict[str, Any], w: Words) -> str:
    """The cross-checks that held a budget increase back (``f["blockers"]``), with the figures
    in ``f`` (cvr_change, refund_pp, true_roas_change)."""
    values = {"cvr_down": f.get("cvr_change"), "refunds_up": f.get("refund_pp"),
              "true_roas_down": f.get("true_roas_change")}
    parts = [pick(BLOCKERS[b], w).format(
        pct=w.pct_change(values[b]).lstrip("+−"), pp=f"{100 * float(values[b] or 0):.1f}")
        for b in f.get("blockers", ()) if b in BLOCKERS]
    return ("、" if w.lang == "zh" else ", ").join(parts)


def _values(s: Suggestion, w: Words, currency: str) -> dict[str, Any]:
    """Every placeholder an ``ADVICE`` phrase may use, formatted."""
    f = s.facts

    def money(key: str) -> str:
        return w.money(f.get(key), currency)

    def multiple(key: str) -> str:
        return w.ratio(None if f.get(key) is None else float(f[key]), "multiple")

    late = [w.source(str(s)) for s in f.get("source", ())]  # the late sources (data advice)
    true = "" if f.get("true_roas") is None else pick(TRUE_ASIDE, w).format(
        value=multiple("true_roas"))
    return {
        "store": s.store, "roas": multiple("roas"), "target": multiple("target"),
        "break_even": multiple("break_even"), "true": true, "spend": money("spend"),
        "noise": f"{float(f.get('noise') or 0):.0%}", "loss": money("loss"),
        "pct": f"{float(f.get('step') or 0):.0%}", "extra": money("extra_spend"),
        "revenue": money("extra_revenue"), "why": blocker_words(f, w),
        "rate": w.ratio(f.get("rate"), "percent"), "base": w.ratio(f.get("baseline"), "percent"),
        "base_avg": w.t("base_avg"),
        "sku": sku_label(str(f.get("sku", "")), f.get("name"), f.get("seller_sku")),
        "qty": f.get("qty"),
        "cover": f"{float(f.get('cover') or 0):.0f}", "lead": f.get("lead"),
        "who": creator_name(s.store, f.get("nickname")),
        "reasons": verdict_reasons(tuple(f.get("reasons", ())), w),
        "commission": money("commission"), "gmv": money("gmv"),
        "reason": pick(AUTH_STATES.get(str(f.get("status")), (str(f.get("reason")),) * 2), w),
        "source": _named(late, w), "days": f.get("days_behind"),
        "be": "are" if len(late) > 1 else "is", "has": "have" if len(late) > 1 else "has",
        "day_word": "day" if f.get("days_behind") == 1 else "days",
        "day": f.get("latest_day"), "period": w.t("in_period"), "per": w.t("per_period"),
        "next": w.t("next_period"),
    }


def _named(names: list[str], w: Words) -> str:
    """Names together: "settlements and traffic", "结算、流量"."""
    if w.lang == "zh" or len(names) < 2:
        return "、".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def suggestion_sentence(s: Suggestion, w: Words, currency: str) -> str:
    """One suggestion with its basis, cross-checks and expected effect, in the reader's
    language (``currency``: of suggestions that do not say their own)."""
    action = s.action
    if action == "hold_budget" and "within_noise" in s.facts.get("blockers", ()):
        action = "hold_noise"
    return pick(ADVICE[action], w).format(**_values(s, w, s.currency or currency))
