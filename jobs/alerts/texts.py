"""The words of every alert, in English and Chinese. Placeholders are filled from a finding's facts.

Kept apart from the composing code so a translator edits one table and nothing else.
"""

from __future__ import annotations

#: Title per kind: what happened, in a few words.
TITLES: dict[str, dict[str, str]] = {
    "auth_broken": {"en": "Shop authorization broken", "zh": "店铺授权失效"},
    "auth_expiring": {"en": "Shop authorization expiring soon", "zh": "店铺授权即将到期"},
    "ads_token_dead": {"en": "Ads account authorization stopped working", "zh": "广告账户授权失效"},
    "source_late": {"en": "Data is late", "zh": "数据延迟"},
    "no_orders": {"en": "A day without orders", "zh": "出现零订单日"},
    "ads_day_missing": {"en": "A day without ads data", "zh": "广告数据缺失一天"},
    "sync_failing": {"en": "Sync keeps failing", "zh": "同步连续失败"},
    "reconciliation_gap": {"en": "Orders do not reconcile", "zh": "订单对账不一致"},
    "roas_below_target": {"en": "ROAS below target", "zh": "ROAS 低于目标"},
    "spend_spike": {"en": "Ad spend spike", "zh": "广告花费激增"},
    "cvr_collapse": {"en": "Conversion rate collapsed", "zh": "转化率骤降"},
    "cpm_jump": {"en": "CPM jumped", "zh": "CPM 飙升"},
    "gmv_drop": {"en": "GMV dropped", "zh": "GMV 骤降"},
}

#: Event prefixes: a new problem, a reminder, a different problem, the all-clear.
EVENTS: dict[str, dict[str, str]] = {
    "opened": {"en": "🔴 {title}", "zh": "🔴 {title}"},
    "changed": {"en": "🔴 {title} (now a different problem)", "zh": "🔴 {title}（问题已变化）"},
    "repeat": {"en": "🔁 Still broken: {title}", "zh": "🔁 仍未解决：{title}"},
    "recovered": {"en": "✅ Fixed: {title}", "zh": "✅ 已恢复：{title}"},
}

#: What broke, per reason (the authorization status, or the rule's reason word).
REASONS: dict[str, dict[str, str]] = {
    "revoked": {"en": "the seller removed TikPulse's authorization in Seller Center",
                "zh": "卖家已在 Seller Center 取消对 TikPulse 的授权"},
    "refresh_expired": {"en": "the refresh token expired, so the access token cannot be renewed",
                        "zh": "刷新令牌已过期，访问令牌无法续期"},
    "refresh_failed": {"en": "the access token could not be refreshed",
                       "zh": "访问令牌刷新失败"},
    "missing_scope": {"en": "TikPulse is missing a permission (scope) it needs",
                      "zh": "TikPulse 缺少所需的权限（scope）"},
    "shop_changed": {"en": "the shop's legal entity changed, so the token no longer matches "
                           "the shop", "zh": "店铺主体已变更，令牌与店铺不再匹配"},
    "invalid": {"en": "the access token is no longer valid", "zh": "访问令牌已失效"},
    "expired": {"en": "the authorization expired: its refresh token ran out, so access can no "
                      "longer be renewed", "zh": "授权已过期：刷新令牌已失效，访问令牌无法再续期"},
    "auth_failed": {"en": "TikTok refused the authorization", "zh": "TikTok 拒绝了该授权"},
    "expiring": {"en": "the authorization expires on {expires_at} ({days_left} days left)",
                 "zh": "授权将于 {expires_at} 到期（剩余 {days_left} 天）"},
    "late": {"en": "{source} data of {subject_name} is complete only through {through} "
                   "({age_days} days old; normally {normal_lag_days}){sync_error_en}",
             "zh": "{subject_name} 的 {source} 数据只完整到 {through}（已 {age_days} 天，"
                   "正常为 {normal_lag_days} 天）{sync_error_zh}"},
    "no_orders": {"en": "{shop_name} had no orders on {empty_days}; it usually has about "
                        "{usual_daily_orders} a day",
                  "zh": "{shop_name} 在 {empty_days} 没有订单；平时每天约 {usual_daily_orders} 单"},
    "ads_day_missing": {"en": "{subject_name} reported no ads data for {empty_days}, though it "
                              "reports every day; spend and ROAS of that day are understated",
                        "zh": "{subject_name} 在 {empty_days} 没有广告数据（平时每天都有），"
                              "当天的花费和 ROAS 会偏低"},
    "failing": {"en": "the {job} sync of {subject_name} failed {failed_runs} times in a row "
                      "(last error: {last_error})",
                "zh": "{subject_name} 的 {job} 同步已连续失败 {failed_runs} 次"
                      "（最近错误：{last_error}）"},
    "gap": {"en": "{shop_name}: {orders_stored} orders stored vs {orders_reported} in TikTok's "
                  "shop analytics for {from} to {through}",
            "zh": "{shop_name}：{from} 至 {through} 已存 {orders_stored} 单，TikTok 店铺分析为 "
                  "{orders_reported} 单"},
    "anomaly": {"en": "{description_en}", "zh": "{description_zh}"},
}

LABELS: dict[str, dict[str, str]] = {
    "since": {"en": "Since", "zh": "开始于"},
    "fixed": {"en": "Fixed at", "zh": "恢复于"},
    "ago": {"en": "{hours} h ago", "zh": "{hours} 小时前"},
    "missing": {"en": "Data now missing: nothing after {day} for {sources}; reports from then on "
                      "are incomplete",
                "zh": "缺失数据：{sources} 在 {day} 之后没有数据，此后的报告不完整"},
    "missing_none": {"en": "Data now missing: new orders, refunds and settlements stop arriving",
                     "zh": "缺失数据：新的订单、退款和结算将不再同步"},
    "fix_shop": {"en": "How to fix (a shop admin): 1) open {link} and approve TikPulse; "
                       "2) run `tikpulse auth connect-shop --auth-code <CODE> --tenant {tenant}` "
                       "with the code from the page you are sent back to",
                 "zh": "修复方法（店铺管理员）：1）打开 {link} 并同意授权 TikPulse；"
                       "2）用返回页面上的授权码运行 "
                       "`tikpulse auth connect-shop --auth-code <CODE> --tenant {tenant}`"},
    "fix_ads": {"en": "How to fix (an ads admin): authorize the ads account again in TikTok Ads "
                      "Manager, then run `tikpulse auth connect-ads --auth-code <CODE> "
                      "--tenant {tenant}`",
                "zh": "修复方法（广告管理员）：在 TikTok 广告管理平台重新授权广告账户，然后运行 "
                      "`tikpulse auth connect-ads --auth-code <CODE> --tenant {tenant}`"},
    "fix_data": {"en": "TikPulse keeps retrying; `tikpulse auth status` shows whether an "
                       "authorization is the cause",
                 "zh": "TikPulse 会自动重试；运行 `tikpulse auth status` 查看是否为授权问题"},
    "recovered_auth": {"en": "Syncs resume and fill the gap", "zh": "同步将恢复并补齐缺失数据"},
    "recovered_data": {"en": "Back to normal", "zh": "已恢复正常"},
    "shops": {"en": "Shop", "zh": "店铺"},
    "ads_accounts": {"en": "Ads account", "zh": "广告账户"},
}
