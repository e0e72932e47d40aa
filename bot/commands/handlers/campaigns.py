"""``campaigns``: ads by campaign ("roas by campaign", "which campaign is wasting money").

Per campaign of the scope's ads accounts (``jobs.warehouse.campaigns``, the rows the KPIs' spend
is summed from): spend, platform ROAS, true ROAS, CPA, CTR, the platform ROAS trend against the
period before, and a verdict. True ROAS per campaign is an estimate, said so: TikTok attributes
shop GMV to paid traffic per store only, so a campaign's is its platform ROAS scaled by its
store's true / platform ratio (the digest's budget advice does the same). The verdict is the
report's (``analytics.campaigns.campaign_verdict``): the ROAS the targets are set on
(``ROAS_TARGET_BASIS``) against break-even and the target, no "cut" inside the noise band.
"Wasting money" ranks by the loss against break-even on the same ROAS: spend x (1 - ROAS /
break-even), as the digest's "pause" advice counts it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from analytics.campaigns import campaign_noise, campaign_verdict
from analytics.display import change, money, multiple, percent
from analytics.money import money_ratio, ratio
from bot.commands.context import BotContext
from bot.commands.gaps import not_reported
from bot.commands.handlers.common import period_of, refusals, scope_of, through_note
from bot.commands.middleware import Turn
from bot.commands.numbers import scope_currency
from bot.commands.reply import Reply, Table, Text, reply
from bot.commands.scope import Scope, store_label
from bot.commands.texts import phrase
from jobs.accounts.targets import ROAS_TARGET_BASIS, effective_targets
from jobs.warehouse.campaigns import CampaignTotals, campaign_totals
from jobs.warehouse.queries import period_kpis, store_advertisers, store_currency

#: Campaigns listed when the question gives no number.
DEFAULT_TOP = 10
#: Most campaigns one answer lists.
MAX_TOP = 30
#: Break-even ROAS used when the tenant has set none (spend returned, nothing earned).
DEFAULT_BREAK_EVEN = Decimal(1)
#: How far above target a campaign must be to say "scale".
SCALE_HEADROOM = Decimal("0.2")
#: Ranking keys -> how campaigns are ordered (all biggest first but CPA, cheapest first).
ORDER = ("spend", "roas", "cpa", "ctr", "loss")
#: Words of the answer.
WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Campaigns", "zh": "广告计划"},
    "columns": {"en": "Campaign|Spend|ROAS|True ROAS (est.)|CPA|CTR|ROAS trend|Verdict",
                "zh": "计划|花费|平台ROAS|真实ROAS（估）|CPA|点击率|ROAS趋势|建议"},
    "cut": {"en": "cut: below break-even", "zh": "暂停：低于保本"},
    "watch": {"en": "watch: below target", "zh": "观察：低于目标"},
    "scale": {"en": "scale: beats target", "zh": "加预算：超目标"},
    "keep": {"en": "keep", "zh": "保持"},
    "unknown": {"en": "n/a", "zh": "无法判断"},
    "none": {"en": "No ads spend in that period.", "zh": "该期没有广告花费。"},
    "loss": {"en": "Losing most against break-even ROAS {be}: {rows}",
             "zh": "相对保本ROAS {be} 亏损最多：{rows}"},
    "no_loss": {"en": "No campaign is below break-even ROAS {be}.",
                "zh": "没有计划低于保本ROAS {be}。"},
    "method": {"en": "True ROAS per campaign is estimated: platform ROAS x the store's true / "
                     "platform ratio. Break-even ROAS {be}{default}; target {target}.",
               "zh": "单个计划的真实ROAS为估算：平台ROAS × 店铺真实/平台ROAS之比。保本ROAS {be}"
                     "{default}；目标 {target}。"},
    "default": {"en": " (not set: add targets: break_even_roas to the tenants file)",
                "zh": "（未设置：请在租户配置 targets 中添加 break_even_roas）"},
}


def word(key: str, lang: str, **values: object) -> str:
    """A phrase of ``WORDS`` in ``lang``."""
    return phrase(WORDS, key, lang, **values)


def _scale(conn, scope: Scope, first, last) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    """shop id -> true / platform ROAS of the store (each in its own currency)."""
    out: dict[str, float | None] = {}
    for store in scope.stores:
        ads = store_advertisers(conn, [store.shop_id], {store.shop_id: store.advertiser_ids})
        kpis = period_kpis(conn, [store.shop_id], first, last, store_currency(conn, store),
                           advertiser_shop=ads)
        out[store.shop_id] = (None if not kpis.roas_platform or kpis.roas_true is None
                              else kpis.roas_true / kpis.roas_platform)
    return out


def _row(c: CampaignTotals, before: CampaignTotals | None, scale: float | None,
         break_even: Decimal, target: Decimal | None, lang: str) -> dict[str, object]:
    """One campaign's figures, verdict and loss against break-even."""
    roas = ratio(c.purchase_value, c.spend)
    true = None if roas is None or scale is None else float(roas) * scale
    old = None if before is None else ratio(before.purchase_value, before.spend)
    judged = {"roas_platform": roas, "roas_true": true}.get(ROAS_TARGET_BASIS)
    verdict = campaign_verdict(judged, None if target is None else float(target),
                               float(break_even), noise=campaign_noise([old, roas]),
                               headroom=float(SCALE_HEADROOM)) or "unknown"
    loss = None if judged is None or c.spend is None else \
        (c.spend * (1 - Decimal(str(judged)) / break_even)).quantize(Decimal("0.01"))
    return {"campaign": c.name, "campaign_id": c.campaign_id, "shop_id": c.shop_id,
            "spend": c.spend, "roas": roas, "roas_true": true,
            "cpa": money_ratio(c.spend, c.purchases), "ctr": ratio(c.clicks, c.impressions),
            "impressions": c.impressions, "trend": change(roas, old), "verdict": verdict,
            "loss": loss}


