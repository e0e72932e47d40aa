"""Fixed sentences the bot says, in English and Chinese, each saying what to do next."""

from __future__ import annotations

from bot.commands.vocab import COMMANDS, COMMANDS_BY_ID

TEXTS: dict[str, dict[str, str]] = {
    "setup_slack": {
        "en": "This channel ({channel}) is not connected to TikPulse yet, so I can't show any "
              "numbers here. An admin adds it to the tenants file under the tenant's "
              "`chats: slack:` as `- channel: {channel}` (channel id, not name), then asks "
              "`help` again.",
        "zh": "此频道（{channel}）尚未绑定 TikPulse，因此不显示任何数据。"
              "请管理员在租户配置文件对应租户的 "
              "`chats: slack:` 下添加 `- channel: {channel}`（填频道 ID），然后再发送 `help`。",
    },
    "setup_telegram": {
        "en": "This chat ({channel}) is not connected to TikPulse yet. An admin adds it to the "
              "tenants file under `chats: telegram:` as `- chat: {channel}`.",
        "zh": "此群（{channel}）尚未绑定 TikPulse。"
              "请管理员在租户配置文件的 `chats: telegram:` 下添加 "
              "`- chat: {channel}`。",
    },
    "setup_feishu": {
        "en": "This chat ({channel}) is not connected to TikPulse yet, so I can't show any "
              "numbers here. An admin adds it to the tenants file under the tenant's chats:\n"
              "```\nchats:\n  feishu:\n    - chat: {channel}\n      admins: [ou_...]\n```\n"
              "then @mentions me with `help` again.",
        "zh": "此群（{channel}）尚未绑定 TikPulse，因此不显示任何数据。"
              "请管理员在租户配置文件对应租户的 chats 下添加：\n"
              "```\nchats:\n  feishu:\n    - chat: {channel}\n      admins: [ou_...]\n```\n"
              "然后再 @我 发送 `help`。",
    },
    "dm_refused": {
        "en": "I only answer in your team's channel, where everyone sees the same numbers. Ask "
              "there, or have an admin bind this direct chat ({channel}) in the tenants file.",
        "zh": "请在团队频道里提问（大家看到同一份数据）。"
              "如需私聊使用，请管理员在租户配置文件中绑定此私聊（{channel}）。",
    },
    "no_tenant_terminal": {
        "en": "Name the tenant with --tenant; known tenants: {tenants}.",
        "zh": "请用 --tenant 指定租户；已有租户：{tenants}。",
    },
    "rate_limited": {
        "en": "You've asked {count} questions in the last minute (limit {limit}). "
              "Try again in {wait} s.",
        "zh": "您在一分钟内提问了 {count} 次（上限 {limit}）。请 {wait} 秒后再试。",
    },
    "admin_only": {
        "en": "`{command}` changes settings, so only admins of this channel can run it. "
              "Ask an admin, or have your user id ({user}) added to `admins` in the tenants file.",
        "zh": "`{command}` 会修改设置，仅本频道管理员可用。"
              "请联系管理员，或将您的用户 ID（{user}）加入租户配置的 "
              "`admins`。",
    },
    "unclear": {
        "en": "I didn't quite get that. {understood}Closest commands: {closest}. "
              "For example: `{example}`. Send `help` for the full list.",
        "zh": "没太看懂。{understood}最接近的命令：{closest}。"
              "例如：`{example}`。发送 `帮助` 查看全部命令。",
    },
    "ambiguous": {
        "en": "That asks for several things ({closest}); ask one at a time, e.g. `{example}`.",
        "zh": "一次问了多个问题（{closest}），请一次问一个，例如：`{example}`。",
    },
    "unknown_store": {
        "en": "I don't know a store called \u201c{said}\u201d here. Stores this channel can see:\n"
              "{stores}\nName one by its name, id or region, e.g. `{example}`.",
        "zh": "这里没有名为\u201c{said}\u201d的店铺。本频道可查看的店铺：\n{stores}\n"
              "可用店铺名、ID 或地区指定，例如：`{example}`。",
    },
    "several_stores": {
        "en": "\u201c{said}\u201d matches several stores:\n{stores}\n"
              "Name one exactly, or say `all`.",
        "zh": "\u201c{said}\u201d匹配到多个店铺：\n{stores}\n请写全店铺名，或用 `全部`。",
    },
    "bad_period": {
        "en": "I can't use that period: {problem}. Periods I understand: this week, last week, "
              "2026-W47, last 7 days, 11-01..11-15.",
        "zh": "无法识别时间范围：{problem}。可用：本周、上周、2026-W47、最近7天、11-01..11-15。",
    },
    "data_through": {
        "en": "Data through {through} (later days are not synced yet); compared with the same "
              "days before: {first}..{last}.",
        "zh": "数据截至 {through}（之后的日期尚未同步完成）；对比上期相同天数：{first}..{last}。",
    },
    "not_synced_yet": {
        "en": "No complete data for {period} yet: data through {through}. Ask about `{week}` "
              "or another period up to {through}.",
        "zh": "{period} 暂无完整数据：数据截至 {through}。"
              "可以问 `{week}` 或截至 {through} 的其他时间段。",
    },
    "help_periods": {
        "en": "Periods: yesterday, this week, last week (default), this month, last month, "
              "november, 2026-W47, last 14 days, 11-01..11-15. A period not over yet is "
              "compared with the same days before it.",
        "zh": "时间：昨天、本周、上周（默认）、本月、上个月、11月、2026-W47、最近14天、"
              "11月1日到15日、11-01..11-15。未结束的时间段与上期相同天数对比。",
    },
    "help_natural": {
        "en": "Or just ask: \u201cwhich campaign is wasting money\u201d, \u201care we making "
              "money this month\u201d, \u201crefund rate in the UK\u201d, \u201ctop "
              "creators 10 by cvr\u201d, \u201ccompare ctr UK US\u201d, \u201chow are we "
              "doing\u201d.",
        "zh": "也可以直接问：\u201c哪个广告计划在亏钱\u201d、\u201c我们现在赚钱吗\u201d、"
              "\u201c英国广告花了多少钱\u201d、\u201c本周总结\u201d、\u201c达人排行 前10 按转化率"
              "\u201d、\u201c对比英国美国的退款率\u201d。",
    },
    "read_as": {
        "en": "Read as: {reading}",
        "zh": "理解为：{reading}",
    },
    "not_reported": {
        "en": "n/a (not reported by {source})",
        "zh": "无数据（{source} 未提供）",
    },
    "internal_error": {
        "en": "Something went wrong while answering (reference {ref}). It has been logged; "
              "please try again in a minute.",
        "zh": "回答时出错（编号 {ref}），已记录。请稍后再试。",
    },
}