def _cells(r: dict[str, Any], currency: str, lang: str, store: str) -> tuple[str, ...]:
    """One campaign's row ("n/a (not reported by TikTok Ads)" where the report had "-")."""
    ads = not_reported("ad_report_rows", lang)
    spend = ads if r["spend"] is None else money(r["spend"], currency)
    ctr = ads if r["impressions"] is None else percent(r["ctr"])
    return (f"{store}{str(r['campaign'])[:32]}", spend, multiple(r["roas"]),
            multiple(r["roas_true"]), money(r["cpa"], currency), ctr, str(r["trend"]),
            word(str(r["verdict"]), lang))


def _sort_key(by: str):  # type: ignore[no-untyped-def]
    def key(r: dict[str, object]) -> tuple[int, float]:
        value = r.get(by)
        if value is None:
            return (1, 0.0)
        return (0, float(value) if by == "cpa" else -float(value))  # type: ignore[arg-type]
    return key


@refusals
def campaigns(turn: Turn, ctx: BotContext) -> Reply:
    """The scope's campaigns over the period, with verdicts; ranked by ``by`` (loss: money
    lost against break-even)."""
    assert turn.parsed is not None and turn.tenant is not None
    scope = scope_of(turn)
    period = period_of(turn, ctx, scope)
    before = period.previous()
    lang, by = turn.lang, turn.parsed.rank_by if turn.parsed.rank_by in ORDER else "spend"
    with ctx.engine.connect() as conn:
        currency = scope_currency(conn, scope.stores, turn.tenant.reporting_currency)
        ads = store_advertisers(conn, [s.shop_id for s in scope.stores],
                                {s.shop_id: s.advertiser_ids for s in scope.stores})
        now = campaign_totals(conn, ads, period.start, period.end, currency)
        then = {(c.advertiser_id, c.campaign_id): c for c in
                campaign_totals(conn, ads, before.start, before.end, currency)}
        scale = _scale(conn, scope, period.start, period.end)
        targets = effective_targets(conn, turn.tenant)
    head = Text(f"{word('title', lang)} · {scope.label} · {period.label}", "heading")
    note = through_note(period, lang)
    extra = [note] if note else []
    if not any(c.spend for c in now):
        return reply(head, word("none", lang), *extra, data={"campaigns": []})
    be = targets.break_even_roas or DEFAULT_BREAK_EVEN
    rows = [_row(c, then.get((c.advertiser_id, c.campaign_id)), scale.get(c.shop_id), be,
                 targets.roas, lang) for c in now]
    rows.sort(key=_sort_key(by))
    shown = rows[:min(turn.parsed.n or DEFAULT_TOP, MAX_TOP)]
    several = len(scope.stores) > 1  # the store before each campaign's name
    names = {s.shop_id: f"{store_label(s)} · " for s in scope.stores} if several else {}
    table = Table(tuple(word("columns", lang).split("|")),
                  tuple(_cells(r, currency, lang, names.get(str(r["shop_id"]), ""))
                        for r in shown))
    losing = [r for r in shown if r["loss"] is not None and r["loss"] > 0]  # type: ignore[operator]
    lead = (word("loss", lang, be=f"{be}x", rows=", ".join(
        f"{r['campaign']} {money(r['loss'], currency)}" for r in losing[:3]))  # type: ignore[arg-type]
        if losing else word("no_loss", lang, be=f"{be}x")) if by == "loss" else None
    method = word("method", lang, be=f"{be}x", target=f"{targets.roas}x" if targets.roas else "-",
                  default="" if targets.break_even_roas else word("default", lang))
    data = {"period": period.label, "currency": currency, "by": by, "break_even_roas": str(be),
            "campaigns": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items()}
                          for r in shown]}
    return reply(head, *([lead] if lead else []), table, *extra, Text(method, "note"), data=data)