def phrase(catalog: dict[str, dict[str, str]], key: str, lang: str, **values: object) -> str:
    """Phrase ``key`` of a ``{key: {lang: text}}`` catalog in ``lang`` (English if missing),
    with ``values`` filled in: how every answer's words are looked up."""
    options = catalog[key]
    return options.get(lang, options["en"]).format(**values)


def say(key: str, lang: str, **values: object) -> str:
    """The sentence ``key`` of the shared ``TEXTS`` in ``lang`` with ``values`` filled in."""
    return phrase(TEXTS, key, lang, **values)


def command_name(command_id: str, lang: str) -> str:
    """How a command is written in ``lang`` (its first phrase in that language)."""
    word = COMMANDS_BY_ID[command_id]
    if lang == "zh":
        zh = [p for p in word.phrases if not p.isascii()]
        if zh:
            return zh[0]
    return word.phrases[0]


def help_lines(lang: str, admin: bool) -> list[str]:
    """One line per command: an example and what it answers."""
    lines = []
    for cmd in COMMANDS:
        if cmd.admin and not admin:
            continue
        summary = cmd.summary_zh if lang == "zh" else cmd.summary_en
        example = cmd.example_zh if lang == "zh" and cmd.example_zh else cmd.example
        lines.append(f"`{example}` — {summary}")
    return lines
